import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadGold } from '../src/eval/index.js';
import { evalShared, evalLocal, figures, losses } from '../src/eval/run.js';
import { crossValidated, groupFolds, logregTrainer, majorityTrainer } from '../src/eval/logreg.js';
import { newest, readFirstSight, totals, type FirstSight } from '../src/eval/firstsight.js';
import { firstSightChecks } from '../src/eval/floors.js';
import { spawnSync } from 'node:child_process';
import { krippendorffOrdinal } from '../src/eval/alpha.js';
import { keywordTagger, type EvalItem } from '../src/eval/baselines.js';
import { loadLocalGold, placedPassages } from '../src/eval/local.js';
import { locate, rawIndex, spanCheck } from '../src/eval/anchor.js';
import { UserError } from '../src/core/errors.js';
import { requireShared, rules, tmp, ROOT } from './helpers.js';

describe("Krippendorff's alpha (ordinal)", () => {
  it('reproduces the reference value of Krippendorff (2011) for four coders and twelve units', () => {
    // Coders A-D, units 1-12, values 1-5, '.' missing; the published ordinal alpha is 0.815.
    const rows = ['1 2 3 3 2 1 4 1 2 . . .', '1 2 3 3 2 2 4 1 2 5 . 3', '. 3 3 3 2 3 4 2 2 5 1 .', '1 2 3 3 2 4 4 1 2 5 1 .'].map((r) => r.split(' ').map((v) => (v === '.' ? null : Number(v) - 1)));
    const units = rows[0]!.map((_, u) => rows.map((r) => r[u]!));
    expect(krippendorffOrdinal(units, 5)).toBeCloseTo(0.815, 3);
  });
  it('is 1 for perfect agreement and falls when grades are far apart', () => {
    expect(krippendorffOrdinal([[0, 0], [2, 2], [4, 4]], 5)).toBe(1);
    expect(krippendorffOrdinal([[0, 4], [4, 0], [2, 2]], 5)).toBeLessThan(0);
  });
});

describe('baselines', () => {
  const mk = (text: string, objectives: EvalItem['gold']['objectives'], group: string): EvalItem => ({ gold: { id: text, text, objectives, grades: Object.fromEntries(objectives.map((o) => [o, 'commit'])) }, text, group });
  it('the keyword dictionary tags by single words and grades by the commonest grade word', () => {
    const p = keywordTagger('The ministries will fund research on quantum sensors.');
    expect(p.objectives.map((o) => o.objective)).toEqual(['research']);
    expect(p.objectives[0]!.grade).toBe('commit');
    expect(p.domains).toEqual(['quantum']);
    expect(keywordTagger('Officials may explore a pilot.').objectives).toEqual([]);
  });
  it('folds keep every statement whole', () => {
    const items = Array.from({ length: 40 }, (_, i) => mk(`passage ${i}`, [], `doc${i % 7}`));
    const fold = groupFolds(items, 5);
    for (let d = 0; d < 7; d++) expect(new Set(items.map((it, i) => (it.group === `doc${d}` ? fold[i] : -1)).filter((f) => f !== undefined && f >= 0)).size).toBe(1);
    expect(new Set(fold).size).toBe(5);
  });
  it('the logistic regression learns separable words, beats the majority label, and never sees the statement it predicts', () => {
    const items: EvalItem[] = [];
    for (let d = 0; d < 10; d++) {
      for (let i = 0; i < 6; i++) items.push(mk(`the institutes will run joint research on lasers and optics, cohort ${d}${i}`, ['research'], `doc${d}`));
      for (let i = 0; i < 12; i++) items.push(mk(`the leaders recalled their long friendship and shared history, note ${d}${i}`, [], `doc${d}`));
    }
    const lr = crossValidated(items, 5, logregTrainer);
    const maj = crossValidated(items, 5, majorityTrainer);
    const acc = (preds: typeof lr) => items.filter((it, i) => it.gold.objectives.includes('research') === preds[i]!.objectives.some((o) => o.objective === 'research')).length / items.length;
    expect(acc(maj)).toBeCloseTo(2 / 3, 5);
    expect(acc(lr)).toBe(1);
    // A word seen only in one statement cannot carry that statement's own label.
    const odd = [...items, mk('zyxwv qqq', ['policy'], 'lonely'), mk('zyxwv qqq', ['policy'], 'lonely')];
    const p = crossValidated(odd, 5, logregTrainer);
    expect(p[odd.length - 1]!.objectives.map((o) => o.objective)).not.toContain('policy');
  });
});

