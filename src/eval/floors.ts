import { OBJECTIVES } from '../core/taxonomy.js';
import type { Totals } from './firstsight.js';
import { losses, type SetScores } from './run.js';

/**
 * The bars the tagger must clear. They are goals, set from what two careful human
 * readers reach on the same passages, never from what the tagger measured; `accords
 * eval` exits non-zero while any of them fails.
 */
export const FLOORS = {
  /** The newest first-sight batches, whole, holding at least this many passages. */
  firstSight: { minPassages: 150, microF1: 0.85, gradeExact: 0.85, gradeWithinOne: 0.97, domainF1: 0.88 },
  /** The analysts' labels in ../shared/gold. */
  shared: { quoteRecall: 0.95, microF1: 0.9, objectiveF1: 0.8, gradeExact: 0.85, gradeWithinOne: 0.97, domainF1: 0.9 },
  /** All the project's labels together (test/gold). */
  labels: { objectiveF1: 0.8 },
} as const;

export interface FloorCheck {
  name: string;
  value: number | undefined;
  floor: number | string;
  ok: boolean;
}

const at = (name: string, value: number | undefined, floor: number): FloorCheck => ({ name, value, floor, ok: value !== undefined && Number.isFinite(value) && value >= floor });

export function firstSightChecks(t: Totals): FloorCheck[] {
  const f = FLOORS.firstSight;
  return [
    at('first sight: passages in the newest batches', t.passages, f.minPassages),
    at('first sight: objective micro-F1', t.micro.f1, f.microF1),
    at('first sight: grade exact', t.grades.exact, f.gradeExact),
    at('first sight: grade within one', t.grades.withinOne, f.gradeWithinOne),
    at('first sight: domain micro-F1', t.domains.f1, f.domainF1),
  ];
}

function objectiveChecks(set: string, s: SetScores, floor: number): FloorCheck[] {
  const d = s.docs?.accords;
  if (!d) return [];
  return OBJECTIVES.filter((o) => d.objectives[o].tp + d.objectives[o].fn > 0).map((o) => at(`${set}: F1 ${o}`, d.objectives[o].f1, floor));
}

function baselineCheck(set: string, s: SetScores): FloorCheck {
  const lost = losses(s);
  return { name: `${set}: beats every baseline on every compared figure`, value: undefined, floor: lost.length ? `lost on ${lost.length}` : 'yes', ok: !lost.length };
}

export function sharedChecks(s: SetScores): FloorCheck[] {
  const f = FLOORS.shared;
  const d = s.docs?.accords;
  return [
    ...(s.quotes ? [at('shared: quote recall', s.quotes.accords.recall, f.quoteRecall)] : []),
    ...(d
      ? [at('shared: objective micro-F1', d.micro.f1, f.microF1), at('shared: grade exact', d.grades.exact, f.gradeExact), at('shared: grade within one', d.grades.withinOne, f.gradeWithinOne), at('shared: domain micro-F1', d.domains.f1, f.domainF1)]
      : []),
    ...objectiveChecks('shared', s, f.objectiveF1),
    baselineCheck('shared', s),
  ];
}

export function labelChecks(set: string, s: SetScores): FloorCheck[] {
  return [...objectiveChecks(set, s, FLOORS.labels.objectiveF1), baselineCheck(set, s)];
}

export function formatChecks(checks: FloorCheck[]): string {
  return checks
    .map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(52)} ${c.value === undefined ? '' : c.value >= 2 ? String(c.value) : c.value.toFixed(3)}${typeof c.floor === 'number' ? ` (floor ${c.floor})` : ` (${c.floor})`}`)
    .join('\n');
}
