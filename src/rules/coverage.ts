import type { CompiledRules } from './compile.js';
import { scan } from './compile.js';
import type { Term } from './load.js';
import type { RuleExample } from './schema.js';
import type { PassageTags } from '../core/doc.js';
import type { TagInput } from '../tag/index.js';
import { GRADES, OBJECTIVES } from '../core/taxonomy.js';

/**
 * Checks that keep the rules honest:
 * - every term (each entry of a rule's or a vocabulary's lists, as written) occurs in
 *   at least one example of a rule that uses it, so every pattern is tested;
 * - every term occurs in at least one passage of the real statements, so no pattern
 *   exists only to catch one quotation;
 * - every example's stated output is what the whole tagger outputs.
 */

/** Every term of the rule set, once, by key. */
export function allTerms(rules: CompiledRules): Map<string, Term> {
  const out = new Map<string, Term>();
  for (const ref of [...rules.terms, ...rules.regexes]) out.set(ref.term.key, ref.term);
  return out;
}

/** The terms a rule's examples should cover: its own, and the in-scope words when its gate reads them. */
export function termsOfRule(rules: CompiledRules, index: number): Set<string> {
  const r = rules.rules[index]!;
  const keys = new Set([...r.terms.patterns, ...r.terms.with, ...r.terms.unless].map((t) => t.key));
  const req = r.requires === undefined ? [] : Array.isArray(r.requires) ? r.requires : [r.requires];
  if (req.includes('technology')) for (const ref of rules.terms) if (ref.rule === -1) keys.add(ref.term.key);
  return keys;
}

/** The term keys occurring in a text (any rule, any role). */
export function termsIn(rules: CompiledRules, text: string): Set<string> {
  return new Set(scan(rules, text).hits.map((h) => h.term.term.key));
}

/** The input the tagger reads for an example. */
export function exampleInput(e: RuleExample): TagInput {
  return {
    text: e.text,
    headings: e.heading ? [e.heading] : [],
    ...(e.title ? { title: e.title } : {}),
    kind: e.kind ?? (e.lead_in ? 'item' : 'sentence'),
    ...(e.lead_in ? { listIntro: e.lead_in } : {}),
  };
}

/** What is wrong with the tagger's output for an example, or [] when it is as stated. */
export function exampleProblems(e: RuleExample, tags: PassageTags): string[] {
  const problems: string[] = [];
  if (e.objectives) {
    const got = Object.fromEntries(tags.objectives.map((o) => [o.objective, o.grade]));
    const want = e.objectives;
    for (const o of OBJECTIVES) {
      const w = want[o];
      const g = got[o];
      if (w === undefined && g !== undefined) problems.push(`unexpected ${o} (${g}): ${tags.objectives.find((x) => x.objective === o)!.evidence.map((x) => `${x.ruleId} "${x.match}"`).join(', ')}`);
      else if (w !== undefined && g === undefined) problems.push(`expected ${o}${w === 'any' ? '' : ` (${w})`}, got none${(tags.candidates ?? []).filter((c) => c.label.startsWith(o)).map((c) => `; ${c.ruleId} "${c.match}": ${c.reason}`).join('')}`);
      else if (w !== undefined && w !== 'any' && g !== w) problems.push(`expected ${o} ${w}, got ${g} (${tags.objectives.find((x) => x.objective === o)!.gradeReason})`);
    }
  }
  if (e.subcategories) {
    const got = new Set(tags.objectives.flatMap((o) => o.subcategories as string[]));
    for (const s of e.subcategories) if (!got.has(s)) problems.push(`expected subcategory ${s}, got ${[...got].join(', ') || 'none'}`);
  }
  if (e.domains) {
    const got = [...tags.domains].sort().join(',');
    const want = [...e.domains].sort().join(',');
    if (got !== want) problems.push(`expected domains [${want}], got [${got}]`);
  }
  if (e.governance !== undefined) {
    const want = e.governance;
    if (typeof want === 'boolean' && want !== tags.governance) problems.push(`expected governance ${want}, got ${tags.governance}`);
    if (typeof want === 'string' && (!tags.governance || tags.governanceGrade !== want)) problems.push(`expected governance (${want}), got ${tags.governance ? tags.governanceGrade : 'none'}`);
  }
  if (e.concreteness) {
    const got = [...tags.concreteness].sort().join(',');
    const want = [...e.concreteness].sort().join(',');
    if (got !== want) problems.push(`expected concreteness [${want}], got [${got}]`);
  }
  return problems;
}

export const isGrade = (x: string) => (GRADES as readonly string[]).includes(x);

/**
 * The terms the coding scheme itself uses (../shared/taxonomy.md, read line by line
 * without its table markup): a term in no real statement may stay when the scheme
 * names it ("joint ventures", "points of contact"); a term found in neither may not.
 */
export function schemeTerms(rules: CompiledRules, taxonomy: string): Set<string> {
  const seen = new Set<string>();
  for (const line of taxonomy.replace(/[|`*]/g, ' ').split('\n')) for (const k of termsIn(rules, line)) seen.add(k);
  return seen;
}
