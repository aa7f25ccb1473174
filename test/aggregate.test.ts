import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runPipeline, type RunSummary } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { loadRegistry } from '../src/rules/index.js';
import type { Registry } from '../src/rules/index.js';
import {
  aggregate,
  Aggregator,
  findDates,
  findEvents,
  governanceFacts,
  measures,
  namedPartnerships,
  normalizeSentence,
  summarize,
  type DocSummary,
  type Override,
  type Profile,
} from '../src/aggregate/index.js';
import { renderAggregate } from '../src/render/index.js';
import { ROOT, tmp } from './helpers.js';

// Invented statements of invented partnerships (test/fixtures/aggregate), read by the real pipeline.
const FIXTURE = join(ROOT, 'test', 'fixtures', 'aggregate');
const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('aggregate-cache') };
const ALL = { domain: null, from: null, until: null };

let run: RunSummary;
let registry: Registry;
let summaries: DocSummary[];
beforeAll(async () => {
  run = await runPipeline(config, { corpus: FIXTURE, out: join(tmp('aggregate-out'), 'out'), log: () => {}, needDocs: true });
  registry = await loadRegistry(join(ROOT, 'rules', 'partnerships.yaml'), join(FIXTURE, 'partnerships.yaml'));
  summaries = run.docs.map((d) => summarize(d, registry));
});

const profile = (agg: ReturnType<typeof aggregate>, id: string): Profile => agg.profiles.find((p) => p.id === id)!;
const rowOf = (agg: ReturnType<typeof aggregate>, id: string) => agg.matrix.rows.find((r) => r.id === id)!;

describe('sentences, dates and names', () => {
  it('normalises a sentence so that spacing, case, quotes, dashes and bullets do not make it new', () => {
    const a = normalizeSentence('The two sides will fund the “U.S.-Aldmark” lab.');
    expect(normalizeSentence('- the two  sides will fund the "US\u2013Aldmark" LAB')).toBe(a);
    expect(normalizeSentence('The two sides will fund the lab in Corvo.')).not.toBe(a);
  });

  it('reads dates as precisely as the text gives them, relative ones against the statement', () => {
    const dates = (t: string, doc?: string) => findDates(t, doc).map((d) => d.date);
    expect(dates('launched on March 12, 2021 and met on 3-5 May 2022')).toEqual(['2021-03-12', '2022-05-03']);
    expect(dates('signed in June 2024')).toEqual(['2024-06']);
    expect(dates('In 2025, the partners will meet')).toEqual(['2025']);
    expect(dates('launched last October', '2024-03-01')).toEqual(['2023-10']);
    expect(dates('launched today', '2024-03-01')).toEqual(['2024-03-01']);
    expect(dates('They met on June 31, 2024.')).toEqual([]);
    expect(dates('Members may cooperate.')).toEqual([]);
  });

  it('names partnerships by whole words, acronyms only as written, the longest name first', () => {
    expect(registry.findInText('Foreign nationals and internationals were welcomed.')).toEqual([]);
    expect(registry.findInText('the NALS leaders met')).toEqual(['CA-MX-US']);
    expect(registry.mentions('building on the U.S.-Japan-ROK summit').map((m) => m.id)).toEqual(['JP-KR-US']);
  });

  it('a passage naming a sub-partnership is evidence for it and its parent, not for its own document\'s parents', () => {
    expect(namedPartnerships('They will work through the Sensor Working Group.', ['AL-CV-PD'], registry)).toEqual(['AL-BR-SWG', 'AL-BR-TC']);
    expect(namedPartnerships('The Sensor Working Group will meet.', ['AL-BR-TC'], registry)).toEqual(['AL-BR-SWG']);
    expect(namedPartnerships('The Aldmark-Brevia Technology Council will meet.', ['AL-BR-SWG'], registry)).toEqual([]);
  });
});

