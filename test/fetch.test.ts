import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchAll, HttpClient, parseRobots, isAllowed, originalCapture, detectKind, decodeText, parseFeed, retryAfterMs, loadSources, type Sources } from '../src/fetch/index.js';
import { runPipeline } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { startServer, type FixtureServer } from './fixtures/server.js';
import { ROOT, tmp } from './helpers.js';

describe('fetch helpers', () => {
  it('robots.txt: longest match wins, wildcards work', () => {
    const r = parseRobots('User-agent: other\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\nAllow: /private/open$\nDisallow: /*.pdf$\n', 'accords/0.1');
    expect(isAllowed(r, '/statements/a.html')).toBe(true);
    expect(isAllowed(r, '/private/x')).toBe(false);
    expect(isAllowed(r, '/private/open')).toBe(true);
    expect(isAllowed(r, '/files/a.pdf')).toBe(false);
  });
  it('web-archive snapshots are fetched as the original capture', () => {
    expect(originalCapture('https://web.archive.org/web/20230512000000/https://example.org/s.html')).toBe('https://web.archive.org/web/20230512000000id_/https://example.org/s.html');
    expect(originalCapture('https://web.archive.org/web/20230512000000id_/https://example.org/s.html')).toBe('https://web.archive.org/web/20230512000000id_/https://example.org/s.html');
    expect(originalCapture('https://example.org/s.html')).toBe('https://example.org/s.html');
  });
  it('content type comes from the bytes before the header', () => {
    expect(detectKind(Buffer.from('%PDF-1.4 ...'), 'text/html')).toBe('pdf');
    expect(detectKind(Buffer.from('<?xml version="1.0"?><rss>'), 'text/xml')).toBe('feed');
    expect(detectKind(Buffer.from('<!doctype html><p>x'), 'application/octet-stream')).toBe('html');
  });
  it('charsets: declared, then detected', () => {
    const latin = Buffer.from('<p>Gießen coopération</p>', 'latin1');
    expect(decodeText(latin, 'text/html; charset=iso-8859-1').text).toContain('Gießen coopération');
    expect(decodeText(latin, 'text/html').text).toContain('Gießen coopération');
    expect(decodeText(Buffer.from('<meta charset="windows-1252"><p>caf\xe9</p>', 'latin1')).text).toContain('café');
  });
  it('Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
  it('feeds: RSS and Atom items', () => {
    const rss = parseFeed('<rss><channel><item><title>A</title><link>/a</link><guid>1</guid><pubDate>Tue, 03 Mar 2026 09:00:00 GMT</pubDate></item></channel></rss>', 'http://h.test/feed');
    expect(rss).toEqual([{ id: '1', url: 'http://h.test/a', title: 'A', date: '2026-03-03' }]);
    const atom = parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id><title>B</title><link rel="alternate" href="http://h.test/b"/><updated>2026-01-02T00:00:00Z</updated></entry></feed>', 'http://h.test/');
    expect(atom).toEqual([{ id: 'x', url: 'http://h.test/b', title: 'B', date: '2026-01-02' }]);
  });
  it('refuses schemes other than http(s)', async () => {
    const c = new HttpClient({ retries: 0 });
    await expect(c.get('file:///etc/passwd')).rejects.toThrow(/only http and https/);
  });
  it('a broken sources file names the file, line and allowed keys', async () => {
    const f = join(tmp('sources'), 'sources.yaml');
    writeFileSync(f, 'documents:\n  - url: https://example.org/a\n    partnershp: X\n');
    await expect(loadSources(f)).rejects.toThrow(/unknown key "partnershp".*allowed/);
  });
});

describe('fetching from a misbehaving local server', () => {
  let server: FixtureServer;
  let corpus: string;
  let cacheDir: string;
  let sources: Sources;
  let first: Awaited<ReturnType<typeof fetchAll>>;
  // The local server is on 127.0.0.1, which fetching refuses unless private addresses are allowed.
  const http = { retries: 2, backoffMs: 50, timeoutMs: 800, maxBytes: 100_000, concurrency: 4, perHost: 2, allowPrivateAddresses: true };
  const status = (r: typeof first, path: string) => r.items.find((i) => i.url.endsWith(path));

  beforeAll(async () => {
    server = await startServer();
    corpus = tmp('fetch-corpus');
    cacheDir = tmp('fetch-cache');
    const u = (p: string) => `${server.url}${p}`;
    sources = {
      documents: [
        { url: u('/statements/quantum.html'), partnership: 'NH-KS-TC', title: 'Joint Statement on Quantum Cooperation', date: '2026-03-02' },
        { url: u('/mirror/quantum.html'), partnership: 'NH-KS-TC' },
        { url: u('/statements/slow.html') },
        { url: u('/statements/flaky.html'), date: '2026-02-01', title: 'Flaky' },
        { url: u('/statements/busy.html'), date: '2026-02-02', title: 'Busy' },
        { url: u('/loop-a') },
        { url: u('/files/wrong-type'), title: 'Battery memorandum', date: '2026-01-20' },
        { url: u('/files/truncated.pdf'), title: 'Truncated', date: '2026-01-21' },
        { url: u('/files/huge.html') },
        { url: u('/statements/latin1.html'), title: 'Latin-1 page', date: '2026-01-22' },
        { url: u('/private/secret.html') },
        { url: u('/missing.html') },
      ],
      feeds: [{ url: u('/feed.xml'), partnership: 'NH-KS-TC', doc_type: 'readout' }],
    };
    first = await fetchAll(sources, { corpus, cacheDir, http });
  }, 60_000);
  afterAll(async () => {
    await server.close();
  });

  it('completes the batch and names every failure', () => {
    const failed = first.items.filter((i) => i.status === 'failed' || i.status === 'disallowed').map((i) => new URL(i.url).pathname).sort();
    expect(failed).toEqual(['/files/huge.html', '/loop-a', '/missing.html', '/private/secret.html', '/statements/slow.html']);
    for (const i of first.items.filter((x) => x.status === 'failed')) expect(i.error).toBeTruthy();
  });
  it('slow answers time out after retries', () => {
    expect(status(first, '/statements/slow.html')?.error).toMatch(/no answer within 800 ms/);
  });
  it('500 then 200 succeeds on retry', () => {
    expect(status(first, '/statements/flaky.html')).toMatchObject({ status: 'new', attempts: 2 });
  });
  it('429 with Retry-After waits as asked, then succeeds', () => {
    const r = status(first, '/statements/busy.html')!;
    expect(r).toMatchObject({ status: 'new', attempts: 2 });
    expect(r.ms).toBeGreaterThanOrEqual(950);
  });
  it('a redirect loop stops at the redirect limit', () => {
    expect(status(first, '/loop-a')?.error).toMatch(/redirects/);
  });
  it('an oversized body is refused', () => {
    expect(status(first, '/files/huge.html')?.error).toMatch(/exceeds the limit/);
  });
  it('robots.txt is honoured', () => {
    expect(status(first, '/private/secret.html')?.status).toBe('disallowed');
    expect(server.hits.get('/private/secret.html')).toBeUndefined();
  });
  it('a PDF served as HTML is stored as a PDF', () => {
    expect(status(first, '/files/wrong-type')?.file).toMatch(/\.pdf$/);
  });
  it('a Latin-1 page is stored as UTF-8 text', () => {
    const f = status(first, '/statements/latin1.html')!.file!;
    expect(readFileSync(join(corpus, f), 'utf8')).toContain('Gießen');
  });
  it('the same statement at two addresses is stored once and cited with both', () => {
    const a = status(first, '/statements/quantum.html')!;
    const b = status(first, '/mirror/quantum.html')!;
    expect([a.status, b.status].sort()).toEqual(['duplicate', 'new']);
    expect(a.file).toBe(b.file);
    const side = JSON.parse(readFileSync(join(corpus, `${a.file}.meta.json`), 'utf8'));
    expect(side.source_urls.map((x: string) => new URL(x).pathname).sort()).toEqual(['/mirror/quantum.html', '/statements/quantum.html']);
  });
  it('feed items are fetched; a second fetch sends conditional requests and gets only the new item', async () => {
    expect(status(first, '/news/old.html')?.status).toBe('new');
    const before = server.requests.length;
    server.publish();
    const second = await fetchAll(sources, { corpus, cacheDir, http: { ...http, timeoutMs: 300, retries: 0 } });
    expect(status(second, '/news/new.html')?.status).toBe('new');
    expect(status(second, '/news/old.html')).toBeUndefined();
    expect(status(second, '/statements/quantum.html')?.status).toBe('unchanged');
    // robots.txt is kept for a day, so it is not asked for again.
    expect(server.requests.slice(before).filter((r) => r.path === '/robots.txt')).toHaveLength(0);
    const sent = server.requests.slice(before).filter((r) => !r.path.startsWith('/news/new'));
    const okPaths = ['/statements/quantum.html', '/mirror/quantum.html', '/statements/flaky.html', '/statements/busy.html', '/files/wrong-type', '/files/truncated.pdf', '/statements/latin1.html', '/feed.xml'];
    for (const r of sent.filter((x) => okPaths.includes(x.path))) expect(r.conditional, r.path).toBe(true);
  }, 30_000);
  it('the pipeline processes what was fetched, with the listed metadata, and reports the truncated PDF', async () => {
    const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('fetch-docs') };
    // The invented partnership of these statements is in the demo corpus's registry file.
    writeFileSync(join(corpus, 'partnerships.yaml'), readFileSync(join(ROOT, 'corpus', 'partnerships.yaml')));
    const out = join(tmp('fetch-out'), 'out');
    const s = await runPipeline(config, { corpus, out, log: () => {} });
    expect(s.text).toMatch(/truncated.*pdf-broken|pdf-broken.*truncated/is);
    const quantum = s.docs.find((d) => d.meta.title === 'Joint Statement on Quantum Cooperation')!;
    expect(quantum.partnerships).toEqual(['NH-KS-TC']);
    expect(quantum.meta.date).toBe('2026-03-02');
    expect(quantum.text).not.toMatch(/cookies|Related|Privacy|Share:/);
    expect(quantum.passages.some((p) => p.tags.objectives.some((o) => o.objective === 'research'))).toBe(true);
    const battery = s.docs.find((d) => d.meta.title === 'Battery memorandum')!;
    expect(battery.format).toBe('pdf');
    expect(existsSync(join(out, 'run-report.json'))).toBe(true);
  });
});
