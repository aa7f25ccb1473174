import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ReviewStore, agreement, alphaText, exportGold } from '../../src/review/index.js';
import { startReviewServer, type ReviewServer } from '../../src/web/index.js';
import { runPipeline } from '../../src/pipeline.js';
import { loadConfig } from '../../src/config/index.js';
import { main } from '../../src/cli.js';
import { ROOT, tmp } from '../helpers.js';
import { launch } from './chromium.js';

/**
 * Two reviewers on the demo corpus: they disagree on some passages; the page shows
 * the disagreement side by side and Krippendorff's alpha per objective, a third
 * analyst adjudicates, and the export carries the adjudicated decision.
 */
const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('reviewers-cache') };

describe('two reviewers in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let server: ReviewServer;
  let store: ReviewStore;
  let dbFile: string;
  let ids: string[] = [];
  const shots = process.env['ACCORDS_SCREENSHOT_DIR'] ?? tmp('shots');

  const status = (id: string) => page.locator(`#list li[data-id="${id}"] .badge`).first().textContent();
  const badges = (id: string) => page.locator(`#list li[data-id="${id}"] .badge`).allTextContents();
  const as = async (name: string) => {
    await page.fill('#reviewer', name);
    await page.locator('#reviewer').dispatchEvent('change');
    await page.locator('#labels').waitFor(); // the passage is fetched again for the new reviewer
    await page.locator('#passage').click(); // leave the field, so keys reach the page
  };
  const go = async (id: string) => {
    await page.locator(`#list li[data-id="${id}"]`).click();
    await page.locator('#labels').waitFor();
    await expect.poll(() => page.locator('#list li.sel').getAttribute('data-id')).toBe(id);
  };

  beforeAll(async () => {
    const corpus = tmp('reviewers-corpus');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    const run = await runPipeline(config, { corpus, out: join(tmp('reviewers-out'), 'out'), log: () => {}, needDocs: true });
    dbFile = join(tmp('reviewers-db'), 'reviews.sqlite');
    store = new ReviewStore(dbFile);
    server = await startReviewServer({ docs: run.docs, store, reviewer: 'ana' });
    // Four tagged passages with one objective each.
    ids = run.docs.flatMap((d) => d.passages).filter((p) => p.tags.objectives.length === 1 && !p.tags.governance).slice(0, 4).map((p) => p.id);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.locator('#passage').waitFor();
    await page.selectOption('#f-tags', 'tagged');
    await page.locator(`#list li[data-id="${ids[0]}"]`).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
  });

  it('shows where two reviewers disagree, side by side', async () => {
    await as('ana');
    for (const id of ids) {
      await go(id);
      await page.keyboard.press('a'); // ana accepts all four as tagged
      await expect.poll(() => status(id)).toBe('accepted');
    }
    await as('ben');
    await go(ids[0]!);
    await page.keyboard.press('a'); // agrees
    await go(ids[1]!);
    await page.keyboard.press('x'); // rejects: not a commitment
    await go(ids[2]!);
    const grade = store.history()[2]!.after!.objectives[0]!.grade;
    await page.keyboard.press(grade === 'explore' ? 'd' : 'e'); // the same objective, another grade
    await page.keyboard.press('Enter');
    await go(ids[3]!);
    // Agrees, with a note typed into the note field (Enter there saves).
    await page.fill('#note', 'same reading as ana');
    await page.press('#note', 'Enter');
    await expect.poll(() => store.history().at(-1)?.note).toBe('same reading as ana');
    expect(store.history().at(-1)).toMatchObject({ reviewer: 'ben', action: 'accept' });
    await expect.poll(() => badges(ids[1]!)).toContain('disputed');
    await expect.poll(() => badges(ids[2]!)).toContain('disputed');
    expect(await badges(ids[0]!)).not.toContain('disputed');
    await go(ids[1]!);
    const side = page.locator('#reviews');
    await side.waitFor();
    expect(await side.locator('th').allTextContents()).toEqual(expect.arrayContaining(['ana', 'ben']));
    expect(await side.locator('h3').textContent()).toBe('Reviewers disagree: side by side');
    // The row of the objective ana kept and ben removed is marked as a difference.
    const objective = store.reviews(store.history()[1]!.docKey, store.history()[1]!.passageKey)[0]!.after!.objectives[0]!.objective;
    const row = side.locator('tr', { has: page.locator('th', { hasText: new RegExp(`^${objective}$`) }) });
    expect(await row.locator('td.corrected').count()).toBe(2);
    expect(await row.locator('td').allTextContents()).toEqual([expect.not.stringMatching(/^–$/), '–']);
    await page.selectOption('#f-status', 'disputed');
    await expect.poll(() => page.locator('#list li').count()).toBe(2);
  }, 60_000);

  it("shows Krippendorff's alpha per objective for the two", async () => {
    await page.click('nav button[data-view="agreement"]');
    const table = page.locator('#alpha-table');
    await table.waitFor();
    const ag = agreement(store.allReviews(), (k) => store.isAdjudicated(k));
    expect(ag.units).toBe(4);
    for (const [o, a] of Object.entries(ag.objectives)) {
      const cells = await table.locator(`tr[data-objective="${o}"] td`).allTextContents();
      expect(cells.slice(0, 4)).toEqual([o, '4', String(a.disagreements), Number.isNaN(a.alpha) ? 'n/a' : alphaText(a.alpha)]);
    }
    // At least one objective had something to agree on, and its alpha is a number below 1 (one rejection).
    const numbers = Object.values(ag.objectives).filter((a) => !Number.isNaN(a.alpha));
    expect(numbers.length).toBeGreaterThan(0);
    expect(Math.min(...numbers.map((a) => a.alpha))).toBeLessThan(1);
    expect(await page.locator('#disputed-list li').count()).toBe(2);
  }, 60_000);

  it('records an adjudication and exports it with both reviewers beside it', async () => {
    // From the agreement page to the disputed passage.
    await page.locator('#disputed-list li button').first().click();
    await page.locator('#list:not([aria-busy])').waitFor(); // the disputed queue has arrived
    await page.locator('#reviews').waitFor();
    const id = (await page.locator('#list li.sel').getAttribute('data-id'))!;
    await as('cleo');
    await page.keyboard.press('t'); // take the first reviewer's labels (ana's)
    await expect.poll(() => page.locator('#status').textContent()).toContain('unsaved');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'review-adjudication.png') });
    await page.keyboard.press('A'); // save as the final decision
    await expect.poll(() => badges(id)).toContain('adjudicated');
    expect(await badges(id)).not.toContain('disputed');
    const final = store.history().at(-1)!;
    expect(final).toMatchObject({ reviewer: 'cleo', final: true, passageId: id });
    const ana = store.reviews(final.docKey, final.passageKey).find((d) => d.reviewer === 'ana')!;
    expect(final.after!.objectives).toEqual(ana.after!.objectives);
    // The export: the adjudicated labels in force, and what each reviewer said.
    const text = exportGold(store);
    const line = text.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.passage_key === final.passageKey);
    expect(line).toMatchObject({ adjudicated: true, disputed: true, reviewer: 'cleo', objectives: ana.after!.objectives.map((o) => o.objective) });
    expect(Object.keys(line.reviewers).sort()).toEqual(['ana', 'ben']);
    // Through the command line too, and the agreement figures in stats.
    store.close();
    const file = join(tmp('export'), 'decisions.jsonl');
    const io = { out: () => {}, err: () => {} };
    expect(await main(['reviews', 'export', '--db', dbFile, '--out', file], io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text);
    const out: string[] = [];
    expect(await main(['reviews', 'stats', '--db', dbFile], { out: (s) => out.push(s), err: () => {} })).toBe(0);
    expect(out.join('')).toMatch(/agreement between reviewers \(Krippendorff's alpha over 4 passages decided by two or more of ana, ben\)/);
    expect(out.join('')).toContain('disputed passages 2, adjudicated 1');
    store = new ReviewStore(dbFile);
    expect(existsSync(join(shots, 'review-adjudication.png'))).toBe(true);
  }, 60_000);
});
