/**
 * Incremental-run benchmark: prints figures, asserts nothing. A local server on
 * 127.0.0.1 publishes the real statements (../shared/corpus) as web pages with
 * ETags; `run --fetch` is timed twice. The second run should send only
 * conditional requests, re-process nothing and take a fraction of the first.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { fetchAll, HttpClient, type Sources } from '../src/fetch/index.js';
import { runPipeline } from '../src/pipeline.js';
import { statementPage } from '../test/fixtures/pages.js';

const config = await loadConfig();
const shared = resolve(config.root, config.sharedCorpus);
let files: string[];
try {
  files = readdirSync(shared).filter((f) => f.endsWith('.md') && f !== 'README.md').sort();
} catch {
  console.error(`bench-fetch: ${shared} not found (the real statements live in ../shared/corpus)`);
  process.exit(2);
}
const pages = new Map<string, { body: string; etag: string }>();
for (const f of files) {
  const md = readFileSync(join(shared, f), 'utf8');
  const title = /^title:\s*"?(.*?)"?\s*$/m.exec(md)?.[1] ?? f;
  const body = statementPage(md, title);
  pages.set(`/statements/${f.replace(/\.md$/, '.html')}`, { body, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
}
const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
  const p = pages.get(path);
  if (!p) return void res.writeHead(404).end();
  if (req.headers['if-none-match'] === p.etag) return void res.writeHead(304, { etag: p.etag }).end();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: p.etag }).end(p.body);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const work = mkdtempSync(join(tmpdir(), 'accords-bench-fetch-'));
const corpus = join(work, 'corpus');
const run = { ...config, cacheDir: join(work, 'cache'), concurrency: 1 };
const sources: Sources = { documents: [...pages.keys()].map((p) => ({ url: `${base}${p}` })), feeds: [] };
copyFileSync(join(config.root, 'rules', 'partnerships.yaml'), join(work, 'unused.yaml'));

async function once(label: string) {
  // The statements are served from this machine, which fetching refuses unless allowed.
  const client = new HttpClient({ ...config.fetch, concurrency: 8, perHost: 8, allowPrivateAddresses: true });
  const t0 = performance.now();
  const f = await fetchAll(sources, { corpus, cacheDir: join(run.cacheDir, 'http'), client });
  await client.close();
  const s = await runPipeline(run, { corpus, out: join(work, 'out'), log: () => {} });
  const ms = performance.now() - t0;
  console.log(`${label}: ${(ms / 1000).toFixed(2)} s; ${f.requests} requests (${f.conditional} conditional); fetched new ${f.items.filter((i) => i.status === 'new').length}, unchanged ${f.items.filter((i) => i.status === 'unchanged').length}; documents re-processed ${s.processed}, unchanged ${s.reused}`);
  return ms;
}

try {
  const first = await once('first run --fetch ');
  const second = await once('second run --fetch');
  console.log(`second/first: ${(second / first).toFixed(3)} (target < 0.1)`);
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