describe('governance and milestones read from the text', () => {
  it('summarises bodies, chairs, levels and rhythm', () => {
    const f = governanceFacts('The ministers agreed to establish a Joint Committee on Sensor Standards that will meet twice a year, co-chaired by the Aldmark Minister of Industry and the Brevia Minister of Trade.')!;
    expect(f.bodies).toEqual([{ name: 'Joint Committee on Sensor Standards', planned: true }]);
    expect(f.chairs).toEqual([{ who: 'Aldmark Minister of Industry and the Brevia Minister of Trade', of: 'Joint Committee on Sensor Standards' }]);
    expect(f.levels).toContain('ministers');
    expect(f.rhythm).toEqual(['twice a year']);
  });

  it('reads bodies from the items of a list its lead-in says were set up', () => {
    const f = governanceFacts('Coastal Monitoring, co-chaired by the two port authorities;', undefined, 'Two working groups were set up at the first meeting:')!;
    expect(f.bodies).toEqual([{ name: 'Coastal Monitoring working group', planned: false }]);
    expect(f.chairs).toEqual([{ who: 'two port authorities', of: 'Coastal Monitoring working group' }]);
    expect(governanceFacts('Coastal Monitoring, co-chaired by the two port authorities;', undefined, 'They have not yet set up working groups on:')?.bodies ?? []).toEqual([]);
  });

  it('leaves out negated sentences, other organisations\' bodies and remarks', () => {
    expect(governanceFacts('The two sides have not yet established a working group on ports.')).toBeUndefined();
    expect(governanceFacts('They welcomed the report of the World Bank Task Force on Debt Statistics.')).toBeUndefined();
    expect(governanceFacts('Since our first meeting, we have made progress on many challenges.')).toBeUndefined();
  });

  it('finds dated launches, meetings and signings, planned or done', () => {
    const ev = findEvents('The Ports Dialogue held its second meeting in Tavel on 10 March 2024.', '2024-03-11');
    expect(ev).toEqual([{ kind: 'meeting', what: 'Ports Dialogue: second meeting', date: '2024-03-10', dated: 'text', planned: false }]);
    const signed = findEvents('The two governments signed a Memorandum of Understanding on sensors on 12 August 2023.', '2023-09-01');
    expect(signed).toMatchObject([{ kind: 'signing', what: 'Memorandum of Understanding', date: '2023-08-12' }]);
    expect(findEvents('The two sides have not yet signed a Memorandum of Understanding.', '2023-09-01')).toEqual([]);
    expect(findEvents('They will launch the Coastal Sensor Network in 2026.', '2024-01-01')).toMatchObject([{ kind: 'launch', what: 'Coastal Sensor Network', date: '2026', planned: true }]);
    // A planned event without a date is not a milestone, and "to-be-established" is planned.
    expect(findEvents('They intend to work with the to-be-established Coastal Sensor Centre.', '2024-01-01')).toEqual([]);
  });

  it('reads events in any sentence of a passage, and none in a passage without an event verb', () => {
    const two = findEvents('Both sides value their long friendship. On 3 May 2024 they launched the Harbour Data Exchange.', '2024-05-04');
    expect(two).toMatchObject([{ kind: 'launch', what: 'Harbour Data Exchange', date: '2024-05-03', dated: 'text' }]);
    expect(findEvents('Both sides value their long friendship, first noted on 3 May 2024 in the Harbour Data Exchange.', '2024-05-04')).toEqual([]);
  });
});

