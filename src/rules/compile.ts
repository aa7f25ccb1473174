import { createHash } from 'node:crypto';
import { checkRegex, type CompiledPattern, type Elem } from './pattern.js';
import type { RE2JS } from 're2js';
import { TokenTrie, type StoredTrie } from './trie.js';
import { compiledTerm, type LoadedRule, type RuleSet, type Term } from './load.js';
import { IN_SCOPE_VOCABULARY, type RuleKind } from './schema.js';
import { tokenize, type Tokens } from '../tag/tokens.js';

/** A rule as the tagger and the grader hold it. */
export interface ActiveRule {
  rule: LoadedRule;
  index: number;
}

export type Role = 'patterns' | 'with' | 'unless';

export interface TermRef {
  /** The rule's index, or -1 for a word of the in-scope vocabulary (read by the gates, no rule of its own). */
  rule: number;
  role: Role;
  term: Term;
  /** For a case-sensitive pattern: the token sequence as written, checked against the words as written. */
  cs?: Elem[];
}

interface RegexTerm extends TermRef {
  re: RE2JS;
  anchor?: string;
}

export interface CompiledRules {
  version: string;
  rules: LoadedRule[];
  active: ActiveRule[];
  /** Every pattern, over lower-cased words; case-sensitive ones are checked against the words as written after a hit. */
  ci: TokenTrie;
  terms: TermRef[];
  regexes: RegexTerm[];
  /** Rule indices by kind. */
  byKind: Record<RuleKind, number[]>;
}

/** One occurrence of one term of one rule in a text. */
export interface RuleHit {
  rule: number;
  role: Role;
  term: TermRef;
  /** Characters [start, end) of the text. */
  start: number;
  end: number;
}

export interface Scan {
  tokens: Tokens;
  hits: RuleHit[];
}

/**
 * Compiled rules as kept on disk with the rules they were compiled from (see
 * cache.ts): the trie in numbers, and each term's place by its index in a list of
 * the rule set's terms that the caller keeps.
 */
export interface StoredCompiled {
  trie: StoredTrie;
  /** The trie's terms in order: rule, role, term, and the form as written for a case-sensitive one. */
  terms: Array<[number, Role, number, Elem[] | null]>;
  /** The raw expressions in order: rule, role, term. */
  regexes: Array<[number, Role, number]>;
  /**
   * A hash of the three: a stored form that was changed after it was written (a
   * damaged disk, a hand edit) may still read as a trie and then match wrongly.
   */
  sum: string;
}

/** The hash of a stored form: its arrays' text hashed part by part as it is, the rest as JSON (joined or written into JSON again, they cost ten times as much). */
export function sumOf(s: Pick<StoredCompiled, 'trie' | 'terms' | 'regexes'>): string {
  const { arrays, ...trie } = s.trie;
  const names = Object.keys(arrays).sort();
  const h = createHash('sha256').update(JSON.stringify([trie, s.terms, s.regexes, names]));
  for (const k of names) h.update(`\n${k}\n`).update(arrays[k as keyof typeof arrays]);
  return h.digest('hex');
}

export function storeCompiled(c: CompiledRules, indexOf: (term: Term) => number): StoredCompiled {
  const parts = {
    trie: c.ci.store(),
    terms: c.terms.map((r): [number, Role, number, Elem[] | null] => [r.rule, r.role, indexOf(r.term), r.cs ?? null]),
    regexes: c.regexes.map((r): [number, Role, number] => [r.rule, r.role, indexOf(r.term)]),
  };
  return { ...parts, sum: sumOf(parts) };
}

/** Compiled rules read back, for the rule set read back with them (`termAt` resolves the term indices). Throws when they cannot be. */
function reviveCompiled(set: RuleSet, s: StoredCompiled, termAt: (i: number) => Term): CompiledRules {
  if (typeof s.sum !== 'string' || s.sum !== sumOf(s) || s.trie?.caseSensitive !== false) throw new Error('not the compiled rules stored');
  const ci = TokenTrie.revive(s.trie);
  const terms: TermRef[] = s.terms.map(([rule, role, t, cs]) => ({ rule, role, term: termAt(t), ...(cs ? { cs } : {}) }));
  const regexes: RegexTerm[] = s.regexes.map(([rule, role, t]) => {
    const term = termAt(t);
    const c = compiledTerm(term);
    if (!c.regex) throw new Error('not a raw expression');
    return { rule, role, term, re: checkRegex(c.regex.source, term.pattern, c.caseSensitive), ...(c.regex.anchor ? { anchor: c.regex.anchor } : {}) };
  });
  return { version: set.version, rules: set.rules, active: set.rules.map((rule, index) => ({ rule, index })), ci, terms, regexes, byKind: kindsOf(set) };
}

