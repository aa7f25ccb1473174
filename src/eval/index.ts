import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UserError } from '../core/errors.js';
import type { PassageTags } from '../core/doc.js';
import { DOMAINS, GRADES, OBJECTIVES, type Domain, type Grade, type Objective } from '../core/taxonomy.js';
import { krippendorffOrdinal } from './alpha.js';
import type { Prediction } from './baselines.js';

/** One labelled passage, in the form of ../shared/gold/doc_*.jsonl. */
export interface GoldPassage {
  id: string;
  doc?: string;
  heading?: string;
  text: string;
  objectives: Objective[];
  subcategories?: string[];
  grades?: Partial<Record<Objective, Grade>>;
  domains?: Domain[];
  governance?: boolean;
  governance_grade?: Grade | null;
}

export interface GoldQuote {
  id: string;
  partnership: string;
  objective: Objective;
  text: string;
}

export interface GoldSet {
  dir: string;
  quotes: GoldQuote[];
  docs: Array<{ file: string; passages: GoldPassage[] }>;
  matrix?: Record<string, Record<string, unknown>>;
}

async function readJsonl<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .map((l, i) => [l, i + 1] as const)
    .filter(([l]) => l.trim())
    .map(([l, n]) => {
      try {
        return JSON.parse(l) as T;
      } catch (err) {
        throw new UserError(`line is not valid JSON: ${(err as Error).message}`, file, n);
      }
    });
}

export async function loadGold(dir: string): Promise<GoldSet> {
  if (!existsSync(dir)) {
    throw new UserError('gold folder not found', dir, undefined, 'set `gold` in pipeline.config.ts (default ../shared/gold) or pass --gold DIR');
  }
  const set: GoldSet = { dir, quotes: [], docs: [] };
  // One file: passage labels (an export of review decisions, or a doc_*.jsonl).
  if ((await stat(dir)).isFile()) {
    set.docs.push({ file: basename(dir), passages: await readJsonl<GoldPassage>(dir) });
    return set;
  }
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    const file = join(dir, name);
    if (name.startsWith('paper_quotes') && name.endsWith('.jsonl')) set.quotes.push(...(await readJsonl<GoldQuote>(file)));
    else if (name.startsWith('doc_') && name.endsWith('.jsonl')) set.docs.push({ file: name, passages: await readJsonl<GoldPassage>(file) });
    else if (name.startsWith('paper_matrix') && name.endsWith('.json')) set.matrix = JSON.parse(await readFile(file, 'utf8')) as GoldSet['matrix'];
  }
  if (!set.quotes.length && !set.docs.length) throw new UserError('no gold files (paper_quotes*.jsonl or doc_*.jsonl) in the folder', dir);
  return set;
}

export interface Prf {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, precision, recall, f1 };
}

export interface DocScores {
  passages: number;
  objectives: Record<Objective, Prf>;
  micro: Prf;
  grades: { n: number; exact: number; withinOne: number; alpha: number; confusion: number[][] };
  domains: Prf;
  governance: Prf;
  misses: Array<{ id: string; kind: 'miss' | 'false-alarm' | 'grade'; label: string; detail: string; text: string }>;
}

export type Classifier = (text: string, heading?: string) => PassageTags;

/** The tagger's tags in the shape every tagger is scored in, keeping the reasons for the report. */
export function fromTags(tags: PassageTags): Prediction {
  return {
    objectives: tags.objectives.map((t) => ({
      objective: t.objective,
      grade: t.grade,
      why: `${t.evidence.map((e) => `${e.ruleId}:"${e.match}"`).join(', ')}; grade: ${t.gradeReason}`,
    })),
    domains: tags.domains,
    governance: tags.governance,
    ...(tags.candidates?.some((c) => !c.kept) ? { dropped: tags.candidates.filter((c) => !c.kept).map((c) => ({ label: c.label, why: `${c.ruleId} "${c.match}": ${c.reason}` })) } : {}),
  };
}

export interface Scored {
  gold: GoldPassage;
  pred: Prediction;
}

