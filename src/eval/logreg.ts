import { createRequire } from 'node:module';
import { DOMAINS, GRADES, OBJECTIVES, type Domain, type Grade, type Objective } from '../core/taxonomy.js';
import type { EvalItem, Prediction } from './baselines.js';

/**
 * The statistical baselines, trained and scored by cross-validation over a label
 * set, so no passage is predicted by a model that saw it:
 *
 * - `logreg`: a TF-IDF logistic regression. Features are the Porter stems (natural's
 *   stemmer) of the passage's words, as unigrams and bigrams, plus the stems of its
 *   heading marked apart; sublinear term frequency, smoothed inverse document
 *   frequency, L2-normalised rows; features seen in fewer than two training
 *   passages are dropped. One yes/no model per objective, per domain and for
 *   governance, with balanced class weights (the positive class is rare), and one
 *   multinomial model for the grade, trained on the labelled objective slots.
 *   Training minimises the weighted log loss with an L2 penalty (C = 1, as in
 *   scikit-learn's default) by full-batch gradient descent with Adam steps.
 * - `majority`: the most frequent label of the training folds for every decision
 *   (in practice: no objective, no domain, and the commonest grade).
 *
 * Folds are made of whole statements (the `group` of each item), so a sentence
 * repeated within a statement cannot be learned in one fold and scored in another.
 */

type Stemmer = { stem(word: string): string };
let stemmer: Stemmer | undefined;
function stem(word: string): string {
  // Only the stemmer: the package's entry point loads storage adapters that print to stdout.
  stemmer ??= createRequire(import.meta.url)('natural/lib/natural/stemmers/porter_stemmer.js') as Stemmer;
  return stemmer.stem(word);
}

const WORD = /[a-z0-9]+(?:&[a-z0-9]+)?/g;
const stemCache = new Map<string, string>();

export function features(text: string, heading?: string): string[] {
  const stems = (t: string) =>
    (t.toLowerCase().match(WORD) ?? []).map((w) => {
      let s = stemCache.get(w);
      if (s === undefined) stemCache.set(w, (s = stem(w)));
      return s;
    });
  const w = stems(text);
  const out = [...w];
  for (let i = 1; i < w.length; i++) out.push(`${w[i - 1]}_${w[i]}`);
  for (const h of stems(heading ?? '')) out.push(`h:${h}`);
  return out;
}

/** Sparse row: feature indices and values. */
interface Row {
  idx: Int32Array;
  val: Float64Array;
}

export class Vectorizer {
  private vocab = new Map<string, number>();
  private idf: number[] = [];

  fit(docs: string[][]): this {
    const df = new Map<string, number>();
    for (const d of docs) for (const f of new Set(d)) df.set(f, (df.get(f) ?? 0) + 1);
    const n = docs.length;
    for (const [f, c] of [...df.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (c < 2) continue;
      this.vocab.set(f, this.idf.length);
      this.idf.push(Math.log((1 + n) / (1 + c)) + 1);
    }
    return this;
  }

  get size(): number {
    return this.idf.length;
  }

  transform(doc: string[]): Row {
    const tf = new Map<number, number>();
    for (const f of doc) {
      const i = this.vocab.get(f);
      if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
    }
    const idx = Int32Array.from([...tf.keys()].sort((a, b) => a - b));
    const val = new Float64Array(idx.length);
    let norm = 0;
    idx.forEach((i, k) => {
      const v = (1 + Math.log(tf.get(i)!)) * this.idf[i]!;
      val[k] = v;
      norm += v * v;
    });
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < val.length; k++) val[k]! /= norm;
    return { idx, val };
  }
}

/** Multinomial logistic regression (K = 2 is the yes/no case) with sample weights. */
export class LogReg {
  private w: Float64Array;
  private b: Float64Array;

  constructor(
    private readonly dim: number,
    private readonly k: number,
  ) {
    this.w = new Float64Array(dim * k);
    this.b = new Float64Array(k);
  }