describe('aggregation from document summaries', () => {
  it('counts a sentence repeated in two statements once, citing both', () => {
    const agg = aggregate(summaries, registry, ALL);
    const research = profile(agg, 'AL-BR-TC').objectives.research;
    expect(research.commitments).toBe(1);
    const item = Object.values(research.bySubcategory).flat()[0]!;
    expect(item.sources.map((s) => s.code)).toEqual(['AL-BR-TC1', 'AL-BR-TC2']);
    expect(rowOf(agg, 'AL-BR-TC').cells.research!.sources).toBe(2);
  });

  it('attributes passages that name another registry partnership to it, and cites them by their own code', () => {
    const agg = aggregate(summaries, registry, ALL);
    const swg = profile(agg, 'AL-BR-SWG');
    expect(swg.documents).toEqual([]);
    expect(swg.alsoCited.map((c) => c.code)).toEqual(['AL-BR-TC2', 'AL-CV-PD1']);
    expect(rowOf(agg, 'AL-BR-SWG').cells.workforce!.commitments).toBe(1);
    // The registry partnership with no statement and no mention is reported, not silently dropped.
    expect(agg.registry.withoutDocuments.find((p) => p.id === 'BR-CV-NONE')).toMatchObject({ namedInPassages: 0, evidence: false });
    expect(agg.registry.withoutDocuments.find((p) => p.id === 'AL-BR-SWG')).toMatchObject({ evidence: true });
  });

  it('gives every statement a code fixed by the whole corpus, whatever the scope', () => {
    const all = aggregate(summaries, registry, ALL);
    const scoped = aggregate(summaries, registry, { domain: 'semiconductors', from: '2024-01-01', until: '2024-12-31' });
    expect(scoped.codes).toEqual(all.codes);
    expect(Object.values(all.codes).flat().sort()).toEqual(['AL-BR-TC1', 'AL-BR-TC2', 'AL-CV-PD1']);
    // In date order: the launch statement is TC1.
    const launch = summaries.find((s) => s.date === '2023-02-01')!;
    expect(all.codes[launch.id]).toEqual(['AL-BR-TC1']);
    expect(profile(scoped, 'AL-CV-PD').objectives.preparedness.bySubcategory['information-sharing']?.[0]?.sources[0]?.code).toBe('AL-CV-PD1');
  });

  it('does not depend on the order summaries arrive in, and summaries survive JSON', () => {
    const a = aggregate(summaries, registry, ALL);
    const incremental = new Aggregator(registry);
    for (const s of [...summaries].reverse()) incremental.add(JSON.parse(JSON.stringify(s)) as DocSummary);
    const b = incremental.result(ALL);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const info = { documents: 3, rulesVersion: 'x' };
    const fa = renderAggregate(a, info);
    const fb = renderAggregate(b, info);
    expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
    for (const [k, v] of fa) expect(fb.get(k), k).toBe(v);
  });

  it('is made once: nothing is added, shared or made after it', () => {
    const once = new Aggregator(registry);
    for (const s of summaries) once.add(JSON.parse(JSON.stringify(s)) as DocSummary);
    expect(JSON.stringify(once.result(ALL))).toBe(JSON.stringify(aggregate(summaries, registry, ALL)));
    expect(() => once.result(ALL)).toThrow(/made already/);
    expect(() => once.add(summaries[0]!)).toThrow(/added after the aggregate was made/);
    expect(() => once.share(summaries[0]!)).toThrow(/shared after the aggregate was made/);
  });

  it('is the same from summaries whose strings were shared as they arrived', () => {
    // Shared as they arrived (one twice), added later in another order.
    const early = new Aggregator(registry);
    const copies = summaries.map((s) => JSON.parse(JSON.stringify(s)) as DocSummary);
    for (const s of copies) early.share(s);
    early.share(copies[0]!);
    for (const s of [...copies].reverse()) early.add(s);
    expect(JSON.stringify(early.result(ALL))).toBe(JSON.stringify(aggregate(summaries, registry, ALL)));
  });

  it('lets the summaries go once the aggregate is made: a run holds only the aggregate while it writes its outputs', () => {
    // In a process that can ask for a collection: once the aggregate is made, no summary is held (the aggregate still is).
    const dir = tmp('aggregate-release');
    writeFileSync(join(dir, 'summaries.json'), JSON.stringify(summaries));
    const script = join(dir, 'release.mts');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { Aggregator } from ${JSON.stringify(join(ROOT, 'src', 'aggregate', 'index.ts'))};
import { loadRegistry } from ${JSON.stringify(join(ROOT, 'src', 'rules', 'index.ts'))};
const registry = await loadRegistry(${JSON.stringify(join(ROOT, 'rules', 'partnerships.yaml'))}, ${JSON.stringify(join(FIXTURE, 'partnerships.yaml'))});
const summaries = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'summaries.json'))}, 'utf8'));
const held = summaries.map((s) => new WeakRef(s));
// In a function of its own: no variable of this suspended module keeps a summary.
const make = (list) => {
  const aggregator = new Aggregator(registry);
  for (const s of list) aggregator.add(s);
  return { aggregator, agg: aggregator.result({ domain: null, from: null, until: null }) };
};
const { aggregator, agg } = make(summaries.splice(0));
// Weak references are kept alive until the current job ends.
await new Promise((resolve) => setTimeout(resolve, 10));
globalThis.gc();
console.log(held.length, held.filter((r) => r.deref() !== undefined).length, agg.profiles.length, typeof aggregator);
`,
    );
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const [count, stillHeld, profiles, kept] = r.stdout.trim().split(' ');
    // The aggregator itself is still there: it is what must not hold them.
    expect(kept).toBe('object');
    expect(Number(count)).toBe(summaries.length);
    expect(Number(stillHeld)).toBe(0);
    expect(Number(profiles)).toBeGreaterThan(0);
  }, 60_000);

  it('marks a cell reviewed only when its strongest evidence was reviewed', () => {
    const reviewing = (words: string): Override => (p) => (p.text.includes(words) ? { objectives: p.tags.objectives, reviewed: true } : undefined);
    const run2 = (words: string) => rowOf(aggregate(run.docs.map((d) => summarize(d, registry, reviewing(words))), registry, ALL), 'AL-BR-TC').cells.preparedness!;
    // Two commitments: the working group established (underway) and an exchange the sides may explore.
    expect(run2('Sensor Working Group').commitments).toBe(2);
    expect(run2('may explore an exchange').reviewed).toBe(false);
    expect(run2('established the Sensor Working Group').reviewed).toBe(true);
    expect(run2('nothing of the kind').reviewed).toBe(false);
  });

  it('an analyst\'s decision on a sentence stands for every statement repeating it', () => {
    const rejectInOne: Override = (p) => (p.text.includes('quantum sensors') && p.docId === summaries.find((s) => s.date === '2023-09-01')!.id ? { objectives: [], reviewed: true } : undefined);
    const agg = aggregate(run.docs.map((d) => summarize(d, registry, rejectInOne)), registry, ALL);
    expect(profile(agg, 'AL-BR-TC').objectives.research.found).toBe(false);
  });

  it('profiles summarise governance and list dated milestones with citations', () => {
    const agg = aggregate(summaries, registry, ALL);
    const p = profile(agg, 'AL-BR-TC');
    expect(p.governance.chairs.map((c) => c.who)).toEqual(['Aldmark Minister of Industry and the Brevia Minister of Trade']);
    expect(p.governance.chairs[0]!.of).toBeUndefined();
    expect(p.governance.rhythm.map((r) => r.rhythm)).toEqual(['annually']);
    expect(p.governance.bodies.map((b) => b.name)).toEqual(['Sensor Working Group']);
    // Neither the negated secretariat nor the World Bank's task force is in the summary.
    const quoted = p.governance.passages.map((x) => x.text).join(' ');
    expect(quoted).not.toContain('not yet established');
    expect(quoted).not.toContain('World Bank');
    expect(p.milestones.map((m) => `${m.date} ${m.kind} ${m.what}`)).toEqual([
      '2023-02-01 launch Aldmark-Brevia Technology Council',
      '2023-08-12 signing Memorandum of Understanding',
      '2023-09-01 establishment Sensor Working Group',
      '2024 launch joint research programme',
    ]);
    expect(p.milestones[0]!.cites.map((c) => c.code)).toEqual(['AL-BR-TC1']);
  });

  it('every quoted passage is its statement\'s text at the cited offsets', () => {
    const agg = aggregate(summaries, registry, ALL);
    const text = new Map(run.docs.map((d) => [d.id, d.text]));
    let n = 0;
    for (const p of agg.profiles) {
      for (const o of Object.values(p.objectives)) {
        for (const it of Object.values(o.bySubcategory).flat()) {
          for (const s of it.sources) {
            expect(text.get(s.docId)!.slice(s.start, s.end)).toBe(s.text ?? it.text);
            n++;
          }
        }
      }
    }
    expect(n).toBeGreaterThan(5);
  });
});

describe('the strength score', () => {
  it('gives points for grade and concreteness, halves list mentions, and weighs evidence 1, 1/2, 1/3 ...', () => {
    expect(measures.pointsOf({ g: 'completed', c: ['actor', 'timeframe', 'money'], l: false })).toBe(8);
    expect(measures.pointsOf({ g: 'commit', c: [], l: true })).toBe(1.5);
    expect(measures.strengthOf([1.5, 1.5, 1.5])).toBe(2.8);
    expect(measures.strengthOf([8, 3, 2])).toBe(10.2);
    expect(measures.strengthOf([])).toBe(0);
  });

  it('works a filter out once per dataset, and a change of filter is never answered from the last one', () => {
    const data = aggregate(summaries, registry, ALL).dataset;
    // The same figures from a copy of the dataset, which nothing was asked of before.
    const fresh = () => JSON.parse(JSON.stringify(data)) as typeof data;
    const all: measures.Filter = { domain: null, from: null, until: null, group: '', reviewedOnly: false };
    const filters: measures.Filter[] = [all, { ...all, domain: 'semiconductors' }, { ...all, from: '2024-01-01' }, { ...all, group: 'size:2' }, { ...all, reviewedOnly: true }, all];
    const seen = new Set<string>();
    for (const f of filters) {
      const sel = measures.selected(data, f);
      expect(measures.selected(data, f)).toBe(sel);
      expect(JSON.stringify(sel)).toBe(JSON.stringify(measures.select(fresh(), f)));
      expect(JSON.stringify([...measures.cellsOf(data, f)])).toBe(JSON.stringify([...measures.byCell(data, measures.select(data, f))]));
      expect(JSON.stringify(measures.matrixOf(data, f))).toBe(JSON.stringify(measures.matrixOf(fresh(), f)));
      expect(JSON.stringify(measures.analysisOf(data, f))).toBe(JSON.stringify(measures.analysisOf(fresh(), f)));
      seen.add(JSON.stringify(measures.matrixOf(data, f)));
    }
    // The filters do select differently (else the test would not tell a stale answer from a right one).
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  it("gives a cell of byCell's sorted lists, worked out once, the figures of the same commitments in any order", async () => {
    // The demo corpus: cells of several commitments each.
    const demo = await runPipeline(config, { corpus: join(ROOT, 'corpus'), out: join(tmp('aggregate-demo-out'), 'out'), log: () => {}, needDocs: true });
    const demoRegistry = await loadRegistry(join(ROOT, 'rules', 'partnerships.yaml'), join(ROOT, 'corpus', 'partnerships.yaml'));
    const data = aggregate(demo.docs.map((d) => summarize(d, demoRegistry)), demoRegistry, ALL).dataset;
    const all: measures.Filter = { domain: null, from: null, until: null, group: '', reviewedOnly: false };
    let lists = 0;
    for (const row of measures.cellsOf(data, all).values()) {
      for (const list of Object.values(row)) {
        // What cellOf relies on to take it as it is: the list is in the order of evidence
        // (compareOcc of the best instances, then the keys), whatever points the commitments carry.
        for (const x of list) expect(x.points).toBe(measures.pointsOf(x.best));
        const order = (a: measures.Selected, b: measures.Selected) => measures.compareOcc(data, a.best, b.best) || (a.c.k < b.c.k ? -1 : a.c.k > b.c.k ? 1 : 0);
        for (let i = 1; i < list.length; i++) expect(order(list[i - 1]!, list[i]!)).toBeLessThan(0);
        for (const a of list) for (const b of list) expect(Math.sign(measures.compareSelected(data, a, b))).toBe(Math.sign(order(a, b)));
        const cell = measures.cellOf(data, list);
        expect(measures.cellOf(data, list)).toBe(cell);
        // The same commitments in reverse order and in a list of its own: sorted there.
        expect(measures.cellOf(data, [...list].reverse())).toEqual(cell);
        if (list.length > 1) lists++;
      }
    }
    expect(lists).toBeGreaterThan(5);
  });

  it('ranks a concrete completed deliverable above a few bare list mentions', () => {
    expect(measures.strengthOf([8])).toBeGreaterThan(measures.strengthOf([1.5, 1.5, 1.5, 1.5]));
  });
});

describe('outputs written from the fixture corpus', () => {
  it('CSV files quote per RFC 4180 and never start a cell with a formula', () => {
    const out = join(tmp('aggregate-csv'), 'out');
    return runPipeline(config, { corpus: FIXTURE, out, log: () => {} }).then(() => {
      for (const f of ['matrix.csv', ...readdirSync(join(out, 'tables')).map((t) => join('tables', t))]) {
        const text = readFileSync(join(out, f), 'utf8');
        expect(text.startsWith('\uFEFF'), f).toBe(true);
        expect(text.endsWith('\r\n'), f).toBe(true);
        expect(/(^|,)[=+\-@]/m.test(text.replace(/"[^"]*"/g, '""')), f).toBe(false);
      }
    });
  });
});
