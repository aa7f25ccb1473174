import { describe, expect, it, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewStore, attach, exportGold, importGold, reviewStats, passageKeyOf, docKeyOf, labelsOf } from '../src/review/index.js';
import { startReviewServer } from '../src/web/index.js';
import { runPipeline, type RunSummary } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { ROOT, tmp } from './helpers.js';

const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('review-cache') };

let corpus: string;
let summary: RunSummary;
beforeAll(async () => {
  corpus = tmp('review-corpus');
  cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
  summary = await runPipeline(config, { corpus, out: join(tmp('review-out'), 'out'), log: () => {}, needDocs: true });
});

const tagged = () => summary.docs.flatMap((d) => d.passages.filter((p) => p.tags.objectives.length).map((p) => ({ d, p })));
const decide = (store: ReviewStore, i: number, action: 'accept' | 'reject' | 'correct', after?: Parameters<ReviewStore['add']>[0]['after']) => {
  const { d, p } = tagged()[i]!;
  return store.add({ docKey: docKeyOf(d), docHash: d.id, passageKey: passageKeyOf(p.text), passageId: p.id, text: p.text, reviewer: 'ana', action, before: labelsOf(p.tags), ...(after ? { after } : {}), rules: p.tags.evidence.map((e) => e.ruleId) });
};