export function scoreDocs(items: Scored[]): DocScores {
  const counts = Object.fromEntries(OBJECTIVES.map((o) => [o, { tp: 0, fp: 0, fn: 0 }])) as Record<Objective, { tp: number; fp: number; fn: number }>;
  const dom = { tp: 0, fp: 0, fn: 0 };
  const gov = { tp: 0, fp: 0, fn: 0 };
  const confusion = GRADES.map(() => GRADES.map(() => 0));
  const pairs: Array<[number, number]> = [];
  const misses: DocScores['misses'] = [];
  for (const { gold: p, pred } of items) {
    const byObjective = new Map(pred.objectives.map((t) => [t.objective, t]));
    const gold = new Set(p.objectives);
    for (const o of OBJECTIVES) {
      const tag = byObjective.get(o);
      const inG = gold.has(o);
      if (tag && inG) counts[o].tp++;
      else if (tag) {
        counts[o].fp++;
        misses.push({ id: p.id, kind: 'false-alarm', label: o, detail: tag.why ?? '', text: p.text });
      } else if (inG) {
        counts[o].fn++;
        const dropped = (pred.dropped ?? []).filter((d) => d.label.startsWith(`${o}/`)).map((d) => d.why);
        misses.push({ id: p.id, kind: 'miss', label: o, detail: `${(p.subcategories ?? []).join(',')}${dropped.length ? ` [dropped: ${dropped.join('; ')}]` : ''}`, text: p.text });
      }
      const gg = p.grades?.[o];
      if (tag && inG && gg) {
        const gi = GRADES.indexOf(gg);
        const pi = GRADES.indexOf(tag.grade);
        confusion[gi]![pi]!++;
        pairs.push([gi, pi]);
        if (gi !== pi) misses.push({ id: p.id, kind: 'grade', label: o, detail: `gold ${gg}, got ${tag.grade}: ${tag.why ?? ''}`, text: p.text });
      }
    }
    const pd = new Set(pred.domains);
    for (const d of DOMAINS) {
      const inG = (p.domains ?? []).includes(d);
      if (pd.has(d) && inG) dom.tp++;
      else if (pd.has(d)) dom.fp++;
      else if (inG) dom.fn++;
    }
    if (p.governance !== undefined && pred.governance !== undefined) {
      if (pred.governance && p.governance) gov.tp++;
      else if (pred.governance) gov.fp++;
      else if (p.governance) gov.fn++;
    }
  }
  const objectives = Object.fromEntries(OBJECTIVES.map((o) => [o, prf(counts[o].tp, counts[o].fp, counts[o].fn)])) as Record<Objective, Prf>;
  const sum = (k: 'tp' | 'fp' | 'fn') => OBJECTIVES.reduce((n, o) => n + counts[o][k], 0);
  const n = pairs.length;
  return {
    passages: items.length,
    objectives,
    micro: prf(sum('tp'), sum('fp'), sum('fn')),
    grades: {
      n,
      exact: n ? pairs.filter(([a, b]) => a === b).length / n : 0,
      withinOne: n ? pairs.filter(([a, b]) => Math.abs(a - b) <= 1).length / n : 0,
      alpha: krippendorffOrdinal(pairs, GRADES.length),
      confusion,
    },
    domains: prf(dom.tp, dom.fp, dom.fn),
    governance: prf(gov.tp, gov.fp, gov.fn),
    misses,
  };
}

export interface QuoteScores {
  n: number;
  recall: number;
  byObjective: Record<string, { n: number; hit: number }>;
  misses: GoldQuote[];
  matrix?: { cells: number; agree: number };
}

/** preds[i] is the prediction for quotes[i]. */
export function scoreQuotes(quotes: GoldQuote[], preds: Prediction[], matrix?: GoldSet['matrix']): QuoteScores {
  let hit = 0;
  const byObjective: QuoteScores['byObjective'] = {};
  const misses: GoldQuote[] = [];
  const found = new Map<string, Set<string>>();
  quotes.forEach((q, i) => {
    const pred = preds[i]!;
    const ok = pred.objectives.some((o) => o.objective === q.objective);
    const b = (byObjective[q.objective] ??= { n: 0, hit: 0 });
    b.n++;
    if (ok) {
      hit++;
      b.hit++;
    } else misses.push(q);
    const f = found.get(q.partnership) ?? new Set<string>();
    for (const o of pred.objectives) f.add(o.objective);
    found.set(q.partnership, f);
  });
  let matrixScore: QuoteScores['matrix'];
  if (matrix) {
    // Does tagging the study's quotes reproduce the study's matrix? Each cell is
    // "found" if any quote of that partnership got the objective.
    let cells = 0;
    let agree = 0;
    for (const [pid, row] of Object.entries(matrix)) {
      for (const o of OBJECTIVES) {
        if (typeof row[o] !== 'boolean') continue;
        cells++;
        if ((found.get(pid)?.has(o) ?? false) === row[o]) agree++;
      }
    }
    matrixScore = { cells, agree };
  }
  return { n: quotes.length, recall: quotes.length ? hit / quotes.length : 0, byObjective, misses, ...(matrixScore ? { matrix: matrixScore } : {}) };
}

