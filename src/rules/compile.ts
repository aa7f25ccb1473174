import { checkRegex, compilePattern } from './pattern.js';
import type { RE2JS } from 're2js';
import { TokenTrie } from './trie.js';
import type { LoadedRule, RuleSet, Term } from './load.js';
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
}

interface RegexTerm extends TermRef {
  re: RE2JS;
  anchor?: string;
}

export interface CompiledRules {
  version: string;
  rules: LoadedRule[];
  active: ActiveRule[];
  /** Case-insensitive patterns (over lower-cased words) and case-sensitive ones (over words as written). */
  ci: TokenTrie;
  cs: TokenTrie;
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

/** Build the word tries of every rule set once; the tagger then scans each passage once. */
export function compileRules(set: RuleSet): CompiledRules {
  const ci = new TokenTrie(false);
  const cs = new TokenTrie(true);
  const terms: TermRef[] = [];
  const regexes: RegexTerm[] = [];
  const byKind: Record<RuleKind, number[]> = { term: [], cooccur: [], cue: [], exception: [], guard: [] };
  set.rules.forEach((rule, index) => {
    byKind[rule.kind].push(index);
    for (const role of ['patterns', 'with', 'unless'] as const) {
      for (const term of rule.terms[role]) {
        const c = compilePattern(term.pattern);
        const ref: TermRef = { rule: index, role, term };
        if (c.regex) {
          regexes.push({ ...ref, re: checkRegex(c.regex.source, term.pattern, c.caseSensitive), ...(c.regex.anchor ? { anchor: c.regex.anchor } : {}) });
          continue;
        }
        const id = terms.length;
        terms.push(ref);
        for (const seq of c.seqs) (c.caseSensitive ? cs : ci).add(seq, id);
      }
    }
  });
  // The in-scope vocabulary is read by the gates of rules that require technology.
  const inScope = set.vocabularies.get(IN_SCOPE_VOCABULARY);
  for (const term of inScope?.terms ?? []) {
    const c = compilePattern(term.pattern);
    const id = terms.length;
    terms.push({ rule: -1, role: 'patterns', term });
    for (const seq of c.seqs) (c.caseSensitive ? cs : ci).add(seq, id);
  }
  return { version: set.version, rules: set.rules, active: set.rules.map((rule, index) => ({ rule, index })), ci, cs, terms, regexes, byKind };
}

/** Every occurrence of every term of every rule in the text, in order of position. */
export function scan(rules: CompiledRules, text: string): Scan {
  const tokens = tokenize(text);
  const raw = rules.ci.match(tokens);
  rules.cs.match(tokens, raw);
  const seen = new Set<number>();
  const hits: RuleHit[] = [];
  for (const h of raw) {
    // A gap can reach the same span by two paths: keep one.
    const key = (h.term * 1e5 + h.from) * 1e5 + h.to;
    if (seen.has(key)) continue;
    seen.add(key);
    const ref = rules.terms[h.term]!;
    hits.push({ rule: ref.rule, role: ref.role, term: ref, start: tokens.start[h.from]!, end: tokens.end[h.to]! });
  }
  if (rules.regexes.length) {
    const lower = text.toLowerCase();
    for (const r of rules.regexes) {
      if (r.anchor && !lower.includes(r.anchor)) continue;
      // RE2's engine: linear in the text, whatever the expression.
      const m = r.re.matcher(text);
      while (m.find()) if (m.end() > m.start()) hits.push({ rule: r.rule, role: r.role, term: r, start: m.start(), end: m.end() });
    }
  }
  hits.sort((a, b) => a.start - b.start || b.end - a.end || a.rule - b.rule);
  return { tokens, hits };
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
