import type { CompiledRules } from './rules/compile.js';
import { classifyRaw } from './classify.js';

/** A human-readable account of every tag: rule, matched words, grade reasoning. */
export function explain(text: string, heading: string | undefined, rules: CompiledRules): string {
  const tags = classifyRaw({ text, headings: heading ? [heading] : [] }, rules);
  const lines: string[] = [];
  if (!tags.objectives.length) lines.push('objectives: none');
  for (const o of tags.objectives) {
    lines.push(`${o.objective} [${o.subcategories.join(', ')}] grade ${o.grade}`);
    for (const e of o.evidence) lines.push(`  ${e.label.padEnd(36)} "${e.match}"  (rule ${e.ruleId})`);
    lines.push(`  grade: ${o.gradeReason}`);
  }
  lines.push(`domains: ${tags.domains.join(', ') || 'none'}`);
  for (const e of tags.evidence.filter((x) => x.label.startsWith('domain/'))) lines.push(`  ${e.label.padEnd(36)} "${e.match}" in ${e.scope}  (rule ${e.ruleId})`);
  lines.push(`governance: ${tags.governance ? `yes (${tags.governanceGrade})` : 'no'}`);
  for (const e of tags.evidence.filter((x) => x.label === 'governance')) lines.push(`  governance${' '.repeat(26)} "${e.match}"  (rule ${e.ruleId})`);
  lines.push(`concreteness: ${tags.concreteness.length}/5 ${tags.concreteness.join(', ')}`);
  for (const e of tags.evidence.filter((x) => x.label.startsWith('signal/'))) lines.push(`  ${e.label.padEnd(36)} "${e.match}"  (rule ${e.ruleId})`);
  lines.push(`rules version: ${rules.version}`);
  return lines.join('\n');
}
