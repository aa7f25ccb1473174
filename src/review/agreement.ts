import { GRADES, OBJECTIVES, gradeRank, type Objective } from '../core/taxonomy.js';
import { krippendorffNominal, krippendorffOrdinal } from '../eval/alpha.js';
import { labelsAfter, type Decision, type Labels } from './store.js';

export { krippendorffNominal };

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
