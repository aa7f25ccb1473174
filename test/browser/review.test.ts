import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, cpSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ReviewStore } from '../../src/review/index.js';
import { startReviewServer, type ReviewServer } from '../../src/web/index.js';
import { runPipeline } from '../../src/pipeline.js';
import { loadConfig } from '../../src/config/index.js';
import { ROOT, tmp } from '../helpers.js';

// Debian's Chromium, installed by npm test's pretest step (scripts/ensure-chromium.mjs) when missing; never a downloaded browser.
const CHROMIUM = process.env['ACCORDS_CHROMIUM'] ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium: npm test installs it (or run apt-get install chromium)`);

const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('browser-cache') };
const HOSTILE = 'The two sides will fund joint research on &lt;script&gt;window.pwned = 1&lt;/script&gt; and &lt;img src=x onerror="window.pwned = 2"&gt; chips in 2027.';

describe('the review page in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let server: ReviewServer;
  let store: ReviewStore;
  let corpus: string;
  let dbFile: string;

  const startAll = async () => {
    const summary = await runPipeline(config, { corpus, out: join(tmp('browser-out'), 'out'), log: () => {}, needDocs: true, reviews: store });
    server = await startReviewServer({ docs: summary.docs, store, reviewer: 'ana' });
  };

  beforeAll(async () => {
    corpus = tmp('browser-corpus');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    writeFileSync(join(corpus, '2026-02-01_hostile-markup.md'), `---\ntitle: "A statement with markup in its text"\ndate: 2026-02-01\npartnership: NH-KS-TC\n---\n\n${HOSTILE}\n`);
    dbFile = join(tmp('browser-db'), 'reviews.sqlite');
    store = new ReviewStore(dbFile);
    await startAll();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => void d.accept('checked against the annex'));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
  });

  const statusOf = (i: number) => page.locator('#list li').nth(i).locator('.badge').first().textContent();

  it('reviews passages by keyboard and finds the decisions after a reload', async () => {
    await page.goto(server.url);
    await page.locator('#list li').first().waitFor();
    const firstText = await page.locator('#passage').textContent();
    await page.keyboard.press('a'); // accept the first passage, move to the next
    await expect.poll(() => statusOf(0)).toBe('accepted');
    // Second passage: toggle workforce (5), set grade explore (e), save (Enter).
    await page.keyboard.press('5');
    await page.keyboard.press('e');
    await expect.poll(() => page.locator('#status').textContent()).toContain('unsaved');
    await page.keyboard.press('Enter');
    await expect.poll(() => statusOf(1)).toBe('corrected');
    // Third: reject all tags (x), then undo it (z) and accept with a note (n).
    await page.keyboard.press('x');
    await expect.poll(() => statusOf(2)).toBe('corrected');
    await page.keyboard.press('k');
    await page.keyboard.press('z');
    await expect.poll(() => statusOf(2)).toBe('unreviewed');
    await page.keyboard.press('n');
    await expect.poll(() => statusOf(2)).toBe('accepted');

    await page.reload();
    await page.locator('#list li').first().waitFor();
    await expect.poll(() => statusOf(0)).toBe('accepted');
    expect(await statusOf(1)).toBe('corrected');
    expect(await statusOf(2)).toBe('accepted');
    expect(await page.locator('#passage').textContent()).toBe(firstText);
    const history = new ReviewStore(dbFile).history();
    expect(history.map((d) => d.action)).toEqual(['accept', 'correct', 'reject', 'undo', 'accept']);
    expect(history[4]!.note).toBe('checked against the annex');
    expect(history[1]!.after!.objectives.some((o) => o.objective === 'workforce' && o.grade === 'explore')).toBe(true);
  }, 60_000);

  it('filters by status and orders by uncertainty', async () => {
    await page.selectOption('#f-status', 'corrected');
    await expect.poll(() => page.locator('#list li').count()).toBe(1);
    await page.selectOption('#f-status', '');
    await page.selectOption('#f-order', 'uncertain');
    await expect.poll(() => page.locator('#list li').count()).toBeGreaterThan(10);
    await page.selectOption('#f-order', '');
  });

  it('shows a passage containing <script> and markup as plain text', async () => {
    const item = page.locator('#list li', { hasText: '<script>' });
    await item.first().click();
    const shown = await page.locator('#passage').textContent();
    expect(shown).toContain('<script>window.pwned = 1</script>');
    expect(shown).toContain('<img src=x onerror="window.pwned = 2">');
    expect(await page.locator('#detail script, #detail img, #list script, #list img').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
  });

  it('decisions stay attached after a re-run and reach out/matrix.json', async () => {
    await server.close();
    const out = join(tmp('browser-out'), 'out');
    await runPipeline(config, { corpus, out, log: () => {}, reviews: store, full: true });
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8'));
    const row = matrix.rows.find((r: { id: string }) => r.id === 'NH-KS-TC' || r.id === 'KS-TA-VL-ASCRI' || r.id === 'VL-NH-CD');
    // The decisions mark their evidence in the profiles (a matrix cell is marked only when its strongest evidence was reviewed).
    const reviewedEvidence = matrix.rows.flatMap((r: { id: string }) => {
      const p = JSON.parse(readFileSync(join(out, 'profiles', `${r.id}.json`), 'utf8'));
      return Object.values(p.objectives as Record<string, { bySubcategory: Record<string, Array<{ reviewed: boolean }>> }>).flatMap((o) => Object.values(o.bySubcategory).flat().filter((e) => e.reviewed));
    });
    expect(reviewedEvidence.length).toBeGreaterThan(0);
    expect(row).toBeDefined();
    await startAll();
    await page.goto(server.url);
    await page.locator('#list li').first().waitFor();
    await expect.poll(() => statusOf(0)).toBe('accepted');
    expect(await statusOf(1)).toBe('corrected');
    // The screenshot shown in the README: a tagged passage with its evidence.
    await page.locator('#list li', { hasText: 'share information on stocks' }).click();
    await page.locator('#labels tr.focus').waitFor();
    const shotDir = process.env['ACCORDS_SCREENSHOT_DIR'] ?? tmp('shots');
    mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: join(shotDir, 'review-page.png') });
    expect(existsSync(join(shotDir, 'review-page.png'))).toBe(true);
  }, 60_000);
});