describe('first-sight log and floors', () => {
  const entry = (batch: string, passages: number, tp: number, fp: number, fn: number): FirstSight => ({
    date: '2026-12-01', batch, file: `${batch}-${passages}.md`, passages, rules: 'r', code: 'c',
    objectives: { policy: { tp, fp, fn }, research: { tp: 0, fp: 0, fn: 0 }, commercial: { tp: 0, fp: 0, fn: 0 }, preparedness: { tp: 0, fp: 0, fn: 0 }, workforce: { tp: 0, fp: 0, fn: 0 } },
    grades: { n: tp, exact: tp, withinOne: tp }, domains: { tp: 1, fp: 0, fn: 0 }, governance: { tp: 0, fp: 0, fn: 0 },
  });
  it('totals add counts, not averages, and the newest batches are taken whole up to the passage floor', () => {
    const log = [entry('old', 100, 1, 9, 9), entry('B', 100, 9, 1, 1), entry('B', 30, 9, 1, 1), entry('C', 40, 10, 0, 0)];
    const recent = newest(log, 150);
    expect(recent.map((e) => e.batch)).toEqual(['B', 'B', 'C']);
    const t = totals(recent);
    expect(t.passages).toBe(170);
    expect(t.micro.tp).toBe(28);
    expect(t.micro.f1).toBeCloseTo(56 / 60, 6);
  });
  it('a figure under its floor fails, and so does a lost baseline comparison', () => {
    const good = totals([entry('B', 200, 95, 2, 3)]);
    expect(firstSightChecks(good).every((c) => c.ok)).toBe(true);
    const bad = totals([entry('B', 200, 50, 30, 30)]);
    expect(firstSightChecks(bad).filter((c) => !c.ok).map((c) => c.name)).toEqual(['first sight: objective micro-F1']);
  });
  it('accords eval exits 1 when a floor is not met, naming it', () => {
    const dir = tmp('eval-floor');
    const corpus = join(dir, 'corpus');
    const gold = join(dir, 'gold', 'dev');
    mkdirSync(corpus);
    mkdirSync(gold, { recursive: true });
    const text = 'The two ministries will fund joint research on quantum sensors.';
    writeFileSync(join(corpus, 'a.md'), `---\ntitle: A statement\n---\n\n${text}\n`);
    const raw = `---\ntitle: A statement\n---\n\n${text}\n`;
    const start = raw.indexOf(text);
    const span = { start, end: start + text.length - 1 };
    // Labelled as workforce only: the tagger's research is a false alarm and workforce a miss.
    writeFileSync(join(gold, 'a.jsonl'), JSON.stringify({ file: 'a.md', ...span, check: spanCheck(raw, span), objectives: ['workforce'], subcategories: ['skills-training'], grades: { workforce: 'commit' }, domains: ['quantum'] }) + '\n');
    writeFileSync(join(dir, 'pipeline.config.mts'), `export default { sharedCorpus: ${JSON.stringify(corpus)}, localGold: ${JSON.stringify(join(dir, 'gold'))}, rules: ${JSON.stringify(join(ROOT, 'rules'))} };\n`);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'accords.js'), 'eval', '--config', join(dir, 'pipeline.config.mts'), '--labels', join(dir, 'gold'), '--folds', '2', '--rules'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toMatch(/FAIL\s+labels\/dev: F1 workforce/);
    // --rules: per-rule figures; the research rule that fired is contradicted by the label.
    expect(r.stdout).toMatch(/== Per rule/);
    expect(r.stdout).toMatch(/research\.\S+\s+research\/\S+\s+1\s+0\s+0\.000/);
    expect(r.stderr).toMatch(/floor\(s\) not met/);
    expect(r.status).toBe(1);
  });
});

describe('labels by offsets', () => {
  it('finds extracted text in the raw file across markup, entities and line breaks', () => {
    const raw = 'Intro.\n\n**Chips:** The <u>two sides</u> will\nfund [joint work](https://x.example/a_(b)) &amp; more.\n';
    const span = locate(rawIndex(raw), 'Chips: The two sides will fund joint work & more.');
    expect(span).toBeDefined();
    expect(raw.slice(span!.start, span!.end)).toMatch(/^Chips.*more$/s);
    expect(locate(rawIndex(raw), 'Something the file never says at all.')).toBeUndefined();
  });
  it('a label whose words changed is skipped with the file and line named, not scored', async () => {
    const dir = tmp('labels');
    const corpus = join(dir, 'corpus');
    mkdirSync(corpus);
    const file = join(corpus, 'a.md');
    writeFileSync(file, '---\ntitle: A statement\n---\n\nThe two ministries will fund joint research on quantum sensors.\n\nThey will also train technicians.\n');
    const { raw, passages } = await placedPassages(file);
    const [p1, p2] = passages;
    const label = (p: typeof p1, extra: object) => JSON.stringify({ file: 'a.md', start: p!.raw!.start, end: p!.raw!.end, check: spanCheck(raw, p!.raw!), objectives: [], ...extra });
    mkdirSync(join(dir, 'gold'));
    writeFileSync(join(dir, 'gold', 'a.jsonl'), `${label(p1, { objectives: ['research'], grades: { research: 'commit' }, domains: ['quantum'] })}\n${label(p2, { objectives: ['workforce'], grades: { workforce: 'commit' }, check: '000000000000' })}\n`);
    const local = await loadLocalGold(join(dir, 'gold'), corpus);
    expect(local.labels).toHaveLength(1);
    expect(local.problems[0]).toMatch(/a\.jsonl:2: the words at a\.md/);
    const s = evalLocal(local, await rules(), 2);
    expect(s.docs!.accords.micro.f1).toBe(1);
    expect(s.docs!.accords.domains.f1).toBe(1);
  });
  it('a bad label names its file and line', async () => {
    const dir = tmp('labels-bad');
    writeFileSync(join(dir, 'x.jsonl'), '{"file":"a.md","start":5,"end":2,"check":"abc","objectives":["diplomacy"]}\n');
    const err = await loadLocalGold(dir, dir).catch((e: UserError) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).format()).toMatch(/x\.jsonl:1.*objectives/s);
  });
});

