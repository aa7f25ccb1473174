import { describe, expect, it, beforeAll, vi } from 'vitest';
import { copyFileSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runPipeline, type RunSummary } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { outputsWriter, WorkerPool } from '../src/pool/index.js';
import { Aggregator } from '../src/aggregate/index.js';
import { UserError } from '../src/core/errors.js';
import { takeFlushed } from '../src/core/fsutil.js';
import { ROOT, requireShared, tmp } from './helpers.js';

// The real statements are read from ../shared at test time, never copied into the project.
const shared = requireShared('corpus');

/** Every file under a folder, by relative path. */
function tree(dir: string, base = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tree(p, base, out);
    else out.set(relative(base, p), readFileSync(p));
  }
  return out;
}

/** The run report without its timings, the only thing allowed to differ between runs. */
function untimed(report: Buffer): unknown {
  const r = JSON.parse(report.toString('utf8')) as { seconds?: number; phases?: unknown; documents: Array<{ ms?: number }> };
  delete r.seconds;
  delete r.phases;
  for (const d of r.documents) delete d.ms;
  return r;
}

function expectSameOutputs(a: string, b: string): void {
  const ta = tree(a);
  const tb = tree(b);
  expect([...tb.keys()]).toEqual([...ta.keys()]);
  for (const [name, bytes] of ta) {
    if (name === 'run-report.json') expect(untimed(tb.get(name)!), name).toEqual(untimed(bytes));
    else expect(tb.get(name)!.equals(bytes), `${name} differs`).toBe(true);
  }
}

describe('a run in worker threads', () => {
  const corpus = tmp('workers-corpus');
  const runs: Record<string, { out: string; summary: RunSummary; cacheDir: string }> = {};
  // What the pooled run did, in order: closing its pool of threads and aggregating.
  const steps: string[] = [];
  const closePool = WorkerPool.prototype.close;
  const aggregate = Aggregator.prototype.result;
  beforeAll(async () => {
    // The real statements, one of them twice under another name (a duplicate), and one file that cannot be read as text.
    const files = readdirSync(shared).filter((f) => f.endsWith('.md') && f !== 'README.md');
    mkdirSync(corpus, { recursive: true });
    for (const f of files) copyFileSync(join(shared, f), join(corpus, f));
    copyFileSync(join(shared, files[3]!), join(corpus, `zz-again-${files[3]}`));
    writeFileSync(join(corpus, 'broken.md'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 0, 7, 8, 9].concat(Array(200).fill(0))));
    const base = await loadConfig(join(ROOT, 'pipeline.config.ts'));
    const close = vi.spyOn(WorkerPool.prototype, 'close').mockImplementation(async function (this: WorkerPool) {
      steps.push('close the pool');
      return closePool.call(this);
    });
    const result = vi.spyOn(Aggregator.prototype, 'result').mockImplementation(function (this: Aggregator, scope) {
      steps.push('aggregate');
      return aggregate.call(this, scope);
    });
    try {
      for (const [name, workers] of [['single', 1], ['pool', 2]] as const) {
        const out = join(tmp(`workers-${name}`), 'out');
        const config = { ...base, cacheDir: tmp(`workers-cache-${name}`) };
        if (name === 'pool') steps.length = 0;
        runs[name] = { out, cacheDir: config.cacheDir, summary: await runPipeline(config, { corpus, out, full: true, workers, log: () => {} }) };
      }
    } finally {
      close.mockRestore();
      result.mockRestore();
    }
  }, 240_000);

  it('lets the worker threads go (and their memory) once the statements are done, before aggregation', () => {
    expect(steps[0]).toBe('close the pool');
    expect(steps).toContain('aggregate');
  });

  it('writes byte-identical outputs to a single-threaded run', () => {
    expect(runs['pool']!.summary.documents).toBe(runs['single']!.summary.documents);
    expect(runs['pool']!.summary.passages).toBeGreaterThan(5000);
    expectSameOutputs(runs['single']!.out, runs['pool']!.out);
  });

  it('says in the run report where the time went, phase by phase', () => {
    for (const name of ['single', 'pool']) {
      const report = JSON.parse(readFileSync(join(runs[name]!.out, 'run-report.json'), 'utf8')) as { seconds: number; phases: Record<string, number> };
      expect(Object.keys(report.phases), name).toEqual(['start', 'statements', 'aggregation', 'aggregate files', 'statement files']);
      for (const [phase, s] of Object.entries(report.phases)) expect(s >= 0 && Number.isFinite(s), `${name} ${phase}: ${s}`).toBe(true);
      // The phases follow one another up to the moment the report is written.
      const sum = Object.values(report.phases).reduce((a, b) => a + b, 0);
      expect(sum, name).toBeLessThanOrEqual(report.seconds + 0.001);
      expect(sum, name).toBeGreaterThan(report.seconds - 0.01);
    }
  });

  it('reports the duplicate and the unreadable file the same way', () => {
    const report = JSON.parse(readFileSync(join(runs['pool']!.out, 'run-report.json'), 'utf8')) as { duplicates: unknown[]; documents: Array<{ file: string; status: string }> };
    expect(report.duplicates).toHaveLength(1);
    expect(report.documents.find((d) => d.file.endsWith('broken.md'))?.status).toBe('failed');
  });

  it('writes the same outputs from the cache when a statement was renamed (its page and lines are made again from the cached document)', async () => {
    const files = readdirSync(corpus).filter((f) => f.endsWith('.md') && !f.startsWith('zz-') && f !== 'broken.md');
    renameSync(join(corpus, files[5]!), join(corpus, `renamed-${files[5]}`));
    const base = await loadConfig(join(ROOT, 'pipeline.config.ts'));
    const again: Record<string, string> = {};
    for (const [name, workers] of [['single', 1], ['pool', 2]] as const) {
      const out = join(tmp(`workers-renamed-${name}`), 'out');
      const summary = await runPipeline({ ...base, cacheDir: runs[name]!.cacheDir }, { corpus, out, workers, log: () => {} });
      // Nothing processed again: the renamed statement's content is in the cache.
      expect(summary.processed, name).toBe(0);
      again[name] = out;
    }
    expectSameOutputs(again['single']!, again['pool']!);
    const lines = readFileSync(join(again['pool']!, 'passages.jsonl'), 'utf8');
    expect(lines).toContain(`renamed-${files[5]}`);
  }, 240_000);

  it('gives the documents back, read from the cache, as a single-threaded run does', () => {
    const a = runs['single']!.summary.docs;
    const b = runs['pool']!.summary.docs;
    expect(b.map((d) => d.id)).toEqual(a.map((d) => d.id));
    expect(JSON.stringify(b.map((d) => d.passages.map((p) => p.tags)))).toBe(JSON.stringify(a.map((d) => d.passages.map((p) => p.tags))));
  });
});

