import { z } from 'zod';
import { labelsSignature, type Labels } from '../review/index.js';
import type { Entry } from './queue.js';

/**
 * Bulk actions on the passages a filter shows: accept or reject all of them, or
 * accept or reject what one rule produced there. Each changed passage gets a
 * decision of its own; all of them share a batch id, so they can be undone together.
 */
export const BULK_OPS = ['accept', 'reject', 'accept-rule', 'reject-rule'] as const;
export type BulkOp = (typeof BULK_OPS)[number];

export const bulkSchema = z
  .object({
    op: z.enum(BULK_OPS),
    rule: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((b) => !b.op.endsWith('-rule') || b.rule, { message: 'a rule is needed for accept-rule and reject-rule', path: ['rule'] });

export interface Change {
  entry: Entry;
  action: 'accept' | 'correct' | 'reject';
  after: Labels;
}

export interface Plan {
  changes: Change[];
  /** Passages shown that the action leaves as they are, and why. */
  skipped: { reviewed: number; unchanged: number; stale: number; notFired: number };
}

/** Labels without what one rule produced, unless another rule's evidence supports the same label. */
export function withoutRule(e: Entry, rule: string): Labels {
  const l: Labels = JSON.parse(JSON.stringify(e.labels)) as Labels;
  const ev = e.passage?.tags.evidence ?? [];
  const mine = ev.filter((x) => x.ruleId === rule);
  const others = ev.filter((x) => x.ruleId !== rule);
  for (const x of mine) {
    if (x.label === 'governance') {
      if (!others.some((o) => o.label === 'governance')) {
        l.governance = false;
        l.governanceGrade = null;
      }
    } else if (x.label.startsWith('domain/')) {
      const d = x.label.slice(7);
      if (!others.some((o) => o.label === x.label)) l.domains = l.domains.filter((y) => y !== d);
    } else if (x.label.includes('/')) {
      const [objective, sub] = x.label.split('/') as [string, string];
      const tag = l.objectives.find((o) => o.objective === objective);
      if (!tag) continue;
      if (!others.some((o) => o.label === x.label) && tag.subcategories) tag.subcategories = tag.subcategories.filter((s) => s !== sub);
      if (!others.some((o) => o.label.startsWith(`${objective}/`))) l.objectives = l.objectives.filter((o) => o.objective !== objective);
    }
  }
  return l;
}

export function plan(list: Entry[], op: BulkOp, rule: string | undefined): Plan {
  const changes: Change[] = [];
  const skipped = { reviewed: 0, unchanged: 0, stale: 0, notFired: 0 };
  const seen = new Set<string>();
  for (const e of list) {
    // A passage repeated in a statement is one decision.
    if (seen.has(e.key)) continue;
    seen.add(e.key);
    if (e.status === 'stale' || !e.passage) {
      skipped.stale++;
      continue;
    }
    if (op.endsWith('-rule') && !e.rules.includes(rule!)) {
      skipped.notFired++;
      continue;
    }
    if (op === 'accept' || op === 'accept-rule') {
      // Accepting confirms the automatic labels of passages nobody reviewed yet; reviewed ones keep their decision.
      if (e.decision) skipped.reviewed++;
      else changes.push({ entry: e, action: 'accept', after: e.labels });
      continue;
    }
    const after = op === 'reject' ? { objectives: [], domains: [...e.labels.domains], governance: false, governanceGrade: null } : withoutRule(e, rule!);
    if (labelsSignature(after) === labelsSignature(e.labels)) skipped.unchanged++;
    else changes.push({ entry: e, action: op === 'reject' ? 'reject' : 'correct', after });
  }
  return { changes, skipped };
}

export function describeLabels(l: Labels): string {
  const parts = l.objectives.map((o) => `${o.objective} ${o.grade}${o.subcategories?.length ? ` (${o.subcategories.join(', ')})` : ''}`);
  if (l.governance) parts.push(`governance${l.governanceGrade ? ` ${l.governanceGrade}` : ''}`);
  if (l.domains.length) parts.push(`domains: ${l.domains.join(', ')}`);
  return parts.join('; ') || 'no tag';
}
