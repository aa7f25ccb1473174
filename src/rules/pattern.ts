/**
 * The pattern language of rule files, compiled to sequences of token tests that the
 * matcher runs in one pass over a passage's words (src/tag/tokens.ts):
 *
 *   joint research          words in order (white space or a hyphen between them)
 *   collaborat*             a word stem: any ending
 *   (lab|laboratory)        alternatives; they may nest and hold several words
 *   groups?                 ? makes the character before it optional
 *   standardi[sz]ation      [..] is a character class
 *   (the |our )?supply      a group followed by ? is optional; by * repeats (up to twice)
 *   exchange ~ information  ~ allows up to four words in between
 *   #num #year #Cap         a number, a year (1900-2099), a capitalised word
 *   #ing #ed                a word ending in -ing (6 letters or more), in -ed (5 or more)
 *   =CET Dialogue           a leading = makes the whole pattern case-sensitive
 *   /regex/                 a raw regular expression (escape hatch, use sparingly; RE2 syntax)
 *
 * A pattern expands to its plain forms ("groups?" to "group" and "groups"); forms are
 * words, so a pattern never matches inside a word unless it ends in a stem (*).
 */
export type TokenClass = 'num' | 'year' | 'Cap' | 'ing' | 'ed';

export type Elem = { k: 'w'; s: string } | { k: 'p'; s: string } | { k: 'c'; c: TokenClass } | { k: 'gap'; max: number };

export interface CompiledPattern {
  source: string;
  caseSensitive: boolean;
  /** The token sequences the pattern stands for. */
  seqs: Elem[][];
  /** A raw regular expression, with the word it needs to occur (tried only where that word is). */
  regex?: { source: string; anchor?: string };
}

export class PatternError extends Error {}

import { RE2JS } from 're2js';

/** More forms than this means the pattern should be split into several. */
export const MAX_FORMS = 50_000;
const GAP = 4;
const CLASSES = new Set<string>(['num', 'year', 'Cap', 'ing', 'ed']);

function cross(a: string[], b: string[], pattern: string): string[] {
  if (a.length * b.length > MAX_FORMS) throw new PatternError(`"${pattern}" expands to more than ${MAX_FORMS} forms: split it into several patterns`);
  const out: string[] = [];
  for (const x of a) for (const y of b) out.push(x + y);
  return out;
}

/** Expand groups, classes and optional characters into plain strings. */
function expand(p: string, pattern: string): string[] {
  let i = 0;
  const alt = (): string[] => {
    const out: string[] = [...seq()];
    while (p[i] === '|') {
      i++;
      out.push(...seq());
    }
    return out;
  };
  const seq = (): string[] => {
    let acc = [''];
    while (i < p.length && p[i] !== '|' && p[i] !== ')') acc = cross(acc, item(), pattern);
    return acc;
  };
  const item = (): string[] => {
    const c = p[i]!;
    let forms: string[];
    if (c === '(') {
      i++;
      forms = alt();
      if (p[i] !== ')') throw new PatternError(`unbalanced parentheses in "${pattern}"`);
      i++;
      if (p[i] === '?') {
        i++;
        forms = [...forms, ''];
      } else if (p[i] === '*') {
        // A repeated word group ("(the |a )*"): none, once or twice.
        i++;
        forms = ['', ...forms, ...cross(forms, forms, pattern)];
      }
      return forms;
    }
    if (c === '[') {
      const close = p.indexOf(']', i + 1);
      if (close < 0) throw new PatternError(`unclosed [ in "${pattern}"`);
      const body = p.slice(i + 1, close);
      if (!body || body.startsWith('^')) throw new PatternError(`a character class lists the characters it allows, in "${pattern}"`);
      forms = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && body[k + 2] !== undefined) {
          for (let x = body.charCodeAt(k); x <= body.charCodeAt(k + 2); x++) forms.push(String.fromCharCode(x));
          k += 2;
        } else forms.push(body[k]!);
      }
      i = close + 1;
    } else if (c === '\\') {
      forms = [p[i + 1] ?? ''];
      i += 2;
    } else {
      forms = [c];
      i++;
    }
    if (p[i] === '?') {
      i++;
      forms = [...forms, ''];
    }
    return forms;
  };
  const out = alt();
  if (i < p.length) throw new PatternError(`unbalanced parentheses in "${pattern}"`);
  return out;
}