describe('the thread writing passages.jsonl and the pages', () => {
  it('tells the run which files it flushed, so that the flush before the swap does not flush them again', async () => {
    const staging = tmp('outputs-flushed');
    mkdirSync(join(staging, 'report', 'documents'), { recursive: true });
    const w = outputsWriter();
    w.begin({ staging, previous: undefined, registryFiles: [join(ROOT, 'rules', 'partnerships.yaml')], registryHash: 'none' });
    w.push([{ kind: 'made', id: 'a', jsonl: '{"text":"The desk opened."}\n', page: '<p>The desk opened.</p>' }]);
    w.end();
    await w.wait();
    expect([...takeFlushed(staging)].map((p) => relative(staging, p)).sort()).toEqual(['passages.jsonl', join('report', 'documents', 'a.html')]);
    // Taken once: a later flush of the folder would flush files written again under those names.
    expect(takeFlushed(staging).size).toBe(0);
  }, 60_000);

  it('starts before it is told where to write, without keeping a process alive that does not use it', async () => {
    // Stopped unused (a run whose statements turned out too few for it).
    const unused = outputsWriter();
    await unused.stop();
    // Never told where to write nor stopped, in a process whose work is over: the process ends.
    const script = join(tmp('outputs-unused'), 'unused.mts');
    writeFileSync(script, `import { outputsWriter } from ${JSON.stringify(join(ROOT, 'src', 'pool', 'index.ts'))};\noutputsWriter();\nconsole.log('started');\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('started');
    // Once told where to write, it keeps the process alive until it is done, and only one place is taken.
    const staging = tmp('outputs-begun');
    mkdirSync(join(staging, 'report', 'documents'), { recursive: true });
    const begun = join(tmp('outputs-begun-script'), 'begun.mts');
    const place = { staging, previous: undefined, registryFiles: [join(ROOT, 'rules', 'partnerships.yaml')], registryHash: 'none' };
    writeFileSync(
      begun,
      `import { outputsWriter } from ${JSON.stringify(join(ROOT, 'src', 'pool', 'index.ts'))};\nconst w = outputsWriter();\nw.begin(${JSON.stringify(place)});\ntry { w.begin(${JSON.stringify(place)}); } catch (err) { console.log(err.message); }\nw.push([{ kind: 'made', id: 'a', jsonl: '{"text":"The desk opened."}\\n', page: '<p>The desk opened.</p>' }]);\nw.end();\nw.wait().then(() => console.log('written'));\n`,
    );
    const b = spawnSync(process.execPath, ['--import', 'tsx', begun], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(b.status).toBe(0);
    expect(b.stdout.trim().split('\n')).toEqual(['the thread writing passages.jsonl was told twice where to write', 'written']);
    expect(readFileSync(join(staging, 'passages.jsonl'), 'utf8')).toBe('{"text":"The desk opened."}\n');
  }, 60_000);

  it('hands back a problem the user can fix as one (a registry made invalid during the run), naming the file', async () => {
    const staging = tmp('outputs-staging');
    mkdirSync(join(staging, 'report', 'documents'), { recursive: true });
    const registry = join(tmp('outputs-registry'), 'partnerships.yaml');
    writeFileSync(registry, 'partnerships: [ {id: X, name: ');
    const w = outputsWriter();
    w.begin({ staging, previous: undefined, registryFiles: [registry], registryHash: 'none' });
    // An entry that cannot give its outputs: the thread reads the registry to make them.
    w.push([{ kind: 'kept', cached: join(staging, 'missing.json'), info: { path: 'a.md', id: 'a' }, codes: [] }]);
    w.end();
    const err = await w.wait().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).file).toBe(registry);
  }, 60_000);
});
