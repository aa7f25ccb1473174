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
  rest: Map<number, RegExp>;
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
        this.groups.push({ re: new RegExp(key.endsWith('b') ? `\\b(?:${body})` : body, 'g'), owners: b.owners, parts: b.parts, rest: new Map(), lower: key.startsWith('ci') });
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
        let g = m.findIndex((x, i) => i > 0 && x !== undefined);
        let len = m[0].length;
        for (;;) {
          const owner = owners[g - 1]!;
          const same = at.find((h) => h.item === owner);
          if (!same) at.push({ item: owner, start: m.index, end: m.index + len, text: text.slice(m.index, m.index + len) });
          else if (len > same.end - same.start) Object.assign(same, { end: m.index + len, text: text.slice(m.index, m.index + len) });
          if (g >= owners.length) break;
          const next = this.rest(group, g, r !== group.re);
          next.lastIndex = m.index;
          const n = next.exec(subject);
          if (!n || n[0].length === 0) break;
          g += n.findIndex((x, i) => i > 0 && x !== undefined);
          len = n[0].length;
        }
        hits.push(...at);
        r.lastIndex = m.index + 1;
      }
    }
    hits.sort((a, b) => a.start - b.start || b.end - a.end);
    return hits;
  }

  /** The alternatives after the g-th (1-based), anchored where they are run. */
  private rest(group: Group<T>, g: number, ci: boolean): RegExp {
    const key = ci ? -g : g;
    let re = group.rest.get(key);
    if (!re) group.rest.set(key, (re = new RegExp(group.parts.slice(g).join('|'), ci ? 'yi' : 'y')));
    return re;
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