  fit(rows: Row[], y: number[], weight: number[], opts = { c: 1, epochs: 150, lr: 0.1 }): this {
    const { dim, k } = this;
    const n = rows.length;
    const sumW = weight.reduce((a, x) => a + x, 0) || 1;
    // Adam on the full batch: m and v for weights and biases.
    const mw = new Float64Array(dim * k);
    const vw = new Float64Array(dim * k);
    const mb = new Float64Array(k);
    const vb = new Float64Array(k);
    const gw = new Float64Array(dim * k);
    const gb = new Float64Array(k);
    const p = new Float64Array(k);
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    // Penalty per unit of summed sample weight, as scikit-learn scales C.
    const lambda = 1 / (opts.c * sumW);
    for (let t = 1; t <= opts.epochs; t++) {
      gw.fill(0);
      gb.fill(0);
      for (let r = 0; r < n; r++) {
        this.probs(rows[r]!, p);
        const wt = weight[r]!;
        const { idx, val } = rows[r]!;
        for (let c = 0; c < k; c++) {
          const g = wt * (p[c]! - (y[r] === c ? 1 : 0));
          if (g === 0) continue;
          gb[c]! += g;
          for (let j = 0; j < idx.length; j++) gw[idx[j]! * k + c]! += g * val[j]!;
        }
      }
      for (let i = 0; i < gw.length; i++) {
        const g = gw[i]! / sumW + lambda * this.w[i]!;
        mw[i] = b1 * mw[i]! + (1 - b1) * g;
        vw[i] = b2 * vw[i]! + (1 - b2) * g * g;
        this.w[i]! -= (opts.lr * (mw[i]! / (1 - b1 ** t))) / (Math.sqrt(vw[i]! / (1 - b2 ** t)) + eps);
      }
      for (let c = 0; c < k; c++) {
        const g = gb[c]! / sumW;
        mb[c] = b1 * mb[c]! + (1 - b1) * g;
        vb[c] = b2 * vb[c]! + (1 - b2) * g * g;
        this.b[c]! -= (opts.lr * (mb[c]! / (1 - b1 ** t))) / (Math.sqrt(vb[c]! / (1 - b2 ** t)) + eps);
      }
    }
    return this;
  }

