import type { CompiledRules } from './rules/compile.js';
import { classifyRaw } from './classify.js';
import type { TagInput } from './tag/index.js';

/**
 * A human-readable account of every tag: rule, matched words, grade reasoning.
 * `context` is a heading, or the passage's full context when it was read from a file.
 */
export function explain(text: string, context: string | undefined | Omit<TagInput, 'text'>, rules: CompiledRules): string {
  const input: TagInput = typeof context === 'object' ? { ...context, text } : { text, headings: context ? [context] : [] };
  const tags = classifyRaw(input, rules);
  const lines: string[] = [];
  if (input.headings?.length) lines.push(`under: ${input.headings.join(' / ')}`);
  if (input.listIntro) lines.push(`list lead-in: ${input.listIntro}`);
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
