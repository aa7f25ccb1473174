import { describe, expect, it, beforeAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../src/cli.js';
import { runPipeline } from '../src/pipeline.js';
import { loadConfig, parseConfig } from '../src/config/index.js';
import { extractFile } from '../src/extract/index.js';
import { ReviewStore, checkReviewStore, labelsOf } from '../src/review/index.js';
import { startReviewServer } from '../src/web/index.js';
import { printable } from '../src/core/printable.js';
import { ROOT, tmp } from './helpers.js';

const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('hostile-input-cache') };
const LIMITS = { maxFileBytes: 8 * 1024 * 1024, minTextChars: 40 };
const TEXT = 'The two ministries will launch a joint research programme on quantum sensors in 2026 and exchange researchers between their national laboratories.';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** A scratch project: a few demo statements plus what the test adds, its own cache, out/ and review store. */
function project(files: Record<string, string | Buffer> = {}): { dir: string; config: string; corpus: string } {
  const dir = tmp('input-project');
  const corpus = join(dir, 'corpus');
  mkdirSync(corpus);
  for (const f of readdirSync(join(ROOT, 'corpus')).filter((n) => n === 'partnerships.yaml' || /nh-ks-technology-council-(launch|fact).*\.md$/.test(n))) cpSync(join(ROOT, 'corpus', f), join(corpus, f));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(corpus, name), content);
  const cfg = join(dir, 'accords.config.mjs');
  writeFileSync(cfg, `export default ${JSON.stringify({ corpus: 'corpus', out: 'out', rules: join(ROOT, 'rules'), cacheDir: '.accords/cache', review: { db: '.accords/reviews.sqlite' } })};\n`);
  return { dir, config: cfg, corpus };
}

const md = (fields: string, body = TEXT) => `---\n${fields}\n---\n\n${body}\n`;

