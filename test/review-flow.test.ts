import { describe, expect, it, beforeAll } from 'vitest';
import { cpSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewStore, exportGold, exportLabels, importGold, reviewStats, passageKeyOf, docKeyOf, labelsOf, evidenceOf, type Labels } from '../src/review/index.js';
import { startReviewServer, type ReviewServer } from '../src/web/index.js';
import { runPipeline, type RunSummary } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { labelSchema, loadLocalGold } from '../src/eval/local.js';
import { main } from '../src/cli.js';
import type { Doc, TaggedPassage } from '../src/core/doc.js';
import { ROOT, tmp } from './helpers.js';

const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('flow-cache') };

let corpus: string;
let summary: RunSummary;
beforeAll(async () => {
  corpus = tmp('flow-corpus');
  cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
  // An invented statement whose source address is not a web address.
  writeFileSync(join(corpus, '2026-03-01_odd-source.md'), `---\ntitle: "A statement with an odd source address"\ndate: 2026-03-01\npartnership: NH-KS-TC\nsource_url: "javascript:alert(1)"\n---\n\nThe two councils will hold a workshop on chip packaging skills in 2027.\n`);
  summary = await runPipeline(config, { corpus, out: join(tmp('flow-out'), 'out'), log: () => {}, needDocs: true });
});

const all = () => summary.docs.flatMap((d) => d.passages.map((p) => ({ d, p })));
const find = (f: (p: TaggedPassage, d: Doc) => boolean) => all().find(({ d, p }) => f(p, d))!;
const record = (store: ReviewStore, d: Doc, p: TaggedPassage, reviewer: string, action: 'accept' | 'correct' | 'reject', after?: Labels, extra: { final?: boolean; note?: string } = {}) =>
  store.add({ docKey: docKeyOf(d), docHash: d.id, docFile: d.path, passageKey: passageKeyOf(p.text), passageId: p.id, text: p.text, reviewer, action, before: labelsOf(p.tags), ...(after ? { after } : {}), rules: p.tags.evidence.map((e) => e.ruleId), evidence: evidenceOf(p.tags), ...extra });
const jsonl = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('decisions in the outputs', () => {
  it('reviewed objectives, grades, subcategories, domains and governance replace the automatic ones in out/', async () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const tagged = find((p) => p.tags.objectives.length === 1 && !p.tags.governance && p.tags.objectives[0]!.objective === 'research');
    const untagged = find((p) => !p.tags.objectives.length && !!p.tags.cooperation && p.kind !== 'heading');
    const edited: Labels = {
      objectives: [{ objective: 'research', grade: 'underway', subcategories: ['institutions', 'infrastructure-access'] }],
      domains: ['space', 'biotech'],
      governance: true,
      governanceGrade: 'completed',
    };
    record(store, tagged.d, tagged.p, 'ana', 'correct', edited, { note: 'a lab network, already running' });
    const added: Labels = { objectives: [{ objective: 'commercial', grade: 'intend', subcategories: ['industry-engagement'] }], domains: [], governance: false, governanceGrade: null };
    record(store, untagged.d, untagged.p, 'ana', 'correct', added);
    const out = join(tmp('flow-out'), 'out');
    const run = await runPipeline(config, { corpus, out, log: () => {}, reviews: store, needDocs: true });
    expect(run.text).toContain('reviews: 2 reviewed passages use the analysts\' labels');
    const lines = jsonl(join(out, 'passages.jsonl'));
    const a = lines.find((l) => l['id'] === tagged.p.id)!;
    expect(a['objectives']).toEqual([expect.objectContaining({ objective: 'research', grade: 'underway', subcategories: ['institutions', 'infrastructure-access'] })]);
    expect(a['domains']).toEqual(['space', 'biotech']);
    expect(a).toMatchObject({ governance: true, governance_grade: 'completed', review: { reviewer: 'ana', action: 'correct', adjudicated: false, note: 'a lab network, already running' } });
    const b = lines.find((l) => l['id'] === untagged.p.id)!;
    expect(b['objectives']).toEqual([expect.objectContaining({ objective: 'commercial', grade: 'intend', subcategories: ['industry-engagement'], grade_reason: 'set by ana' })]);
    // Profiles: the passage is read for governance, and is research evidence under its new subcategory, reviewed.
    const pid = tagged.d.partnerships[0]!;
    const profile = JSON.parse(readFileSync(join(out, 'profiles', `${pid}.json`), 'utf8'));
    expect(profile.governance.passages).toContainEqual(expect.objectContaining({ text: tagged.p.text }));
    expect(profile.objectives.research.bySubcategory.institutions).toContainEqual(expect.objectContaining({ text: tagged.p.text, grade: 'underway', reviewed: true, domains: expect.arrayContaining(['space', 'biotech']) }));
    const upid = untagged.d.partnerships[0]!;
    const uprofile = JSON.parse(readFileSync(join(out, 'profiles', `${upid}.json`), 'utf8'));
    expect(uprofile.objectives.commercial.bySubcategory['industry-engagement']).toContainEqual(expect.objectContaining({ text: untagged.p.text, grade: 'intend', reviewed: true }));
    // The documents handed back keep the tagger's own tags (the review page compares against them).
    const again = run.docs.flatMap((d) => d.passages).find((p) => p.id === tagged.p.id)!;
    expect(again.tags.objectives[0]!.grade).toBe(tagged.p.tags.objectives[0]!.grade);
    expect(again.review).toBeUndefined();
    // Same decisions, same bytes.
    const first = readFileSync(join(out, 'passages.jsonl'));
    await runPipeline(config, { corpus, out, log: () => {}, reviews: store, full: true });
    expect(readFileSync(join(out, 'passages.jsonl')).equals(first)).toBe(true);
    store.close();
  });
});

