/**
 * Review page benchmark: prints figures, asserts nothing. The real statements
 * (../shared/corpus, or --corpus DIR) are read once and served --copies times over
 * (each copy a document of its own), so the queue holds 10,000+ passages; Chromium
 * (Debian's, as in the browser tests) loads the page and the time from key event to
 * updated page is measured for next, toggle and accept. The review database is a
 * fresh temporary one.
 *
 *   node --import tsx scripts/bench-review.ts [--copies 2] [--corpus DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Doc } from '../src/core/doc.js';
import { loadConfig } from '../src/config/index.js';
import { runPipeline } from '../src/pipeline.js';
import { ReviewStore } from '../src/review/index.js';
import { startReviewServer } from '../src/web/index.js';
import { launch, summary, timeKeys } from '../test/browser/chromium.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const copies = Number(opt('--copies') ?? 2);
const config = await loadConfig();
const corpus = resolve(opt('--corpus') ?? resolve(config.root, config.sharedCorpus));
const scratch = mkdtempSync(join(tmpdir(), 'accords-bench-review-'));
try {
  const run = await runPipeline({ ...config, cacheDir: join(scratch, 'cache') }, { corpus, out: join(scratch, 'out'), log: () => {}, needDocs: true });
  // Copies are new documents: their own path and source address, so their passages are their own.
  const docs: Doc[] = [];
  for (let c = 0; c < copies; c++) {
    for (const d of run.docs) {
      const tag = c ? `#copy${c}` : '';
      docs.push({ ...d, path: `${d.path}${tag}`, id: `${d.id}${tag}`, meta: { ...d.meta, sourceUrl: `${d.meta.sourceUrl ?? d.path}${tag}`, sourceUrls: [] }, passages: d.passages.map((p) => ({ ...p, id: `${p.id}${tag}` })) });
    }
  }
  const passages = docs.reduce((n, d) => n + d.passages.length, 0);
  const store = new ReviewStore(join(scratch, 'reviews.sqlite'));
  let t0 = performance.now();
  const server = await startReviewServer({ docs, store, reviewer: 'bench' });
  const startMs = performance.now() - t0;
  t0 = performance.now();
  const queue = await fetch(`${server.url}api/queue`).then((r) => r.text());
  const queueMs = performance.now() - t0;
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    t0 = performance.now();
    await page.goto(server.url);
    await page.locator('#passage').waitFor();
    const loadMs = performance.now() - t0;
    const drawn = await page.locator('#list li').count();
    const f = (s: { median: number; p95: number; max: number }) => `median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
    const next = summary(await timeKeys(page, 'j', 'next', 60));
    const toggle = summary(await timeKeys(page, '2', 'toggle', 40));
    const accept = summary(await timeKeys(page, 'a', 'accept', 40));
    console.log(`review page: ${passages} passages (${docs.length} documents, ${copies} × ${corpus})`);
    console.log(`  server ready ${startMs.toFixed(0)} ms; queue answer ${(queue.length / 1e6).toFixed(1)} MB in ${queueMs.toFixed(0)} ms; page ready ${loadMs.toFixed(0)} ms with ${drawn} rows drawn`);
    console.log(`  keystroke to update: next (j ×60) ${f(next)}`);
    console.log(`                       toggle (2 ×40) ${f(toggle)}`);
    console.log(`                       accept (a ×40, saved to disk) ${f(accept)}`);
    console.log(`  resident memory of this process (server and pipeline): ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  } finally {
    await browser.close();
    await server.close();
    store.close();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