describe('encodings', () => {
  const dir = tmp('encodings');
  const read = async (name: string, bytes: Buffer) => {
    writeFileSync(join(dir, name), bytes);
    return extractFile(join(dir, name), LIMITS);
  };
  const doc = `---\ntitle: Déclaration commune\ndate: 2026-01-05\n---\n\nThe ministers met in Gießen. ${TEXT}\n`;

  it('UTF-16 with a byte-order mark is read, in both byte orders', async () => {
    const le = await read('le.md', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')]));
    expect(le.messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(le.text).toContain('Gießen');
    expect(le.meta.title).toBe('Déclaration commune');
    expect(le.messages.map((m) => m.code)).toContain('extract/utf16');
    const be = Buffer.from(doc, 'utf16le').swap16();
    const r = await read('be.md', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    expect(r.text).toContain('Gießen');
  });

  it('Latin-1 is read as such, with a warning naming the file', async () => {
    const r = await read('latin1.md', Buffer.from(doc, 'latin1'));
    expect(r.text).toContain('Gießen');
    expect(r.text).not.toContain('\uFFFD');
    const w = r.messages.find((m) => m.code === 'extract/latin1')!;
    expect(w).toMatchObject({ severity: 'warning', file: join(dir, 'latin1.md') });
  });

  it('invalid bytes in UTF-8 text are replaced, counted and warned about', async () => {
    const bytes = Buffer.concat([Buffer.from(doc.replace('Gießen', 'Gießen caf'), 'utf8'), Buffer.from([0xe9, 0x20, 0xff]), Buffer.from(' end.\n')]);
    const r = await read('mixed.md', bytes);
    expect(r.messages.find((m) => m.code === 'extract/replaced-bytes')?.message).toMatch(/2 places/);
    expect(r.text).toContain('Gießen');
  });

  it('NUL and other control bytes never reach passages', async () => {
    const bytes = Buffer.from(doc.replace('ministers met', 'ministers\u0000 met\u0007'), 'utf8');
    const r = await read('nul.md', bytes);
    expect(r.text).not.toMatch(/[\u0000-\u0008]/);
    expect(r.messages.find((m) => m.code === 'extract/control-chars')?.message).toMatch(/2 removed/);
    // Binary data is still refused as binary.
    expect((await read('junk.md', Buffer.alloc(4000, 0))).messages.map((m) => m.code)).toContain('extract/binary');
  });
});

describe('front matter is checked as it enters', () => {
  it('a mapping where an address belongs is dropped with a warning, never shown as [object Object]', async () => {
    const p = project({ '2026-02-01_object-url.md': md('title: Object address\ndate: 2026-02-01\npartnership: NH-KS-TC\nsource_url: {a: 1}\npublisher: [1, 2]') });
    const r = await cli(['run', '--config', p.config, '--quiet']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/2026-02-01_object-url\.md: warning \[meta\/bad-field\] .*source_url: must be an address written as text/);
    expect(r.out).toMatch(/publisher: must be text/);
    const all = readdirSync(join(p.dir, 'out'), { recursive: true }).filter((f) => /\.(md|json|jsonl|csv|html)$/.test(String(f)));
    for (const f of all) expect(readFileSync(join(p.dir, 'out', String(f)), 'utf8'), String(f)).not.toContain('[object Object]');
  });

  it('a date that does not exist is refused; a javascript: address is kept as text, never linked', async () => {
    const p = project({ '2026-02-02_bad-date.md': md('title: Impossible date\ndate: 2024-13-45\npartnership: NH-KS-TC\nsource_url: "javascript:alert(1)"') });
    const r = await cli(['run', '--config', p.config, '--quiet']);
    expect(r.out).toMatch(/2026-02-02_bad-date\.md: warning \[meta\/bad-date\] .*"2024-13-45" is not a real date/);
    expect(r.out).toMatch(/warning \[meta\/bad-url\] source_url is not an http\(s\) address/);
    const passages = readFileSync(join(p.dir, 'out', 'passages.jsonl'), 'utf8');
    expect(passages).not.toContain('2024-13-45');
    const profile = readFileSync(join(p.dir, 'out', 'profiles', 'NH-KS-TC.md'), 'utf8');
    expect(profile).not.toContain('](javascript:');
  });

  it('a file name that looks like Markdown never becomes a link or markup in a profile', async () => {
    const name = '2026-02-05_[click](javascript:alert(1)) <b>x.md';
    const p = project({ [name]: md('title: "A title with [a link](javascript:alert(2)) and <script>x</script>"\ndate: 2026-02-05\npartnership: NH-KS-TC') });
    const r = await cli(['run', '--config', p.config, '--quiet']);
    expect(r.code, r.err).toBe(0);
    const profile = readFileSync(join(p.dir, 'out', 'profiles', 'NH-KS-TC.md'), 'utf8');
    const line = profile.split('\n').find((l) => l.includes('A title with'))!;
    expect(line).toContain('\\[click\\](javascript:alert(1)) \\<b\\>x.md');
    expect(line).toContain('\\[a link\\](javascript:alert(2)) and \\<script\\>');
    expect(profile).not.toMatch(/[^\\]\]\(javascript:/);
    expect(profile).not.toMatch(/<(b|script)>/);
  });

  it("a duplicate's own warnings are reported, not dropped", async () => {
    const p = project({
      '2026-02-03_first.md': md('title: Twice\ndate: 2026-02-03\npartnership: NH-KS-TC'),
      '2026-02-04_second.md': md('title: Twice\ndate: 2026-02-31\npartnership: NH-KS-TC\nsourse: typo'),
    });
    const r = await cli(['run', '--config', p.config, '--quiet']);
    expect(r.out).toMatch(/2026-02-04_second\.md: same statement as .*2026-02-03_first\.md/);
    expect(r.out).toMatch(/2026-02-04_second\.md: warning \[meta\/bad-date\]/);
    expect(r.out).toMatch(/2026-02-04_second\.md: warning \[meta\/unknown-field\] .*"sourse"/);
    const report = JSON.parse(readFileSync(join(p.dir, 'out', 'run-report.json'), 'utf8'));
    expect(report.duplicates[0].messages.map((m: { code: string }) => m.code).sort()).toEqual(['meta/bad-date', 'meta/unknown-field']);
  });
});

describe('command-line flags are checked as they enter', () => {
  it('dates must be real, and a range in order', async () => {
    expect(await cli(['run', '--from', '2022-02-30', '--quiet'])).toMatchObject({ code: 2, err: expect.stringContaining('--from must be a real date, and 2022-02-30 is not one') });
    expect((await cli(['run', '--until', '2022/02/01'])).err).toContain('--until must be a date written YYYY-MM-DD');
    expect(await cli(['run', '--from', '2024-01-01', '--until', '2023-01-01'])).toMatchObject({ code: 2, err: expect.stringContaining('the date range is backwards: from 2024-01-01 until 2023-01-01') });
    expect(() => parseConfig({ matrix: { from: '2023-02-29' } })).toThrow(/matrix\.from: must be a real date/);
    expect(() => parseConfig({ matrix: { from: '2024-01-01', until: '2023-01-01' } })).toThrow(/from must not be after until/);
  });
  it('numbers must be whole and in range; unknown options are named', async () => {
    expect((await cli(['review', '--port', '99999'])).err).toContain('--port must be a port number (0 to 65535), got "99999"');
    expect((await cli(['eval', '--folds', '1.5'])).err).toContain('--folds must be a whole number of at least 2');
    expect((await cli(['explain', '--file', 'x.md', '--at', '-3'])).code).toBe(2);
    const r = await cli(['tag', '--from', '2024-01-01']);
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/Unknown option '--from'[\s\S]*see accords tag --help/) });
  });
});

