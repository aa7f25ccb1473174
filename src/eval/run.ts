import type { CompiledRules } from '../rules/compile.js';
import { classify, classifyRaw } from '../classify.js';
import { GRADES, OBJECTIVES, type Objective } from '../core/taxonomy.js';
import { keywordTagger, type EvalItem, type Prediction } from './baselines.js';
import { crossValidated, logregTrainer, majorityTrainer } from './logreg.js';
import { krippendorffOrdinal } from './alpha.js';
import { fromTags, quoteText, scoreDocs, scoreQuotes, type DocScores, type GoldSet, type QuoteScores, type Scored } from './index.js';
import type { LocalGold, ResolvedLabel } from './local.js';

export const TAGGERS = ['accords', 'keywords', 'logreg', 'majority'] as const;
export type TaggerName = (typeof TAGGERS)[number];
export const BASELINES = ['keywords', 'logreg', 'majority'] as const;

/** Grade figures on one denominator for everyone: the gold slots every tagger but the majority found. */
export interface CommonGrades {
  n: number;
  exact: Record<TaggerName, number>;
  withinOne: Record<TaggerName, number>;
  alpha: Record<TaggerName, number>;
}

export interface SetScores {
  quotes?: Record<TaggerName, QuoteScores>;
  docs?: Record<TaggerName, DocScores>;
  common?: CommonGrades;
}

export interface Figure {
  name: string;
  values: Record<TaggerName, number | undefined>;
}

function score(items: EvalItem[], preds: Record<TaggerName, Prediction[]>): Pick<SetScores, 'docs' | 'common'> {
  const docs = mapTaggers((t) => scoreDocs(items.map((it, i) => ({ gold: it.gold, pred: preds[t][i]! }))));
  return { docs, common: commonGrades(items.map((it, i) => ({ gold: it.gold, preds: mapTaggers((t) => preds[t][i]!) }))) };
}

/** Score the tagger and the three baselines on the shared gold: quotes and labelled documents. */
export function evalShared(gold: GoldSet, rules: CompiledRules, folds = 5): SetScores {
  const quoteItems: EvalItem[] = gold.quotes.map((q) => ({
    gold: { id: q.id, text: quoteText(q), objectives: [q.objective] },
    text: quoteText(q),
    only: q.objective,
    group: `quote:${q.partnership}`,
  }));
  const docItems: EvalItem[] = gold.docs.flatMap((d) => d.passages.map((p) => ({ gold: p, text: p.text, group: `doc:${d.file}`, ...(p.heading ? { heading: p.heading } : {}) })));
  const all = [...quoteItems, ...docItems];
  const accords = all.map((it) => fromTags(classifyRaw({ text: it.text, headings: it.heading ? [it.heading] : [] }, rules)));
  const preds = baselinesFor(all, accords, folds);
  const nq = quoteItems.length;
  const out: SetScores = {};
  if (nq) out.quotes = mapTaggers((t) => scoreQuotes(gold.quotes, preds[t].slice(0, nq), gold.matrix));
  if (docItems.length) Object.assign(out, score(docItems, mapTaggers((t) => preds[t].slice(nq))));
  return out;
}

function baselinesFor(items: EvalItem[], accords: Prediction[], folds: number): Record<TaggerName, Prediction[]> {
  return {
    accords,
    keywords: items.map((it) => keywordTagger(it.text, it.heading)),
    logreg: crossValidated(items, folds, logregTrainer),
    majority: crossValidated(items, folds, majorityTrainer),
  };
}

/** Score the four on the project's own labels (test/gold), the tagger reading each passage in its document. */
export function evalLocal(local: LocalGold, rules: CompiledRules, folds = 5): SetScores {
  const items: EvalItem[] = local.labels.map((l) => ({ gold: l.gold, text: l.gold.text, group: l.gold.doc ?? '', ...(l.gold.heading ? { heading: l.gold.heading } : {}) }));
  const accords = local.labels.map((l) => tagInContext(l, rules));
  return score(items, baselinesFor(items, accords, folds));
}

