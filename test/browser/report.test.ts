import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runPipeline } from '../../src/pipeline.js';
import { loadConfig } from '../../src/config/index.js';
import type { Profile } from '../../src/aggregate/index.js';
import { ROOT, tmp } from '../helpers.js';

// Debian's Chromium (apt-get install chromium); never a downloaded browser.
const CHROMIUM = process.env['ACCORDS_CHROMIUM'] ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium: npm test installs it (or run apt-get install chromium)`);

const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('report-browser-cache') };
const quiet = { log: () => {} };

interface MatrixJson {
  rows: Array<{ id: string; documents: number; cells: Record<string, { grade: string | null; commitments: number; strength: number }> }>;
}

/** A fresh browser profile, headless, with everything that could reach the network switched off. */
async function browser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(tmp('chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Every request a page makes, and every console error or uncaught exception. */
function watch(context: BrowserContext) {
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const attach = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  };
  context.on('page', attach);
  for (const p of context.pages()) attach(p);
  return { requests, errors };
}

// Elements as the page script sees them (the tests are type-checked without the DOM library).
type El = { dataset: Record<string, string | undefined>; querySelectorAll(s: string): Iterable<El> };

const cellsOf = (page: Page) =>
  page.locator('#matrix tbody tr').evaluateAll((rows) =>
    (rows as unknown as El[]).map((r) => ({
      id: r.dataset['id'],
      cells: [...r.querySelectorAll('td.cell')].map((td) => `${td.dataset['o']}:${td.dataset['n']}:${td.dataset['strength']}`),
    })),
  );

const expected = (m: MatrixJson) => m.rows.map((r) => ({ id: r.id, cells: Object.entries(r.cells).map(([o, c]) => `${o}:${c.commitments}:${c.strength.toFixed(1)}`) }));

describe('the static report in Chromium', () => {
  let out: string;
  let study: MatrixJson;
  let context: BrowserContext;
  let seen: ReturnType<typeof watch>;
  let page: Page;
  /** A copy of the report with a partnership's evidence file missing and another's from another run. */
  let copy = '';
  const shots = process.env['ACCORDS_SCREENSHOT_DIR'] ?? tmp('report-shots');

  beforeAll(async () => {
    out = join(tmp('report-browser'), 'out');
    await runPipeline(config, { out, ...quiet });
    // The same corpus scoped server-side to semiconductors: the page's filter must agree with it.
    const scoped = join(tmp('report-browser-semis'), 'out');
    await runPipeline(config, { out: scoped, matrix: { domain: 'semiconductors', from: null, until: null }, ...quiet });
    study = JSON.parse(readFileSync(join(scoped, 'matrix.json'), 'utf8')) as MatrixJson;
    context = await browser();
    seen = watch(context);
    page = await context.newPage();
    mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
  });

  it('opens from disk with one matrix row per partnership with evidence, as matrix.json has it', async () => {
    await page.goto(pathToFileURL(join(out, 'report', 'index.html')).href);
    await page.locator('body.ready').waitFor();
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')) as MatrixJson;
    const withEvidence = matrix.rows.filter((r) => Object.values(r.cells).some((c) => c.commitments > 0)).map((r) => r.id);
    const shown = await cellsOf(page);
    expect(shown).toEqual(expected(matrix));
    for (const id of withEvidence) expect(shown.filter((r) => r.id === id)).toHaveLength(1);
    // The sub-programme named inside the Council's statements has its own row, with no statement of its own.
    expect(matrix.rows.find((r) => r.id === 'NH-KS-PSRP')).toMatchObject({ documents: 0 });
    expect(withEvidence).toContain('NH-KS-PSRP');
    await page.screenshot({ path: join(shots, 'report-matrix.png') });
  });

  it('the domain filter changes the matrix to what a scoped run writes', async () => {
    const before = await cellsOf(page);
    await page.selectOption('#f-domain', 'semiconductors');
    await expect.poll(() => cellsOf(page)).not.toEqual(before);
    expect(await cellsOf(page)).toEqual(expected(study));
    expect(page.url()).toContain('#domain=semiconductors');
    await page.selectOption('#f-domain', '');
    await expect.poll(() => cellsOf(page)).toEqual(before);
    // Reviewed evidence only: nothing was reviewed, so every cell is empty.
    await page.check('#f-reviewed');
    await expect.poll(async () => (await cellsOf(page)).flatMap((r) => r.cells).every((c) => c.includes(':0:'))).toBe(true);
    await page.uncheck('#f-reviewed');
    // A date range keeps only the statements in it.
    await page.fill('#f-from', '2025-01-01');
    await page.locator('#f-from').dispatchEvent('change');
    await expect.poll(() => cellsOf(page)).not.toEqual(before);
    await page.click('#f-reset');
    await expect.poll(() => cellsOf(page)).toEqual(before);
  });

  it('a cell opens its evidence, strongest first, with links to the passage in context and to the source', async () => {
    const profile = JSON.parse(readFileSync(join(out, 'profiles', 'NH-KS-TC.json'), 'utf8')) as Profile;
    const research = profile.objectives.research;
    await page.locator('#matrix tr[data-id="NH-KS-TC"] td[data-o="research"] button').click();
    const dialog = page.locator('dialog#evidence');
    await expect.poll(() => dialog.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
    // The partnership's evidence is read from its file beside the page, once.
    await page.locator('#evidence-body[aria-busy="false"]').waitFor();
    expect(seen.requests.filter((u) => u.endsWith('/report/evidence/NH-KS-TC.js'))).toHaveLength(1);
    const items = dialog.locator('li.ev');
    expect(await items.count()).toBe(research.commitments);
    const quotes = await dialog.locator('li.ev blockquote').allTextContents();
    const all = Object.values(research.bySubcategory).flat();
    expect(new Set(quotes)).toEqual(new Set(all.map((e) => e.text)));
    // Strongest first: the first quote has the most points.
    expect(all.find((e) => e.text === quotes[0])!.points).toBe(Math.max(...all.map((e) => e.points)));
    const first = items.first();
    expect(await first.locator('.grade').textContent()).toMatch(/^(explore|intend|commit|underway|completed)$/);
    const sources = await dialog.locator('a.src').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(sources.length).toBeGreaterThan(0);
    for (const href of sources) expect(href).toMatch(/^https:\/\/example\.org\//);
    await page.screenshot({ path: join(shots, 'report-evidence.png') });
    // The citation opens the statement at the passage: the anchored passage is the quote.
    const ctx = await first.locator('a.ctx').first().getAttribute('href');
    expect(ctx).toMatch(/^documents\/[0-9a-f]+\.html#p\d+$/);
    await page.keyboard.press('Escape');
    // Another cell of the same partnership: its evidence is already in the page.
    await page.locator('#matrix tr[data-id="NH-KS-TC"] td[data-o="workforce"] button').click();
    await page.locator('#evidence-body[aria-busy="false"]').waitFor();
    expect(await dialog.locator('li.ev').count()).toBe(profile.objectives.workforce.commitments);
    expect(seen.requests.filter((u) => u.includes('/report/evidence/'))).toHaveLength(1);
    await page.keyboard.press('Escape');
    const docPage = await context.newPage();
    await docPage.goto(new URL(ctx!, page.url()).href);
    const anchor = ctx!.split('#')[1]!;
    expect(await docPage.locator(`#${anchor}`).textContent()).toBe(quotes[0]);
    await docPage.close();
  });

  it('partnership pages show the profile in the study\'s form', async () => {
    for (const id of ['NH-KS-TC', 'NH-KS-PSRP']) {
      const p = await context.newPage();
      await p.goto(pathToFileURL(join(out, 'report', 'partnerships', `${id}.html`)).href);
      const profile = JSON.parse(readFileSync(join(out, 'profiles', `${id}.json`), 'utf8')) as Profile;
      expect(await p.locator('h1').textContent()).toBe(`${profile.name} (${id})`);
      for (const h of ['Governance', 'Milestones', 'Research cooperation', 'Statements']) expect(await p.locator('h2', { hasText: h }).count()).toBeGreaterThan(0);
      const evidence = Object.values(profile.objectives).reduce((n, o) => n + o.commitments, 0);
      expect(await p.locator('li.ev').count()).toBe(evidence);
      if (id === 'NH-KS-TC') {
        expect(await p.locator('ol.milestones li').count()).toBe(profile.milestones.length);
        expect(profile.milestones.length).toBeGreaterThan(2);
        await p.screenshot({ path: join(shots, 'report-partnership.png') });
      } else {
        // Evidence from the Council's statements, cited by the Council's codes.
        expect(profile.documents).toEqual([]);
        expect(profile.alsoCited.map((c) => c.code).every((c) => c.startsWith('NH-KS-TC'))).toBe(true);
      }
      await p.close();
    }
  });

  it('says so when a partnership\'s evidence file is missing or of another run, and reads it once it is there', async () => {
    copy = join(tmp('report-browser-copy'), 'report');
    cpSync(join(out, 'report'), copy, { recursive: true });
    const missing = join(copy, 'evidence', 'NH-KS-TC.js');
    const right = readFileSync(missing, 'utf8');
    rmSync(missing);
    // Another run's file: its digest of the partnership's commitments is not the page's.
    const other = join(copy, 'evidence', 'VL-NH-CD.js');
    writeFileSync(other, readFileSync(other, 'utf8').replace(/"check":"[0-9a-f]/, '"check":"x'));
    const p = await context.newPage();
    await p.goto(pathToFileURL(join(copy, 'index.html')).href);
    await p.locator('body.ready').waitFor();
    const open = async (id: string) => {
      await p.locator(`#matrix tr[data-id="${id}"] td[data-o="research"] button`).click();
      await p.locator('#evidence-body[aria-busy="false"]').waitFor();
      const text = await p.locator('#evidence-body').textContent();
      await p.keyboard.press('Escape');
      return text;
    };
    expect(await open('NH-KS-TC')).toContain('evidence/NH-KS-TC.js could not be read');
    expect(await p.locator('#evidence-body a').getAttribute('href')).toBe('partnerships/NH-KS-TC.html#research');
    expect(await open('VL-NH-CD')).toContain('evidence/VL-NH-CD.js is not the file this page was written with');
    // Put back, it is read the next time a cell is opened.
    writeFileSync(missing, right);
    expect(await open('NH-KS-TC')).not.toContain('could not');
    expect(await p.locator('#evidence-body li.ev').count()).toBeGreaterThan(0);
    // The console's complaint about the missing file is the browser's, not the page's: nothing else was logged.
    expect(seen.errors.filter((e) => !e.includes('ERR_FILE_NOT_FOUND'))).toEqual([]);
    seen.errors.length = 0;
    await p.close();
  });

  it('made no request but the report\'s own files and logged no error', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.requests.length).toBeGreaterThanOrEqual(4);
    for (const url of seen.requests) expect(url.startsWith(pathToFileURL(join(out, 'report')).href) || (!!copy && url.startsWith(pathToFileURL(copy).href)), url).toBe(true);
    for (const f of ['report-matrix.png', 'report-evidence.png', 'report-partnership.png']) expect(existsSync(join(shots, f)), f).toBe(true);
  });
});