  probs(row: Row, out = new Float64Array(this.k)): Float64Array {
    const { k } = this;
    for (let c = 0; c < k; c++) out[c] = this.b[c]!;
    for (let j = 0; j < row.idx.length; j++) {
      const base = row.idx[j]! * k;
      const v = row.val[j]!;
      for (let c = 0; c < k; c++) out[c]! += this.w[base + c]! * v;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, out[c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[c] = Math.exp(out[c]! - max);
    for (let c = 0; c < k; c++) out[c]! /= sum;
    return out;
  }

  predict(row: Row): number {
    const p = this.probs(row);
    let best = 0;
    for (let c = 1; c < this.k; c++) if (p[c]! > p[best]!) best = c;
    return best;
  }
}

/** A yes/no decision learned from the training rows; constant when one class only. */
function binary(rows: Row[], y: boolean[], dim: number): (r: Row) => boolean {
  const pos = y.filter(Boolean).length;
  if (pos === 0) return () => false;
  if (pos === y.length) return () => true;
  // Balanced class weights: n / (2 * count of the class).
  const wPos = y.length / (2 * pos);
  const wNeg = y.length / (2 * (y.length - pos));
  const m = new LogReg(dim, 2).fit(rows, y.map((v) => (v ? 1 : 0)), y.map((v) => (v ? wPos : wNeg)));
  return (r) => m.predict(r) === 1;
}

/** Fold number per item: whole groups (statements) per fold, spread round-robin by size. */
export function groupFolds(items: EvalItem[], folds: number): number[] {
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => {
    const g = it.group ?? `#${i}`;
    const list = groups.get(g) ?? [];
    list.push(i);
    groups.set(g, list);
  });
  const out = new Array<number>(items.length).fill(0);
  const load = new Array<number>(folds).fill(0);
  // Largest groups first, each to the lightest fold: folds of similar size.
  const order = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  for (const [, idx] of order) {
    let f = 0;
    for (let j = 1; j < folds; j++) if (load[j]! < load[f]!) f = j;
    for (const i of idx) out[i] = f;
    load[f]! += idx.length;
  }
  return out;
}

export type Trainer = (train: EvalItem[]) => (it: EvalItem) => Prediction;

/** Predictions for every item by models that never saw its statement. */
export function crossValidated(items: EvalItem[], folds: number, trainer: Trainer): Prediction[] {
  const fold = groupFolds(items, Math.max(2, Math.min(folds, new Set(items.map((it, i) => it.group ?? `#${i}`)).size)));
  const out: Prediction[] = new Array(items.length);
  const k = Math.max(...fold) + 1;
  for (let f = 0; f < k; f++) {
    const predict = trainer(items.filter((_, i) => fold[i] !== f));
    items.forEach((it, i) => {
      if (fold[i] === f) out[i] = predict(it);
    });
  }
  return out;
}

export const logregTrainer: Trainer = (train) => {
  const feats = train.map((it) => features(it.text, it.heading));
  const vec = new Vectorizer().fit(feats);
  const rows = feats.map((f) => vec.transform(f));
  const full = train.map((it) => !it.only);
  const fullRows = rows.filter((_, i) => full[i]);
  const fullItems = train.filter((_, i) => full[i]);
  const objective = Object.fromEntries(
    OBJECTIVES.map((o) => {
      // Quotes train only the model of their own objective (they say nothing of the others).
      const use = train.map((it) => !it.only || it.only === o);
      return [o, binary(rows.filter((_, i) => use[i]), train.filter((_, i) => use[i]).map((it) => it.gold.objectives.includes(o)), vec.size)];
    }),
  ) as Record<Objective, (r: Row) => boolean>;
  const domain = Object.fromEntries(DOMAINS.map((d) => [d, binary(fullRows, fullItems.map((it) => (it.gold.domains ?? []).includes(d)), vec.size)])) as Record<Domain, (r: Row) => boolean>;
  const governance = binary(fullRows, fullItems.map((it) => !!it.gold.governance), vec.size);
  const gRows: Row[] = [];
  const gY: number[] = [];
  train.forEach((it, i) => {
    for (const o of it.gold.objectives) {
      const g = it.gold.grades?.[o];
      if (!g) continue;
      gRows.push(rows[i]!);
      gY.push(GRADES.indexOf(g));
    }
  });
  const classes = new Set(gY);
  const gradeModel = classes.size > 1 ? new LogReg(vec.size, GRADES.length).fit(gRows, gY, gY.map(() => 1)) : undefined;
  const onlyGrade: Grade = classes.size === 1 ? GRADES[[...classes][0]!]! : 'commit';
  return (it) => {
    const r = vec.transform(features(it.text, it.heading));
    const grade = gradeModel ? GRADES[gradeModel.predict(r)]! : onlyGrade;
    return {
      objectives: OBJECTIVES.filter((o) => objective[o](r)).map((o) => ({ objective: o, grade })),
      domains: DOMAINS.filter((d) => domain[d](r)),
      governance: governance(r),
    };
  };
};

export const majorityTrainer: Trainer = (train) => {
  const full = train.filter((it) => !it.only);
  const n = full.length || 1;
  const major = (count: number) => count * 2 > n;
  const objectives = OBJECTIVES.filter((o) => major(full.filter((it) => it.gold.objectives.includes(o)).length));
  const domains = DOMAINS.filter((d) => major(full.filter((it) => (it.gold.domains ?? []).includes(d)).length));
  const governance = major(full.filter((it) => it.gold.governance).length);
  const tally = new Map<Grade, number>();
  for (const it of train) for (const o of it.gold.objectives) {
    const g = it.gold.grades?.[o];
    if (g) tally.set(g, (tally.get(g) ?? 0) + 1);
  }
  const grade = [...tally.entries()].sort((a, b) => b[1] - a[1] || GRADES.indexOf(a[0]) - GRADES.indexOf(b[0]))[0]?.[0] ?? 'commit';
  return () => ({ objectives: objectives.map((o) => ({ objective: o, grade })), domains: [...domains], governance, constantGrade: grade });
};
