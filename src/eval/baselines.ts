import { createRequire } from 'node:module';
import { DOMAINS, GRADES, OBJECTIVES, type Domain, type Grade, type Objective } from '../core/taxonomy.js';
import type { GoldPassage } from './index.js';

/**
 * Two simple alternatives the tagger has to beat, scored on the same passages:
 * a keyword dictionary and a naive Bayes classifier from `natural`.
 */

/** What any tagger predicts for a passage, in the shape eval scores. */
export interface Prediction {
  objectives: Array<{ objective: Objective; grade: Grade; why?: string }>;
  domains: Domain[];
  governance?: boolean;
}

export interface EvalItem {
  gold: GoldPassage;
  /** Text and heading as a baseline sees them. */
  text: string;
  heading?: string;
  /** Quotes are positive for one objective and say nothing of the others. */
  only?: Objective;
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

// ---------------------------------------------------------------------------
// (b) natural's naive Bayes, one yes/no classifier per objective and per domain and
// one five-way classifier for the grade, trained and scored by k-fold cross-validation.

interface NaturalClassifier {
  keepStops?: boolean;
  addDocument(text: string, label: string): void;
  train(): void;
  classify(text: string): string;
}
type BayesCtor = new () => NaturalClassifier;

let Bayes: BayesCtor | undefined;
function bayes(keepStops = false): NaturalClassifier {
  // Only the classifiers: the package's index loads storage adapters that print to stdout.
  Bayes ??= (createRequire(import.meta.url)('natural/lib/natural/classifiers/index.js') as { BayesClassifier: BayesCtor }).BayesClassifier;
  const c = new Bayes();
  c.keepStops = keepStops;
  return c;
}

function train(items: EvalItem[], label: (it: EvalItem) => string | undefined, keepStops = false): NaturalClassifier | string | undefined {
  const seen = new Set<string>();
  const c = bayes(keepStops);
  for (const it of items) {
    const l = label(it);
    if (l === undefined) continue;
    const text = `${it.heading ?? ''} ${it.text}`.trim();
    if (!text) continue;
    c.addDocument(text, l);
    seen.add(l);
  }
  if (seen.size === 0) return undefined;
  // One class only in the training folds: that is the prediction.
  if (seen.size === 1) return [...seen][0];
  c.train();
  return c;
}

const run = (c: NaturalClassifier | string | undefined, text: string, fallback: string): string => (c === undefined ? fallback : typeof c === 'string' ? c : c.classify(text));

/** Predictions for every item, each made by classifiers that never saw it (k folds, by position). */
export function bayesCrossValidated(items: EvalItem[], folds = 5): Prediction[] {
  const out: Prediction[] = new Array(items.length);
  for (let f = 0; f < folds; f++) {
    const trainSet = items.filter((_, i) => i % folds !== f);
    const fullyLabelled = trainSet.filter((it) => !it.only);
    const objective = Object.fromEntries(
      OBJECTIVES.map((o) => [o, train(trainSet, (it) => (it.only ? (it.only === o ? 'yes' : undefined) : it.gold.objectives.includes(o) ? 'yes' : 'no'))]),
    ) as Record<Objective, ReturnType<typeof train>>;
    const domain = Object.fromEntries(DOMAINS.map((d) => [d, train(fullyLabelled, (it) => ((it.gold.domains ?? []).includes(d) ? 'yes' : 'no'))])) as Record<Domain, ReturnType<typeof train>>;
    const gradeDocs: EvalItem[] = [];
    const gradeOf = new Map<EvalItem, string>();
    for (const it of trainSet)
      for (const o of it.gold.objectives) {
        const g = it.gold.grades?.[o];
        if (!g) continue;
        const copy = { ...it };
        gradeDocs.push(copy);
        gradeOf.set(copy, g);
      }
    const grade = train(gradeDocs, (it) => gradeOf.get(it), true);
    const gov = train(fullyLabelled, (it) => (it.gold.governance ? 'yes' : 'no'));
    items.forEach((it, i) => {
      if (i % folds !== f) return;
      const text = `${it.heading ?? ''} ${it.text}`.trim();
      const g = run(grade, text, 'commit') as Grade;
      out[i] = {
        objectives: OBJECTIVES.filter((o) => run(objective[o], text, 'no') === 'yes').map((o) => ({ objective: o, grade: g })),
        domains: DOMAINS.filter((d) => run(domain[d], text, 'no') === 'yes'),
        governance: run(gov, text, 'no') === 'yes',
      };
    });
  }
  return out;
}