describe('the review store', () => {
  it('is append-only and undo falls back to the previous decision', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const first = decide(store, 0, 'accept');
    const second = decide(store, 0, 'reject');
    const { d, p } = tagged()[0]!;
    expect(store.current(docKeyOf(d), passageKeyOf(p.text))?.seq).toBe(second.seq);
    store.undo(docKeyOf(d), passageKeyOf(p.text), 'ana');
    expect(store.current(docKeyOf(d), passageKeyOf(p.text))?.seq).toBe(first.seq);
    expect(store.history().map((x) => x.action)).toEqual(['accept', 'reject', 'undo']);
    store.close();
  });

  it('decisions re-attach after a re-run; a changed passage becomes stale, never misapplied', async () => {
    const dbFile = join(tmp('db'), 'r.sqlite');
    const store = new ReviewStore(dbFile);
    const all = tagged();
    const idx = all.findIndex(({ d }) => d.path.endsWith('2024-09-10_vl-nh-chips-dialogue-joint-statement.md'));
    const target = all[idx]!;
    decide(store, idx, 'reject');
    // Edit the document elsewhere: its content hash changes, this passage does not.
    const file = join(corpus, '2024-09-10_vl-nh-chips-dialogue-joint-statement.md');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\nThe two sides will meet again next year.\n`);
    const rerun = await runPipeline(config, { corpus, out: join(tmp('review-out'), 'out'), log: () => {}, needDocs: true });
    let a = attach(rerun.docs, store);
    expect(a.byPassage.size).toBe(1);
    expect(a.stale).toHaveLength(0);
    // Now change the passage's own words: the decision is stale.
    writeFileSync(file, original.replace(target.p.text.split(' ').slice(0, 6).join(' ').replace(/\s+/g, ' '), 'Changed words here entirely so'));
    const rerun2 = await runPipeline(config, { corpus, out: join(tmp('review-out'), 'out'), log: () => {}, needDocs: true });
    a = attach(rerun2.docs, store);
    expect(a.byPassage.size).toBe(0);
    expect(a.stale).toHaveLength(1);
    writeFileSync(file, original);
    store.close();
  });

  it('export writes gold JSONL that import reads back; stats rank rejected rules', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    decide(store, 1, 'reject');
    decide(store, 2, 'correct', { objectives: [{ objective: 'workforce', grade: 'explore' }], domains: [], governance: false });
    const text = exportGold(store);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[1]).toMatchObject({ objectives: ['workforce'], grades: { workforce: 'explore' } });
    expect(lines[0].text).toBe(tagged()[1]!.p.text);
    const f = join(tmp('export'), 'd.jsonl');
    writeFileSync(f, text);
    const other = new ReviewStore(join(tmp('db'), 'r2.sqlite'));
    return importGold(other, f).then(async (r) => {
      expect(r).toEqual({ added: 2, skipped: 0 });
      expect(await importGold(other, f)).toEqual({ added: 0, skipped: 2 });
      expect(exportGold(other).trim().split('\n').map((l) => JSON.parse(l).objectives)).toEqual(lines.map((l) => l.objectives));
      expect(reviewStats(store)).toMatch(/rules analysts reject most/);
      store.close();
      other.close();
    });
  });

  it('outputs use reviewed labels and mark reviewed cells', async () => {
    const dbFile = join(tmp('db'), 'r.sqlite');
    const store = new ReviewStore(dbFile);
    // A cell counts as reviewed when its strongest evidence was: accept every passage of one partnership.
    const all = tagged();
    const id = all[0]!.d.partnerships[0]!;
    all.forEach(({ d }, i) => {
      if (d.partnerships.includes(id)) decide(store, i, 'accept');
    });
    const out = join(tmp('review-out'), 'out');
    await runPipeline(config, { corpus, out, log: () => {}, reviews: store });
    const m = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    const row = m.rows.find((r: { id: string }) => r.id === id);
    const found = Object.values(row.cells as Record<string, { grade: string | null; reviewed: boolean }>).filter((c) => c.grade);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((c) => c.reviewed)).toBe(true);
    store.close();
  });
});

describe('the review server', () => {
  it('refuses writes without the session token and requests for other hosts', async () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const s = await startReviewServer({ docs: summary.docs, store });
    try {
      const r1 = await fetch(`${s.url}api/decide`, { method: 'POST', body: '{}' });
      expect(r1.status).toBe(403);
      const page = await (await fetch(s.url)).text();
      expect(page).toContain('accords review');
      expect(page).toMatch(/content="[0-9a-f]{48}"/);
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve) => {
        const u = new URL(s.url);
        request({ host: u.hostname, port: u.port, path: '/', headers: { host: `attacker.example:${u.port}` } }, (res) => resolve(res.statusCode ?? 0)).end();
      });
      expect(status).toBe(421);
    } finally {
      await s.close();
      store.close();
    }
  });

  it('two reviewers saving at once both persist', async () => {
    const dbFile = join(tmp('db'), 'r.sqlite');
    const store = new ReviewStore(dbFile);
    const s = await startReviewServer({ docs: summary.docs, store });
    try {
      const q = (await (await fetch(`${s.url}api/queue`)).json()) as { items: Array<{ id: string }> };
      const post = (id: string, reviewer: string) =>
        fetch(`${s.url}api/decide`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-accords-token': s.token }, body: JSON.stringify({ id, action: 'accept', reviewer }) }).then((r) => r.json() as Promise<{ ok: boolean }>);
      const [a, b] = await Promise.all([post(q.items[0]!.id, 'ana'), post(q.items[1]!.id, 'ben')]);
      expect(a.ok && b.ok).toBe(true);
    } finally {
      await s.close();
      store.close();
    }
    const again = new ReviewStore(dbFile);
    expect(again.history().map((d) => d.reviewer).sort()).toEqual(['ana', 'ben']);
    again.close();
  });

  it('a decision acknowledged before SIGKILL is not lost', async () => {
    const db = join(tmp('db'), 'killed.sqlite');
    // A config of its own, so the child process writes no cache into the project.
    const cfg = join(tmp('cfg'), 'review.config.mts');
    writeFileSync(cfg, `export default ${JSON.stringify({ rules: join(ROOT, 'rules'), corpus, cacheDir: tmp('child-cache'), out: join(tmp('child-out'), 'out') })};\n`);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'accords.js'), 'review', '--port', '0', '--db', db, '--config', cfg], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (c: Buffer) => {
          buf += c.toString();
          const m = /review page: (\S+)/.exec(buf);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`review server exited with ${code}`)));
        setTimeout(() => reject(new Error('review server did not start')), 30_000);
      });
      const page = await (await fetch(url)).text();
      const token = /accords-token" content="([0-9a-f]+)"/.exec(page)![1]!;
      const q = (await (await fetch(`${url}api/queue`)).json()) as { items: Array<{ id: string; text: string }> };
      const res = await fetch(`${url}api/decide`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-accords-token': token }, body: JSON.stringify({ id: q.items[0]!.id, action: 'reject', reviewer: 'ana', note: 'not a commitment' }) });
      expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const store = new ReviewStore(db);
      const h = store.history();
      expect(h).toHaveLength(1);
      expect(h[0]).toMatchObject({ action: 'reject', reviewer: 'ana', note: 'not a commitment', text: q.items[0]!.text });
      store.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
