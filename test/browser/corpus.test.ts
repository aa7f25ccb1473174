import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ReviewStore, type Decision } from '../../src/review/index.js';
import { startReviewServer, type ReviewServer } from '../../src/web/index.js';
import { runPipeline, type RunSummary } from '../../src/pipeline.js';
import { loadConfig } from '../../src/config/index.js';
import { ROOT, requireShared, tmp } from '../helpers.js';
import { launch, summary as stats, timeKeys } from './chromium.js';

/**
 * The review page on the whole shared corpus (../shared/corpus, 6,000+ passages),
 * as an analyst uses it: the queue loads, keys answer at once, an untagged passage
 * gets an objective, one rule's hits are bulk-rejected within a filter and undone,
 * a subcategory, a domain and governance are edited, and all of it is in out/
 * after a re-run.
 */
const SHARED_CORPUS = requireShared('corpus');
const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('corpus-cache') };

type Row = { id: string; text: string; status: string; governance: boolean; objectives: Array<[string, string]> };
type Line = { id: string; objectives: Array<{ objective: string; grade: string; subcategories: string[] }>; domains: string[]; governance: boolean; governance_grade: string | null; review?: { reviewer: string } };

describe('the review page on the whole shared corpus', () => {
  let browser: Browser;
  let page: Page;
  let server: ReviewServer;
  let store: ReviewStore;
  let run: RunSummary;
  let baseline: Map<string, Line>;
  const out = join(tmp('corpus-out'), 'out');
  const done: { untagged?: Decision; edited?: Decision; bulk?: Decision[] } = {};

  const readOut = () => new Map(readFileSync(join(out, 'passages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line).map((l) => [l.id, l]));
  const api = async (path: string) => (await (await fetch(`${server.url}${path}`)).json()) as Record<string, any>;
  const loaded = () => page.waitForResponse((r) => r.url().includes('/api/queue'));
  const setFilter = async (name: string, value: string) => {
    await Promise.all([loaded(), page.selectOption(`#f-${name}`, value)]);
    await page.locator('#passage, #detail p').first().waitFor();
  };
  const clearFilters = async () => {
    for (const f of ['partnership', 'tags', 'objective', 'domain', 'grade', 'status', 'rule', 'order']) if ((await page.inputValue(`#f-${f}`)) !== '') await setFilter(f, '');
  };
  /** Select a passage of the list shown by id: scroll the windowed list to it and click it. */
  const open = async (id: string, rows: Row[]) => {
    const i = rows.findIndex((r) => r.id === id);
    await page.evaluate(`document.getElementById('listbox').scrollTop = ${Math.max(0, i - 3) * 66}`);
    await page.locator(`#list li[data-id="${id}"]`).click();
    await expect.poll(() => page.locator('#list li.sel').getAttribute('data-id')).toBe(id);
    await page.locator('#labels').waitFor();
  };

  beforeAll(async () => {
    const dir = tmp('corpus-db');
    store = new ReviewStore(join(dir, 'reviews.sqlite'));
    run = await runPipeline(config, { corpus: SHARED_CORPUS, out, log: () => {}, needDocs: true, reviews: store });
    baseline = readOut();
    server = await startReviewServer({ docs: run.docs, store, reviewer: 'ana' });
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => void d.accept());
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
  });

  it('loads every passage of the corpus into a windowed queue', async () => {
    const t0 = performance.now();
    await page.goto(server.url);
    await page.locator('#passage').waitFor();
    const ms = performance.now() - t0;
    const passages = run.docs.reduce((n, d) => n + d.passages.length, 0);
    expect(passages).toBeGreaterThanOrEqual(6000);
    const counts = JSON.parse((await page.locator('#counts').getAttribute('data-json'))!);
    expect(counts).toMatchObject({ passages, unreviewed: passages, decisions: 0 });
    expect(await page.locator('#counts').textContent()).toMatch(new RegExp(`^${passages} shown · ${passages} passages \\(${counts.untagged} untagged\\)`));
    // Windowed: a few dozen rows are in the page, not thousands; the last passage is reachable.
    const drawn = await page.locator('#list li').count();
    expect(drawn).toBeLessThan(80);
    await page.evaluate(`document.getElementById('listbox').scrollTop = 1e9`);
    const last = run.docs.at(-1)!.passages.at(-1)!;
    await page.locator(`#list li[data-id="${last.id}"]`).waitFor();
    await page.evaluate(`document.getElementById('listbox').scrollTop = 0`);
    await page.locator('#list li[data-i="0"]').waitFor();
    console.log(`review page, shared corpus: ${passages} passages (${counts.untagged} untagged) in the queue, ${drawn} rows drawn, page ready in ${ms.toFixed(0)} ms`);
  }, 60_000);

  it('answers next, toggle and accept in under 50 ms (median keystroke to update)', async () => {
    const next = stats(await timeKeys(page, 'j', 'next', 40));
    const toggle = stats(await timeKeys(page, '2', 'toggle', 30, 'research'));
    const accept = stats(await timeKeys(page, 'a', 'accept', 30));
    const f = (s: { median: number; p95: number; max: number }) => `median ${s.median.toFixed(1)}, p95 ${s.p95.toFixed(1)}, max ${s.max.toFixed(1)}`;
    console.log(`keystroke to update on ${run.passages} passages (ms): next (j, 40 presses) ${f(next)}; toggle (2, 30) ${f(toggle)}; accept (a, 30, saved to disk) ${f(accept)}`);
    expect(next.median).toBeLessThan(50);
    expect(toggle.median).toBeLessThan(50);
    expect(accept.median).toBeLessThan(50);
    // Every accept is in the store, and the counts on the page are the store's.
    // (A sentence repeated in a statement is one decision: accepting its second place keeps the
    // labels already saved, which differ from its own automatic ones when its headings differ.)
    const seen = new Set<string>();
    for (const d of store.history()) {
      expect(d.action).toBe(seen.has(d.passageKey) ? d.action : 'accept');
      seen.add(d.passageKey);
    }
    expect(store.size()).toBe(30);
    const counts = JSON.parse((await page.locator('#counts').getAttribute('data-json'))!);
    const recount = (await api('api/queue'))['items'] as Row[];
    const by = (s: string) => recount.filter((r) => r.status === s).length;
    expect(counts).toMatchObject({ decisions: 30, accepted: by('accepted'), corrected: by('corrected'), unreviewed: by('unreviewed') });
    expect(counts.accepted + counts.corrected).toBeGreaterThanOrEqual(30);
  }, 120_000);

  it('reviews an untagged passage with cooperation language by adding an objective', async () => {
    await setFilter('tags', 'none-cooperation');
    const rows = (await api('api/queue?tags=none-cooperation'))['items'] as Row[];
    expect(rows.length).toBeGreaterThan(100);
    const target = rows.find((r) => r.status === 'unreviewed')!;
    await open(target.id, rows);
    await page.keyboard.press('3'); // commercial on, and marked for the grade keys
    await page.keyboard.press('i'); // intend
    // (A candidate the rules dropped may already have proposed subcategories: they come pre-selected.)
    const chip = page.locator('#labels tr[data-objective="commercial"] button', { hasText: 'industry-engagement' });
    if ((await chip.getAttribute('aria-pressed')) !== 'true') await chip.click();
    await expect.poll(() => page.locator('#status').textContent()).toContain('unsaved');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator(`#list li[data-id="${target.id}"] .badge`).first().textContent()).toBe('corrected');
    done.untagged = store.history().at(-1)!;
    expect(done.untagged).toMatchObject({ passageId: target.id, reviewer: 'ana', action: 'correct', before: { objectives: [] } });
    expect(done.untagged.after!.objectives).toEqual([{ objective: 'commercial', grade: 'intend', subcategories: expect.arrayContaining(['industry-engagement']) }]);
  }, 60_000);

  it('bulk-rejects the hits of one rule within a filter, with a preview, and undoes them together', async () => {
    await clearFilters();
    // The partnership with the most tagged passages, and its most frequent objective rule.
    const q = await api('api/queue?tags=tagged');
    const byPartnership = new Map<string, number>();
    const docs = q['docs'] as Array<{ partnerships: string[] }>;
    for (const r of q['items'] as Array<{ doc: number }>) for (const p of docs[r.doc]?.partnerships ?? []) byPartnership.set(p, (byPartnership.get(p) ?? 0) + 1);
    const partnership = [...byPartnership.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    await setFilter('partnership', partnership);
    await setFilter('tags', 'tagged');
    const shown = await api(`api/queue?tags=tagged&partnership=${encodeURIComponent(partnership)}`);
    const rule = (shown['rules'] as Array<{ rule: string; label: string; passages: number }>).find((r) => /^(policy|research|commercial|preparedness|workforce)\//.test(r.label) && r.passages >= 5)!;
    expect(rule).toBeDefined();
    await page.click('#bulk-toggle');
    await page.selectOption('#bulk-op', 'reject-rule');
    await page.selectOption('#bulk-rule', rule.rule);
    await page.click('#bulk-preview');
    await expect.poll(() => page.locator('#bulk-result').textContent()).toMatch(/passages shown will change/);
    const m = /^(\d+) of (\d+) passages shown will change/.exec((await page.locator('#bulk-result').textContent())!)!;
    const n = Number(m[1]);
    expect(Number(m[2])).toBe(shown['total']);
    expect(n).toBeGreaterThan(0);
    const before = store.effective().size;
    const countsBefore = JSON.parse((await page.locator('#counts').getAttribute('data-json'))!);
    await page.click('#bulk-apply');
    await expect.poll(() => page.locator('#bulk-result').textContent()).toBe(`${n} decisions saved as one bulk action`);
    const batch = store.history().at(-1)!.batch!;
    done.bulk = store.batch(batch);
    expect(done.bulk).toHaveLength(n);
    for (const d of done.bulk) {
      expect(d.note).toBe(`bulk: rejected the hits of rule ${rule.rule}`);
      expect(store.current(d.docKey, d.passageKey)?.seq).toBe(d.seq);
    }
    // The page's counts are the store's: the same numbers as a recount of the whole queue.
    const counts = JSON.parse((await page.locator('#counts').getAttribute('data-json'))!);
    const recount = (await api('api/queue'))['items'] as Row[];
    expect(counts.decisions).toBe(store.size());
    expect(counts.corrected).toBe(recount.filter((r) => r.status === 'corrected').length);
    expect(counts.corrected).toBeGreaterThanOrEqual(1 + n);
    await page.click('#bulk-undo');
    await expect.poll(() => page.locator('#bulk-result').textContent()).toBe(`${n} decisions undone`);
    expect(store.effective().size).toBe(before);
    expect(store.batch(batch).filter((d) => d.action === 'undo')).toHaveLength(n);
    const after = JSON.parse((await page.locator('#counts').getAttribute('data-json'))!);
    expect(after).toMatchObject({ corrected: countsBefore.corrected, accepted: countsBefore.accepted, unreviewed: countsBefore.unreviewed, decisions: store.size() });
    console.log(`bulk: rejected rule ${rule.rule} on ${n} passages of ${partnership} (${shown['total']} shown), then undid all ${n}`);
  }, 60_000);

  it('edits a subcategory, a domain and governance with its grade', async () => {
    await clearFilters();
    await setFilter('objective', 'research');
    await setFilter('status', 'unreviewed');
    const rows = (await api('api/queue?objective=research&status=unreviewed'))['items'] as Row[];
    const bulkIds = new Set(done.bulk!.map((d) => d.passageId));
    const target = rows.find((r) => !r.governance && !bulkIds.has(r.id) && r.objectives.length === 1)!;
    await open(target.id, rows);
    const sub = page.locator('#labels tr[data-objective="research"] td:nth-child(4) button.chip:not(.on)').first();
    const subName = (await sub.textContent())!;
    await sub.click();
    const dom = page.locator('#domains button.chip:not(.on)').first();
    const domName = (await dom.textContent())!;
    await dom.click();
    await page.keyboard.press('g'); // governance on, marked
    await page.keyboard.press('u'); // its grade: underway
    await expect.poll(() => page.locator('#labels tr[data-objective="governance"] select').inputValue()).toBe('underway');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator(`#list li[data-id="${target.id}"] .badge`).first().textContent()).toBe('corrected');
    done.edited = store.history().at(-1)!;
    const l = done.edited.after!;
    expect(done.edited.passageId).toBe(target.id);
    expect(l.objectives.find((o) => o.objective === 'research')!.subcategories).toContain(subName);
    expect(l.domains).toContain(domName);
    expect(l).toMatchObject({ governance: true, governanceGrade: 'underway' });
  }, 60_000);

  it('finds all of it in out/ after a re-run', async () => {
    await server.close();
    const rerun = await runPipeline(config, { corpus: SHARED_CORPUS, out, log: () => {}, reviews: store });
    // Passages are counted by id: a sentence repeated in a statement is one decision and two passages.
    const applied = Number(/reviews: (\d+) reviewed passages use the analysts' labels/.exec(rerun.text)![1]);
    expect(applied).toBeGreaterThanOrEqual(store.effective().size);
    const lines = readOut();
    const u = lines.get(done.untagged!.passageId)!;
    expect(u.objectives).toEqual([expect.objectContaining({ objective: 'commercial', grade: 'intend', subcategories: done.untagged!.after!.objectives[0]!.subcategories })]);
    expect(u.review).toMatchObject({ reviewer: 'ana' });
    const e = lines.get(done.edited!.passageId)!;
    const want = done.edited!.after!;
    expect(e.objectives.find((o) => o.objective === 'research')!.subcategories).toEqual(want.objectives.find((o) => o.objective === 'research')!.subcategories);
    expect(e.domains).toEqual(want.domains);
    expect(e).toMatchObject({ governance: true, governance_grade: 'underway' });
    // The bulk rejection was undone: those passages carry the tagger's labels, as before any review.
    for (const d of done.bulk!) {
      const now = lines.get(d.passageId)!;
      const was = baseline.get(d.passageId)!;
      expect(now.objectives, d.text).toEqual(was.objectives);
      expect(now.review).toBeUndefined();
    }
    // Profiles read the edited passage for governance, and show its research evidence, reviewed, under the new subcategory;
    // the untagged passage is commercial evidence now.
    const profileOf = (id: string) => {
      const doc = run.docs.find((d) => d.passages.some((p) => p.id === id))!;
      return doc.partnerships.map((pid) => JSON.parse(readFileSync(join(out, 'profiles', `${pid}.json`), 'utf8')));
    };
    for (const profile of profileOf(done.edited!.passageId)) {
      expect(profile.governance.passages).toContainEqual(expect.objectContaining({ text: done.edited!.text }));
      const sub = want.objectives.find((o) => o.objective === 'research')!.subcategories![0]!;
      expect(profile.objectives.research.bySubcategory[sub]).toContainEqual(expect.objectContaining({ text: done.edited!.text, reviewed: true, domains: expect.arrayContaining(want.domains) }));
    }
    for (const profile of profileOf(done.untagged!.passageId)) {
      expect(profile.objectives.commercial.bySubcategory['industry-engagement']).toContainEqual(expect.objectContaining({ text: done.untagged!.text, grade: 'intend', reviewed: true }));
    }
  }, 120_000);
});