const storedForms = new WeakMap<RuleSet, { stored: StoredCompiled; termAt: (i: number) => Term; rejected?: (built: CompiledRules) => void }>();

/**
 * Compiled rules kept with a rule set read from the cache: compileRules reads them
 * instead of compiling again. When they cannot be read, it compiles the rules and
 * hands the result to `rejected` (the cache keeps it in their place).
 */
export function compiledWith(set: RuleSet, stored: StoredCompiled, termAt: (i: number) => Term, rejected?: (built: CompiledRules) => void): void {
  storedForms.set(set, { stored, termAt, ...(rejected ? { rejected } : {}) });
}

function kindsOf(set: RuleSet): Record<RuleKind, number[]> {
  const byKind: Record<RuleKind, number[]> = { term: [], cooccur: [], cue: [], exception: [], guard: [] };
  set.rules.forEach((rule, index) => byKind[rule.kind].push(index));
  return byKind;
}

/**
 * Build the word tries of every rule set once; the tagger then scans each passage
 * once. A rule set read from the cache brings them built (a stored form that
 * cannot be read is built again).
 */
export function compileRules(set: RuleSet): CompiledRules {
  const kept = storedForms.get(set);
  if (!kept) return buildCompiled(set);
  storedForms.delete(set);
  try {
    return reviveCompiled(set, kept.stored, kept.termAt);
  } catch {
    const built = buildCompiled(set);
    try {
      kept.rejected?.(built);
    } catch {
      // Keeping it is for the next process; this one has what it needs.
    }
    return built;
  }
}

function buildCompiled(set: RuleSet): CompiledRules {
  const ci = new TokenTrie(false);
  const terms: TermRef[] = [];
  const add = (ref: TermRef, c: CompiledPattern) => {
    if (!c.caseSensitive) {
      const id = terms.length;
      terms.push(ref);
      for (const seq of c.seqs) ci.add(seq, id);
      return;
    }
    // One id per written form, so a hit can be checked against the case it was written in.
    for (const seq of c.seqs) {
      const id = terms.length;
      terms.push({ ...ref, cs: seq });
      ci.add(seq.map((e) => (e.k === 'w' || e.k === 'p' ? { ...e, s: e.s.toLowerCase() } : e)), id);
    }
  };
  const regexes: RegexTerm[] = [];
  set.rules.forEach((rule, index) => {
    for (const role of ['patterns', 'with', 'unless'] as const) {
      for (const term of rule.terms[role]) {
        const c = compiledTerm(term);
        const ref: TermRef = { rule: index, role, term };
        if (c.regex) {
          regexes.push({ ...ref, re: checkRegex(c.regex.source, term.pattern, c.caseSensitive), ...(c.regex.anchor ? { anchor: c.regex.anchor } : {}) });
          continue;
        }
        add(ref, c);
      }
    }
  });
  // The in-scope vocabulary is read by the gates of rules that require technology.
  const inScope = set.vocabularies.get(IN_SCOPE_VOCABULARY);
  for (const term of inScope?.terms ?? []) add({ rule: -1, role: 'patterns', term }, compiledTerm(term));
  return { version: set.version, rules: set.rules, active: set.rules.map((rule, index) => ({ rule, index })), ci, terms, regexes, byKind: kindsOf(set) };
}

/**
 * Every occurrence of every term of every rule in the text, in order of position.
 * With `anchored` (the tagger's scans), a rule's `with` and `unless` words are kept
 * only when the text also holds a hit of one of that rule's own patterns: the tagger
 * reads them only together with such a hit (as a partner, as an exception), and a
 * third of a passage's hits were such words without one. Without it (coverage,
 * gaps) every hit is kept.
 */
