import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns';
import { join } from 'node:path';
import { fetchAll, isAllowed, parseRobots, ruleMatches, privateAddressReason, MAX_TRIES, type Sources, type HttpOptions } from '../src/fetch/index.js';
import { parseConfig } from '../src/config/index.js';
import { main } from '../src/cli.js';
import { startServer, type FixtureServer } from './fixtures/server.js';
import { ROOT, tmp } from './helpers.js';

// Requests in these tests go only to servers on this machine's loopback addresses.
const FAST: Partial<HttpOptions> = { retries: 0, backoffMs: 10, timeoutMs: 2000, concurrency: 4, perHost: 2 };
const LOCAL: Partial<HttpOptions> = { ...FAST, allowPrivateAddresses: true };

/** Run the CLI in this process; returns its exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** A config file for a scratch project: its own corpus, cache and out/. */
function project(extra: Record<string, unknown> = {}): { dir: string; config: string } {
  const dir = tmp('hostile-project');
  const config = join(dir, 'accords.config.mjs');
  const cfg = { corpus: 'corpus', out: 'out', rules: join(ROOT, 'rules'), cacheDir: '.accords/cache', review: { db: '.accords/reviews.sqlite' }, ...extra };
  writeFileSync(config, `export default ${JSON.stringify(cfg, null, 2)};\n`);
  return { dir, config };
}

function statementFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith('.meta.json') && !f.startsWith('.')) : [];
}