/** The tagger's reading of a labelled span: its passages there, with headings, title and lead-in, merged. */
export function tagInContext(l: ResolvedLabel, rules: CompiledRules): Prediction {
  const merged: Prediction = { objectives: [], domains: [], governance: false };
  const byObjective = new Map<Objective, { grade: Prediction['objectives'][number]; overlap: number }>();
  for (const { passage: p, overlap } of l.covers) {
    const pred = fromTags(classify({ text: p.text, headings: p.headings, title: p.title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules));
    for (const t of pred.objectives) {
      const seen = byObjective.get(t.objective);
      if (!seen || overlap > seen.overlap) byObjective.set(t.objective, { grade: t, overlap });
    }
    for (const d of pred.domains) if (!merged.domains.includes(d)) merged.domains.push(d);
    merged.governance ||= !!pred.governance;
    if (pred.dropped) (merged.dropped ??= []).push(...pred.dropped);
  }
  merged.objectives = OBJECTIVES.filter((o) => byObjective.has(o)).map((o) => byObjective.get(o)!.grade);
  return merged;
}

function commonGrades(items: Array<{ gold: Scored['gold']; preds: Record<TaggerName, Prediction> }>): CommonGrades {
  const pairs = mapTaggers(() => [] as Array<[number, number]>);
  for (const { gold, preds } of items) {
    for (const o of gold.objectives) {
      const g = gold.grades?.[o];
      if (!g) continue;
      const found = (['accords', 'keywords', 'logreg'] as const).map((t) => preds[t].objectives.find((x) => x.objective === o));
      if (found.some((x) => !x)) continue;
      const gi = GRADES.indexOf(g);
      (['accords', 'keywords', 'logreg'] as const).forEach((t, k) => pairs[t].push([gi, GRADES.indexOf(found[k]!.grade)]));
      const constant = preds.majority.objectives.find((x) => x.objective === o)?.grade ?? preds.majority.constantGrade ?? 'commit';
      pairs.majority.push([gi, GRADES.indexOf(constant)]);
    }
  }
  const n = pairs.accords.length;
  const rate = (t: TaggerName, ok: (a: number, b: number) => boolean) => (n ? pairs[t].filter(([a, b]) => ok(a, b)).length / n : NaN);
  return {
    n,
    exact: mapTaggers((t) => rate(t, (a, b) => a === b)),
    withinOne: mapTaggers((t) => rate(t, (a, b) => Math.abs(a - b) <= 1)),
    alpha: mapTaggers((t) => krippendorffOrdinal(pairs[t], GRADES.length)),
  };
}

function mapTaggers<T>(f: (t: TaggerName) => T): Record<TaggerName, T> {
  return Object.fromEntries(TAGGERS.map((t) => [t, f(t)])) as Record<TaggerName, T>;
}

/**
 * The figures compared side by side. Those marked `required` are the ones the tagger
 * must win on; an objective without gold positives has no F1 and is left out. Grade
 * figures are compared on the common slots (the same denominator for every tagger);
 * each tagger's grade on its own found slots is shown beside them.
 */
export function figures(s: SetScores): Array<Figure & { required: boolean }> {
  const rows: Array<Figure & { required: boolean }> = [];
  const row = (name: string, required: boolean, f: (t: TaggerName) => number | undefined) => rows.push({ name, required, values: mapTaggers(f) });
  if (s.quotes) row('quote recall', true, (t) => s.quotes![t].recall);
  const d = s.docs;
  if (d) {
    row('objective micro-F1', true, (t) => d[t].micro.f1);
    for (const o of OBJECTIVES) {
      const positives = d.accords.objectives[o].tp + d.accords.objectives[o].fn;
      row(`  F1 ${o}`, positives > 0, (t) => (positives > 0 ? d[t].objectives[o].f1 : undefined));
    }
    const c = s.common;
    if (c && c.n) {
      row(`grade exact (common slots)`, true, (t) => c.exact[t]);
      row(`grade within one (common slots)`, true, (t) => c.withinOne[t]);
      row(`grade alpha, ordinal (common slots)`, true, (t) => finite(c.alpha[t]));
      row(`  common slots (n)`, false, () => c.n);
    }
    row('grade exact (own found slots)', false, (t) => (d[t].grades.n ? d[t].grades.exact : undefined));
    row('  own found slots (n)', false, (t) => d[t].grades.n);
    row('domain micro-F1', true, (t) => d[t].domains.f1);
    row('governance F1', false, (t) => d[t].governance.f1);
  }
  return rows;
}

const finite = (x: number): number | undefined => (Number.isFinite(x) ? x : undefined);

/** Figures on which the tagger does not beat a baseline. */
export function losses(s: SetScores): string[] {
  const out: string[] = [];
  for (const f of figures(s)) {
    if (!f.required) continue;
    const a = f.values.accords;
    for (const b of BASELINES) {
      const v = f.values[b];
      if (a === undefined || (v !== undefined && a <= v)) out.push(`${f.name.trim()}: accords ${fmt(a)} vs ${b} ${fmt(v)}`);
    }
  }
  return out;
}

const fmt = (x: number | undefined): string => (x === undefined ? '–' : Number.isInteger(x) && x > 1 ? String(x) : x.toFixed(3));

export function formatComparison(title: string, s: SetScores): string {
  const lines = [title, `  ${'figure'.padEnd(38)}${TAGGERS.map((t) => t.padStart(10)).join('')}`];
  for (const f of figures(s)) lines.push(`  ${f.name.padEnd(38)}${TAGGERS.map((t) => fmt(f.values[t]).padStart(10)).join('')}`);
  const lost = losses(s);
  lines.push(lost.length ? `  accords does NOT beat every baseline on: ${lost.join('; ')}` : '  accords beats every baseline on every compared figure (governance, own-slot grades and n are shown, not compared)');
  return lines.join('\n');
}

/** One line of the tagger's headline figures, for scripts and CI logs. */
export function summaryLine(set: string, s: SetScores): string {
  const parts: string[] = [];
  if (s.quotes) parts.push(`quote recall ${fmt(s.quotes.accords.recall)}`);
  const d = s.docs?.accords;
  if (d) {
    parts.push(`objective micro-F1 ${fmt(d.micro.f1)}`);
    const per = OBJECTIVES.filter((o) => d.objectives[o].tp + d.objectives[o].fn > 0);
    if (per.length) parts.push(`min objective F1 ${fmt(Math.min(...per.map((o) => d.objectives[o].f1)))}`);
    parts.push(`grade exact ${fmt(d.grades.exact)}`, `grade within-one ${fmt(d.grades.withinOne)}`, `grade alpha ${fmt(finite(d.grades.alpha))}`, `domain F1 ${fmt(d.domains.f1)}`, `governance F1 ${fmt(d.governance.f1)}`);
  }
  parts.push(`beats every baseline: ${losses(s).length ? 'no' : 'yes'}`);
  return `SUMMARY ${set}: ${parts.join(' | ')}`;
}

/** The baselines' reliability check: the statistical classifier must beat predicting the majority label. */
export function logregVsMajority(s: SetScores): string {
  const d = s.docs;
  if (!d) return '';
  const acc = (t: TaggerName, o: Objective) => {
    const x = d[t].objectives[o];
    const tn = d[t].passages - x.tp - x.fp - x.fn;
    return (x.tp + tn) / (d[t].passages || 1);
  };
  const bal = (t: TaggerName, o: Objective) => {
    const x = d[t].objectives[o];
    const pos = x.tp + x.fn;
    const neg = d[t].passages - pos;
    const tn = neg - x.fp;
    return pos && neg ? (x.tp / pos + tn / neg) / 2 : NaN;
  };
  const rows = OBJECTIVES.map((o) => `${o} acc ${fmt(acc('logreg', o))}/${fmt(acc('majority', o))} bal.acc ${fmt(finite(bal('logreg', o)))}/${fmt(finite(bal('majority', o)))}`);
  return `  logreg vs majority (accuracy and balanced accuracy per objective): ${rows.join('; ')}`;
}
