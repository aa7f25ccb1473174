import { GRADES, OBJECTIVES, gradeRank, type Objective } from '../core/taxonomy.js';
import { krippendorffOrdinal } from '../eval/alpha.js';
import { labelsAfter, type Decision, type Labels } from './store.js';

/**
 * Krippendorff's alpha for nominal data (Krippendorff 2011, "Computing Krippendorff's
 * Alpha-Reliability"): units hold one value per coder (null when a coder gave none),
 * values are category numbers 0..k-1. Units with fewer than two values drop out.
 * NaN when nothing is pairable or every value is the same (nothing to agree on).
 */
export function krippendorffNominal(units: Array<Array<number | null>>, k: number): number {
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const unit of units) {
    const vals = unit.filter((v): v is number => v !== null);
    const m = vals.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) if (i !== j) o[vals[i]!]![vals[j]!]! += 1 / (m - 1);
  }
  const nc = o.map((row) => row.reduce((a, b) => a + b, 0));
  const n = nc.reduce((a, b) => a + b, 0);
  if (n <= 1) return NaN;
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++)
    for (let d = 0; d < k; d++) {
      if (c === d) continue;
      observed += o[c]![d]!;
      expected += nc[c]! * nc[d]!;
    }
  if (expected === 0) return NaN;
  return 1 - ((n - 1) * observed) / expected;
}

export interface ObjectiveAgreement {
  /** Passages coded by two or more reviewers. */
  units: number;
  /** How many of them the reviewers disagree on (objective present for some, absent for others). */
  disagreements: number;
  /** Nominal alpha on whether the objective applies. */
  alpha: number;
  /** Passages where two or more reviewers gave the objective, and ordinal alpha on their grades. */
  gradeUnits: number;
  gradeAlpha: number;
}

export interface Agreement {
  reviewers: string[];
  /** Passages decided by two or more reviewers. */
  units: number;
  objectives: Record<Objective, ObjectiveAgreement>;
  governance: { units: number; disagreements: number; alpha: number };
  /** Passages whose reviewers' labels differ in any way, and how many of them were adjudicated. */
  disputed: number;
  adjudicated: number;
}

/** The labels reviewers can disagree on, in a comparable form. */
export function labelsSignature(l: Labels): string {
  const objectives = [...l.objectives]
    .sort((a, b) => a.objective.localeCompare(b.objective))
    .map((o) => `${o.objective}:${o.grade}:${[...(o.subcategories ?? [])].sort().join('+')}`);
  return JSON.stringify([objectives, [...l.domains].sort(), l.governance, l.governance ? (l.governanceGrade ?? null) : null]);
}

/** True when the reviewers' decisions in force on one passage do not all leave the same labels. */
export function isDisputed(reviews: Decision[]): boolean {
  return reviews.length >= 2 && new Set(reviews.map((d) => labelsSignature(labelsAfter(d)))).size > 1;
}

/**
 * Agreement between reviewers, per objective: for every passage that two or more
 * reviewers decided, each reviewer's decision in force is one coding (adjudications
 * are not codings; they settle disagreements afterwards).
 */
export function agreement(all: Map<string, Decision[]>, adjudicated: (key: string) => boolean): Agreement {
  const multi = [...all.entries()].filter(([, r]) => r.length >= 2);
  const reviewers = [...new Set([...all.values()].flat().map((d) => d.reviewer))].sort();
  const objectives = {} as Record<Objective, ObjectiveAgreement>;
  for (const o of OBJECTIVES) {
    const presence: number[][] = [];
    const grades: number[][] = [];
    let disagreements = 0;
    for (const [, reviews] of multi) {
      const tags = reviews.map((d) => labelsAfter(d).objectives.find((x) => x.objective === o));
      const unit = tags.map((t) => (t ? 1 : 0));
      presence.push(unit);
      if (new Set(unit).size > 1) disagreements++;
      const graded = tags.filter((t) => t !== undefined).map((t) => gradeRank(t.grade));
      if (graded.length >= 2) grades.push(graded);
    }
    objectives[o] = { units: multi.length, disagreements, alpha: krippendorffNominal(presence, 2), gradeUnits: grades.length, gradeAlpha: krippendorffOrdinal(grades, GRADES.length) };
  }
  const gov = multi.map(([, reviews]) => reviews.map((d) => (labelsAfter(d).governance ? 1 : 0)));
  const disputedKeys = multi.filter(([, r]) => isDisputed(r)).map(([k]) => k);
  return {
    reviewers,
    units: multi.length,
    objectives,
    governance: { units: gov.length, disagreements: gov.filter((u) => new Set(u).size > 1).length, alpha: krippendorffNominal(gov, 2) },
    disputed: disputedKeys.length,
    adjudicated: disputedKeys.filter(adjudicated).length,
  };
}

export const alphaText = (a: number): string => (Number.isNaN(a) ? 'n/a' : a.toFixed(3));
