import { Matcher } from './matcher.js';
import type { LoadedRule, RuleSet } from './load.js';

/** A rule as the tagger uses it: the loaded rule plus its compiled side conditions. */
export interface ActiveRule {
  rule: LoadedRule;
  with?: Matcher<true>;
  unless?: Matcher<true>;
}

export type Family = 'objective' | 'domain' | 'governance' | 'grade' | 'signal' | 'cooperation' | 'imperative';

export interface CompiledRules {
  version: string;
  rules: LoadedRule[];
  matchers: Record<Family, Matcher<ActiveRule>>;
}

export function familyOf(label: string): Family {
  if (label.startsWith('domain/')) return 'domain';
  if (label === 'governance') return 'governance';
  if (label.startsWith('grade/') || label === 'negation' || label === 'future' || label === 'conditional') return 'grade';
  if (label.startsWith('signal/')) return 'signal';
  if (label === 'cooperation') return 'cooperation';
  if (label === 'imperative' || label.startsWith('imperative/')) return 'imperative';
  return 'objective';
}

/** Build one alternation per label family, so each passage is scanned a handful of times. */
export function compileRules(set: RuleSet): CompiledRules {
  const entries: Record<Family, Array<{ pattern: string; owner: ActiveRule }>> = {
    objective: [], domain: [], governance: [], grade: [], signal: [], cooperation: [], imperative: [],
  };
  for (const rule of set.rules) {
    const active: ActiveRule = { rule };
    if (rule.with?.length) active.with = new Matcher(rule.with.map((pattern) => ({ pattern, owner: true as const })));
    if (rule.unless?.length) active.unless = new Matcher(rule.unless.map((pattern) => ({ pattern, owner: true as const })));
    for (const pattern of rule.patterns) entries[familyOf(rule.label)].push({ pattern, owner: active });
  }
  const matchers = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, new Matcher(v)])) as Record<Family, Matcher<ActiveRule>>;
  return { version: set.version, rules: set.rules, matchers };
}
