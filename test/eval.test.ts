import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadGold } from '../src/eval/index.js';
import { evalShared, evalLocal, figures, losses } from '../src/eval/run.js';
import { krippendorffOrdinal } from '../src/eval/alpha.js';
import { keywordTagger, bayesCrossValidated, type EvalItem } from '../src/eval/baselines.js';
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
  it('the keyword dictionary tags by single words and grades by the commonest grade word', () => {
    const p = keywordTagger('The ministries will fund research on quantum sensors.');
    expect(p.objectives.map((o) => o.objective)).toEqual(['research']);
    expect(p.objectives[0]!.grade).toBe('commit');
    expect(p.domains).toEqual(['quantum']);
    expect(keywordTagger('Officials may explore a pilot.').objectives).toEqual([]);
  });
  it('the Bayes classifier never sees the passage it predicts (cross-validation)', () => {
    const mk = (text: string, objectives: EvalItem['gold']['objectives']): EvalItem => ({ gold: { id: text, text, objectives, grades: Object.fromEntries(objectives.map((o) => [o, 'commit'])) }, text });
    const items = [
      ...Array.from({ length: 10 }, (_, i) => mk(`joint research programme number ${i} on lasers`, ['research'])),
      ...Array.from({ length: 10 }, (_, i) => mk(`training of technicians cohort ${i} in welding`, ['workforce'])),
    ];
    const preds = bayesCrossValidated(items, 5);
    expect(preds).toHaveLength(20);
    expect(preds[0]!.objectives.map((o) => o.objective)).toContain('research');
    expect(preds[15]!.objectives.map((o) => o.objective)).toContain('workforce');
    // A unique word seen only in the held-out item cannot carry it.
    const odd = [...items, mk('zyxwv', ['policy'])];
    expect(bayesCrossValidated(odd, 21)[20]!.objectives.map((o) => o.objective)).not.toContain('policy');
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
  it('beats the keyword dictionary and the Bayes classifier on every figure', () => {
    expect(figures(s).length).toBeGreaterThan(8);
    expect(losses(s)).toEqual([]);
  });
});

// Floors on the project's own labels, set a little below the measured figures so a
// regression shows. dev: the rules were grown from its misses, and the tagger must
// beat both baselines there. heldout: labelled after that work and not used to
// change rules, so its figures estimate how the tagger does on unseen statements.
const FLOOR = {
  dev: { microF1: 0.74, gradeExact: 0.82 },
  heldout: { microF1: 0.56, gradeExact: 0.72 },
};

describe("the project's own labels (test/gold)", async () => {
  const local = await loadLocalGold(join(ROOT, 'test', 'gold'), requireShared('corpus'));
  const r = await rules();
  const score = (set: string) => evalLocal({ ...local, labels: local.labels.filter((l) => l.set === set) }, r);
  it('all point at words that are still there, 300 and more of them in dev', () => {
    expect(local.problems).toEqual([]);
    expect(local.sets).toEqual(['dev', 'heldout']);
    expect(local.labels.filter((l) => l.set === 'dev').length).toBeGreaterThanOrEqual(300);
  });
  it('dev: the tagger beats both baselines and keeps its floor', () => {
    const s = score('dev');
    expect(losses(s)).toEqual([]);
    expect(s.docs!.accords.micro.f1).toBeGreaterThanOrEqual(FLOOR.dev.microF1);
    expect(s.docs!.accords.grades.exact).toBeGreaterThanOrEqual(FLOOR.dev.gradeExact);
  });
  it('heldout: the tagger keeps its floor and beats both baselines on micro-F1', () => {
    const s = score('heldout');
    const d = s.docs!;
    expect(d.accords.micro.f1).toBeGreaterThanOrEqual(FLOOR.heldout.microF1);
    expect(d.accords.grades.exact).toBeGreaterThanOrEqual(FLOOR.heldout.gradeExact);
    expect(d.accords.micro.f1).toBeGreaterThan(Math.max(d.keywords.micro.f1, d.bayes.micro.f1));
  });
});