// The bar the tagger must clear on the analysts' labels in ../shared/gold, against
// both baselines in the same run.
describe('tagging quality on the shared gold', async () => {
  const gold = await loadGold(requireShared('gold'));
  const s = evalShared(gold, await rules());
  const d = s.docs!.accords;
  it('recall on the study quotes is at least 0.95', () => {
    expect(s.quotes!.accords.recall).toBeGreaterThanOrEqual(0.95);
  });
  it('objective micro-F1 at least 0.90 and every objective with labels at least 0.80', () => {
    expect(d.micro.f1).toBeGreaterThanOrEqual(0.9);
    for (const [o, f] of Object.entries(d.objectives)) if (f.tp + f.fn > 0) expect(f.f1, o).toBeGreaterThanOrEqual(0.8);
  });
  it('grade exact at least 0.85, within one step at least 0.97; domain micro-F1 at least 0.90', () => {
    expect(d.grades.exact).toBeGreaterThanOrEqual(0.85);
    expect(d.grades.withinOne).toBeGreaterThanOrEqual(0.97);
    expect(d.domains.f1).toBeGreaterThanOrEqual(0.9);
  });
  it('beats the keyword dictionary, the logistic regression and the majority label on every figure', () => {
    expect(figures(s).length).toBeGreaterThan(8);
    expect(losses(s)).toEqual([]);
  });
});

describe("the project's own labels (test/gold)", async () => {
  const local = await loadLocalGold(join(ROOT, 'test', 'gold'), requireShared('corpus'));
  it('all point at words that are still there, 1,700 and more of them', () => {
    expect(local.problems).toEqual([]);
    expect(local.labels.length).toBeGreaterThanOrEqual(1700);
  });
  it('every labelled statement was scored at first sight before it became development data', async () => {
    const log = await readFirstSight(join(ROOT, 'test', 'gold', 'first-sight.jsonl'));
    const logged = new Set(log.map((e) => e.file));
    const labelled = new Set(local.labels.map((l) => l.gold.doc!));
    // The statements labelled before the log existed are named here, and no others.
    const before = new Set(['2021-10-31_global-supply-chain-resilience-summit-fact-sheet.md', '2022-05-23_ipef-launch-joint-statement.md', '2022-07-13_il-us-strategic-high-level-dialogue-on-technology-joint-statement.md', '2022-09-30_il-us-strategic-high-level-dialogue-on-technology-fact-sheet.md', '2022-11-15_au-jp-us-telecommunications-financing-joint-statement.md', '2023-02-28_jp-kr-us-economic-security-dialogue-readout.md', '2023-04-26_kr-us-state-visit-fact-sheet.md', '2023-05-24_ca-mx-us-north-american-semiconductor-conference-joint-statement.md', '2023-06-22_in-us-state-visit-fact-sheet.md', '2023-08-18_jp-kr-us-camp-david-fact-sheet.md', '2023-10-12_sg-us-cet-dialogue-joint-vision-statement.md', '2023-10-12_sg-us-strategic-technology-partnership-fact-sheet.md', '2023-11-16_ipef-san-francisco-fact-sheet.md', '2024-08-01_sg-us-cet-dialogue-joint-fact-sheet.md', '2024-09-21_in-us-joint-fact-sheet.md', '2025-10-28_jp-us-technology-prosperity-deal-mou.md', '2025-10-29_jp-kr-us-technology-prosperity-deals-press-release.md']);
    for (const f of labelled) expect(logged.has(f) || before.has(f), f).toBe(true);
    for (const e of log) expect(labelled.has(e.file), e.file).toBe(true);
  });
});
