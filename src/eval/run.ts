import type { CompiledRules } from '../rules/compile.js';
import { classify, classifyRaw } from '../classify.js';
import { OBJECTIVES, type Objective } from '../core/taxonomy.js';
import { bayesCrossValidated, keywordTagger, type EvalItem, type Prediction } from './baselines.js';
import { fromTags, quoteText, scoreDocs, scoreQuotes, type DocScores, type GoldSet, type QuoteScores } from './index.js';
import type { LocalGold, ResolvedLabel } from './local.js';

export const TAGGERS = ['accords', 'keywords', 'bayes'] as const;
export type TaggerName = (typeof TAGGERS)[number];

export interface SetScores {
  quotes?: Record<TaggerName, QuoteScores>;
  docs?: Record<TaggerName, DocScores>;
}

export interface Figure {
  name: string;
  values: Record<TaggerName, number | undefined>;
}

/** Score the tagger and both baselines on the shared gold: quotes and labelled documents. */
export function evalShared(gold: GoldSet, rules: CompiledRules, folds = 5): SetScores {
  const quoteItems: EvalItem[] = gold.quotes.map((q) => ({
    gold: { id: q.id, text: quoteText(q), objectives: [q.objective] },
    text: quoteText(q),
    only: q.objective,
  }));
  const docItems: EvalItem[] = gold.docs.flatMap((d) => d.passages).map((p) => ({ gold: p, text: p.text, ...(p.heading ? { heading: p.heading } : {}) }));
  const all = [...quoteItems, ...docItems];
  const accords = all.map((it) => fromTags(classifyRaw({ text: it.text, headings: it.heading ? [it.heading] : [] }, rules)));
  const keywords = all.map((it) => keywordTagger(it.text, it.heading));
  const bayes = bayesCrossValidated(all, folds);
  const preds: Record<TaggerName, Prediction[]> = { accords, keywords, bayes };
  const nq = quoteItems.length;
  const out: SetScores = {};
  if (nq) out.quotes = mapTaggers((t) => scoreQuotes(gold.quotes, preds[t].slice(0, nq), gold.matrix));
  if (docItems.length) out.docs = mapTaggers((t) => scoreDocs(docItems.map((it, i) => ({ gold: it.gold, pred: preds[t][nq + i]! }))));
  return out;
}

/** Score the three on the project's own labels (test/gold), the tagger reading each passage in its document. */
export function evalLocal(local: LocalGold, rules: CompiledRules, folds = 5): SetScores {
  const items: EvalItem[] = local.labels.map((l) => ({ gold: l.gold, text: l.gold.text, ...(l.gold.heading ? { heading: l.gold.heading } : {}) }));
  const accords = local.labels.map((l) => tagInContext(l, rules));
  const keywords = items.map((it) => keywordTagger(it.text, it.heading));
  const bayes = bayesCrossValidated(items, folds);
  const preds: Record<TaggerName, Prediction[]> = { accords, keywords, bayes };
  return { docs: mapTaggers((t) => scoreDocs(items.map((it, i) => ({ gold: it.gold, pred: preds[t][i]! })))) };
}

/** The tagger's reading of a labelled span: its passages there, with headings and title, merged. */
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
  }
  merged.objectives = OBJECTIVES.filter((o) => byObjective.has(o)).map((o) => byObjective.get(o)!.grade);
  return merged;
}

function mapTaggers<T>(f: (t: TaggerName) => T): Record<TaggerName, T> {
  return Object.fromEntries(TAGGERS.map((t) => [t, f(t)])) as Record<TaggerName, T>;
}

/**
 * The figures compared side by side. Those marked `required` are the ones the tagger
 * must win on; an objective without gold positives has no F1 and is left out.
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
    row('grade exact', true, (t) => d[t].grades.exact);
    row('grade within one step', true, (t) => d[t].grades.withinOne);
    row("grade Krippendorff's alpha (ordinal)", true, (t) => finite(d[t].grades.alpha));
    row('  graded tags compared (n)', false, (t) => d[t].grades.n);
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
    for (const b of ['keywords', 'bayes'] as const) {
      const v = f.values[b];
      if (a === undefined || (v !== undefined && a <= v)) out.push(`${f.name.trim()}: accords ${fmt(a)} vs ${b} ${fmt(v)}`);
    }
  }
  return out;
}

const fmt = (x: number | undefined): string => (x === undefined ? '–' : Number.isInteger(x) && x > 1 ? String(x) : x.toFixed(3));

export function formatComparison(title: string, s: SetScores): string {
  const lines = [title, `  ${'figure'.padEnd(38)}${'accords'.padStart(9)}${'keywords'.padStart(10)}${'bayes'.padStart(9)}`];
  for (const f of figures(s)) lines.push(`  ${f.name.padEnd(38)}${fmt(f.values.accords).padStart(9)}${fmt(f.values.keywords).padStart(10)}${fmt(f.values.bayes).padStart(9)}`);
  const lost = losses(s);
  lines.push(lost.length ? `  accords does NOT beat both baselines on: ${lost.join('; ')}` : '  accords beats both baselines on every figure above (governance and n are shown, not compared)');
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
  parts.push(`beats both baselines: ${losses(s).length ? 'no' : 'yes'}`);
  return `SUMMARY ${set}: ${parts.join(' | ')}`;
}
