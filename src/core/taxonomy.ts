// The coding scheme as types. Each id list is paired with a record of labels and
// descriptions keyed by the same ids, so an id added without a label (or a label
// without an id) does not compile.

export const OBJECTIVES = ['policy', 'research', 'commercial', 'preparedness', 'workforce'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export const OBJECTIVE_INFO: Record<Objective, { label: string; description: string }> = {
  policy: { label: 'Policy cooperation', description: 'coordinating government policy tools with each other' },
  research: { label: 'Research cooperation', description: 'joint R&D, research funding and programmes, research institutions working together' },
  commercial: { label: 'Commercial cooperation', description: "developing industry and markets: investment, joint ventures, business links, building up a partner's ecosystem" },
  preparedness: { label: 'Preparedness and crisis response', description: 'seeing and handling supply disruptions together' },
  workforce: { label: 'Workforce development', description: 'skills and people' },
};

export const SUBCATEGORIES = {
  policy: ['subsidies', 'export-controls', 'investment-screening', 'diversification', 'non-market-practices', 'standards', 'policy-coordination', 'best-practices'],
  research: ['funding', 'research-areas', 'research-forum', 'institutions', 'infrastructure-access'],
  commercial: ['investment', 'joint-ventures', 'ecosystem-development', 'industry-engagement', 'market-access'],
  preparedness: ['information-sharing', 'early-warning', 'monitoring-mapping', 'demand-transparency', 'crisis-coordination', 'points-of-contact'],
  workforce: ['skills-training', 'talent-exchange', 'education'],
} as const satisfies Record<Objective, readonly string[]>;
export type Subcategory = (typeof SUBCATEGORIES)[Objective][number];
export const ALL_SUBCATEGORIES: readonly Subcategory[] = Object.values(SUBCATEGORIES).flat();

export const DOMAINS = [
  'semiconductors', 'ai', 'quantum', 'biotech', 'batteries-clean-energy', 'critical-minerals',
  'telecom', 'cybersecurity', 'data', 'space', 'cet-general',
] as const;
export type Domain = (typeof DOMAINS)[number];

export const DOMAIN_INFO: Record<Domain, { label: string }> = {
  semiconductors: { label: 'Semiconductors' },
  ai: { label: 'Artificial intelligence' },
  quantum: { label: 'Quantum' },
  biotech: { label: 'Biotechnology' },
  'batteries-clean-energy': { label: 'Batteries and clean energy' },
  'critical-minerals': { label: 'Critical minerals' },
  telecom: { label: 'Telecommunications and connectivity' },
  cybersecurity: { label: 'Cybersecurity' },
  data: { label: 'Data flows, privacy and digital trade' },
  space: { label: 'Space' },
  'cet-general': { label: 'Critical and emerging technologies (general)' },
};

// Ordinal: index order is strength order, weakest first.
export const GRADES = ['explore', 'intend', 'commit', 'underway', 'completed'] as const;
export type Grade = (typeof GRADES)[number];

export const GRADE_INFO: Record<Grade, { label: string; description: string }> = {
  explore: { label: 'Explore', description: 'looking into it; nothing decided' },
  intend: { label: 'Intend', description: 'a stated wish or plan without a firm promise' },
  commit: { label: 'Commit', description: 'a firm promise of future action' },
  underway: { label: 'Underway', description: 'the mechanism exists or the activity has started' },
  completed: { label: 'Completed', description: 'a concrete deliverable is finished' },
};

export const CONCRETENESS_SIGNALS = ['actor', 'timeframe', 'money', 'mechanism', 'deliverable'] as const;
export type ConcretenessSignal = (typeof CONCRETENESS_SIGNALS)[number];

export const CONCRETENESS_INFO: Record<ConcretenessSignal, { description: string }> = {
  actor: { description: 'a named ministry, agency, institution or industry body' },
  timeframe: { description: 'a date, deadline, quarter, year or frequency' },
  money: { description: 'an amount' },
  mechanism: { description: 'a named body or instrument: working group, task force, forum, MoU, points of contact, workshop' },
  deliverable: { description: 'a report, roadmap, assessment, database' },
};

export function gradeRank(g: Grade): number {
  return GRADES.indexOf(g);
}

export function strongerGrade(a: Grade | undefined, b: Grade | undefined): Grade | undefined {
  if (!a) return b;
  if (!b) return a;
  return gradeRank(a) >= gradeRank(b) ? a : b;
}

export function isObjective(x: string): x is Objective {
  return (OBJECTIVES as readonly string[]).includes(x);
}
export function isDomain(x: string): x is Domain {
  return (DOMAINS as readonly string[]).includes(x);
}
export function isGrade(x: string): x is Grade {
  return (GRADES as readonly string[]).includes(x);
}
export function objectiveOf(sub: string): Objective | undefined {
  for (const o of OBJECTIVES) if ((SUBCATEGORIES[o] as readonly string[]).includes(sub)) return o;
  return undefined;
}
