import { existsSync } from 'node:fs';
import { readFile, appendFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { OBJECTIVES, type Objective } from '../core/taxonomy.js';
import type { DocScores } from './index.js';

/**
 * The first-sight log (test/gold/first-sight.jsonl): every newly labelled statement
 * is scored by the tagger as it stood before any rule was changed for it, and the
 * figures are appended here, one line per statement. These are the honest figures
 * for statements the rules have not seen; figures on labels the rules were grown
 * from only measure fit. The log is append-only: an entry is never rewritten.
 */
const counts = z.object({ tp: z.number().int().nonnegative(), fp: z.number().int().nonnegative(), fn: z.number().int().nonnegative() });

export const firstSightSchema = z
  .object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** Labels admitted together (one labelling round). */
    batch: z.string().min(1),
    file: z.string().min(1),
    passages: z.number().int().nonnegative(),
    objectives: z.record(z.enum(OBJECTIVES), counts),
    grades: z.object({ n: z.number().int().nonnegative(), exact: z.number().int().nonnegative(), withinOne: z.number().int().nonnegative() }),
    domains: counts,
    governance: counts,
    /** The rule set's version and the code's commit the figures were measured with. */
    rules: z.string(),
    code: z.string(),
    note: z.string().optional(),
  })
  .strict();
export type FirstSight = z.infer<typeof firstSightSchema>;

export function entryFrom(s: DocScores, meta: Pick<FirstSight, 'date' | 'batch' | 'file' | 'rules' | 'code'> & { note?: string }): FirstSight {
  const pairsExact = Math.round(s.grades.exact * s.grades.n);
  const pairsWithin = Math.round(s.grades.withinOne * s.grades.n);
  return {
    ...meta,
    passages: s.passages,
    objectives: Object.fromEntries(OBJECTIVES.map((o) => [o, { tp: s.objectives[o].tp, fp: s.objectives[o].fp, fn: s.objectives[o].fn }])) as FirstSight['objectives'],
    grades: { n: s.grades.n, exact: pairsExact, withinOne: pairsWithin },
    domains: { tp: s.domains.tp, fp: s.domains.fp, fn: s.domains.fn },
    governance: { tp: s.governance.tp, fp: s.governance.fp, fn: s.governance.fn },
  };
}

export async function readFirstSight(file: string): Promise<FirstSight[]> {
  if (!existsSync(file)) return [];
  const out: FirstSight[] = [];
  (await readFile(file, 'utf8')).split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new UserError(`line is not valid JSON: ${(err as Error).message}`, file, i + 1);
    }
    const r = firstSightSchema.safeParse(json);
    if (!r.success) throw new UserError(`bad first-sight entry: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`, file, i + 1);
    out.push(r.data);
  });
  return out;
}

export async function appendFirstSight(file: string, entries: FirstSight[]): Promise<void> {
  if (!entries.length) return;
  await appendFile(file, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

export interface Totals {
  statements: number;
  passages: number;
  batches: string[];
  micro: { tp: number; fp: number; fn: number; precision: number; recall: number; f1: number };
  objectives: Record<Objective, { tp: number; fp: number; fn: number; f1: number }>;
  grades: { n: number; exact: number; withinOne: number };
  domains: { tp: number; fp: number; fn: number; f1: number };
  governance: { tp: number; fp: number; fn: number; f1: number };
}

const f1 = (tp: number, fp: number, fn: number) => (2 * tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : 1);

export function totals(entries: FirstSight[]): Totals {
  const sum = (f: (e: FirstSight) => number) => entries.reduce((n, e) => n + f(e), 0);
  const objectives = Object.fromEntries(
    OBJECTIVES.map((o) => {
      const tp = sum((e) => e.objectives[o]?.tp ?? 0);
      const fp = sum((e) => e.objectives[o]?.fp ?? 0);
      const fn = sum((e) => e.objectives[o]?.fn ?? 0);
      return [o, { tp, fp, fn, f1: f1(tp, fp, fn) }];
    }),
  ) as Totals['objectives'];
  const tp = OBJECTIVES.reduce((n, o) => n + objectives[o].tp, 0);
  const fp = OBJECTIVES.reduce((n, o) => n + objectives[o].fp, 0);
  const fn = OBJECTIVES.reduce((n, o) => n + objectives[o].fn, 0);
  const n = sum((e) => e.grades.n);
  const d = { tp: sum((e) => e.domains.tp), fp: sum((e) => e.domains.fp), fn: sum((e) => e.domains.fn) };
  const g = { tp: sum((e) => e.governance.tp), fp: sum((e) => e.governance.fp), fn: sum((e) => e.governance.fn) };
  return {
    statements: entries.length,
    passages: sum((e) => e.passages),
    batches: [...new Set(entries.map((e) => e.batch))],
    micro: { tp, fp, fn, precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1, f1: f1(tp, fp, fn) },
    objectives,
    grades: { n, exact: n ? sum((e) => e.grades.exact) / n : 0, withinOne: n ? sum((e) => e.grades.withinOne) / n : 0 },
    domains: { ...d, f1: f1(d.tp, d.fp, d.fn) },
    governance: { ...g, f1: f1(g.tp, g.fp, g.fn) },
  };
}

/** The newest batches, whole, until they hold at least `min` passages. */
export function newest(entries: FirstSight[], min: number): FirstSight[] {
  const batches: string[] = [];
  for (const e of entries) if (!batches.includes(e.batch)) batches.push(e.batch);
  const out: FirstSight[] = [];
  for (let i = batches.length - 1; i >= 0; i--) {
    out.unshift(...entries.filter((e) => e.batch === batches[i]));
    if (out.reduce((n, e) => n + e.passages, 0) >= min) break;
  }
  return out;
}

const p3 = (x: number) => x.toFixed(3);

export function formatTotals(title: string, t: Totals): string {
  const lines = [
    `${title}: ${t.passages} passages of ${t.statements} statements (batches ${t.batches.join(', ')})`,
    `  objective micro P ${p3(t.micro.precision)} R ${p3(t.micro.recall)} F1 ${p3(t.micro.f1)} (tp ${t.micro.tp} fp ${t.micro.fp} fn ${t.micro.fn})`,
    `  per objective F1: ${OBJECTIVES.map((o) => `${o} ${t.objectives[o].tp + t.objectives[o].fn ? p3(t.objectives[o].f1) : '–'}`).join(', ')}`,
    `  grade exact ${p3(t.grades.exact)}, within one ${p3(t.grades.withinOne)} (n=${t.grades.n}); domain F1 ${p3(t.domains.f1)}; governance F1 ${p3(t.governance.f1)}`,
  ];
  return lines.join('\n');
}
