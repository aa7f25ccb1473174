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
  if (!tags.objectives.length) {
    const dropped = (tags.candidates ?? []).filter((c) => !c.kept);
    lines.push(
      `objectives: none (${
        dropped.length
          ? 'every proposed tag was dropped, see below'
          : tags.cooperation
            ? 'no rule proposed an objective: no topic words of any objective'
            : 'no rule proposed an objective, and the passage has no cooperation or commitment language'
      })`,
    );
  }
  for (const o of tags.objectives) {
    lines.push(`${o.objective} [${o.subcategories.join(', ')}] grade ${o.grade}`);
    for (const e of o.evidence) lines.push(`  ${e.label.padEnd(36)} "${e.match}"  (rule ${e.ruleId})`);
    lines.push(`  grade: ${o.gradeReason}`);
  }
  const considered = tags.candidates ?? [];
  if (considered.length) {
    lines.push('considered:');
    for (const c of considered) lines.push(`  ${c.kept ? 'kept   ' : 'dropped'} ${c.label.padEnd(36)} "${c.match}"  (rule ${c.ruleId})${c.kept ? '' : `: ${c.reason}`}`);
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
