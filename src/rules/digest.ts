import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../core/hash.js';
import { compiledTerm, type LoadedRule, type RuleSet, type Term } from './load.js';
import { IN_SCOPE_VOCABULARY } from './schema.js';

/**
 * What the tagger reads of a rule set, rule by rule, kept with each generation of
 * the cache of processed documents: when the rules change, a statement tagged
 * with the earlier rules keeps the tags of every passage that no changed rule can
 * touch, and only the others are tagged again.
 *
 * A passage's tags depend on the rules only through the hits of their terms in its
 * text, its headings, its statement's title and its list's lead-in, and on what the
 * rules with hits say (kind, label, window, scope, ...). So when no term added or
 * removed, and no term of a rule that says something else, can occur in any of
 * those, the passage has the same hits under both rule sets, from rules that say the
 * same, and the same tags but for the rules' version they record. Whether a term
 * can occur is asked of the words its forms cannot match without: plain substring
 * searches, far cheaper than tagging. Hits at the same place are ordered by their
 * rules, so a rule that moved among the others counts as changed.
 */
export interface RuleDigest {
  format: number;
  /** The rule set's version (recorded on every tag). */
  version: string;
  /** Each rule in order: its id, a hash of what the tagger reads of it but its terms, and its terms. */
  rules: Array<[id: string, sig: string, terms: RuleTerms]>;
  /** The terms of the in-scope vocabulary (read by the gates of rules that require technology). */
  inScope: DigestTerm[];
  /** A hash of the rest: a digest changed after it was written (a damaged disk, a hand edit) is not used. */
  sum: string;
}

/**
 * A term: its pattern, and the words it cannot match without, form by form: a form
 * matches a text only if every word of its list occurs in it (a list for each of the
 * term's forms, up to MAX_LISTS; past that, each form's longest word alone). Null
 * when one of its forms has no word (a token class alone, such as `#year`), or for
 * a raw expression with no word plain to see.
 */
type DigestTerm = [pattern: string, forms: string[][] | null];
type RuleTerms = Record<'patterns' | 'with' | 'unless', DigestTerm[]>;

const FORMAT = 1;

/** A generation's digest, in its folder (beside the marker of its last use). */
export const RULE_DIGEST = '.rules';

/** Word lists kept for one term: a pattern written as a large alternation has thousands of forms. */
const MAX_LISTS = 64;

/** The words each form of a term cannot match without (lower case, ’ read as '); null when a form has none. */
function formsOf(term: Term): string[][] | null {
  const c = compiledTerm(term);
  if (c.regex) return c.regex.anchor ? [[norm(c.regex.anchor)]] : null;
  const lists = new Map<string, string[]>();
  for (const seq of c.seqs) {
    const words = [...new Set(seq.flatMap((e) => (e.k === 'w' || e.k === 'p' ? [norm(e.s)] : [])))].filter(Boolean).sort();
    if (!words.length) return null;
    lists.set(words.join(' '), words);
  }
  let forms = [...lists.values()];
  if (forms.length > MAX_LISTS) {
    const longest = (ws: string[]) => ws.reduce((a, b) => (b.length > a.length ? b : a));
    forms = [...new Set(forms.map(longest))].map((w) => [w]);
  }
  return forms.sort((a, b) => (a.join(' ') < b.join(' ') ? -1 : 1));
}

const norm = (s: string) => s.toLowerCase().replace(/’/g, "'");

const termOf = (t: Term): DigestTerm => [t.pattern, formsOf(t)];

function ruleEntry(rule: LoadedRule): [string, string, RuleTerms] {
  // Everything the rule says but its terms, where it was written, its description
  // and its examples (its term lists as written are its terms as the matcher reads them).
  const { file: _f, line: _l, version: _v, description: _d, examples: _e, patterns: _p, verbs: _vb, nouns: _n, with: _w, unless: _u, terms, ...rest } = rule;
  const said = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return [rule.id, sha256(JSON.stringify(said)).slice(0, 24), { patterns: terms.patterns.map(termOf), with: terms.with.map(termOf), unless: terms.unless.map(termOf) }];
}

export function ruleDigest(set: Pick<RuleSet, 'rules' | 'vocabularies' | 'version'>): RuleDigest {
  const parts = { format: FORMAT, version: set.version, rules: set.rules.map(ruleEntry), inScope: (set.vocabularies.get(IN_SCOPE_VOCABULARY)?.terms ?? []).map(termOf) };
  return { ...parts, sum: sumOf(parts) };
}

const sumOf = (d: Omit<RuleDigest, 'sum'>) => sha256(JSON.stringify([d.format, d.version, d.rules, d.inScope]));

const isWords = (a: unknown) => Array.isArray(a) && a.length > 0 && a.every((s) => typeof s === 'string' && s.length > 0);
const isForms = (a: unknown) => a === null || (Array.isArray(a) && a.length > 0 && a.every(isWords));
const isTerms = (x: unknown) => Array.isArray(x) && x.every((t) => Array.isArray(t) && t.length === 2 && typeof t[0] === 'string' && isForms(t[1]));