describe('two review stores', () => {
  it('are told apart by the outputs: a run with the other store writes its decisions, though both hold one', async () => {
    const [x, y] = all().filter(({ p }) => p.tags.objectives.length === 1 && p.kind !== 'heading');
    const one = new ReviewStore(join(tmp('db'), 'one.sqlite'));
    const two = new ReviewStore(join(tmp('db'), 'two.sqlite'));
    const labels: Labels = { objectives: [{ objective: 'workforce', grade: 'completed', subcategories: [] }], domains: [], governance: false, governanceGrade: null };
    record(one, x!.d, x!.p, 'ana', 'correct', labels);
    record(two, y!.d, y!.p, 'ben', 'correct', labels);
    const out = join(tmp('flow-out'), 'out');
    const reviewed = (who: string) => jsonl(join(out, 'passages.jsonl')).filter((l) => (l['review'] as { reviewer?: string } | undefined)?.reviewer === who).length;
    await runPipeline(config, { corpus, out, log: () => {}, reviews: one });
    expect(reviewed('ana')).toBe(1);
    const second = await runPipeline(config, { corpus, out, log: () => {}, reviews: two });
    expect(second.upToDate).toBeFalsy();
    expect(reviewed('ana')).toBe(0);
    expect(reviewed('ben')).toBe(1);
    one.close();
    two.close();
  });
});