describe('the report with hostile statements in Chromium', () => {
  it('runs no script from a statement and stays quiet', async () => {
    const corpus = tmp('report-hostile');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    writeFileSync(
      join(corpus, '2026-02-02_hostile.md'),
      '---\ntitle: "Markup &lt;img src=x onerror=window.pwned=3&gt; in a title"\ndate: 2026-02-02\npartnership: NH-KS-TC\nsource_url: "javascript:window.pwned=4"\n---\n\nThe two sides will fund joint research on &lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt; and &lt;img src=x onerror="window.pwned=2"&gt; chips in 2027.\n',
    );
    const out = join(corpus, 'out');
    await runPipeline(config, { corpus, out, ...quiet });
    const context = await browser();
    const seen = watch(context);
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(join(out, 'report', 'index.html')).href);
      await page.locator('body.ready').waitFor();
      await page.locator('#matrix tr[data-id="NH-KS-TC"] td[data-o="research"] button').click();
      await page.locator('#evidence-body[aria-busy="false"]').waitFor();
      const text = await page.locator('#evidence-body').textContent();
      expect(text).toContain('</script><script>window.pwned=1</script>');
      expect(await page.locator('#evidence-body script, #evidence-body img').count()).toBe(0);
      expect(await page.locator('#evidence-body a[href^="javascript:"]').count()).toBe(0);
      const p2 = await context.newPage();
      await p2.goto(pathToFileURL(join(out, 'report', 'partnerships', 'NH-KS-TC.html')).href);
      for (const p of [page, p2]) expect(await p.evaluate('window.pwned')).toBeUndefined();
      expect(seen.errors).toEqual([]);
      for (const url of seen.requests) expect(url.startsWith('file://'), url).toBe(true);
    } finally {
      await context.close();
    }
  });
});