/** A digest as read from a file: undefined when it is not one (a damaged or foreign file). */
export function readDigest(x: unknown): RuleDigest | undefined {
  const d = x as Partial<RuleDigest> | null;
  if (!d || typeof d !== 'object' || d.format !== FORMAT || typeof d.version !== 'string' || !Array.isArray(d.rules) || !isTerms(d.inScope)) return undefined;
  const ok = (r: unknown) => {
    if (!Array.isArray(r) || r.length !== 3 || typeof r[0] !== 'string' || typeof r[1] !== 'string') return false;
    const t = r[2] as Partial<RuleTerms> | null;
    return !!t && typeof t === 'object' && isTerms(t.patterns) && isTerms(t.with) && isTerms(t.unless);
  };
  return d.rules.every(ok) && typeof d.sum === 'string' && d.sum === sumOf(d as RuleDigest) ? (d as RuleDigest) : undefined;
}

/** The digest in a generation's folder; undefined when there is none or it cannot be read. */
export function digestIn(dir: string): RuleDigest | undefined {
  try {
    return readDigest(JSON.parse(readFileSync(join(dir, RULE_DIGEST), 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * The word lists whose presence in a passage (or its context) may change its tags
 * from the rules of `before` to those of `now` (a list is present in a text when
 * every word of it is): those of every term of a rule added, removed, or changed in
 * anything but its terms, and of every term added to or removed from a rule (or
 * the in-scope vocabulary) otherwise the same; a rule both sets hold that moved
 * among the others counts as changed. Undefined when no passage's tags can be kept
 * (such a term has a form without a word); an empty list when the rules say the
 * same (no passage changes).
 */
export function changedWords(before: RuleDigest, now: RuleDigest): string[][] | undefined {
  const lists = new Map<string, string[]>();
  const add = (terms: readonly DigestTerm[]) => {
    for (const [, forms] of terms) {
      if (forms === null) return false;
      for (const f of forms) lists.set(f.join(' '), f);
    }
    return true;
  };
  // The terms of one list and not the other, counted (a pattern listed twice makes two hits).
  const apart = (a: readonly DigestTerm[], b: readonly DigestTerm[]) => {
    const count = new Map<string, number>();
    for (const [p] of a) count.set(p, (count.get(p) ?? 0) + 1);
    for (const [p] of b) count.set(p, (count.get(p) ?? 0) - 1);
    return [...a, ...b].filter(([p]) => count.get(p) !== 0);
  };
  const was = new Map(before.rules.map((r) => [r[0], r]));
  const is = new Map(now.rules.map((r) => [r[0], r]));
  if (was.size !== before.rules.length || is.size !== now.rules.length) return undefined;
  const all = (t: RuleTerms) => [...t.patterns, ...t.with, ...t.unless];
  for (const [id, sig, terms] of before.rules) {
    const other = is.get(id);
    if (!other || other[1] !== sig) {
      if (!add(all(terms)) || (other && !add(all(other[2])))) return undefined;
      continue;
    }
    for (const role of ['patterns', 'with', 'unless'] as const) if (!add(apart(terms[role], other[2][role]))) return undefined;
  }
  for (const r of now.rules) if (!was.has(r[0]) && !add(all(r[2]))) return undefined;
  if (!add(apart(before.inScope, now.inScope))) return undefined;
  // Hits at the same place are ordered by their rules: of the rules both sets hold,
  // those that keep their order among the others stay put, and every term of one
  // that moved may change a passage (the order of its hits among the others').
  const a = before.rules.filter((r) => is.has(r[0]));
  const b = now.rules.filter((r) => was.has(r[0])).map((r) => r[0]);
  const stay = inOrder(a.map((r) => r[0]), b);
  for (const [id, , terms] of a) if (!stay.has(id) && (!add(all(terms)) || !add(all(is.get(id)![2])))) return undefined;
  return [...lists.keys()].sort().map((k) => lists.get(k)!);
}

/**
 * Ids of two orderings of the same (unique) ids that keep their order relative to
 * each other: a longest common subsequence, the rest moved. With unique ids it is a
 * longest increasing run of the second order's positions taken in the first's order
 * (patience sorting: n log n, any number of rules).
 */
function inOrder(a: readonly string[], b: readonly string[]): Set<string> {
  if (a.length === b.length && a.every((id, i) => id === b[i])) return new Set(a);
  const where = new Map(b.map((id, j) => [id, j]));
  const pos = a.map((id) => where.get(id)!);
  // tails[k]: the index in `pos` of the smallest last position of an increasing run of length k + 1.
  const tails: number[] = [];
  const prev = new Int32Array(pos.length).fill(-1);
  for (let i = 0; i < pos.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pos[tails[mid]!]! < pos[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const stay = new Set<string>();
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) stay.add(a[i]!);
  return stay;
}

/**
 * Whether any of the word lists is present in one of the texts (every word of it
 * occurring in that text, lower-cased, ’ read as '): a passage none of whose texts
 * holds one keeps its tags. A text whose lower case is not the same length (a few
 * letters, such as "İ", become two) is never cleared: the matcher then reads its
 * words one by one.
 */
export function mayChange(lists: readonly string[][], texts: ReadonlyArray<string | undefined>): boolean {
  if (!lists.length) return false;
  for (const t of texts) {
    if (!t) continue;
    const lower = t.toLowerCase();
    if (lower.length !== t.length) return true;
    const text = lower.includes('’') ? lower.replace(/’/g, "'") : lower;
    // Each word looked for once per text.
    const seen = new Map<string, boolean>();
    const has = (w: string) => {
      let v = seen.get(w);
      if (v === undefined) seen.set(w, (v = text.includes(w)));
      return v;
    };
    for (const l of lists) if (l.every(has)) return true;
  }
  return false;
}