/** Quote text as the taggers read it: the study's ellipses become gaps. */
export const quoteText = (q: GoldQuote): string => q.text.replace(/\.\.\.|…/g, ' ');

const f2 = (x: number) => x.toFixed(3);

export function formatReport(q: QuoteScores | undefined, d: DocScores | undefined, verbose: boolean, summary = true): string {
  const lines: string[] = [];
  if (q) {
    lines.push(`Paper quotes (recall; every quote is positive evidence for its objective): n=${q.n}`);
    for (const [o, b] of Object.entries(q.byObjective)) lines.push(`  ${o.padEnd(13)} ${b.hit}/${b.n}  recall ${f2(b.hit / b.n)}`);
    lines.push(`  overall       recall ${f2(q.recall)}`);
    if (q.matrix) lines.push(`  study matrix reproduced from the quotes: ${q.matrix.agree}/${q.matrix.cells} cells agree`);
    if (verbose) for (const m of q.misses) lines.push(`  MISS ${m.id} [${m.objective}] ${m.text.slice(0, 140)}`);
    lines.push('');
  }
  if (d) {
    lines.push(`Labelled documents (precision and recall): ${d.passages} passages`);
    lines.push(`  ${'objective'.padEnd(13)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)}   tp  fp  fn`);
    for (const o of OBJECTIVES) {
      const s = d.objectives[o];
      lines.push(`  ${o.padEnd(13)} ${f2(s.precision).padStart(6)} ${f2(s.recall).padStart(6)} ${f2(s.f1).padStart(6)}  ${String(s.tp).padStart(3)} ${String(s.fp).padStart(3)} ${String(s.fn).padStart(3)}`);
    }
    const m = d.micro;
    lines.push(`  ${'micro'.padEnd(13)} ${f2(m.precision).padStart(6)} ${f2(m.recall).padStart(6)} ${f2(m.f1).padStart(6)}  ${String(m.tp).padStart(3)} ${String(m.fp).padStart(3)} ${String(m.fn).padStart(3)}`);
    lines.push(`  grade: exact ${f2(d.grades.exact)}, within one step ${f2(d.grades.withinOne)}, Krippendorff's alpha (ordinal) ${Number.isFinite(d.grades.alpha) ? f2(d.grades.alpha) : '–'} (n=${d.grades.n})`);
    lines.push(`    gold\\got  ${GRADES.map((g) => g.slice(0, 8).padStart(9)).join('')}`);
    d.grades.confusion.forEach((row, i) => lines.push(`    ${GRADES[i]!.padEnd(9)} ${row.map((n) => String(n).padStart(9)).join('')}`));
    lines.push(`  domains: P ${f2(d.domains.precision)} R ${f2(d.domains.recall)} F1 ${f2(d.domains.f1)}`);
    lines.push(`  governance: P ${f2(d.governance.precision)} R ${f2(d.governance.recall)} F1 ${f2(d.governance.f1)}`);
    if (verbose) for (const x of d.misses) lines.push(`  ${x.kind.toUpperCase()} ${x.id} [${x.label}] ${x.detail} :: ${x.text.slice(0, 150)}`);
    lines.push('');
  }
  const parts: string[] = [];
  if (q) parts.push(`quote recall ${f2(q.recall)}`);
  if (d) parts.push(`objective micro-F1 ${f2(d.micro.f1)}`, `grade exact ${f2(d.grades.exact)}`, `grade within-one ${f2(d.grades.withinOne)}`, `domain F1 ${f2(d.domains.f1)}`, `governance F1 ${f2(d.governance.f1)}`);
  if (summary) lines.push(`SUMMARY ${parts.join(' | ')}`);
  return lines.join('\n');
}