describe('names from outside are printed safely', () => {
  it('a file name with terminal escape sequences and a line break is shown escaped', async () => {
    const name = 'evil\u001b[2J\u001b]0;owned\u0007\nFAKE: all good.md';
    const p = project({ [name]: '' });
    const r = await cli(['run', '--config', p.config]);
    const all = r.out + r.err;
    expect(all).not.toMatch(/[\u001b\u0007]/);
    expect(all).toContain(printable(name));
    expect(all.split('\n').some((l) => l.startsWith('FAKE'))).toBe(false);
    expect(all).toContain('evil\\u001b[2J');
  });
});

describe('a corpus that cannot be read in part', () => {
  it('a pipe named like a statement is skipped with a message; the rest is processed', async () => {
    const p = project();
    const { spawnSync } = await import('node:child_process');
    expect(spawnSync('mkfifo', [join(p.corpus, 'pipe.md')]).status).toBe(0);
    const r = await cli(['run', '--config', p.config, '--quiet']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/pipe\.md: error \[extract\/unreadable\] the file could not be read: not a regular file/);
    expect(JSON.parse(readFileSync(join(p.dir, 'out', 'run-report.json'), 'utf8')).documents.length).toBe(2);
  }, 20_000);
});

describe('a damaged review store', () => {
  let p: ReturnType<typeof project>;
  let db: string;
  let before: string;
  const digest = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

  beforeAll(async () => {
    p = project();
    db = join(p.dir, '.accords', 'reviews.sqlite');
    mkdirSync(join(p.dir, '.accords'), { recursive: true });
    const store = new ReviewStore(db);
    const labels = { objectives: [{ objective: 'research' as const, grade: 'commit' as const }], domains: [], governance: false };
    for (let i = 0; i < 400; i++) store.add({ docKey: `d${i}`, docHash: 'h', passageKey: `p${i}`, passageId: `x${i}`, text: `A passage of some length, number ${i}, `.repeat(4), reviewer: 'ana', action: 'correct', before: labels, after: labels });
    store.close();
    // A valid header and broken pages: what a disk error or a half-copied file leaves.
    const bytes = readFileSync(db);
    for (let off = 4096 * 2; off < bytes.length; off += 4096) bytes.fill(0xab, off + 8, off + 600);
    writeFileSync(db, bytes);
    before = digest(db);
  });

  it('is detected by its integrity check', () => {
    expect(checkReviewStore(db)).toMatch(/problems? found by SQLite's integrity check|malformed/);
  });

  it('run still writes the outputs from automatic tags, says reviews were not applied, and leaves the file as it was', async () => {
    const r = await cli(['run', '--config', p.config, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/reviews\.sqlite: the review database is damaged/);
    expect(r.err).toMatch(/hint: accords leaves .*reviews\.sqlite untouched/);
    expect(r.out).toMatch(/reviews NOT applied: .*reviews\.sqlite is damaged/);
    expect(r.err).not.toMatch(/\n\s+at /);
    const report = JSON.parse(readFileSync(join(p.dir, 'out', 'run-report.json'), 'utf8'));
    expect(report.reviews).toMatchObject({ applied: false });
    expect(existsSync(join(p.dir, 'out', 'matrix.md'))).toBe(true);
    expect(digest(db)).toBe(before);
  });

  it('review and reviews stop with the reason and what to do, and leave the file as it was', async () => {
    for (const args of [['review', '--port', '0'], ['reviews', 'stats'], ['reviews', 'export']]) {
      const r = await cli([...args, '--config', p.config]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/the review database is damaged/);
      expect(r.err).toMatch(/sqlite3 .*\.recover/);
    }
    expect(digest(db)).toBe(before);
    const check = new Database(db, { readonly: true });
    check.close();
  });
});

describe('the review API takes known ids and the taxonomy only', () => {
  it('refuses an unknown subcategory, domain or id, and stores nothing', async () => {
    const corpus = tmp('api-corpus');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const summary = await runPipeline(config, { corpus, out: join(tmp('api-out'), 'out'), log: () => {}, needDocs: true });
    const store = new ReviewStore(join(tmp('api-db'), 'reviews.sqlite'));
    const server = await startReviewServer({ docs: summary.docs, store });
    try {
      const passage = summary.docs.flatMap((d) => d.passages).find((x) => x.tags.objectives.length)!;
      const post = (path: string, body: unknown) => fetch(new URL(path, server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-accords-token': server.token }, body: JSON.stringify(body) });
      const labels = labelsOf(passage.tags);
      const bad = { ...labels, objectives: [{ objective: 'research', grade: 'commit', subcategories: ['<img src=x onerror=alert(1)>'] }] };
      const r1 = await post('/api/decide', { id: passage.id, action: 'correct', labels: bad });
      expect(r1.status).toBe(400);
      expect(((await r1.json()) as { error: string }).error).toMatch(/subcategories\.0: (must be one of|unknown subcategory)/);
      const wrongObjective = { ...labels, objectives: [{ objective: 'policy', grade: 'commit', subcategories: ['funding'] }] };
      expect((await post('/api/decide', { id: passage.id, action: 'correct', labels: wrongObjective })).status).toBe(400);
      expect((await post('/api/decide', { id: passage.id, action: 'correct', labels: { ...labels, domains: ['chips'] } })).status).toBe(400);
      expect((await post('/api/decide', { id: 'no-such-id', action: 'accept' })).status).toBe(404);
      expect((await post('/api/decide', { id: { $ne: 1 }, action: 'accept' })).status).toBe(400);
      expect((await post('/api/bulk-accept', { ids: [passage.id, 'no-such-id'] })).status).toBe(400);
      expect(store.history()).toEqual([]);
      const ok = await post('/api/decide', { id: passage.id, action: 'correct', labels: { ...labels, objectives: [{ objective: 'research', grade: 'commit', subcategories: ['funding'] }] } });
      expect(ok.status).toBe(200);
      expect(store.history()).toHaveLength(1);
    } finally {
      await server.close();
      store.close();
    }
  });

  it('a subcategory outside the taxonomy in the store never reaches the outputs', async () => {
    const corpus = tmp('api-corpus2');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const out = join(tmp('api-out2'), 'out');
    const summary = await runPipeline(config, { corpus, out, log: () => {}, needDocs: true });
    const store = new ReviewStore(join(tmp('api-db2'), 'reviews.sqlite'));
    const d = summary.docs.find((x) => x.passages.some((y) => y.tags.objectives.length))!;
    const passage = d.passages.find((y) => y.tags.objectives.length)!;
    const { docKeyOf, passageKeyOf } = await import('../src/review/index.js');
    store.add({ docKey: docKeyOf(d), docHash: d.id, passageKey: passageKeyOf(passage.text), passageId: passage.id, text: passage.text, reviewer: 'x', action: 'correct', before: labelsOf(passage.tags), after: { objectives: [{ objective: 'research', grade: 'commit', subcategories: ['## Injected heading', 'funding'] as never }], domains: [], governance: false } });
    await runPipeline(config, { corpus, out, log: () => {}, reviews: store, full: true });
    store.close();
    for (const f of readdirSync(out, { recursive: true }).map(String).filter((x) => /\.(md|json|jsonl|csv|html)$/.test(x))) expect(readFileSync(join(out, f), 'utf8'), f).not.toContain('Injected heading');
  });
});

describe('review --host 0.0.0.0', () => {
  it("answers requests addressed to the machine's own name and addresses, and refuses other names", async () => {
    const store = new ReviewStore(':memory:');
    const server = await startReviewServer({ docs: [], store, host: '0.0.0.0' });
    const port = Number(new URL(server.url).port);
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: `/api/queue?token=${server.token}`, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await get(`${hostname()}:${port}`)).toBe(200);
      const own = Object.values(networkInterfaces()).flatMap((l) => l ?? []).map((a) => (a.family === 'IPv6' ? `[${a.address.replace(/%.*$/, '')}]` : a.address));
      for (const a of own) expect(await get(`${a}:${port}`), a).toBe(200);
      expect(await get(`127.0.0.1:${port}`)).toBe(200);
      expect(await get(`evil.example:${port}`)).toBe(421);
      expect(await get(`${hostname()}.evil.example:${port}`)).toBe(421);
    } finally {
      await server.close();
      store.close();
    }
  });
});

describe('help and configuration errors', () => {
  it('each command has its own help', async () => {
    const run = await cli(['run', '--help']);
    const evalHelp = await cli(['eval', '--help']);
    const fetchHelp = await cli(['help', 'fetch']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Usage: accords run /);
    expect(run.out).toContain('--from');
    expect(run.out).not.toContain('--folds');
    expect(evalHelp.out).toMatch(/^Usage: accords eval /);
    expect(evalHelp.out).toContain('--folds');
    expect(fetchHelp.out).toContain('fetch.allowPrivateAddresses');
    expect(new Set([run.out, evalHelp.out, fetchHelp.out, (await cli(['tag', '-h'])).out]).size).toBe(4);
    expect((await cli(['--help'])).out).toContain('accords COMMAND --help');
  });

  it('a syntax error in the config file is reported with the real error and its line', async () => {
    const dir = tmp('bad-config');
    const f = join(dir, 'pipeline.config.mts');
    writeFileSync(f, "export default {\n  corpus: 'corpus',\n  out: 'out'\n  rules: 'rules',\n};\n");
    const r = await cli(['run', '--config', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pipeline\.config\.mts:4: the config file could not be loaded: Expected "}" but found "rules"/);
    const g = join(dir, 'other.config.mts');
    writeFileSync(g, 'export default {\n  corpus: notDefined,\n};\n');
    expect((await cli(['run', '--config', g])).err).toMatch(/other\.config\.mts:2: the config file could not be loaded: notDefined is not defined/);
  });
});