describe('robots.txt in bounded time', () => {
  it('a rule with many wildcards is matched in linear time, and correctly', () => {
    const rule = `/${'*a'.repeat(3000)}*b`;
    const path = `/${'a'.repeat(5000)}`;
    const t0 = performance.now();
    expect(ruleMatches(rule, path)).toBe(false);
    expect(ruleMatches(rule, `${path}b`)).toBe(true);
    expect(isAllowed({ allow: [], disallow: [rule] }, path)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('agrees with a plain regular expression on small rules and paths', () => {
    const chars = ['a', 'b', '/', '*'];
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 3000; i++) {
      const rule = `/${Array.from({ length: rnd(6) }, () => chars[rnd(4)]).join('')}${rnd(3) === 0 ? '$' : ''}`;
      const path = `/${Array.from({ length: rnd(7) }, () => chars[rnd(3)]).join('')}`;
      const re = new RegExp(`^${rule.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\\\$$/, '$')}`);
      expect(ruleMatches(rule, path), `${rule} ${path}`).toBe(re.test(path));
    }
  });

  it('reads only the first 500 KiB of a 10 MB robots.txt, with no stack overflow', () => {
    const many = `User-agent: *\nDisallow: /private/\n${'Disallow: /p\n'.repeat(900_000)}`;
    const t0 = performance.now();
    const r = parseRobots(many, 'accords/0.1');
    expect(r.disallow.length).toBeLessThan(50_000);
    expect(isAllowed(r, '/private/x')).toBe(false);
    expect(isAllowed(r, '/statements/a.html')).toBe(true);
    expect(isAllowed(parseRobots(`User-agent: *\nDisallow: /${'a*'.repeat(5_000_000)}\n`, 'accords'), '/a')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  describe('from a server', () => {
    const hostile: Array<[string, string]> = [
      ['many wildcards', `User-agent: *\nDisallow: /private/\nDisallow: /${'*a'.repeat(4000)}*b\n`],
      ['10 MB, one rule', `User-agent: *\nDisallow: /private/\nDisallow: /${'a*'.repeat(5_000_000)}\n`],
      ['10 MB, many rules', `User-agent: *\nDisallow: /private/\n${'Disallow: /*x*y*z\n'.repeat(560_000)}`],
    ];
    for (const [name, robots] of hostile) {
      it(`${name}: the fetch ends, honours the rules it read, and its messages stay short`, async () => {
        const server = await startServer({ robots });
        try {
          const u = (p: string) => `${server.url}${p}`;
          const sources: Sources = { documents: [{ url: u('/statements/quantum.html') }, { url: u(`/${'a'.repeat(3000)}`) }, { url: u('/private/secret.html') }], feeds: [] };
          const t0 = Date.now();
          const r = await fetchAll(sources, { corpus: tmp('robots-corpus'), cacheDir: tmp('robots-cache'), http: LOCAL });
          expect(Date.now() - t0).toBeLessThan(5000);
          expect(r.items.find((i) => i.url.endsWith('/quantum.html'))?.status).toBe('new');
          expect(r.items.find((i) => i.url.endsWith('/secret.html'))?.status).toBe('disallowed');
          for (const i of r.items) expect((i.error ?? '').length, i.url.slice(0, 80)).toBeLessThan(400);
        } finally {
          await server.close();
        }
      }, 5000);
    }
  });
});

describe('a hostile feed', () => {
  let server: FixtureServer;
  let corpus: string;
  let cacheDir: string;
  let sources: Sources;
  let first: Awaited<ReturnType<typeof fetchAll>>;
  const item = (r: typeof first, path: string) => r.items.find((i) => i.url.endsWith(path) || i.url.includes(path));

  beforeAll(async () => {
    server = await startServer();
    corpus = tmp('feed-corpus');
    cacheDir = tmp('feed-cache');
    sources = { documents: [{ url: `${server.url}/statements/quantum.html` }], feeds: [{ url: `${server.url}/hostile-feed.xml`, partnership: 'NH-KS-TC' }] };
    first = await fetchAll(sources, { corpus, cacheDir, http: LOCAL });
  });
  afterAll(() => server.close());

  it('a malformed link is reported with its address and reason, and the rest of the batch completes', () => {
    const broken = item(first, 'http://[::1')!;
    expect(broken).toMatchObject({ status: 'failed', givenUp: true });
    expect(broken.error).toMatch(/not a valid address: http:\/\/\[::1/);
    expect(item(first, 'file:///etc/passwd')?.error).toMatch(/only http and https/);
    expect(item(first, '/news/good.html')?.status).toBe('new');
    expect(item(first, '/statements/quantum.html')?.status).toBe('new');
  });

  it('an item that answers 503 is not marked as seen: it waits for the next run', () => {
    const down = item(first, '/down/statement.html')!;
    expect(down.status).toBe('failed');
    expect(down.error).toMatch(/HTTP 503/);
    expect(down.givenUp).toBeFalsy();
    const state = JSON.parse(readFileSync(join(cacheDir, 'feeds.json'), 'utf8'));
    expect(state[`${server.url}/hostile-feed.xml`]['down']).toMatchObject({ status: 'pending', tries: 1 });
    expect(state[`${server.url}/hostile-feed.xml`]['broken']).toMatchObject({ status: 'given-up' });
  });

  it('the next run fetches it once it is back: zero statements lost', async () => {
    server.recover();
    const before = server.hits.get('/news/good.html') ?? 0;
    const second = await fetchAll(sources, { corpus, cacheDir, http: LOCAL });
    expect(item(second, '/down/statement.html')).toMatchObject({ status: 'new' });
    // Items already fetched or given up are not asked for again.
    expect(server.hits.get('/news/good.html') ?? 0).toBe(before);
    expect(item(second, 'http://[::1')).toBeUndefined();
    const texts = statementFiles(join(corpus, 'fetched')).map((f) => readFileSync(join(corpus, 'fetched', f), 'utf8'));
    for (const words of ['pool their test facilities', 'joint fund for quantum start-ups', 'quantum sensing']) expect(texts.filter((t) => t.includes(words)), words).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(cacheDir, 'feeds.json'), 'utf8'));
    expect(state[`${server.url}/hostile-feed.xml`]['down']).toMatchObject({ status: 'done', tries: 2 });
  });

  it('run --fetch completes and writes out/ despite the bad items, on every run', async () => {
    const { dir, config } = project({ fetch: { allowPrivateAddresses: true, retries: 0 } });
    writeFileSync(join(dir, 'sources.yaml'), `feeds:\n  - url: ${server.url}/hostile-feed.xml\n    partnership: NH-KS-TC\ndocuments:\n  - url: ${server.url}/statements/quantum.html\n    partnership: NH-KS-TC\n    title: Quantum\n    date: 2026-03-02\n`);
    writeFileSync(join(dir, 'partnerships.yaml'), readFileSync(join(ROOT, 'corpus', 'partnerships.yaml')));
    for (let run = 1; run <= 2; run++) {
      const r = await cli(['run', '--fetch', '--config', config, '--sources', join(dir, 'sources.yaml'), '--quiet']);
      if (run === 1) {
        // The bad items are named with their reasons; the exit code says that some failed.
        expect(r.code, r.err).toBe(1);
        expect(r.out).toMatch(/http:\/\/\[::1: failed: .*not a valid address.*given up/);
      } else {
        // Given up on before: not tried again, still listed in the summary.
        expect(r.code, r.err).toBe(0);
        expect(r.out).toMatch(/2 feed item\(s\) given up on, with the reasons, in .*feeds\.json/);
      }
      expect(existsSync(join(dir, 'out', 'run-report.json'))).toBe(true);
      const report = JSON.parse(readFileSync(join(dir, 'out', 'run-report.json'), 'utf8'));
      expect(report.documents.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('the list of seen feed items kept by earlier versions', () => {
  it('is carried over: items listed there are not fetched again, and the old file is removed', async () => {
    const server = await startServer();
    try {
      const cacheDir = tmp('legacy-cache');
      const feed = `${server.url}/hostile-feed.xml`;
      writeFileSync(join(cacheDir, 'feeds-seen.json'), JSON.stringify({ [feed]: ['good', 'down'] }));
      const r = await fetchAll({ documents: [], feeds: [{ url: feed }] }, { corpus: tmp('legacy-corpus'), cacheDir, http: LOCAL });
      expect(server.hits.get('/news/good.html')).toBeUndefined();
      expect(server.hits.get('/down/statement.html')).toBeUndefined();
      expect(r.items.filter((i) => i.feed).map((i) => i.url).sort()).toEqual(['file:///etc/passwd', 'http://[::1']);
      expect(existsSync(join(cacheDir, 'feeds-seen.json'))).toBe(false);
      expect(JSON.parse(readFileSync(join(cacheDir, 'feeds.json'), 'utf8'))[feed]['good'].status).toBe('done');
    } finally {
      await server.close();
    }
  });
});

describe('a feed item that keeps failing', () => {
  it(`is tried on ${MAX_TRIES} runs, then given up on with the reason recorded`, async () => {
    const server = await startServer();
    try {
      const corpus = tmp('giveup-corpus');
      const cacheDir = tmp('giveup-cache');
      const sources: Sources = { documents: [], feeds: [{ url: `${server.url}/hostile-feed.xml` }] };
      let last: Awaited<ReturnType<typeof fetchAll>> | undefined;
      for (let run = 1; run <= MAX_TRIES; run++) {
        last = await fetchAll(sources, { corpus, cacheDir, http: LOCAL });
        const down = last.items.find((i) => i.url.endsWith('/down/statement.html'))!;
        expect(down.tries).toBe(run);
        expect(!!down.givenUp).toBe(run === MAX_TRIES);
      }
      expect(server.hits.get('/down/statement.html')).toBe(MAX_TRIES);
      const state = JSON.parse(readFileSync(join(cacheDir, 'feeds.json'), 'utf8'));
      expect(state[`${server.url}/hostile-feed.xml`]['down'].error).toMatch(/given up after 5 tries: HTTP 503/);
      const after = await fetchAll(sources, { corpus, cacheDir, http: LOCAL });
      expect(server.hits.get('/down/statement.html')).toBe(MAX_TRIES);
      expect(after.givenUp.map((g) => g.id).sort()).toEqual(['broken', 'down', 'file']);
    } finally {
      await server.close();
    }
  });
});

describe('private addresses', () => {
  let publisher: FixtureServer;
  let intranet: FixtureServer;
  let corpus: string;
  let result: Awaited<ReturnType<typeof fetchAll>>;
  const SECRET = 'quantum sensing';

  beforeAll(async () => {
    // The "intranet": another loopback address, serving what must never be fetched.
    intranet = await startServer({ host: '127.0.0.2' });
    const port = new URL(intranet.url).port;
    publisher = await startServer({
      privateTargets: [`${intranet.url}/statements/quantum.html`, `http://[::1]:${port}/statements/quantum.html`, 'http://10.0.0.1/x.html', 'http://169.254.169.254/latest/meta-data/', `http://intranet.test:${port}/statements/quantum.html`],
    });
    corpus = tmp('private-corpus');
    // The publisher counts as public here (it is listed), and intranet.test resolves to the intranet.
    const resolver: HttpOptions['resolver'] = (host, opts, cb) => (host === 'intranet.test' ? cb(null, [{ address: '127.0.0.2', family: 4 }]) : lookup(host, opts, cb));
    result = await fetchAll({ documents: [], feeds: [{ url: `${publisher.url}/hostile-feed.xml` }] }, { corpus, cacheDir: tmp('private-cache'), http: { ...FAST, allowAddresses: ['127.0.0.1'], resolver } });
  });
  afterAll(async () => {
    await publisher.close();
    await intranet.close();
  });

  it('classifies loopback, private, link-local and mapped addresses', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '10.2.3.4', '172.20.0.1', '192.168.0.10', '169.254.169.254', '100.64.1.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd12::3', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1']) {
      expect(privateAddressReason(a), a).toBeDefined();
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '172.32.0.1']) expect(privateAddressReason(a), a).toBeUndefined();
  });

  it('refuses feed items, redirects and names that lead to them, and says how to allow them', () => {
    const refused = result.items.filter((i) => i.reason === 'private');
    expect(refused).toHaveLength(6);
    for (const part of ['127.0.0.2', '[::1]', '10.0.0.1', '169.254.169.254', 'intranet.test', '/redirect-inside']) expect(refused.some((i) => i.url.includes(part)), part).toBe(true);
    for (const i of refused) expect(i.error).toMatch(/(loopback|private|link-local) address.*fetch\.allowPrivateAddresses: true/);
    expect(refused.find((i) => i.url.includes('intranet.test'))!.error).toMatch(/intranet\.test resolves to 127\.0\.0\.2, a loopback address/);
    expect(refused.find((i) => i.url.endsWith('/redirect-inside'))!.error).toMatch(/127\.0\.0\.2/);
    expect(result.items.find((i) => i.url.endsWith('/news/good.html'))?.status).toBe('new');
  });

  it('nothing reached the intranet, and nothing of it is in the corpus', () => {
    expect([...intranet.hits.values()].reduce((a, b) => a + b, 0)).toBe(0);
    for (const f of statementFiles(join(corpus, 'fetched'))) expect(readFileSync(join(corpus, 'fetched', f), 'utf8')).not.toContain(SECRET);
  });

  it('by default even the local publisher is refused, before any request', async () => {
    const before = [...publisher.hits.values()].reduce((a, b) => a + b, 0);
    const r = await fetchAll({ documents: [{ url: `${publisher.url}/statements/quantum.html` }], feeds: [] }, { corpus: tmp('private-default'), cacheDir: tmp('private-default-cache'), http: FAST });
    expect(r.items[0]).toMatchObject({ status: 'failed', reason: 'private' });
    expect(r.items[0]!.error).toMatch(/127\.0\.0\.1, a loopback address/);
    expect([...publisher.hits.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });

  it('the configuration key is fetch.allowPrivateAddresses, and accords fetch honours it', async () => {
    expect(parseConfig({ fetch: { allowPrivateAddresses: true } }).fetch.allowPrivateAddresses).toBe(true);
    expect(parseConfig({}).fetch.allowPrivateAddresses).toBe(false);
    const sources = (dir: string) => {
      writeFileSync(join(dir, 'sources.yaml'), `documents:\n  - url: ${publisher.url}/news/good.html\n`);
      return join(dir, 'sources.yaml');
    };
    const refused = project({ fetch: { retries: 0 } });
    const r1 = await cli(['fetch', '--config', refused.config, '--sources', sources(refused.dir), '--quiet']);
    expect(r1.code).toBe(1);
    expect(r1.out).toMatch(/a loopback address .*fetch\.allowPrivateAddresses: true/);
    const allowed = project({ fetch: { retries: 0, allowPrivateAddresses: true } });
    const r2 = await cli(['fetch', '--config', allowed.config, '--sources', sources(allowed.dir), '--quiet']);
    expect(r2.code, r2.out).toBe(0);
    expect(statementFiles(join(allowed.dir, 'corpus', 'fetched'))).toHaveLength(1);
  });
});

describe('what held still holds with the address check in place', () => {
  it('a gzip bomb, an endless body and a redirect to file:// are refused, each with its reason', async () => {
    const server = await startServer();
    try {
      const u = (p: string) => `${server.url}${p}`;
      const t0 = Date.now();
      const r = await fetchAll({ documents: [{ url: u('/bomb.html') }, { url: u('/endless.html') }, { url: u('/redirect-file') }, { url: u('/loop-a') }], feeds: [] }, { corpus: tmp('held-corpus'), cacheDir: tmp('held-cache'), http: { ...LOCAL, maxBytes: 1_000_000 } });
      const byPath = (p: string) => r.items.find((i) => i.url.endsWith(p))!;
      expect(byPath('/bomb.html')).toMatchObject({ status: 'failed', error: expect.stringMatching(/exceeds the limit of 1000000 bytes/) });
      expect(byPath('/endless.html')).toMatchObject({ status: 'failed', error: expect.stringMatching(/exceeds the limit/) });
      expect(byPath('/redirect-file')).toMatchObject({ status: 'failed', error: expect.stringMatching(/only http and https are fetched, not file:/) });
      expect(byPath('/loop-a').error).toMatch(/more than 5 redirects/);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      await server.close();
    }
  }, 5000);
});

describe('the same statement at two addresses', () => {
  it('keeps the metadata listed for either, whichever answers first', async () => {
    const server = await startServer();
    try {
      const corpus = tmp('twice-corpus');
      const r = await fetchAll(
        { documents: [{ url: `${server.url}/slow-copy/quantum.html`, title: 'Quantum statement', date: '2026-03-02', partnership: 'NH-KS-TC' }, { url: `${server.url}/mirror/quantum.html` }], feeds: [] },
        { corpus, cacheDir: tmp('twice-cache'), http: LOCAL },
      );
      expect(r.items.map((i) => i.status).sort()).toEqual(['duplicate', 'new']);
      const file = r.items.find((i) => i.status === 'new')!.file!;
      expect(file).toMatch(/mirror|quantum/);
      const side = JSON.parse(readFileSync(join(corpus, `${file}.meta.json`), 'utf8'));
      expect(side).toMatchObject({ title: 'Quantum statement', date: '2026-03-02', partnership: 'NH-KS-TC' });
      expect(side.source_urls).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});

describe('bytes that had to be replaced', () => {
  it('are counted and reported with the address', async () => {
    const server = await startServer();
    try {
      const r = await fetchAll({ documents: [{ url: `${server.url}/statements/bad-bytes.html` }], feeds: [] }, { corpus: tmp('bytes-corpus'), cacheDir: tmp('bytes-cache'), http: LOCAL });
      expect(r.items[0]!.status).toBe('new');
      expect(r.items[0]!.warnings).toEqual(['2 byte sequences were not valid utf-8 and were replaced with U+FFFD']);
    } finally {
      await server.close();
    }
  });
});
