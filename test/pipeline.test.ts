import { describe, expect, it, beforeAll, vi } from 'vitest';
import { readFileSync, existsSync, cpSync, writeFileSync, readdirSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, fstatSync, fsyncSync, readlinkSync, linkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runPipeline } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { ROOT, reportEvidence, reportPageData, tmp } from './helpers.js';
import { ReviewStore, docKeyOf, evidenceOf, labelsOf, passageKeyOf } from '../src/review/index.js';
import * as view from '../src/render/report/assets/view.js';
import { KeptOutputs, keptRecordPath } from '../src/kept.js';
import { byteOf, loadDocSync, processFile, renderDoc } from '../src/stage.js';
import { compileRules, loadRules } from '../src/rules/index.js';
import { documentPageParts } from '../src/render/index.js';
import { loadRegistry } from '../src/rules/registry.js';
import { deserialize } from 'node:v8';

// Each test file keeps its own cache of processed documents.
const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('cache') };
const quiet = { log: () => {} };
/** Every file under a folder, by its path inside it. */
const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();

describe('the demo corpus, end to end', () => {
  let out: string;
  let summary: Awaited<ReturnType<typeof runPipeline>>;
  beforeAll(async () => {
    out = join(tmp('accords-run'), 'out');
    summary = await runPipeline(config, { out, ...quiet });
  });

  it('processes every statement without an error', () => {
    expect(summary.documents).toBeGreaterThanOrEqual(12);
    expect(summary.failed).toBe(0);
  });
  it('a document read back from the cache is what JSON would keep of it (no value JSON would drop or change)', () => {
    const docs = summary.docs;
    expect(docs.length).toBe(summary.documents);
    expect(new Set(docs.map((d) => d.format))).toEqual(new Set(['markdown', 'html', 'pdf', 'text']));
    for (const d of docs) expect(d, d.path).toStrictEqual(JSON.parse(JSON.stringify(d)));
  });
  it('writes the matrix in three formats, profiles and passages', () => {
    for (const f of ['matrix.md', 'matrix.csv', 'matrix.json', 'analysis.md', 'analysis.json', 'tables/evidence.csv', 'passages.jsonl', 'run-report.json', 'report/index.html']) expect(existsSync(join(out, f)), f).toBe(true);
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    // NH-KS-PSRP has no statement of its own: the Council's statements name it, so their passages are its evidence.
    expect(matrix.rows.map((r: { id: string }) => r.id)).toEqual(['KS-TA-VL-ASCRI', 'NH-KS-PSRP', 'NH-KS-TC', 'VL-NH-CD']);
    for (const r of matrix.rows) {
      expect(existsSync(join(out, 'profiles', `${r.id}.md`))).toBe(true);
      expect(existsSync(join(out, 'profiles', `${r.id}.json`))).toBe(true);
    }
  });
  it('the demo corpus exercises every objective and every grade', () => {
    const lines = readFileSync(join(out, 'passages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const objectives = new Set(lines.flatMap((l) => l.objectives.map((o: { objective: string }) => o.objective)));
    const grades = new Set(lines.flatMap((l) => l.objectives.map((o: { grade: string }) => o.grade)));
    expect([...objectives].sort()).toEqual(['commercial', 'policy', 'preparedness', 'research', 'workforce']);
    expect([...grades].sort()).toEqual(['commit', 'completed', 'explore', 'intend', 'underway']);
    // Every passage points into its document's text by offsets.
    for (const l of lines.slice(0, 50)) expect(l.end).toBeGreaterThan(l.start);
  });
  it('profiles cite documents with study-style codes that resolve to sources', () => {
    const p = JSON.parse(readFileSync(join(out, 'profiles', 'NH-KS-TC.json'), 'utf8'));
    expect(p.documents[0].code).toBe('NH-KS-TC1');
    expect(p.documents[0].url).toMatch(/^https:\/\/example\.org\//);
    const md = readFileSync(join(out, 'profiles', 'NH-KS-TC.md'), 'utf8');
    expect(md).toContain('## Governance');
    expect(md).toContain('## Milestones');
    expect(md).toMatch(/\(NH-KS-TC\d+\)/);
  });
  it('an empty cell says there is no clear reference', () => {
    const md = readFileSync(join(out, 'matrix.md'), 'utf8');
    expect(md).toContain('no clear reference');
    const m = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    const row = m.rows.find((r: { cells: Record<string, { grade: string | null }> }) => Object.values(r.cells).some((c) => c.grade === null));
    expect(row).toBeDefined();
    const p = readFileSync(join(out, 'profiles', `${row.id}.md`), 'utf8');
    expect(p).toMatch(/seem to lack a clear reference/);
  });
  it('is deterministic: a second run writes identical files, report included', async () => {
    const out2 = join(tmp('accords-run2'), 'out');
    // Re-processed from scratch, the other run read its documents from the cache: same bytes either way.
    await runPipeline(config, { out: out2, full: true, ...quiet });
    const names = files(out).filter((f) => f !== 'run-report.json');
    expect(files(out2).filter((f) => f !== 'run-report.json')).toEqual(names);
    expect(names).toEqual(expect.arrayContaining(['matrix.md', 'analysis.md', 'tables/evidence.csv', 'profiles/NH-KS-TC.json', 'report/index.html', 'report/partnerships/NH-KS-TC.html']));
    for (const f of names) expect(readFileSync(join(out2, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  });
  it('filters the matrix by domain and date', async () => {
    const out3 = join(tmp('accords-run3'), 'out');
    await runPipeline(config, { out: out3, matrix: { domain: 'semiconductors', from: '2024-01-01', until: '2024-12-31' }, ...quiet });
    const m = JSON.parse(readFileSync(join(out3, 'matrix.json'), 'utf8'));
    expect(m.scope).toEqual({ domain: 'semiconductors', from: '2024-01-01', until: '2024-12-31' });
    const all = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    const count = (mm: { rows: { cells: Record<string, { commitments: number }> }[] }) => mm.rows.reduce((n, r) => n + Object.values(r.cells).reduce((k, c) => k + c.commitments, 0), 0);
    expect(count(m)).toBeGreaterThan(0);
    expect(count(m)).toBeLessThan(count(all));
  });
});

describe('a batch with bad files', () => {
  it('reports each bad file by name and finishes the rest', async () => {
    const corpus = tmp('accords-bad');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    writeFileSync(join(corpus, 'empty.md'), '');
    writeFileSync(join(corpus, 'junk.html'), Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 7, 8]));
    writeFileSync(join(corpus, 'cut.pdf'), readFileSync(join(ROOT, 'corpus', '2024-11-05_nh-ks-semiconductor-mou.pdf')).subarray(0, 300));
    const out = join(corpus, 'out');
    const s = await runPipeline(config, { corpus, out, ...quiet });
    expect(s.failed).toBe(3);
    expect(s.documents).toBe(readdirSync(join(ROOT, 'corpus')).filter((f) => /\.(md|html|pdf|txt)$/.test(f)).length + 3);
    for (const f of ['empty.md', 'junk.html', 'cut.pdf']) expect(s.text).toContain(f);
    const report = JSON.parse(readFileSync(join(out, 'run-report.json'), 'utf8'));
    expect(report.documents.filter((d: { status: string }) => d.status === 'failed')).toHaveLength(3);
  });
  it('keeps the previous outputs when a run cannot start', async () => {
    const out = join(tmp('accords-keep'), 'out');
    await runPipeline(config, { out, ...quiet });
    const before = readFileSync(join(out, 'matrix.json'), 'utf8');
    await expect(runPipeline(config, { out, rules: join(ROOT, 'no-such-rules'), ...quiet })).rejects.toThrow(/rules folder not found/);
    expect(readFileSync(join(out, 'matrix.json'), 'utf8')).toBe(before);
  });
});

describe('the cache of processed documents', () => {
  it('keeps the generations of the present and the previous rules and code, and removes older ones', async () => {
    const cacheDir = tmp('accords-generations');
    const docs = join(cacheDir, 'docs');
    const out = join(tmp('accords-generations-out'), 'out');
    // Entries of the flat layout an older version wrote: never read again.
    mkdirSync(docs, { recursive: true });
    const old = `${'a'.repeat(64)}.json`;
    writeFileSync(join(docs, old), '{}');
    writeFileSync(join(docs, `${'a'.repeat(64)}.${'b'.repeat(12)}.jsonl`), '');
    // Settings that change how documents are processed (here the limits) start a new generation.
    const run = (minTextChars: number) => runPipeline({ ...config, cacheDir, limits: { ...config.limits, minTextChars } }, { out, ...quiet });
    const generations = () => readdirSync(docs, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const first = await run(40);
    expect(first.processed).toBe(first.documents);
    const [g1] = generations();
    expect(generations()).toHaveLength(1);
    expect(readdirSync(docs).filter((n) => n.endsWith('.json') || n.endsWith('.jsonl'))).toEqual([]);
    // One file per statement: its record, outputs and processed document together; besides, the marker of its last use and the digest of its rules.
    expect(readdirSync(join(docs, g1!)).filter((n) => /^[0-9a-f]{64}\.json$/.test(n))).toHaveLength(first.documents);
    expect(readdirSync(join(docs, g1!)).filter((n) => !/^[0-9a-f]{64}\.json$/.test(n)).sort()).toEqual(['.rules', '.used']);

    await run(41);
    expect(generations()).toHaveLength(2);
    // A link inside an old generation is removed as a link: what it points to is left alone.
    const outside = tmp('accords-generations-outside');
    writeFileSync(join(outside, 'keep.txt'), 'not the cache');
    symlinkSync(outside, join(docs, g1!, 'elsewhere'));
    await run(42);
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('not the cache');
    const now = generations();
    expect(now).toHaveLength(2);
    expect(now).not.toContain(g1);
    // Going back to the previous settings reads every document from the cache.
    const back = await run(41);
    expect(back.processed).toBe(0);
    expect(back.reused).toBe(back.documents);
    expect(generations()).toEqual(now);
  });
});

describe('a change of rules or registry', () => {
  it("tags the statements again from their earlier extraction, with outputs the same as a run from scratch", async () => {
    const corpus = tmp('accords-retag');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const rules = tmp('accords-retag-rules');
    cpSync(join(ROOT, 'rules'), rules, { recursive: true });
    const cacheDir = tmp('accords-retag-cache');
    const out = join(tmp('accords-retag-out'), 'out');
    const cfg = { ...config, cacheDir, rules };
    const run = (more: Partial<typeof config> = {}, full = false) => runPipeline({ ...cfg, ...more }, { corpus, out, full, workers: 1, ...quiet });
    const fresh = async (more: Partial<typeof config> = {}) => {
      const dir = join(tmp('accords-retag-fresh'), 'out');
      await runPipeline({ ...cfg, ...more, cacheDir: tmp('accords-retag-cache2') }, { corpus, out: dir, workers: 1, ...quiet });
      const names = files(out).filter((f) => f !== 'run-report.json');
      expect(files(dir).filter((f) => f !== 'run-report.json')).toEqual(names);
      for (const f of names) expect(readFileSync(join(dir, f)).equals(readFileSync(join(out, f))), f).toBe(true);
      // The statements' messages too (an attribution's are made again, an extraction's kept).
      const messages = (d: string) => (JSON.parse(readFileSync(join(d, 'run-report.json'), 'utf8')) as { documents: Array<{ file: string; messages: unknown[] }> }).documents.map((x) => [x.file, x.messages]);
      expect(messages(out)).toEqual(messages(dir));
    };
    // A statement naming a partnership the registry does not know, and one with a character extraction removes.
    writeFileSync(join(corpus, 'unknown.md'), '---\ntitle: "A note"\ndate: 2025-02-01\npartnership: NO-SUCH-ID\n---\n\nThe two sides will train 300 chip technicians by 2027.\n');
    writeFileSync(join(corpus, 'control.md'), '---\ntitle: "Another note"\ndate: 2025-02-02\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nBoth sides will fund\u0007 a joint design school for workforce training.\n');
    const first = await run();
    expect(first.retagged).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'run-report.json'), 'utf8')) as { documents: Array<{ file: string; messages: Array<{ code: string }> }> };
    const codes = report.documents.flatMap((d) => d.messages.map((m) => m.code));
    expect(codes).toContain('attribute/unknown-id');
    expect(codes).toContain('extract/control-chars');
    const before = readFileSync(join(out, 'matrix.json'), 'utf8');

    // Rules that change tags (no workforce rules at all): every statement is tagged again, none extracted again.
    const workforce = join(rules, 'objectives', 'workforce.yaml');
    rmSync(workforce);
    const second = await run();
    expect(second.processed).toBe(first.documents);
    expect(second.retagged).toBe(second.documents - second.failed);
    expect(second.text).toMatch(/tagged again, extracted by an earlier run/);
    expect(readFileSync(join(out, 'matrix.json'), 'utf8')).not.toBe(before);
    await fresh();

    // The registry is not part of extraction either: the partnership it now knows is attributed, its message gone.
    const registry = join(rules, 'partnerships.yaml');
    writeFileSync(registry, `${readFileSync(registry, 'utf8')}  - { id: NO-SUCH-ID, name: A partnership registered later, parties: [NH, VL], kind: dialogue }\n`);
    expect((await run()).retagged).toBe(second.retagged);
    const known = JSON.parse(readFileSync(join(out, 'run-report.json'), 'utf8')) as { documents: Array<{ file: string; partnerships: string[]; messages: Array<{ code: string }> }> };
    const note = known.documents.find((d) => d.file.endsWith('unknown.md'))!;
    expect(note.partnerships).toEqual(['NO-SUCH-ID']);
    expect(note.messages.map((m) => m.code)).not.toContain('attribute/unknown-id');
    await fresh();

    // The same in worker threads.
    writeFileSync(registry, `${readFileSync(registry, 'utf8')}# edited\n`);
    const pooled = await runPipeline(cfg, { corpus, out, workers: 2, ...quiet });
    expect(pooled.retagged).toBe(second.retagged);
    await fresh();

    // A damaged earlier entry: that statement is read from its file again.
    const generations = readdirSync(join(cacheDir, 'docs'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(cacheDir, 'docs', e.name));
    writeFileSync(registry, `${readFileSync(registry, 'utf8')}# again\n`);
    for (const g of generations) for (const f of readdirSync(g).filter((n) => n.endsWith('.json')).slice(0, 2)) writeFileSync(join(g, f), 'damaged');
    const third = await run();
    expect(third.retagged).toBeGreaterThan(0);
    expect(third.retagged).toBeLessThan(third.documents - third.failed);
    await fresh();

    // Settings that change extraction, and --full, extract everything.
    expect((await run({ limits: { ...config.limits, minTextChars: config.limits.minTextChars + 1 } })).retagged).toBe(0);
    const scope = join(rules, 'scope.yaml');
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# edited\n`);
    expect((await run({}, true)).retagged).toBe(0);
  });
});

describe("a statement tagged again reads its passages' facts from its earlier entry", () => {
  it('the events they report and, while the registry is the same, the partnerships they name and the governance facts their words give', async () => {
    const corpus = tmp('accords-facts');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const rules = tmp('accords-facts-rules');
    cpSync(join(ROOT, 'rules'), rules, { recursive: true });
    const cacheDir = tmp('accords-facts-cache');
    const out = join(tmp('accords-facts-out'), 'out');
    const run = () => runPipeline({ ...config, cacheDir, rules }, { corpus, out, workers: 1, ...quiet });
    await run();
    const name = '2024-09-10_vl-nh-chips-dialogue-joint-statement.md';
    const trailerOf = (b: Buffer) => JSON.parse(b.subarray(b.length - 256).toString('utf8')) as Record<string, [number, number]>;
    /** The statement's entry in the generation the last run wrote, its facts changed by `change`. */
    const plant = (change: (facts: { named: unknown[]; events: unknown[]; keys: unknown[]; governance: unknown[] }) => void, statement = name) => {
      const gen = readdirSync(join(cacheDir, 'docs'))
        .map((g) => join(cacheDir, 'docs', g))
        .sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0]!;
      const entry = readdirSync(gen)
        .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
        .map((f) => join(gen, f))
        .find((f) => {
          const b = readFileSync(f);
          const [a, z] = trailerOf(b).info!;
          return (JSON.parse(b.subarray(a, z).toString('utf8')) as { path: string }).path.endsWith(statement);
        })!;
      const bytes = readFileSync(entry);
      const trailer = trailerOf(bytes);
      const [a, z] = trailer.facts!;
      expect(z).toBe(bytes.length - 256);
      const facts = JSON.parse(bytes.subarray(a, z).toString('utf8')) as { named: string[][]; events: unknown[][]; keys: unknown[]; governance: unknown[] };
      change(facts);
      const planted = Buffer.from(JSON.stringify(facts));
      writeFileSync(entry, Buffer.concat([bytes.subarray(0, a), planted, Buffer.from(`\n${JSON.stringify({ ...trailer, facts: [a, a + planted.length] })}`.padEnd(256))]));
    };
    // Facts no passage of the statement holds, planted in its first passage's: a launch it does not report and a partnership it does not name.
    plant((facts) => {
      expect(facts.named[0]).not.toContain('KS-TA-VL-ASCRI');
      facts.named[0] = ['KS-TA-VL-ASCRI'];
      facts.events[0] = [{ kind: 'launch', what: 'Planted Harbour Beacon', date: '2025-01-01', dated: 'text', planned: false }];
    });
    // And a body no statement of the partnership names, in the first passage of another of its statements whose words give governance facts.
    const governing = '2025-05-06_vl-nh-chips-dialogue-fact-sheet.html';
    let governed = -1;
    const plantBody = (body: unknown) =>
      plant((facts) => {
        governed = facts.governance.findIndex((g) => !!g);
        expect(governed).toBeGreaterThanOrEqual(0);
        // Words not read (null) where a passage was not tagged governance.
        expect(facts.governance).toContain(null);
        facts.governance[governed] = body;
      }, governing);
    plantBody({ bodies: [{ name: 'Planted Tide Board', planned: false }], chairs: [], levels: ['ministers'], rhythm: [] });
    const firstNamed = () => (JSON.parse(readFileSync(join(out, 'passages.jsonl'), 'utf8').split('\n').find((l) => l.includes(name))!) as { named_partnerships: string[] }).named_partnerships;
    const milestones = () => readFileSync(join(out, 'profiles', 'VL-NH-CD.json'), 'utf8');
    expect(milestones()).not.toContain('Planted Harbour Beacon');
    expect(milestones()).not.toContain('Planted Tide Board');

    // Other rules: tagged again, the facts read back.
    const scope = join(rules, 'scope.yaml');
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# edited\n`);
    expect((await run()).retagged).toBeGreaterThan(0);
    expect(milestones()).toContain('Planted Harbour Beacon');
    expect(milestones()).toContain('Planted Tide Board');
    expect(firstNamed()).toEqual(['KS-TA-VL-ASCRI']);

    // Another registry: the partnerships named and the governance facts are read again from the words; the events are still the ones kept.
    plantBody({ bodies: [{ name: 'Planted Tide Board', planned: false }], chairs: [], levels: ['ministers'], rhythm: [] });
    const registry = join(rules, 'partnerships.yaml');
    writeFileSync(registry, `${readFileSync(registry, 'utf8')}# edited\n`);
    expect((await run()).retagged).toBeGreaterThan(0);
    expect(firstNamed()).not.toContain('KS-TA-VL-ASCRI');
    expect(milestones()).not.toContain('Planted Tide Board');
    expect(milestones()).toContain('Planted Harbour Beacon');

    // Facts not as a run writes them (a damaged entry) are worked out again: the run goes on, as from scratch.
    // A launch planted beside the damage shows whether the facts were read.
    const lantern = { kind: 'launch', what: 'Planted Quay Lantern', date: '2025-02-01', dated: 'text', planned: false };
    const damages: Array<(facts: { named: unknown[]; events: unknown[]; keys: unknown[]; governance: unknown[] }) => void> = [
      (facts) => {
        facts.named[0] = 5;
      },
      (facts) => {
        facts.events[1] = 'a launch';
      },
      (facts) => {
        facts.events[0] = [{ ...lantern, planned: 'no' }];
      },
      (facts) => {
        facts.events[0] = [{ ...lantern, kind: 'rumour' }];
      },
      (facts) => {
        facts.events[0] = [lantern];
        facts.keys[0] = 5;
      },
      (facts) => {
        facts.events[0] = [lantern];
        facts.governance.pop();
      },
    ];
    for (const [k, damage] of damages.entries()) {
      plant(damage);
      writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# edited again ${k}\n`);
      const again = await run();
      expect(again.retagged).toBeGreaterThan(0);
      expect(again.failed).toBe(0);
      expect(firstNamed()).toEqual([]);
      expect(milestones()).not.toContain('Planted Harbour Beacon');
      expect(milestones()).not.toContain('Planted Quay Lantern');
      expect(milestones()).not.toContain('Planted Tide Board');
    }
    // Governance facts not as a run writes them: none of that statement's facts are read (a launch planted beside them shows it).
    const board = { name: 'Planted Tide Board', planned: false };
    const bodies: unknown[] = [
      { bodies: [{ name: 'Planted Tide Board' }], chairs: [], levels: [], rhythm: [] },
      { bodies: [board], chairs: [], levels: ['emperors'], rhythm: [] },
      { bodies: [board], chairs: [], levels: ['ministers', 'leaders'], rhythm: [] },
      { bodies: [board], chairs: [], levels: [], rhythm: ['annually', 'annually'] },
      { bodies: [board], chairs: [{ who: 'a planted chair' }, { who: 'a planted chair' }], levels: [], rhythm: [] },
      // Nothing found is kept as false, not as empty facts (which would count as governance facts).
      { bodies: [], chairs: [], levels: [], rhythm: [] },
      'Planted Tide Board',
    ];
    for (const [k, body] of bodies.entries()) {
      plant((facts) => {
        facts.events[0] = [{ ...lantern, what: 'Planted Pier Lamp' }];
        facts.governance[governed] = body;
      }, governing);
      writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# governance damaged ${k}\n`);
      expect((await run()).retagged).toBeGreaterThan(0);
      expect(milestones()).not.toContain('Planted Pier Lamp');
      expect(milestones()).not.toContain('Planted Tide Board');
    }
    // The same launch, kept as a run writes it, is read.
    plant((facts) => {
      facts.events[0] = [lantern];
    });
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# edited once more\n`);
    await run();
    expect(milestones()).toContain('Planted Quay Lantern');
  });
});

describe('statements that did not change', () => {
  it('are read again when renamed to another extension, which can decide how they are read', async () => {
    const corpus = tmp('accords-ext');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const cacheDir = tmp('accords-ext-cache');
    const out = join(tmp('accords-ext-out'), 'out');
    const page = '<p>The council <b>will</b> fund a joint chip design school.</p>\n<p>Both sides will train 300 technicians by 2027.</p>\n';
    writeFileSync(join(corpus, 'note.htm'), page);
    await runPipeline({ ...config, cacheDir }, { corpus, out, workers: 1, ...quiet });
    renameSync(join(corpus, 'note.htm'), join(corpus, 'note.md'));
    const second = await runPipeline({ ...config, cacheDir }, { corpus, out, workers: 1, ...quiet });
    expect(second.processed).toBe(1);
    const fresh = join(tmp('accords-ext-fresh'), 'out');
    await runPipeline({ ...config, cacheDir: tmp('accords-ext-cache2') }, { corpus, out: fresh, workers: 1, ...quiet });
    const names = files(out).filter((f) => f !== 'run-report.json');
    expect(files(fresh).filter((f) => f !== 'run-report.json')).toEqual(names);
    for (const f of names) expect(readFileSync(join(fresh, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  });

  it('are known without being read again; one touched is read and found the same, one edited is processed', async () => {
    const corpus = tmp('accords-touch');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const cacheDir = tmp('accords-touch-cache');
    const out = join(tmp('accords-touch-out'), 'out');
    const run = () => runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    const first = await run();
    const kept = JSON.parse(readFileSync(join(cacheDir, 'hashes', 'statements.json'), 'utf8')).files as Record<string, unknown>;
    expect(Object.keys(kept).length).toBe(first.documents);
    const names = readdirSync(corpus).filter((n) => n.endsWith('.md')).sort();
    // Touched: its times change, its bytes do not.
    const touched = join(corpus, names[0]!);
    const later = new Date(Date.now() + 60_000);
    utimesSync(touched, later, later);
    const second = await run();
    expect(second.upToDate).toBe(true);
    // Edited: processed again, and only it.
    const edited = join(corpus, names[1]!);
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}\nThe partners will also review progress next year.\n`);
    const third = await run();
    expect(third.processed).toBe(1);
    // Removed: its kept hash goes too.
    rmSync(edited);
    await run();
    expect(Object.keys(JSON.parse(readFileSync(join(cacheDir, 'hashes', 'statements.json'), 'utf8')).files)).not.toContain(edited);
  });
});

describe('a statement with a sidecar of metadata', () => {
  it("names the sidecar in its messages as the statement is named, also when both were renamed and the statement comes from the cache", async () => {
    const corpus = tmp('accords-sidecar');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const cacheDir = tmp('accords-sidecar-cache');
    const out = join(tmp('accords-sidecar-out'), 'out');
    const note = join(corpus, 'zz-desk-note.md');
    writeFileSync(note, '---\ntitle: "Desk note"\ndate: 2025-03-02\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nBoth sides will open a joint testing desk for chip packaging.\n');
    writeFileSync(`${note}.meta.json`, '{"date": ');
    const sidecarMessages = async () => {
      const summary = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
      const report = JSON.parse(readFileSync(join(out, 'run-report.json'), 'utf8')) as { documents: Array<{ messages: Array<{ code: string; file: string }> }> };
      return { summary, files: report.documents.flatMap((d) => d.messages).filter((m) => m.code === 'meta/bad-front-matter').map((m) => m.file) };
    };
    const shown = (p: string) => relative(process.cwd(), p) || p;
    const first = await sidecarMessages();
    expect(first.files).toEqual([`${shown(note)}.meta.json`]);
    const moved = join(corpus, 'zz-desk-note-renamed.md');
    renameSync(note, moved);
    renameSync(`${note}.meta.json`, `${moved}.meta.json`);
    const second = await sidecarMessages();
    expect(second.summary.processed).toBe(0);
    expect(second.files).toEqual([`${shown(moved)}.meta.json`]);
  });
});

describe("a cache entry keeps a document's tags apart from its extraction", () => {
  const cacheDir = tmp('accords-entry-cache');
  const entriesOf = () => {
    const gen = readdirSync(join(cacheDir, 'docs'))
      .map((g) => join(cacheDir, 'docs', g))
      .sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0]!;
    return readdirSync(gen)
      .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
      .sort()
      .map((f) => join(gen, f));
  };
  const trailerOf = (b: Buffer) => JSON.parse(b.subarray(b.length - 256).toString('utf8')) as Record<string, [number, number]>;
  const part = (b: Buffer, name: string) => {
    const [a, z] = trailerOf(b)[name]!;
    return b.subarray(a, z);
  };

  it('and gives the document back whole: as processing makes it, with the lines of passages.jsonl and the page its entry holds', async () => {
    const out = join(tmp('accords-entry-out'), 'out');
    const run = await runPipeline({ ...config, cacheDir }, { out, workers: 1, ...quiet });
    const registry = await loadRegistry(join(ROOT, 'rules', 'partnerships.yaml'), join(ROOT, 'corpus', 'partnerships.yaml'));
    const rules = compileRules(await loadRules(join(ROOT, 'rules')));
    const entries = entriesOf();
    expect(entries.length).toBe(run.documents);
    let passages = 0;
    for (const entry of entries) {
      const bytes = readFileSync(entry);
      const info = JSON.parse(part(bytes, 'info').toString('utf8')) as { path: string; hasText: boolean };
      // The document part holds no tags; the tags part holds them, passage by passage.
      const bare = deserialize(part(bytes, 'doc')) as { passages: Array<Record<string, unknown>> };
      const tags = deserialize(part(bytes, 'tags')) as unknown[];
      expect(bare.passages.some((p) => 'tags' in p), info.path).toBe(false);
      expect(tags.length).toBe(bare.passages.length);
      const doc = loadDocSync(entry, info.path);
      passages += doc.passages.length;
      for (const p of doc.passages) expect(Object.keys(p).at(-1)).toBe('tags');
      // The document as processing makes it, every field in its place.
      expect(JSON.stringify(doc), info.path).toBe(JSON.stringify(await processFile(join(ROOT, info.path), config, rules, registry, info.path)));
      // The lines and the page the run made from the tagged document, before it was stored.
      const made = renderDoc(doc, [], registry);
      expect(made.jsonl, info.path).toBe(part(bytes, 'jsonl').toString('utf8'));
      if (info.hasText) {
        const { head, tail } = documentPageParts(doc);
        expect(head + tail, info.path).toBe(part(bytes, 'page').toString('utf8'));
      }
    }
    expect(passages).toBe(run.passages);
  });

  it('a statement tagged again with other rules reads only its extraction: unreadable tags in its earlier entry do not stop it', async () => {
    const rules = tmp('accords-entry-rules');
    cpSync(join(ROOT, 'rules'), rules, { recursive: true });
    const out = join(tmp('accords-entry-out2'), 'out');
    const run = () => runPipeline({ ...config, cacheDir, rules }, { out, workers: 1, ...quiet });
    const first = await run();
    // Every entry's tags turned to bytes V8 cannot read back.
    for (const entry of entriesOf()) {
      const bytes = readFileSync(entry);
      const [a, z] = trailerOf(bytes).tags!;
      bytes.fill(0xff, a, z);
      writeFileSync(entry, bytes);
      const info = JSON.parse(part(bytes, 'info').toString('utf8')) as { path: string };
      expect(() => loadDocSync(entry, info.path)).toThrow();
    }
    const scope = join(rules, 'scope.yaml');
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# edited\n`);
    const again = await run();
    expect(again.retagged).toBe(first.documents - first.failed);
    // The same outputs as a run without a cache.
    const fresh = join(tmp('accords-entry-fresh'), 'out');
    await runPipeline({ ...config, cacheDir: tmp('accords-entry-cache2'), rules }, { out: fresh, workers: 1, ...quiet });
    const names = files(out).filter((f) => f !== 'run-report.json');
    expect(files(fresh).filter((f) => f !== 'run-report.json')).toEqual(names);
    for (const f of names) expect(readFileSync(join(fresh, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  });
});

describe('a cache entry whose document cannot be read back, though its record can', () => {
  /** The demo corpus with a statement found at a second address (whose document a run reads back), a cache, and the entries' tags made unreadable after one run. */
  const setUp = async (name: string) => {
    const corpus = tmp(`accords-${name}`);
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const statement = '2024-09-10_vl-nh-chips-dialogue-joint-statement.md';
    cpSync(join(corpus, statement), join(corpus, `copy-of-${statement}`));
    const cacheDir = tmp(`accords-${name}-cache`);
    const logged: string[] = [];
    const run = (out: string, more: Parameters<typeof runPipeline>[1] = {}) => runPipeline({ ...config, cacheDir }, { corpus, out, workers: 1, log: (l: string) => logged.push(l), ...more });
    const clean = join(tmp(`accords-${name}-clean`), 'out');
    const cleanDocs = (await runPipeline({ ...config, cacheDir: tmp(`accords-${name}-cache0`) }, { corpus, out: clean, workers: 1, needDocs: true, ...quiet })).docs;
    const out = join(tmp(`accords-${name}-out`), 'out');
    await run(out);
    const gen = readdirSync(join(cacheDir, 'docs')).map((g) => join(cacheDir, 'docs', g))[0]!;
    const entries = readdirSync(gen).filter((f) => /^[0-9a-f]{64}\.json$/.test(f)).map((f) => join(gen, f));
    for (const entry of entries) {
      const bytes = readFileSync(entry);
      const [a, z] = (JSON.parse(bytes.subarray(bytes.length - 256).toString('utf8')) as Record<string, [number, number]>).tags!;
      bytes.fill(0xff, a, z);
      writeFileSync(entry, bytes);
    }
    const same = (dir: string) => {
      const names = files(clean).filter((f) => f !== 'run-report.json');
      expect(files(dir).filter((f) => f !== 'run-report.json')).toEqual(names);
      for (const f of names) expect(readFileSync(join(dir, f)).equals(readFileSync(join(clean, f))), f).toBe(true);
    };
    return { corpus, statement, run, out, logged, entries, same, cleanDocs };
  };

  it('is processed again from its file when the run needs the document, and its entry made again', async () => {
    const { run, logged, entries, same, cleanDocs } = await setUp('unreadable-doc');
    // Outputs made anew (another folder), and every document asked for, as the review page does.
    const out = join(tmp('accords-unreadable-doc-out2'), 'out');
    const again = await run(out, { needDocs: true });
    expect(JSON.stringify(again.docs)).toBe(JSON.stringify(cleanDocs));
    expect(logged.filter((l) => l.includes('its cache entry could not be read') && l.includes('processed again from the file')).length).toBe(entries.length);
    same(out);
    // The entries were made again: read back, nothing is processed again.
    logged.length = 0;
    await run(join(tmp('accords-unreadable-doc-out3'), 'out'), { needDocs: true });
    expect(logged.filter((l) => l.includes('could not be read'))).toEqual([]);
  });

  it('whose outputs were made for another path: the run stops naming the statement, removes the entry, and the next run processes it', async () => {
    const { corpus, run, out, same } = await setUp('unreadable-renamed');
    // A statement found at one address only: its outputs come from its entry, made for the old path.
    const statement = '2024-03-04_nh-ks-technology-council-fact-sheet.md';
    renameSync(join(corpus, statement), join(corpus, `renamed-${statement}`));
    const before = files(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]);
    const error = await run(out).then(() => undefined, (err: Error) => err);
    expect(error?.name).toBe('UserError');
    // The outputs of the last run are as they were, and no staging folder is left beside them.
    expect(files(out).map((f) => [f, readFileSync(join(out, f), 'utf8')])).toEqual(before);
    expect(readdirSync(join(out, '..'))).toEqual(['out']);
    expect((error as { file?: string }).file).toMatch(/renamed-2024-03-04_nh-ks-technology-council-fact-sheet\.md$/);
    expect(error?.message).toMatch(/cache entry could not be read/);
    expect((error as { hint?: string }).hint).toMatch(/run again/);
    const second = await run(out);
    expect(second.processed).toBe(1);
    renameSync(join(corpus, `renamed-${statement}`), join(corpus, statement));
    await run(out);
    same(out);
  });
});

describe('a damaged cache entry', () => {
  it('is processed again, whatever part of it was damaged, and the outputs are those of a run without a cache', async () => {
    const cacheDir = tmp('accords-damaged');
    const outs = tmp('accords-damaged-out');
    const run = (out: string, full = false) => runPipeline({ ...config, cacheDir }, { out: join(outs, out), ...quiet, full });
    const clean = await run('clean', true);
    const outputs = (name: string) => {
      const dir = join(outs, name);
      return files(dir).filter((f) => f !== 'run-report.json').map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
    };
    const gen = readdirSync(join(cacheDir, 'docs'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(cacheDir, 'docs', e.name))[0]!;
    const entries = readdirSync(gen).filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).sort();
    expect(entries.length).toBe(clean.documents);
    /** The entry with its trailer's fields changed. */
    const withTrailer = (b: Buffer, change: Record<string, unknown>) => {
      const trailer = JSON.parse(b.subarray(b.length - 256).toString('utf8')) as Record<string, unknown>;
      return Buffer.concat([b.subarray(0, b.length - 256), Buffer.from(`\n${JSON.stringify({ ...trailer, ...change })}`.padEnd(256))]);
    };
    const damages: Array<[string, (b: Buffer) => Buffer]> = [
      ['cut short', (b) => b.subarray(0, Math.floor(b.length / 2))],
      ['cut inside its trailer', (b) => b.subarray(0, b.length - 10)],
      ['empty', () => Buffer.alloc(0)],
      ['its record garbled', (b) => Buffer.concat([Buffer.from('{{{{'), b.subarray(4)])],
      ['a trailer pointing past its end', (b) => withTrailer(b, { info: [0, 99999999] })],
      ['a trailer of another version', (b) => withTrailer(b, { entry: 7 })],
    ];
    damages.forEach(([, damage], i) => {
      const file = join(gen, entries[i % entries.length]!);
      writeFileSync(file, damage(readFileSync(file)));
    });
    const again = await run('again');
    expect(again.processed).toBe(damages.length);
    expect(again.failed).toBe(0);
    expect(outputs('again')).toEqual(outputs('clean'));
    // Made again whole: the next run reads every entry.
    expect((await run('third')).processed).toBe(0);
  });
});

describe('a run from another working folder', () => {
  it('writes the outputs again, naming the statements by their paths from there', () => {
    const dir = tmp('accords-cwd');
    const corpus = join(dir, 'a', 'corpus');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const cfg = join(dir, 'c.config.mts');
    writeFileSync(cfg, `export default ${JSON.stringify({ rules: join(ROOT, 'rules'), cacheDir: join(dir, 'cache'), review: { db: join(dir, 'r.sqlite') } })};\n`);
    const run = (cwd: string) => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'accords.js'), 'run', '--config', cfg, '--corpus', corpus, '--out', join(dir, 'out')], { cwd, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const fileOf = () => (JSON.parse(readFileSync(join(dir, 'out', 'passages.jsonl'), 'utf8').split('\n')[0]!) as { file: string }).file;
    run(join(dir, 'a'));
    expect(fileOf()).toMatch(/^corpus\//);
    expect(run(join(dir, 'a'))).toContain('unchanged since the last run');
    expect(run(dir)).not.toContain('unchanged since the last run');
    expect(fileOf()).toMatch(/^a\/corpus\//);
  });
});

describe("the part-of-speech tagger's verdicts on list items' opening words", () => {
  it('are kept between runs, so a run with other settings does not ask the tagger again; a damaged file is made again', () => {
    const dir = tmp('accords-verdicts');
    const cacheDir = join(dir, 'cache');
    const conf = (minTextChars: number) => {
      const f = join(dir, `c${minTextChars}.config.mts`);
      writeFileSync(f, `export default ${JSON.stringify({ corpus: join(ROOT, 'corpus'), rules: join(ROOT, 'rules'), cacheDir, limits: { minTextChars }, review: { db: join(dir, 'r.sqlite') } })};\n`);
      return f;
    };
    // Separate processes: within one, the verdicts stay in memory anyway.
    const run = (minTextChars: number, out: string) => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'accords.js'), 'run', '--config', conf(minTextChars), '--out', join(dir, out), '--quiet'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
    };
    const kept = () => readdirSync(join(cacheDir, 'verdicts')).map((n) => join(cacheDir, 'verdicts', n));
    run(40, 'a');
    expect(kept()).toHaveLength(1);
    const [file] = kept();
    const first = readFileSync(file!, 'utf8');
    const verdicts = JSON.parse(first) as Array<[string, number]>;
    expect(verdicts.length).toBeGreaterThan(0);
    const made = statSync(file!).mtimeMs;
    // Other limits: every statement is processed again, and no verdict is new.
    run(41, 'b');
    expect(statSync(file!).mtimeMs).toBe(made);
    expect(files(join(dir, 'b')).filter((f) => f !== 'run-report.json').map((f) => readFileSync(join(dir, 'b', f), 'utf8'))).toEqual(files(join(dir, 'a')).filter((f) => f !== 'run-report.json').map((f) => readFileSync(join(dir, 'a', f), 'utf8')));
    writeFileSync(file!, '[["half');
    run(42, 'c');
    expect(JSON.parse(readFileSync(file!, 'utf8'))).toEqual(verdicts);
    // A damaged cache entry is processed again in a run that expected nothing to process: the verdicts kept stay.
    const gen = readdirSync(join(cacheDir, 'docs'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(cacheDir, 'docs', e.name)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
    // The statement whose list item gave the first verdict is damaged; a verdict of another run is planted beside the kept ones.
    const words = verdicts[0]![0].replace(/\s+/g, ' ');
    const entry = readdirSync(gen).find((n) => /^[0-9a-f]{64}\.json$/.test(n) && readFileSync(join(gen, n), 'utf8').replace(/\s+/g, ' ').includes(words))!;
    writeFileSync(join(gen, entry), 'garbage');
    writeFileSync(file!, JSON.stringify([...verdicts, ['Planted  words of another run', 1]]));
    run(42, 'd');
    const after = JSON.parse(readFileSync(file!, 'utf8')) as Array<[string, number]>;
    expect(after).toHaveLength(verdicts.length + 1);
    expect(after).toContainEqual(['Planted  words of another run', 1]);
  });
});

describe('a statement added to the corpus', () => {
  it('rewrites only the outputs it changes: the others are the previous files, and everything equals a full run', async () => {
    const corpus = tmp('accords-add');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const cacheDir = tmp('accords-add-cache');
    const out = join(tmp('accords-add-out'), 'out');
    await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    const inode = (f: string) => statSync(join(out, f)).ino;
    const inodes = new Map(files(out).map((f) => [f, inode(f)]));
    const before = { council: inode('profiles/NH-KS-TC.md'), chips: inode('profiles/VL-NH-CD.md'), jsonl: inode('passages.jsonl') };
    // An invented statement of the Chips Dialogue, older than the newest (which dates every profile).
    writeFileSync(
      join(corpus, '2025-04-01_vl-nh-chips-dialogue-readout.md'),
      '---\ntitle: "Readout of the Third Valmora-Nordhaven Chips Dialogue"\ndate: 2025-04-01\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nThe two governments will set up a joint early-warning desk for shortages of legacy chips by the end of 2025.\n',
    );
    const s = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    expect(s.processed).toBe(1);
    // The Council's profile did not change: it is the same file. The Dialogue's did.
    expect(inode('profiles/NH-KS-TC.md')).toBe(before.council);
    expect(inode('profiles/VL-NH-CD.md')).not.toBe(before.chips);
    expect(inode('passages.jsonl')).not.toBe(before.jsonl);
    expect(readFileSync(join(out, 'profiles', 'VL-NH-CD.md'), 'utf8')).toContain('early-warning desk');
    // The Council's profile and page and other statements' pages were not written again (19 of 43 files here).
    const kept = [...inodes].filter(([f, ino]) => existsSync(join(out, f)) && inode(f) === ino).map(([f]) => f);
    expect(kept).toEqual(expect.arrayContaining(['profiles/NH-KS-TC.json', 'report/partnerships/NH-KS-TC.html']));
    expect(kept.filter((f) => f.startsWith('report/documents/')).length).toBeGreaterThanOrEqual(5);
    // Linked or written, the outputs are those of a run from scratch.
    const fresh = join(tmp('accords-add-fresh'), 'out');
    await runPipeline({ ...config, cacheDir: tmp('accords-add-cache2') }, { corpus, out: fresh, ...quiet });
    const names = files(out).filter((f) => f !== 'run-report.json');
    expect(files(fresh).filter((f) => f !== 'run-report.json')).toEqual(names);
    for (const f of names) expect(readFileSync(join(fresh, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  });
});

describe("partnerships' files made before from the same inputs", () => {
  const kept = (cacheDir: string, out: string) => keptRecordPath(join(cacheDir, 'outputs'), out);
  const sameAsFresh = async (corpus: string, out: string, reviews?: ReviewStore, cfg = config) => {
    const fresh = join(tmp('accords-keep-fresh'), 'out');
    await runPipeline({ ...cfg, cacheDir: tmp('accords-keep-cache2') }, { corpus, out: fresh, ...quiet, ...(reviews ? { reviews } : {}) });
    const names = files(out).filter((f) => f !== 'run-report.json');
    expect(files(fresh).filter((f) => f !== 'run-report.json')).toEqual(names);
    for (const f of names) expect(readFileSync(join(fresh, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  };

  it('are kept without being made again; an edited file, a damaged record and a change every profile shows make them again', async () => {
    const corpus = tmp('accords-keep');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const cacheDir = tmp('accords-keep-cache');
    const out = join(tmp('accords-keep-out'), 'out');
    const first = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    expect(first.keptFiles).toBe(0);
    expect(first.keptParts).toBe(0);
    const profiles = readdirSync(join(out, 'profiles')).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
    expect(profiles.length).toBeGreaterThanOrEqual(3);
    // Each partnership's four files (its profile in JSON and Markdown, its page and its evidence for the index page)
    // are recorded with what they were made from, and so is each partnership's part of the evidence table.
    expect(readdirSync(join(out, 'report', 'evidence')).sort()).toEqual(profiles.map((id) => `${id}.js`).sort());
    const record = JSON.parse(readFileSync(kept(cacheDir, out), 'utf8')) as { files: Record<string, { inputs: string; parts?: Record<string, [string, number, number]> }> };
    expect(Object.keys(record.files).length).toBe(4 * profiles.length + 1);
    // The profile in JSON and the page show the same things; the Markdown profile also prints the newest statement's date.
    expect(record.files['profiles/NH-KS-TC.json']!.inputs).toBe(record.files['report/partnerships/NH-KS-TC.html']!.inputs);
    expect(record.files['profiles/NH-KS-TC.md']!.inputs).not.toBe(record.files['report/partnerships/NH-KS-TC.html']!.inputs);
    const parts = record.files['tables/evidence.csv']!.parts!;
    expect(Object.keys(parts).sort()).toEqual([...profiles].sort());
    // Each part is where that partnership's rows are in the file, after the header.
    const table = readFileSync(join(out, 'tables', 'evidence.csv'));
    const places = Object.values(parts).sort((a, b) => a[1] - b[1]);
    expect(places[0]![1]).toBe(table.indexOf('\r\n') + 2);
    expect(places.at(-1)![2]).toBe(table.length);
    for (const [i, at] of places.entries()) if (i) expect(at[1]).toBe(places[i - 1]![2]);
    for (const [id, [, a, b]] of Object.entries(parts)) {
      const rows = table.subarray(a, b).toString('utf8').split('\r\n').slice(0, -1);
      expect(rows.length, id).toBeGreaterThan(0);
      for (const row of rows) expect(row.startsWith(`${id},`), id).toBe(true);
    }

    // A statement of the Chips Dialogue (older than the newest statement): the other partnerships' files are kept.
    writeFileSync(
      join(corpus, '2025-04-01_vl-nh-chips-dialogue-readout.md'),
      '---\ntitle: "Readout of the Third Valmora-Nordhaven Chips Dialogue"\ndate: 2025-04-01\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nThe two governments will set up a joint early-warning desk for shortages of legacy chips by the end of 2025.\n',
    );
    const added = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    expect(added.keptFiles).toBeGreaterThanOrEqual(3);
    expect(added.keptFiles).toBeLessThan(4 * profiles.length);
    // The other partnerships' rows of the evidence table are copied, as their files are kept.
    expect(added.keptParts).toBe(added.keptFiles! / 4);
    const again = JSON.parse(readFileSync(kept(cacheDir, out), 'utf8')) as { files: Record<string, { inputs: string }> };
    expect(again.files['profiles/NH-KS-TC.md']!.inputs).toBe(record.files['profiles/NH-KS-TC.md']!.inputs);
    expect(again.files['profiles/VL-NH-CD.md']!.inputs).not.toBe(record.files['profiles/VL-NH-CD.md']!.inputs);
    await sameAsFresh(corpus, out);
    // The new index page reads every evidence file, those kept among them: the statement added moved the
    // statements after it in the corpus, and a file tells the page's commitments by their statements' ids.
    const pageData = reportPageData(out);
    for (const f of readdirSync(join(out, 'report', 'evidence'))) expect(view.attachEvidence(pageData, reportEvidence(out, f.replace(/\.js$/, ''))), f).toBe(true);

    // A profile edited in out/ is not the file recorded: it is made again.
    const council = join(out, 'profiles', 'NH-KS-TC.md');
    const right = readFileSync(council);
    writeFileSync(council, Buffer.concat([right.subarray(0, right.length - 4), Buffer.from('XXXX')]));
    writeFileSync(join(corpus, '2025-04-02_vl-nh-chips-dialogue-note.md'), '---\ntitle: "Note on the Chips Dialogue"\ndate: 2025-04-02\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nBoth sides will publish a shared glossary of export-control terms.\n');
    const edited = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    expect(edited.keptFiles).toBeGreaterThanOrEqual(2);
    expect(edited.keptParts).toBeGreaterThanOrEqual(1);
    expect(readFileSync(council).equals(right)).toBe(true);
    await sameAsFresh(corpus, out);

    // An evidence table edited in out/ (its size kept) is not the file recorded: no row is copied from it.
    const evidence = join(out, 'tables', 'evidence.csv');
    const rows = readFileSync(evidence);
    writeFileSync(evidence, Buffer.concat([rows.subarray(0, rows.length - 4), Buffer.from('XXXX')]));
    writeFileSync(join(corpus, '2025-04-03_vl-nh-chips-dialogue-aside.md'), '---\ntitle: "Aside on the Chips Dialogue"\ndate: 2025-04-03\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nBoth sides will fund a chip design contest for students.\n');
    const retyped = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    expect(retyped.keptFiles).toBeGreaterThanOrEqual(2);
    expect(retyped.keptParts).toBe(0);
    await sameAsFresh(corpus, out);
    rmSync(join(corpus, '2025-04-03_vl-nh-chips-dialogue-aside.md'));

    // A damaged record: every file is made.
    writeFileSync(kept(cacheDir, out), '{"version": 1, "files": ');
    rmSync(join(corpus, '2025-04-02_vl-nh-chips-dialogue-note.md'));
    expect((await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet })).keptFiles).toBe(0);
    await sameAsFresh(corpus, out);

    // An analyst's decision on a passage of the Council: its files are made again, with the decision.
    const docsOut = join(tmp('accords-keep-docs'), 'out');
    const docs = (await runPipeline({ ...config, cacheDir }, { corpus, out: docsOut, ...quiet, needDocs: true })).docs;
    // Each output folder has its record; the record of a folder that is gone is removed by the next
    // run once it has not been written for a month (not at once: a folder may be missing for a while).
    expect(existsSync(kept(cacheDir, docsOut))).toBe(true);
    rmSync(docsOut, { recursive: true });
    await runPipeline({ ...config, cacheDir }, { corpus, out: join(tmp('accords-keep-other'), 'out'), ...quiet });
    expect(existsSync(kept(cacheDir, docsOut))).toBe(true);
    const monthAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    utimesSync(kept(cacheDir, docsOut), monthAgo, monthAgo);
    const d = docs.find((x) => x.partnerships.includes('NH-KS-TC'))!;
    const p = d.passages.find((x) => x.tags.objectives.length === 1)!;
    const store = new ReviewStore(join(tmp('accords-keep-db'), 'r.sqlite'));
    store.add({ docKey: docKeyOf(d), docHash: d.id, docFile: d.path, passageKey: passageKeyOf(p.text), passageId: p.id, text: p.text, reviewer: 'ana', action: 'correct', before: labelsOf(p.tags), after: { objectives: [{ objective: 'workforce', grade: 'completed', subcategories: [] }], domains: [], governance: false, governanceGrade: null }, rules: [], evidence: evidenceOf(p.tags) });
    const reviewed = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet, reviews: store });
    expect(reviewed.keptFiles).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(out, 'profiles', 'NH-KS-TC.json'), 'utf8')).toContain('set by ana');
    expect(existsSync(kept(cacheDir, docsOut))).toBe(false);
    await sameAsFresh(corpus, out, store);
    // And without it again (the decision no longer applied).
    await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    expect(readFileSync(join(out, 'profiles', 'NH-KS-TC.json'), 'utf8')).not.toContain('set by ana');
    await sameAsFresh(corpus, out);
    store.close();

    // A statement months newer than all others changes the age every profile shows (to a tenth of a year): no
    // profile or page is kept. The evidence table and the evidence files show no age: the other partnerships'
    // rows are copied and their evidence files kept.
    writeFileSync(join(corpus, '2026-06-01_vl-nh-chips-dialogue-update.md'), '---\ntitle: "Chips Dialogue update"\ndate: 2026-06-01\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nThe desk has started its work.\n');
    const months = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    expect(months.keptFiles).toBe(profiles.length - 1);
    expect(months.keptParts).toBe(profiles.length - 1);
    await sameAsFresh(corpus, out);
    // Two days newer still: no age changes, so the other partnerships' JSON profiles and pages are
    // kept; their Markdown profiles, which print the newest statement's date, are made again.
    const before = JSON.parse(readFileSync(kept(cacheDir, out), 'utf8')) as { files: Record<string, { inputs: string }> };
    writeFileSync(join(corpus, '2026-06-03_vl-nh-chips-dialogue-note.md'), '---\ntitle: "Chips Dialogue note"\ndate: 2026-06-03\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nThe desk will report each quarter.\n');
    const newer = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
    const after = JSON.parse(readFileSync(kept(cacheDir, out), 'utf8')) as { files: Record<string, { inputs: string }> };
    const others = profiles.filter((id) => id !== 'VL-NH-CD');
    for (const id of others) {
      expect(after.files[`profiles/${id}.json`]!.inputs, id).toBe(before.files[`profiles/${id}.json`]!.inputs);
      expect(after.files[`report/partnerships/${id}.html`]!.inputs, id).toBe(before.files[`report/partnerships/${id}.html`]!.inputs);
      expect(after.files[`profiles/${id}.md`]!.inputs, id).not.toBe(before.files[`profiles/${id}.md`]!.inputs);
      expect(after.files[`report/evidence/${id}.js`]!.inputs, id).toBe(before.files[`report/evidence/${id}.js`]!.inputs);
    }
    expect(after.files['profiles/VL-NH-CD.json']!.inputs).not.toBe(before.files['profiles/VL-NH-CD.json']!.inputs);
    expect(newer.keptFiles).toBe(3 * others.length);
    expect(newer.keptParts).toBe(others.length);
    expect(readFileSync(join(out, 'profiles', 'NH-KS-TC.md'), 'utf8')).toContain('2026-06-03');
    await sameAsFresh(corpus, out);
    rmSync(join(corpus, '2026-06-03_vl-nh-chips-dialogue-note.md'));
    expect((await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet })).keptFiles).toBe(3 * others.length);
    await sameAsFresh(corpus, out);

    // The outputs are the folder the run put in place (its files flushed then, so files linked from
    // them need not be flushed again); files restored into it, or a copy put in its place, are not.
    expect(await (await KeptOutputs.open(kept(cacheDir, out))).sameFolder(out)).toBe(true);
    let touches = 0;
    const flushedLinks = async () => {
      // The files flushed during a run that are links (to the previous outputs' files).
      const probe = await open(join(out, 'run-report.json'), 'r');
      const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
      await probe.close();
      const linked: string[] = [];
      const spy = vi.spyOn(proto, 'sync').mockImplementation(async function (this: { fd: number }) {
        const st = fstatSync(this.fd);
        if (st.isFile() && st.nlink > 1) linked.push(readlinkSync(`/proc/self/fd/${this.fd}`));
        return fsyncSync(this.fd);
      });
      try {
        // A statement that changes at every call, so that each call runs.
        touches++;
        writeFileSync(join(corpus, 'zz-touch.md'), `---\ntitle: "A note"\ndate: 2025-01-0${touches}\npartnership: Valmora-Nordhaven Chips Dialogue\n---\n\nBoth sides will meet again.\n`);
        await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet });
      } finally {
        spy.mockRestore();
      }
      return linked;
    };
    expect(await flushedLinks()).toEqual([]);
    // Files restored into the folder (their times put back, as cp -a does): the links to them are flushed.
    const backup = `${out}.bak`;
    cpSync(out, backup, { recursive: true, preserveTimestamps: true });
    rmSync(join(out, 'report', 'documents'), { recursive: true });
    cpSync(backup, out, { recursive: true, preserveTimestamps: true });
    expect(await (await KeptOutputs.open(kept(cacheDir, out))).sameFolder(out)).toBe(false);
    expect((await flushedLinks()).length).toBeGreaterThan(0);
    expect(await (await KeptOutputs.open(kept(cacheDir, out))).sameFolder(out)).toBe(true);
    expect(await flushedLinks()).toEqual([]);
    rmSync(join(corpus, 'zz-touch.md'));
    cpSync(out, `${out}.copy`, { recursive: true, preserveTimestamps: true });
    rmSync(out, { recursive: true });
    renameSync(`${out}.copy`, out);
    expect(await (await KeptOutputs.open(kept(cacheDir, out))).sameFolder(out)).toBe(false);
    rmSync(join(corpus, '2026-06-01_vl-nh-chips-dialogue-update.md'));
    expect((await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet })).keptFiles).toBe(0);
    await sameAsFresh(corpus, out);
  });

  it("parts of a file are read from a record only when well formed, within the file, and the file is still the one recorded", async () => {
    const dir = tmp('accords-parts-record');
    const prev = join(dir, 'out');
    mkdirSync(join(prev, 'tables'), { recursive: true });
    const file = join(prev, 'tables', 'evidence.csv');
    writeFileSync(file, 'head\r\nKS,1\r\nNH,2\r\n');
    const st = statSync(file, { bigint: true });
    const id = { ino: String(st.ino), size: String(st.size), mtime: String(st.mtimeNs) };
    const record = join(dir, 'record.json');
    writeFileSync(
      record,
      JSON.stringify({
        version: 3,
        files: {
          'tables/evidence.csv': { ...id, parts: { KS: ['a', 6, 12], NH: ['b', 12, 18], VL: ['c', 18, 40] } },
          'tables/backwards.csv': { ...id, parts: { KS: ['a', 12, 6] } },
          'tables/short.csv': { ...id, parts: { KS: ['a', 6] } },
          'tables/undigested.csv': { ...id, parts: { KS: [0, 6, 12] } },
          // Whole-file inputs beside damaged parts: the parts are not trusted for it.
          'tables/both.csv': { ...id, inputs: 'x', parts: { KS: ['a', -6, 12] } },
        },
      }),
    );
    // The other names are the same file (a link), so that only their records differ.
    for (const name of ['backwards.csv', 'short.csv', 'undigested.csv', 'both.csv']) linkSync(file, join(prev, 'tables', name));
    const kept = await KeptOutputs.open(record);
    expect([...(await kept.partsOf('tables/evidence.csv', prev)).entries()]).toEqual([
      ['KS', ['a', 6, 12]],
      ['NH', ['b', 12, 18]],
    ]);
    for (const name of ['tables/backwards.csv', 'tables/short.csv', 'tables/undigested.csv', 'tables/both.csv']) expect((await kept.partsOf(name, prev)).size, name).toBe(0);
    expect((await kept.partsOf('tables/evidence.csv', undefined)).size).toBe(0);
    // Rewritten since (the same size): none of its parts is where the record says.
    writeFileSync(file, 'head\r\nKS,3\r\nNH,4\r\n');
    utimesSync(file, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    expect((await kept.partsOf('tables/evidence.csv', prev)).size).toBe(0);
  });

  it('follow each part of what a partnership is made from: the scope, statements that only name it, codes, and which partnerships have pages', async () => {
    const corpus = tmp('accords-keep2');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const cacheDir = tmp('accords-keep2-cache');
    const out = join(tmp('accords-keep2-out'), 'out');
    const run = async (cfg = config) => (await runPipeline({ ...cfg, cacheDir }, { corpus, out, ...quiet })).keptFiles;
    const statement = (name: string, date: string, partnership: string, text: string) => writeFileSync(join(corpus, name), `---\ntitle: "${name}"\ndate: ${date}\npartnership: ${partnership}\n---\n\n${text}\n`);
    // A Council statement with evidence for the Chips Dialogue, and a later one of the Council.
    statement('s1.md', '2025-03-01', 'Nordhaven-Kestria Technology Council', 'The council and the Valmora-Nordhaven Chips Dialogue will fund a joint chip design school by 2026.');
    statement('s2.md', '2025-12-01', 'Nordhaven-Kestria Technology Council', 'The council will publish a skills plan for chip technicians.');
    await run();

    // Another scope, into the same outputs.
    const scoped = { ...config, matrix: { domain: null, from: '2025-01-01', until: null } };
    await run(scoped);
    await sameAsFresh(corpus, out, undefined, scoped);
    await run();
    await sameAsFresh(corpus, out);

    // A statement that only names the Dialogue (no evidence for it): the Dialogue's profile lists it.
    statement('s3.md', '2025-04-01', 'Nordhaven-Kestria Technology Council', 'Ministers met in Kestria. They recalled the Valmora-Nordhaven Chips Dialogue.');
    expect(await run()).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'profiles', 'VL-NH-CD.md'), 'utf8')).toContain('s3.md');
    await sameAsFresh(corpus, out);

    // The Council's later statement moved before s1: s1's Council code changes, and the Dialogue cites s1 by it.
    statement('s2.md', '2024-01-01', 'Nordhaven-Kestria Technology Council', 'The council will publish a skills plan for chip technicians.');
    expect(await run()).toBeGreaterThan(0);
    await sameAsFresh(corpus, out);

    // A partnership with a page of its own for the first time: a parent's page links its child.
    statement('s4.md', '2025-05-01', 'IN-US', 'India and the United States will open a joint semiconductor packaging centre in 2026.');
    await run();
    statement('s5.md', '2025-06-01', 'IN-US-CD', 'The commercial dialogue will hold a trade mission on chip equipment in 2026.');
    await run();
    expect(readFileSync(join(out, 'report', 'partnerships', 'IN-US.html'), 'utf8')).toContain('href="IN-US-CD.html"');
    await sameAsFresh(corpus, out);
    // --full makes everything again.
    const full = await runPipeline({ ...config, cacheDir }, { corpus, out, ...quiet, full: true });
    expect(full.keptFiles).toBe(0);
    expect(full.keptParts).toBe(0);
  });
});

