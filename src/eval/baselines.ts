import { DOMAINS, GRADES, OBJECTIVES, type Domain, type Grade, type Objective } from '../core/taxonomy.js';
import type { GoldPassage } from './index.js';

/**
 * Three simple alternatives the tagger has to beat, scored on the same passages:
 * a keyword dictionary, a TF-IDF logistic regression trained by cross-validation
 * (see logreg.ts), and the majority label.
 */

/** What any tagger predicts for a passage, in the shape eval scores. */
export interface Prediction {
  objectives: Array<{ objective: Objective; grade: Grade; why?: string }>;
  domains: Domain[];
  governance?: boolean;
  /** A tagger that gives every objective the same grade says which (the majority baseline). */
  constantGrade?: Grade;
  /** Tags the tagger considered and dropped, with the reason (for the verbose report). */
  dropped?: Array<{ label: string; why: string }>;
}

export interface EvalItem {
  gold: GoldPassage;
  /** Text and heading as a baseline sees them. */
  text: string;
  heading?: string;
  /** Quotes are positive for one objective and say nothing of the others. */
  only?: Objective;
  /** The statement the passage comes from: cross-validation keeps a statement's passages in one fold. */
  group?: string;
}

// ---------------------------------------------------------------------------
// (a) Keyword dictionary: single words per category, the classic content-analysis
// dictionary. A passage gets a category when one of its words occurs.

export const KEYWORDS = {
  objectives: {
    policy: ['policy', 'policies', 'regulatory', 'regulation', 'export', 'screening', 'subsidies', 'subsidy', 'incentives', 'standards', 'standardization', 'diversification', 'diversify', 'coercion', 'overcapacity', 'coordination', 'alignment', 'align'],
    research: ['research', 'r&d', 'science', 'scientific', 'scientists', 'researchers', 'laboratory', 'laboratories', 'labs', 'innovation', 'universities', 'testbeds', 'testbed'],
    commercial: ['investment', 'investments', 'invest', 'industry', 'industries', 'business', 'businesses', 'companies', 'commercial', 'market', 'markets', 'private', 'trade', 'ecosystem'],
    preparedness: ['resilience', 'resilient', 'disruption', 'disruptions', 'shortages', 'crisis', 'crises', 'warning', 'monitoring', 'mapping', 'transparency', 'vulnerabilities', 'contingency'],
    workforce: ['workforce', 'skills', 'talent', 'training', 'students', 'education', 'educational', 'stem', 'workers', 'fellowships', 'scholarships'],
  } satisfies Record<Objective, string[]>,
  grades: {
    explore: ['explore', 'exploring', 'consider', 'considering', 'examine', 'discuss', 'discussed', 'study', 'may', 'could', 'potential', 'possible', 'possibilities'],
    intend: ['intend', 'intends', 'aim', 'aims', 'plan', 'plans', 'seek', 'seeks', 'endeavour', 'endeavor', 'hope', 'goal', 'towards', 'toward'],
    commit: ['commit', 'commits', 'committed', 'will', 'agree', 'agreed', 'decide', 'decided', 'resolve', 'pledge', 'pledged', 'shall'],
    underway: ['launched', 'launch', 'established', 'signed', 'convened', 'held', 'continue', 'continues', 'began', 'working', 'ongoing'],
    completed: ['completed', 'finalized', 'finalised', 'concluded', 'delivered', 'adopted', 'published'],
  } satisfies Record<Grade, string[]>,
  domains: {
    semiconductors: ['semiconductor', 'semiconductors', 'chip', 'chips'],
    ai: ['ai', 'artificial'],
    quantum: ['quantum'],
    biotech: ['biotechnology', 'biotech', 'biomanufacturing', 'bioeconomy'],
    'batteries-clean-energy': ['battery', 'batteries', 'clean', 'hydrogen', 'solar', 'nuclear', 'renewable'],
    'critical-minerals': ['minerals'],
    telecom: ['5g', '6g', 'telecommunications', 'telecom', 'ran', 'cables', 'connectivity'],
    cybersecurity: ['cyber', 'cybersecurity'],
    data: ['data', 'privacy'],
    space: ['space', 'satellite', 'satellites'],
    'cet-general': ['emerging'],
  } satisfies Record<Domain, string[]>,
  governance: ['chaired', 'co-chaired', 'meeting', 'ministerial', 'secretariat', 'convened', 'annually'],
};

const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9&]+(?:-[a-z0-9]+)*/g) ?? [];

export function keywordTagger(text: string, heading?: string): Prediction {
  const w = words(text);
  const set = new Set(w);
  const headSet = new Set(words(heading ?? ''));
  // The grade word that occurs most often; ties go to the one met first; none: commit.
  let grade: Grade = 'commit';
  let best = 0;
  let firstAt = Infinity;
  for (const g of GRADES) {
    const hits = w.map((x, i) => (KEYWORDS.grades[g].includes(x) ? i : -1)).filter((i) => i >= 0);
    if (hits.length > best || (hits.length === best && hits.length > 0 && hits[0]! < firstAt)) {
      grade = g;
      best = hits.length;
      firstAt = hits[0]!;
    }
  }
  return {
    objectives: OBJECTIVES.filter((o) => KEYWORDS.objectives[o].some((k) => set.has(k))).map((objective) => ({ objective, grade })),
    domains: DOMAINS.filter((d) => KEYWORDS.domains[d].some((k) => set.has(k) || headSet.has(k))),
    governance: KEYWORDS.governance.some((k) => set.has(k)),
  };
}