/** One plain form to its token tests. */
function toSeq(form: string, caseSensitive: boolean): Elem[] {
  const seq: Elem[] = [];
  for (let w of form.split(/[\s\-‐–]+/)) {
    if (!w) continue;
    if (w === '~') {
      if (seq.length && seq[seq.length - 1]!.k !== 'gap') seq.push({ k: 'gap', max: GAP });
      continue;
    }
    if (w.startsWith('#') && CLASSES.has(w.slice(1))) {
      seq.push({ k: 'c', c: w.slice(1) as TokenClass });
      continue;
    }
    w = w.replace(/’/g, "'").replace(/'s$/i, '').replace(/'$/, '').replace(/\.$/, '');
    if (!caseSensitive) w = w.toLowerCase();
    const stem = w.endsWith('*');
    if (stem) w = w.slice(0, -1);
    if (w.includes('*')) throw new PatternError(`* may only end a word, in "${form}"`);
    // Punctuation on its own ("&" in "R & D") is not a word of the text.
    if (!/[\p{L}\p{N}$€£¥₩]/u.test(w)) continue;
    seq.push(stem ? { k: 'p', s: w } : { k: 'w', s: w });
  }
  while (seq.length && seq[seq.length - 1]!.k === 'gap') seq.pop();
  while (seq.length && seq[0]!.k === 'gap') seq.shift();
  return seq;
}

export function compilePattern(pattern: string): CompiledPattern {
  let p = pattern.trim();
  let caseSensitive = false;
  if (p.startsWith('=')) {
    caseSensitive = true;
    p = p.slice(1).trim();
  }
  if (p.length > 2 && p.startsWith('/') && p.endsWith('/')) {
    const source = p.slice(1, -1);
    checkRegex(source, pattern, caseSensitive);
    const anchor = anchorOf(source);
    return { source: pattern, caseSensitive, seqs: [], regex: { source, ...(anchor ? { anchor } : {}) } };
  }
  if (!p) throw new PatternError('empty pattern');
  // "(the|a)*(industry)" and "(global )?supply": a quantified group ending in a space,
  // or directly followed by another group, is a word of its own.
  p = p.replace(/\)([?*])\(/g, ')$1 (').replace(/ \)([?*])(?=[^\s)|])/g, ' )$1 ');
  const seen = new Set<string>();
  const seqs: Elem[][] = [];
  for (const form of expand(p, pattern)) {
    const seq = toSeq(form, caseSensitive);
    if (!seq.length) continue;
    const key = JSON.stringify(seq);
    if (seen.has(key)) continue;
    seen.add(key);
    seqs.push(seq);
  }
  if (!seqs.length) throw new PatternError(`"${pattern}" matches no words`);
  return { source: pattern, caseSensitive, seqs };
}

/**
 * Raw regular expressions run on RE2's engine (re2js), whose matching time is
 * linear in the text: no expression can backtrack without end, and the constructs
 * that need backtracking (back-references, lookbehind) are refused when the rule
 * file is read, with the pattern named.
 */
export function checkRegex(source: string, pattern = source, caseSensitive = false): RE2JS {
  try {
    return RE2JS.compile(source, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, '');
    throw new PatternError(`the regular expression ${pattern} is not allowed: ${why} (raw expressions run on a linear-time engine without back-references or lookbehind)`);
  }
}

/** The longest literal word a regex cannot match without (lower case), if one is plain to see. */
function anchorOf(source: string): string | undefined {
  let depth = 0;
  let best = '';
  let run = '';
  const flush = (next: string | undefined) => {
    // A word followed by ? * or {0 is optional; drop its last letter from the run.
    const r = next === '?' || next === '*' || next === '{' ? run.slice(0, -1) : run;
    if (depth === 0 && r.length > best.length) best = r;
    run = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      flush(undefined);
      i++;
      continue;
    }
    if (c === '[') {
      flush(undefined);
      i = source.indexOf(']', i + 1);
      if (i < 0) break;
      continue;
    }
    if (/[A-Za-z]/.test(c) && depth === 0) {
      run += c;
      continue;
    }
    flush(c);
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === '|' && depth === 0) return undefined;
  }
  flush(undefined);
  return best.length >= 3 ? best.toLowerCase() : undefined;
}
