import { compilePattern } from './pattern.js';

export interface Hit<T> {
  item: T;
  start: number;
  end: number;
  text: string;
}

/**
 * Many patterns, one pass: every pattern becomes a capturing group of one
 * alternation (one for case-insensitive patterns, one for case-sensitive ones).
 * One alternation is several times faster than one regex per phrase (it is
 * cut into chunks small enough to stay native code, see MAX_SOURCE). After a
 * hit the scan resumes one character later, so a phrase that starts inside
 * another one is still found.
 */
// V8 compiles a regular expression to native code only below a size limit;
// past it the expression runs in the bytecode interpreter, some 20 times
// slower (measured: 3.8 s against 0.2 s on the same passages). Alternations are
// therefore cut into chunks of at most this many characters of source.
const MAX_SOURCE = 6000;

interface Group<T> {
  re: RegExp;
  owners: T[];
  /** The alternatives' sources, in order, and anchored regexes of the later ones, made when first needed. */
  parts: string[];
  /** Characters each alternative can start with (null: could be any). */
  first: Array<Set<string> | null>;
  rest: Map<number, { re: RegExp; index: number[] } | null>;
  lower: boolean;
}

export class Matcher<T> {
  private readonly groups: Group<T>[] = [];

  constructor(entries: Array<{ pattern: string; owner: T }>) {
    type Bucket = { parts: string[]; owners: T[]; length: number };
    // Buckets by case handling and by whether every pattern starts at a word
    // boundary: hoisting that \b out of the alternation lets the engine reject
    // most positions before trying any alternative (measured: twice as fast).
    const buckets = new Map<string, Bucket[]>();
    for (const { pattern, owner } of entries) {
      const c = compilePattern(pattern);
      // Inner capturing groups would shift the numbering: make them non-capturing.
      let src = c.source.replace(/(?<!\\)\((?!\?)/g, '(?:');
      const bounded = src.startsWith('\\b');
      if (bounded) src = src.slice(2);
      // Case-insensitive patterns are lower-cased and matched against lower-cased
      // text without the i flag, which V8 runs faster. Escapes such as \S or \B keep their case.
      if (!c.caseSensitive) src = src.replace(/(\\?)([A-Z])/g, (m, bs: string, ch: string) => (bs ? m : ch.toLowerCase()));
      const key = `${c.caseSensitive ? 'cs' : 'ci'}${bounded ? 'b' : ''}`;
      const list = buckets.get(key) ?? [];
      buckets.set(key, list);
      let last = list[list.length - 1];
      if (!last || last.length + src.length > MAX_SOURCE) list.push((last = { parts: [], owners: [], length: 0 }));
      last.parts.push(`(${src})`);
      last.owners.push(owner);
      last.length += src.length + 3;
    }
    for (const [key, list] of [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      for (const b of list) {
        const body = b.parts.join('|');
        this.groups.push({ re: new RegExp(key.endsWith('b') ? `\\b(?:${body})` : body, 'g'), owners: b.owners, parts: b.parts, first: b.parts.map(firstChars), rest: new Map(), lower: key.startsWith('ci') });
      }
    }
  }

  get size(): number {
    return this.groups.reduce((n, g) => n + g.owners.length, 0);
  }

  /** `lowered` may pass text.toLowerCase() when the caller already has it. */
  match(text: string, lowered?: string): Hit<T>[] {
    const hits: Hit<T>[] = [];
    for (const group of this.groups) {
      const { owners } = group;
      const [r, subject] = this.prepare(group, text, (lowered ??= group.lower ? text.toLowerCase() : undefined));
      let m: RegExpExecArray | null;
      while ((m = r.exec(subject))) {
        if (m[0].length === 0) {
          r.lastIndex++;
          continue;
        }
        // An alternation reports one alternative per position; patterns of other
        // rules may match at the same place ("information sharing" and
        // "information sharing mechanism"), so the later alternatives are tried there too.
        const at: Hit<T>[] = [];
        let g = firstGroup(m);
        let len = m[0].length;
        const ch = subject[m.index]!;
        for (;;) {
          const owner = owners[g - 1]!;
          const same = at.find((h) => h.item === owner);
          if (!same) at.push({ item: owner, start: m.index, end: m.index + len, text: text.slice(m.index, m.index + len) });
          else if (len > same.end - same.start) Object.assign(same, { end: m.index + len, text: text.slice(m.index, m.index + len) });
          const next = g < owners.length ? this.rest(group, g, ch, r !== group.re) : null;
          if (!next) break;
          next.re.lastIndex = m.index;
          const n = next.re.exec(subject);
          if (!n || n[0].length === 0) break;
          g = next.index[firstGroup(n) - 1]! + 1;
          len = n[0].length;
        }
        hits.push(...at);
        r.lastIndex = m.index + 1;
      }
    }
    hits.sort((a, b) => a.start - b.start || b.end - a.end);
    return hits;
  }

  /**
   * The alternatives after the g-th (1-based) that can start with `ch`, as one
   * regex anchored where it is run, and the alternative index of each of its
   * groups; null when none can. Most hits have no such alternative, so the
   * extra work is one map lookup.
   */
  private rest(group: Group<T>, g: number, ch: string, ci: boolean): { re: RegExp; index: number[] } | null {
    const key = (g * 0x10000 + ch.charCodeAt(0)) * (ci ? -1 : 1);
    let entry = group.rest.get(key);
    if (entry === undefined) {
      const c = ci ? ch.toLowerCase() : ch;
      const index: number[] = [];
      for (let j = g; j < group.parts.length; j++) {
        const f = group.first[j]!;
        if (f === null || f.has(c) || (ci && f.has(ch))) index.push(j);
      }
      entry = index.length ? { re: new RegExp(index.map((j) => group.parts[j]).join('|'), ci ? 'yi' : 'y'), index } : null;
      group.rest.set(key, entry);
    }
    return entry;
  }

  test(text: string, lowered?: string): boolean {
    for (const group of this.groups) {
      const [r, subject] = this.prepare(group, text, (lowered ??= group.lower ? text.toLowerCase() : undefined));
      if (r.test(subject)) return true;
    }
    return false;
  }

  /**
   * The expression and the string to run it on. Lower-casing can change the
   * length of a few non-ASCII strings; then the offsets would be wrong, so such
   * text is matched case-insensitively instead.
   */
  private prepare(group: Group<T>, text: string, lowered: string | undefined): [RegExp, string] {
    let r = group.re;
    let subject = text;
    if (group.lower && lowered !== undefined) {
      if (lowered.length === text.length) subject = lowered;
      else r = new RegExp(group.re.source, 'gi');
    }
    r.lastIndex = 0;
    return [r, subject];
  }
}

/** The number of the capturing group that matched (one alternative per group). */
function firstGroup(m: RegExpExecArray): number {
  for (let i = 1; i < m.length; i++) if (m[i] !== undefined) return i;
  return -1;
}

/**
 * The characters a regex source can start matching with, or null when that is
 * not plain to see (classes, \\w, lookarounds). Only a filter: null is always safe.
 */
export function firstChars(src: string): Set<string> | null {
  const r = sequence(src, 0);
  return r && !r.nullable && !r.unknown && r.end === src.length ? r.set : null;
}

interface First {
  set: Set<string>;
  nullable: boolean;
  /** Some way of starting could not be read: the set is incomplete. */
  unknown: boolean;
  /** Where parsing stopped: at | or ) or the end. */
  end: number;
}

function sequence(s: string, i: number): First | null {
  const set = new Set<string>();
  let open = true; // still collecting: everything so far could match empty
  let unknownStart = false;
  while (i < s.length && s[i] !== '|' && s[i] !== ')') {
    // An atom whose first characters are unknown: fatal only while still collecting.
    const unknown = { set: new Set<string>(), nullable: false, unknown: true };
    let atom: { set: Set<string>; nullable: boolean; unknown?: boolean };
    const c = s[i]!;
    if (c === '\\') {
      const e = s[i + 1];
      if (e === undefined) return null;
      i += 2;
      if (e === 'b' || e === 'B') atom = { set: new Set(), nullable: true };
      else if (/[sSwWdDpPux]/.test(e)) {
        if (e === 'p' || e === 'P' || e === 'u' || e === 'x') {
          const m = /^(?:\{[^}]*\}|[0-9a-fA-F]{2,4})/.exec(s.slice(i));
          if (m) i += m[0].length;
        }
        atom = { ...unknown };
      } else atom = { set: new Set([e]), nullable: false };
    } else if (c === '^' || c === '$') {
      i++;
      atom = { set: new Set(), nullable: true };
    } else if (c === '(') {
      if (s.startsWith('(?=', i) || s.startsWith('(?!', i) || s.startsWith('(?<', i)) return null;
      i += s.startsWith('(?:', i) ? 3 : 1;
      const inner = new Set<string>();
      let nullable = false;
      let known = true;
      for (;;) {
        const alt = sequence(s, i);
        if (!alt) return null;
        if (alt.unknown) known = false;
        alt.set.forEach((x) => inner.add(x));
        nullable ||= alt.nullable;
        i = alt.end;
        if (s[i] === '|') i++;
        else break;
      }
      if (s[i] !== ')') return null;
      i++;
      atom = known ? { set: inner, nullable } : { ...unknown, nullable };
    } else if (c === '[') {
      i++;
      if (s[i] === '^') i++;
      if (s[i] === ']') i++;
      while (i < s.length && s[i] !== ']') i += s[i] === '\\' ? 2 : 1;
      if (s[i] !== ']') return null;
      i++;
      atom = { ...unknown };
    } else if (c === '.') {
      i++;
      atom = { ...unknown };
    } else {
      i++;
      atom = { set: new Set([c]), nullable: false };
    }
    // Quantifiers that allow zero.
    const q = s[i];
    if (q === '?' || q === '*') {
      atom.nullable = true;
      i++;
      if (s[i] === '?') i++;
    } else if (q === '+') {
      i++;
      if (s[i] === '?') i++;
    } else if (q === '{') {
      const m = /^\{(\d*),?(\d*)\}\??/.exec(s.slice(i));
      if (!m) return null;
      if (m[1] === '' || m[1] === '0') atom.nullable = true;
      i += m[0].length;
    }
    if (open) {
      if (atom.unknown) unknownStart = true;
      atom.set.forEach((x) => set.add(x));
      if (!atom.nullable) open = false;
    }
  }
  return { set, nullable: open, end: i, unknown: unknownStart };
}