describe('export, import and eval', () => {
  it('two reviewers and an adjudication: the export carries the final labels and each reviewer’s; import restores them', async () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const t = all().filter(({ p }) => p.tags.objectives.length).slice(0, 6);
    const [x, y] = t;
    record(store, x!.d, x!.p, 'ana', 'accept');
    record(store, x!.d, x!.p, 'ben', 'reject', undefined, { note: 'a description, not a commitment' });
    const final: Labels = { ...labelsOf(x!.p.tags), objectives: labelsOf(x!.p.tags).objectives.map((o) => ({ ...o, grade: 'explore' as const })) };
    record(store, x!.d, x!.p, 'cleo', 'correct', final, { final: true });
    record(store, y!.d, y!.p, 'ana', 'accept');
    for (const z of t.slice(2)) record(store, z.d, z.p, 'ana', 'reject');
    const text = exportGold(store);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(6);
    const adj = lines.find((l) => l.text === x!.p.text);
    expect(adj).toMatchObject({ adjudicated: true, disputed: true, reviewer: 'cleo', objectives: final.objectives.map((o) => o.objective), grades: Object.fromEntries(final.objectives.map((o) => [o.objective, 'explore'])) });
    expect(Object.keys(adj.reviewers)).toEqual(['ana', 'ben']);
    expect(adj.reviewers.ben).toMatchObject({ objectives: [], action: 'reject', note: 'a description, not a commitment' });
    expect(adj.reviewers.ana.objectives).toEqual(labelsOf(x!.p.tags).objectives.map((o) => o.objective));
    const file = join(tmp('export'), 'decisions.jsonl');
    writeFileSync(file, text);
    const other = new ReviewStore(join(tmp('db'), 'other.sqlite'));
    expect(await importGold(other, file)).toEqual({ added: 8, skipped: 0 });
    expect(await importGold(other, file)).toEqual({ added: 0, skipped: 8 });
    const back = exportGold(other).trim().split('\n').map((l) => JSON.parse(l));
    expect(back.find((l) => l.text === x!.p.text)).toMatchObject({ adjudicated: true, reviewer: 'cleo', grades: adj.grades, reviewers: { ana: { action: 'accept' }, ben: { action: 'reject' } } });
    // accords eval reads the export as one gold file.
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['eval', '--gold', file, '--folds', '2'], { out: (s) => out.push(s), err: (s) => err.push(s) });
    expect(code).toBe(0);
    expect(out.join('')).toContain(`== Shared gold: ${file}`);
    expect(out.join('')).toMatch(/6 passages/);
    store.close();
    other.close();
  });

  it('a bad line is named with its line and nothing is imported', async () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const file = join(tmp('export'), 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify({ text: 'Some words.', objectives: ['research'], grades: { research: 'commit' } })}\n${JSON.stringify({ text: 'More words.', objectives: ['research'], subcategories: ['early-warning'], labels: { objectives: [{ objective: 'research', grade: 'commit', subcategories: ['early-warning'] }], domains: [], governance: false } })}\n`);
    await expect(importGold(store, file)).rejects.toThrow(/early-warning" is not a subcategory of research/);
    await expect(importGold(store, file)).rejects.toMatchObject({ line: 2 });
    expect(store.history()).toHaveLength(0);
    store.close();
  });

  it('exports decisions as project labels (file name and offsets) that resolve to the same passages', async () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const md = all().filter(({ d, p }) => d.path.endsWith('.md') && p.kind !== 'heading').slice(0, 5);
    md.forEach(({ d, p }, i) => record(store, d, p, 'ana', i % 2 ? 'reject' : 'accept'));
    const pdf = all().find(({ d, p }) => d.path.endsWith('.pdf') && p.tags.objectives.length)!;
    record(store, pdf.d, pdf.p, 'ana', 'accept');
    const { files, problems } = await exportLabels(summary.docs, store, corpus);
    expect(problems).toEqual([expect.stringMatching(/\.pdf: 1 decisions not exported as labels/)]);
    const dir = tmp('labels');
    mkdirSync(join(dir, 'dev'));
    for (const [name, lines] of files) {
      for (const l of lines) expect(labelSchema.safeParse(JSON.parse(l)).success).toBe(true);
      writeFileSync(join(dir, 'dev', name), `${lines.join('\n')}\n`);
    }
    expect(readdirSync(join(dir, 'dev')).length).toBeGreaterThan(0);
    const local = await loadLocalGold(dir, corpus);
    expect(local.problems).toEqual([]);
    expect(local.labels).toHaveLength(5);
    for (const { p, d } of md) {
      const l = local.labels.find((x) => x.gold.doc === d.path.split('/').pop() && x.covers.some((c) => c.passage.text === p.text));
      expect(l, p.text).toBeDefined();
    }
    store.close();
    // The same through the command line, with a configuration of its own (no cache written into the project).
    const cfg = join(tmp('cfg'), 'labels.config.mts');
    writeFileSync(cfg, `export default ${JSON.stringify({ rules: join(ROOT, 'rules'), corpus, cacheDir: tmp('labels-cache'), out: join(tmp('labels-out'), 'out'), review: { db: store.file } })};\n`);
    const out = tmp('labels-cli');
    const err: string[] = [];
    expect(await main(['reviews', 'export', '--config', cfg, '--labels', out], { out: () => {}, err: (s) => err.push(s) })).toBe(1);
    expect(err.join('')).toMatch(/wrote 5 labels of \d+ statements? to /);
    expect(err.join('')).toMatch(/\.pdf: 1 decisions not exported as labels/);
    for (const [name, lines] of files) expect(readFileSync(join(out, name), 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('accords reviews stats prints per-rule precision, the most rejected rules with their passages, and agreement', async () => {
    const db = join(tmp('db'), 'r.sqlite');
    const store = new ReviewStore(db);
    const t = all().filter(({ p }) => p.tags.objectives.length).slice(0, 8);
    t.forEach(({ d, p }, i) => record(store, d, p, 'ana', i < 3 ? 'reject' : 'accept', undefined, i === 0 ? { note: 'only a wish' } : {}));
    // Ben agrees on four and disagrees on one (which then counts only once adjudicated).
    t.slice(2, 7).forEach(({ d, p }) => record(store, d, p, 'ben', 'accept'));
    store.close();
    const out: string[] = [];
    const code = await main(['reviews', 'stats', '--db', db], { out: (s) => out.push(s), err: () => {} });
    const text = out.join('');
    expect(code).toBe(0);
    expect(text).toMatch(/^8 reviewed passages \(13 decisions in the history\), 2 reviewers; 1 passage the reviewers disagree on is left out/);
    expect(text).toContain("agreement between reviewers (Krippendorff's alpha over 5 passages decided by two or more of ana, ben)");
    expect(text).toContain('disputed passages 1, adjudicated 0');
    expect(text).toMatch(/per-rule precision from reviewers' decisions/);
    expect(text).toContain('rules analysts reject most');
    expect(text).toContain(`"${t[0]!.p.text.replace(/\s+/g, ' ').slice(0, 40)}`);
    expect(text).toContain('only a wish');
    // Every rule line has fired = kept + rejected.
    for (const m of text.matchAll(/^(\S+)\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)$/gm)) expect(Number(m[2])).toBe(Number(m[3]) + Number(m[4]));
  });
});

