/**
 * What would a learned objective model add to the rules? An estimate on statements
 * the model never saw: for each labelling batch of the first-sight log (or those
 * named: `node --import tsx scripts/hybrid-estimate.ts F,E,D`), a TF-IDF logistic
 * regression per objective (the eval's logreg baseline) is trained on every other
 * label of test/gold and scored on the batch, beside the rules as they are and two
 * hybrids: the model alone deciding among the objectives the rules proposed (kept
 * or dropped by a gate or scope, not by a guard or an exception), that or a rule
 * tag the model does not contradict, and the rules' tags plus the proposals they
 * dropped that the model is sure of (it adds, never removes). Then, with a model
 * trained on every label: recall on the study's quotes (../shared/gold) and the
 * rule examples that still come out as stated. Prints figures; changes nothing.
 *
 * The rules were changed after some batches were admitted, so "rules" on an older
 * batch is partly fit; a batch admitted after the last rule change is a clean test.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { loadRulesCached, rulesCacheDir, compileRules } from '../src/rules/index.js';
import { exampleInput } from '../src/rules/coverage.js';
import { loadLocalGold } from '../src/eval/local.js';
import { loadGold, quoteText } from '../src/eval/index.js';
import { tagInContext } from '../src/eval/run.js';
import { features, LogReg, Vectorizer } from '../src/eval/logreg.js';
import { classify } from '../src/classify.js';
import { OBJECTIVES, type Objective } from '../src/core/taxonomy.js';
import type { PassageTags } from '../src/core/doc.js';

const config = await loadConfig(undefined, process.cwd());
const rules = compileRules(await loadRulesCached(resolve(config.root, config.rules), rulesCacheDir(config)));
const local = await loadLocalGold(resolve(config.root, config.localGold), resolve(config.root, config.sharedCorpus));
const labels = local.labels;
const batchOf = new Map<string, string>();
for (const line of readFileSync(resolve(config.root, config.localGold, 'first-sight.jsonl'), 'utf8').trim().split('\n')) {
  const e = JSON.parse(line) as { file: string; batch: string };
  batchOf.set(e.file, e.batch);
}
const batchOfLabel = (i: number) => batchOf.get((labels[i]!.gold.doc ?? '').split('/').pop()!);

/** Objectives the rules proposed: kept, or dropped by anything but a guard or an exception. */
const proposed = (t: PassageTags) => new Set((t.candidates ?? []).filter((c) => !/^(out of scope|exception)/.test(c.reason)).map((c) => c.label.split('/')[0]!));
const tagsOf = labels.map((l) => l.covers.map(({ passage: p }) => classify({ text: p.text, headings: p.headings, title: p.title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules)));
const rulePred = labels.map((l) => new Set<string>(tagInContext(l, rules).objectives.map((o) => o.objective)));
const candPred = tagsOf.map((ts) => new Set(ts.flatMap((t) => [...proposed(t)])));
const feats = labels.map((l) => features(l.gold.text, l.gold.heading));

function train(idx: number[]): { vec: Vectorizer; models: Record<Objective, LogReg> } {
  const vec = new Vectorizer().fit(idx.map((i) => feats[i]!));
  const rows = idx.map((i) => vec.transform(feats[i]!));
  const models = {} as Record<Objective, LogReg>;
  for (const o of OBJECTIVES) {
    const y = idx.map((i) => labels[i]!.gold.objectives.includes(o));
    const pos = y.filter(Boolean).length;
    const wPos = y.length / (2 * pos);
    const wNeg = y.length / (2 * (y.length - pos));
    models[o] = new LogReg(vec.size, 2).fit(rows, y.map((v) => (v ? 1 : 0)), y.map((v) => (v ? wPos : wNeg)));
  }
  return { vec, models };
}

function f1(test: number[], pred: (i: number, o: Objective) => boolean): string {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const i of test)
    for (const o of OBJECTIVES) {
      const g = labels[i]!.gold.objectives.includes(o);
      const p = pred(i, o);
      if (g && p) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
  const P = tp / (tp + fp || 1);
  const R = tp / (tp + fn || 1);
  return `P ${P.toFixed(3)} R ${R.toFixed(3)} F1 ${(P + R ? (2 * P * R) / (P + R) : 0).toFixed(3)}`;
}

const batches = process.argv[2]?.split(',') ?? [...new Set(batchOf.values())];
for (const batch of batches) {
  const test = labels.map((_, i) => i).filter((i) => batchOfLabel(i) === batch);
  if (!test.length) continue;
  const { vec, models } = train(labels.map((_, i) => i).filter((i) => batchOfLabel(i) !== batch));
  const p = new Map(test.map((i) => [i, Object.fromEntries(OBJECTIVES.map((o) => [o, models[o].probs(vec.transform(feats[i]!))[1]!]))]));
  console.log(`batch ${batch}: ${test.length} passages, model trained on the other ${labels.length - test.length}`);
  console.log(`  rules                          ${f1(test, (i, o) => rulePred[i]!.has(o))}`);
  console.log(`  model (p > 0.5)                ${f1(test, (i, o) => p.get(i)![o]! > 0.5)}`);
  console.log(`  proposed and p > 0.5           ${f1(test, (i, o) => candPred[i]!.has(o) && p.get(i)![o]! > 0.5)}`);
  console.log(`  that, or a rule tag with p > 0.3 ${f1(test, (i, o) => (candPred[i]!.has(o) && p.get(i)![o]! > 0.5) || (rulePred[i]!.has(o) && p.get(i)![o]! > 0.3))}`);
  for (const t of [0.6, 0.7, 0.8]) console.log(`  rules, or proposed and p > ${t} ${f1(test, (i, o) => rulePred[i]!.has(o) || (candPred[i]!.has(o) && p.get(i)![o]! > t))}`);
}

const { vec, models } = train(labels.map((_, i) => i));
const prob = (o: Objective, text: string, heading?: string) => models[o].probs(vec.transform(features(text, heading)))[1]!;
const gold = await loadGold(resolve(config.root, config.gold));
let byRules = 0;
let byHybrid = 0;
let byRescue = 0;
for (const q of gold.quotes) {
  const t = classify({ text: quoteText(q) }, rules);
  if (t.objectives.some((o) => o.objective === q.objective)) byRules++;
  if (proposed(t).has(q.objective) && prob(q.objective, quoteText(q)) > 0.5) byHybrid++;
  if (t.objectives.some((o) => o.objective === q.objective) || (proposed(t).has(q.objective) && prob(q.objective, quoteText(q)) > 0.7)) byRescue++;
}
console.log(`study quotes found: rules ${byRules} of ${gold.quotes.length}, proposed and p > 0.5 ${byHybrid}, rules or proposed and p > 0.7 ${byRescue}`);
let n = 0;
let asRules = 0;
let asHybrid = 0;
let asRescue = 0;
for (const r of rules.rules)
  for (const ex of r.examples) {
    if (!ex.objectives) continue;
    n++;
    const input = exampleInput(ex);
    const t = classify(input, rules);
    const want = Object.keys(ex.objectives).sort().join();
    if (t.objectives.map((o) => o.objective).sort().join() === want) asRules++;
    const prop = proposed(t);
    if (OBJECTIVES.filter((o) => prop.has(o) && prob(o, input.text, input.headings?.at(-1)) > 0.5).sort().join() === want) asHybrid++;
    if (OBJECTIVES.filter((o) => t.objectives.some((x) => x.objective === o) || (prop.has(o) && prob(o, input.text, input.headings?.at(-1)) > 0.7)).sort().join() === want) asRescue++;
  }
console.log(`rule examples stating their objectives: ${n}; as stated by the rules ${asRules}, by proposed and p > 0.5 ${asHybrid}, by rules or proposed and p > 0.7 ${asRescue}`);
