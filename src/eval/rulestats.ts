import type { CompiledRules } from '../rules/compile.js';
import { classify } from '../classify.js';
import { OBJECTIVES, type Objective } from '../core/taxonomy.js';
import type { ResolvedLabel } from './local.js';

/**
 * Per-rule figures over labelled passages (`accords eval --rules`). For every rule
 * that proposes an objective: how often its tag was kept, and how often the label
 * agrees (precision); how many of the labelled passages with its objective it
 * found (recall, against all of that objective's positives); and how often it was
 * dropped (by a gate, a guard or an exception) where the label has the objective
 * anyway, which says the drop cost a true tag.
 */
export interface RuleFigures {
  rule: string;
  label: string;
  file: string;
  line: number;
  kept: number;
  correct: number;
  precision: number;
  recall: number;
  dropped: number;
  droppedWrongly: number;
}

export function ruleFigures(labels: ResolvedLabel[], rules: CompiledRules): RuleFigures[] {
  const byRule = new Map<string, { kept: Set<string>; correct: Set<string>; dropped: Set<string>; wrong: Set<string> }>();
  const positives = Object.fromEntries(OBJECTIVES.map((o) => [o, 0])) as Record<Objective, number>;
  for (const l of labels) {
    for (const o of l.gold.objectives) positives[o]++;
    const seen = new Map<string, { kept: boolean; dropped: boolean; objective: Objective }>();
    for (const { passage: p } of l.covers) {
      const tags = classify({ text: p.text, headings: p.headings, title: p.title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules);
      for (const c of tags.candidates ?? []) {
        const e = seen.get(c.ruleId) ?? { kept: false, dropped: false, objective: c.label.split('/')[0] as Objective };
        if (c.kept) e.kept = true;
        else e.dropped = true;
        seen.set(c.ruleId, e);
      }
    }
    for (const [rule, e] of seen) {
      const r = byRule.get(rule) ?? { kept: new Set(), correct: new Set(), dropped: new Set(), wrong: new Set() };
      byRule.set(rule, r);
      const has = l.gold.objectives.includes(e.objective);
      if (e.kept) {
        r.kept.add(l.gold.id);
        if (has) r.correct.add(l.gold.id);
      } else if (e.dropped) {
        r.dropped.add(l.gold.id);
        if (has) r.wrong.add(l.gold.id);
      }
    }
  }
  const out: RuleFigures[] = [];
  for (const rule of rules.rules) {
    if (!rule.label || !(OBJECTIVES as readonly string[]).includes(rule.label.split('/')[0]!)) continue;
    const r = byRule.get(rule.id);
    const objective = rule.label.split('/')[0] as Objective;
    const kept = r?.kept.size ?? 0;
    const correct = r?.correct.size ?? 0;
    out.push({
      rule: rule.id,
      label: rule.label,
      file: rule.file,
      line: rule.line,
      kept,
      correct,
      precision: kept ? correct / kept : NaN,
      recall: positives[objective] ? correct / positives[objective] : NaN,
      dropped: r?.dropped.size ?? 0,
      droppedWrongly: r?.wrong.size ?? 0,
    });
  }
  return out;
}

export function formatRuleFigures(rows: RuleFigures[]): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  –  ');
  const lines = [`${'rule'.padEnd(40)}${'label'.padEnd(34)}${'kept'.padStart(6)}${'right'.padStart(7)}${'P'.padStart(7)}${'R'.padStart(7)}${'dropped'.padStart(9)}${'of them true'.padStart(14)}`];
  for (const r of rows) lines.push(`${r.rule.padEnd(40)}${r.label.padEnd(34)}${String(r.kept).padStart(6)}${String(r.correct).padStart(7)}${f(r.precision).padStart(7)}${f(r.recall).padStart(7)}${String(r.dropped).padStart(9)}${String(r.droppedWrongly).padStart(14)}`);
  return lines.join('\n');
}