describe('the review API', () => {
  let server: ReviewServer;
  let store: ReviewStore;
  const post = (path: string, body: unknown, token = server.token) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-accords-token': token }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const get = (path: string) => fetch(`${server.url}${path}`).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
  const start = async () => {
    store = new ReviewStore(join(tmp('db'), 'api.sqlite'));
    server = await startReviewServer({ docs: summary.docs, store, reviewer: 'ana' });
  };

  it('lists every passage, tagged or not, with counts that match the store', async () => {
    await start();
    const q = await get('api/queue');
    const passages = summary.docs.reduce((n, d) => n + d.passages.length, 0);
    expect(q.body['total']).toBe(passages);
    expect(q.body['counts']).toMatchObject({ passages, unreviewed: passages, decisions: 0 });
    const untagged = all().filter(({ p }) => !p.tags.objectives.length && !p.tags.governance);
    expect(q.body['counts'].untagged).toBe(untagged.length);
    const none = await get('api/queue?tags=none');
    expect(none.body['total']).toBe(untagged.length);
    const coop = await get('api/queue?tags=none-cooperation');
    expect(coop.body['total']).toBe(untagged.filter(({ p }) => p.tags.cooperation).length);
    expect(coop.body['total']).toBeGreaterThan(0);
    const search = await get('api/queue?q=' + encodeURIComponent('"chip packaging" workshop'));
    expect(search.body['items'].map((i: { text: string }) => i.text)).toEqual(['The two councils will hold a workshop on chip packaging skills in 2027.']);
  });

  it('rejects labels outside the taxonomy, unknown fields and unknown filters', async () => {
    const target = find((p) => p.tags.objectives.length > 0);
    const decide = (labels: unknown) => post('api/decide', { id: target.p.id, action: 'correct', labels });
    const ok: Labels = { objectives: [{ objective: 'research', grade: 'commit', subcategories: ['funding'] }], domains: ['ai'], governance: false };
    const bad: Array<[unknown, RegExp]> = [
      [{ ...ok, objectives: [{ objective: 'research', grade: 'commit', subcategories: ['chips'] }] }, /labels\.objectives\.0\.subcategories\.0: must be one of/],
      [{ ...ok, objectives: [{ objective: 'research', grade: 'commit', subcategories: ['early-warning'] }] }, /"early-warning" is not a subcategory of research/],
      [{ ...ok, objectives: [{ objective: 'diplomacy', grade: 'commit' }] }, /labels\.objectives\.0\.objective: must be one of policy, research/],
      [{ ...ok, objectives: [{ objective: 'research', grade: 'promised' }] }, /grade: must be one of explore, intend/],
      [{ ...ok, domains: ['chips'] }, /labels\.domains\.0: must be one of semiconductors/],
      [{ ...ok, governanceGrade: 'maybe' }, /governanceGrade/],
      [{ ...ok, extra: 1 }, /extra/],
      [{ ...ok, objectives: [ok.objectives[0], ok.objectives[0]] }, /listed twice/],
    ];
    for (const [labels, msg] of bad) {
      const r = await decide(labels);
      expect(r.status, JSON.stringify(labels)).toBe(400);
      expect(String(r.body['error'])).toMatch(msg);
    }
    expect(store.history()).toHaveLength(0);
    expect((await post('api/decide', { id: target.p.id, action: 'approve' })).status).toBe(400);
    expect((await post('api/decide', { id: target.p.id, action: 'accept', bogus: true })).status).toBe(400);
    expect((await get('api/queue?status=finished')).status).toBe(400);
    expect((await get('api/queue?objective=diplomacy')).status).toBe(400);
    expect((await get('api/queue?colour=red')).status).toBe(400);
    // The good labels pass and come back as saved.
    const r = await decide(ok);
    expect(r.status).toBe(200);
    expect(r.body['item']).toMatchObject({ labels: ok, status: 'corrected' });
    expect(r.body['counts']).toMatchObject({ decisions: 1, corrected: 1 });
  });

  it('needs the session token for every change, bulk actions included', async () => {
    for (const path of ['api/decide', 'api/undo', 'api/bulk/preview', 'api/bulk/apply', 'api/bulk/undo', 'api/bulk-accept']) {
      expect((await post(path, {}, 'wrong')).status, path).toBe(403);
    }
  });

  it('shows the tags the rules considered and dropped, with their reasons', async () => {
    const withDropped = find((p) => (p.tags.candidates ?? []).some((c) => !c.kept));
    const item = (await get(`api/items?ids=${withDropped.p.id}`)).body['items'][0];
    const dropped = withDropped.p.tags.candidates!.filter((c) => !c.kept);
    expect(item.dropped).toEqual(dropped.map((c) => ({ rule: c.ruleId, label: c.label, match: c.match, reason: c.reason })));
    expect(item.dropped[0].reason.length).toBeGreaterThan(0);
  });

  it('links only web addresses as sources and shows a passage in its document', async () => {
    const odd = find((_p, d) => d.path.endsWith('odd-source.md'));
    const item = (await get(`api/items?ids=${odd.p.id}`)).body['items'][0];
    expect(item.source).toMatchObject({ url: null, file: odd.d.path });
    const fine = find((p, d) => d.path.endsWith('fact-sheet.md') && p.kind === 'item' && !!p.listIntro);
    const it2 = (await get(`api/items?ids=${fine.p.id}`)).body['items'][0];
    expect(it2.source.url).toMatch(/^https:\/\/example\.org\//);
    expect(it2.listIntro).toBe(fine.p.listIntro);
    expect(it2.heading).toEqual(fine.p.headings);
    const doc = (await get(`api/document?id=${fine.p.id}`)).body;
    expect(doc.passages.map((p: { id: string }) => p.id)).toEqual(fine.d.passages.map((p) => p.id));
    expect(doc.passages.some((p: { kind: string }) => p.kind === 'heading')).toBe(true);
  });

  it('bulk-rejects one rule within a filter, with a preview count, and undoes it as one', async () => {
    const q = await get('api/queue?tags=tagged');
    const rule = (q.body['rules'] as Array<{ rule: string; passages: number }>).find((r) => r.rule.includes('.') && !r.rule.startsWith('domain.') && r.passages >= 3)!;
    const filters = { tags: 'tagged', rule: rule.rule };
    const preview = await post('api/bulk/preview', { filters, op: 'reject-rule', rule: rule.rule });
    expect(preview.status).toBe(200);
    const n = preview.body['changes'] as number;
    expect(n).toBeGreaterThan(0);
    expect(preview.body['shown']).toBe(rule.passages);
    const before = store.size();
    const effBefore = store.effective().size;
    const statusBefore = new Map(((await get(`api/queue?${new URLSearchParams(filters)}`)).body['items'] as Array<{ status: string; id: string }>).map((i) => [i.id, i.status]));
    expect((await post('api/bulk/apply', { filters, op: 'reject-rule', rule: rule.rule, expect: n + 1 })).status).toBe(409);
    const applied = await post('api/bulk/apply', { filters, op: 'reject-rule', rule: rule.rule, expect: n });
    expect(applied.body).toMatchObject({ ok: true, applied: n });
    const batch = store.batch(applied.body['batch'] as string);
    expect(batch).toHaveLength(n);
    expect(store.size()).toBe(before + n);
    for (const d of batch) {
      // What the rule produced is gone from the labels unless another rule stood behind it.
      const labels = d.after!;
      const produced = d.evidence.filter((e) => e.rule === rule.rule).map((e) => e.label.split('/')[0]);
      for (const o of produced) {
        const others = d.evidence.some((e) => e.rule !== rule.rule && e.label.startsWith(`${o}/`));
        if (!others) expect(labels.objectives.map((x) => x.objective)).not.toContain(o);
      }
      expect(d.note).toBe(`bulk: rejected the hits of rule ${rule.rule}`);
    }
    const counts = (await get('api/queue')).body['counts'];
    expect(counts.decisions).toBe(store.size());
    expect(counts.accepted + counts.corrected).toBe(store.effective().size);
    const undone = await post('api/bulk/undo', { batch: applied.body['batch'] });
    expect(undone.body).toMatchObject({ ok: true, undone: n });
    expect(store.effective().size).toBe(effBefore);
    expect(store.size()).toBe(before + 2 * n);
    const after = (await get(`api/queue?${new URLSearchParams(filters)}`)).body['items'] as Array<{ status: string; id: string }>;
    expect(new Map(after.map((i) => [i.id, i.status]))).toEqual(statusBefore);
    await server.close();
    store.close();
  });
});