export function scan(rules: CompiledRules, text: string, anchored = false): Scan {
  const tokens = tokenize(text);
  const raw = rules.ci.matchAll(tokens);
  const { term: rawTerm, from: rawFrom, to: rawTo, length: n } = raw;
  const regexHits: RuleHit[] = [];
  if (rules.regexes.length) {
    const lower = text.toLowerCase();
    for (const r of rules.regexes) {
      if (r.anchor && !lower.includes(r.anchor)) continue;
      // RE2's engine: linear in the text, whatever the expression.
      const m = r.re.matcher(text);
      while (m.find()) if (m.end() > m.start()) regexHits.push({ rule: r.rule, role: r.role, term: r, start: m.start(), end: m.end() });
    }
  }
  const seen = anchored ? anchoredRules(rules) : undefined;
  if (seen) {
    seen.stamp = seen.stamp === 0x7fffffff ? (seen.rules.fill(0), 1) : seen.stamp + 1;
    for (let k = 0; k < n; k++) {
      const ref = rules.terms[rawTerm[k]!]!;
      if (ref.role === 'patterns' && ref.rule >= 0 && (!ref.cs || caseFits(ref.cs, tokens, rawFrom[k]!, rawTo[k]!))) seen.rules[ref.rule] = seen.stamp;
    }
    for (const h of regexHits) if (h.role === 'patterns' && h.rule >= 0) seen.rules[h.rule] = seen.stamp;
  }
  const hits: RuleHit[] = [];
  // A gap can reach the same span by two paths: keep one. The matcher gives every hit
  // starting at a token before those starting at the next, so a repeat is among the
  // hits since the first with the same start.
  let sameFrom = 0;
  for (let k = 0; k < n; k++) {
    const from = rawFrom[k]!;
    const to = rawTo[k]!;
    const term = rawTerm[k]!;
    if (from !== rawFrom[sameFrom]) sameFrom = k;
    const ref = rules.terms[term]!;
    if (seen && ref.role !== 'patterns' && seen.rules[ref.rule] !== seen.stamp) continue;
    let repeat = false;
    for (let j = sameFrom; j < k && !repeat; j++) repeat = rawTerm[j] === term && rawTo[j] === to;
    if (repeat) continue;
    if (ref.cs && !caseFits(ref.cs, tokens, from, to)) continue;
    hits.push({ rule: ref.rule, role: ref.role, term: ref, start: tokens.start[from]!, end: tokens.end[to]! });
  }
  for (const h of regexHits) if (!seen || h.role === 'patterns' || seen.rules[h.rule] === seen.stamp) hits.push(h);
  orderHits(hits, regexHits.length === 0);
  return { tokens, hits };
}

/**
 * By start, then longest first, then rule; hits that tie keep their order. The
 * matcher's hits come ordered by start already (only hits starting at the same
 * word need moving): for the few hits of a passage an insertion sort does that in
 * about one pass, with the same result as a stable sort. Many hits, or hits of
 * regular expressions appended after the matcher's, go through the library's
 * sort, whose time cannot grow with the square of their number.
 */
function orderHits(hits: RuleHit[], nearlySorted: boolean): void {
  if (!nearlySorted || hits.length > 64) {
    hits.sort((a, b) => a.start - b.start || b.end - a.end || a.rule - b.rule);
    return;
  }
  for (let i = 1; i < hits.length; i++) {
    const h = hits[i]!;
    let j = i - 1;
    while (j >= 0 && after(hits[j]!, h)) {
      hits[j + 1] = hits[j]!;
      j--;
    }
    hits[j + 1] = h;
  }
}

/** Does `a` sort after `b`? */
const after = (a: RuleHit, b: RuleHit) => a.start > b.start || (a.start === b.start && (a.end < b.end || (a.end === b.end && a.rule > b.rule)));

// For scan(..., anchored): which rules had a pattern hit in the text being scanned,
// marked with a number that changes with every scan (the marks are cleared only when it wraps).
const anchoredMarks = new WeakMap<CompiledRules, { rules: Int32Array; stamp: number }>();
function anchoredRules(rules: CompiledRules): { rules: Int32Array; stamp: number } {
  let a = anchoredMarks.get(rules);
  if (!a) anchoredMarks.set(rules, (a = { rules: new Int32Array(rules.rules.length), stamp: 0 }));
  return a;
}

/** A hit as the tag and grade stages pass it around: the rule, and the words in the text. */
export interface Hit<T = ActiveRule> {
  item: T;
  start: number;
  end: number;
  text: string;
}

export function toHit(rules: CompiledRules, h: RuleHit, text: string): Hit {
  return { item: rules.active[h.rule]!, start: h.start, end: h.end, text: text.slice(h.start, h.end) };
}

/**
 * Does a case-sensitive form fit the words as written? Words and stems are compared
 * from the first token forward up to a gap, and from the last token backward after it.
 */
function caseFits(seq: Elem[], t: Tokens, from: number, to: number): boolean {
  const fits = (e: Elem, i: number) => (e.k === 'w' ? t.raw(i) === e.s : e.k === 'p' ? t.raw(i).startsWith(e.s) : true);
  let i = from;
  let k = 0;
  for (; k < seq.length && seq[k]!.k !== 'gap'; k++, i++) if (!fits(seq[k]!, i)) return false;
  if (k === seq.length) return true;
  i = to;
  for (let j = seq.length - 1; j > k && seq[j]!.k !== 'gap'; j--, i--) if (!fits(seq[j]!, i)) return false;
  return true;
}