describe("a statement's page from its cache entry", () => {
  it('puts the citation codes between its bytes where the text would put them between its characters', () => {
    expect(byteOf(Buffer.from('abc'), 0)).toBe(0);
    expect(byteOf(Buffer.from('abc'), 3)).toBe(3);
    expect(byteOf(Buffer.from('abc'), 4)).toBeUndefined();
    expect(byteOf(Buffer.from('a’b'), 2)).toBe(4);
    expect(byteOf(Buffer.from('x😀y'), 1)).toBe(1);
    // Between the two units of a character outside the BMP: no byte is there.
    expect(byteOf(Buffer.from('x😀y'), 2)).toBeUndefined();
    expect(byteOf(Buffer.from('x😀y'), 3)).toBe(5);
    // Not UTF-8 (a damaged entry): the page is decoded instead, as before.
    expect(byteOf(Buffer.from([0x61, 0xff, 0x62]), 1)).toBeUndefined();
    expect(byteOf(Buffer.from([0x61, 0xe2, 0x80]), 1)).toBeUndefined();
    // Against the text's own splice, on random pages and places.
    const alphabet = ['a', 'Z', ' ', '<', '’', 'é', '—', '声', '😀', '\n', '\u0000'];
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let k = 0; k < 2000; k++) {
      let page = '';
      for (let n = rnd(40); n > 0; n--) page += alphabet[rnd(alphabet.length)];
      const at = rnd(page.length + 1);
      const bytes = Buffer.from(page);
      const byte = byteOf(bytes, at);
      const inPair = at > 0 && at < page.length && (page.charCodeAt(at) & 0xfc00) === 0xdc00;
      expect(byte === undefined, `${JSON.stringify(page)} at ${at}`).toBe(inPair);
      if (byte !== undefined) expect(Buffer.concat([bytes.subarray(0, byte), Buffer.from('[C1]'), bytes.subarray(byte)]).toString()).toBe(page.slice(0, at) + '[C1]' + page.slice(at));
    }
  });
});
