import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { extractFile } from '../src/extract/index.js';
import { measures, normalizeSentence, type Profile } from '../src/aggregate/index.js';
import { ROOT, requireShared, tmp } from './helpers.js';

/**
 * The report's promises, checked on the real statements in ../shared/corpus
 * (read at run time, never copied here). The figures are printed.
 */
const corpus = requireShared('corpus');
const STUDY = { domain: 'semiconductors' as const, from: '2022-01-01', until: '2023-10-31' };

interface Report {
  documents: Array<{ id: string; file: string; partnerships: string[] }>;
  citation_codes: Record<string, string[]>;
  registry: { withoutDocuments: Array<{ id: string }> };
}

const readJson = <T>(f: string): T => JSON.parse(readFileSync(f, 'utf8')) as T;
const profilesIn = (out: string): Profile[] =>
  readdirSync(join(out, 'profiles'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readJson<Profile>(join(out, 'profiles', f)));
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('the report on the real statements', () => {
  let full: string;
  let study: string;
  let report: Report;
  beforeAll(async () => {
    const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('shared-report-cache') };
    full = join(tmp('shared-report'), 'out');
    study = join(tmp('shared-report-study'), 'out');
    await runPipeline(config, { corpus, out: full, log: () => {} });
    await runPipeline(config, { corpus, out: study, matrix: STUDY, log: () => {} });
    report = readJson<Report>(join(full, 'run-report.json'));
  }, 180_000);

  it('quotes every passage verbatim at its cited offsets, in the profiles and in the statement pages', async () => {
    const files = new Map(report.documents.map((d) => [d.id, d.file]));
    const texts = new Map<string, string>();
    const textOf = async (id: string) => {
      if (!texts.has(id)) texts.set(id, (await extractFile(join(corpus, files.get(id)!.split('/').pop()!), { maxFileBytes: 1e8, minTextChars: 40 })).text);
      return texts.get(id)!;
    };
    const pages = new Map<string, Map<number, string>>();
    const anchorsOf = (id: string) => {
      if (!pages.has(id)) {
        const html = readFileSync(join(full, 'report', 'documents', `${id}.html`), 'utf8');
        pages.set(id, new Map([...html.matchAll(/<span class="passage" id="p(\d+)">([^<]*)<\/span>/g)].map((m) => [Number(m[1]), unescape(m[2]!)])));
      }
      return pages.get(id)!;
    };
    let quotes = 0;
    for (const out of [full, study]) {
      for (const p of profilesIn(out)) {
        const items = [
          ...Object.values(p.objectives).flatMap((o) => Object.values(o.bySubcategory).flat().map((it) => ({ quote: it.text, sources: it.sources }))),
          ...p.governance.passages.map((g) => ({ quote: g.text, sources: g.cites })),
        ];
        for (const { quote, sources } of items) {
          for (const s of sources) {
            const own = s.text ?? quote;
            expect((await textOf(s.docId)).slice(s.start, s.end), `${p.id} ${s.code}`).toBe(own);
            if (out === full) expect(anchorsOf(s.docId).get(s.passage), `${p.id} ${s.code} #p${s.passage}`).toBe(own);
            quotes++;
          }
        }
      }
    }
    console.log(`verbatim: ${quotes} quoted passages checked against the statements' text at their offsets`);
    expect(quotes).toBeGreaterThan(1000);
  });

  it('each partnership page cites only statements attributed to it', () => {
    // Attributed: the statement belongs to the partnership, or a passage of it names the partnership.
    const attributed = new Map<string, Set<string>>();
    const add = (p: string, doc: string) => attributed.set(p, (attributed.get(p) ?? new Set()).add(doc));
    for (const d of report.documents) for (const p of d.partnerships) add(p, d.id);
    for (const line of readFileSync(join(full, 'passages.jsonl'), 'utf8').trim().split('\n')) {
      const x = JSON.parse(line) as { doc: string; named_partnerships: string[] };
      for (const p of x.named_partnerships) add(p, x.doc);
    }
    let pages = 0;
    let links = 0;
    for (const f of readdirSync(join(full, 'report', 'partnerships'))) {
      const id = f.replace(/\.html$/, '');
      const html = readFileSync(join(full, 'report', 'partnerships', f), 'utf8');
      const docs = [...html.matchAll(/href="\.\.\/documents\/([0-9a-f]+)\.html/g)].map((m) => m[1]!);
      for (const d of docs) expect(attributed.get(id)?.has(d), `${id} cites ${d}`).toBe(true);
      links += docs.length;
      pages++;
    }
    for (const p of profilesIn(full)) {
      const cited = [...p.documents, ...p.alsoCited, ...p.namedIn].map((c) => c.docId);
      for (const d of cited) expect(attributed.get(p.id)?.has(d), `${p.id} lists ${d}`).toBe(true);
    }
    console.log(`attribution: ${pages} partnership pages, ${links} links to statements, all to statements attributed to the partnership`);
    expect(pages).toBeGreaterThan(30);
  });

  it('counts no sentence twice', () => {
    const matrix = readJson<{ rows: measures.Row[] }>(join(full, 'matrix.json'));
    let cells = 0;
    let merged = 0;
    for (const p of profilesIn(full)) {
      const row = matrix.rows.find((r) => r.id === p.id);
      for (const [o, cell] of Object.entries(p.objectives)) {
        const items = Object.values(cell.bySubcategory).flat();
        const sentences = items.map((it) => normalizeSentence(it.text));
        expect(new Set(sentences).size, `${p.id} ${o}`).toBe(items.length);
        expect(cell.commitments, `${p.id} ${o}`).toBe(items.length);
        if (row) expect(row.cells[o]!.commitments, `${p.id} ${o}`).toBe(items.length);
        merged += items.filter((it) => new Set(it.sources.map((s) => s.docId)).size > 1).length;
        cells++;
      }
    }
    console.log(`distinct: ${cells} profile cells, each sentence once; ${merged} commitments cite two or more statements`);
    expect(merged).toBeGreaterThan(0);
  });

  it('gives every statement the same citation code in a scoped and an unscoped run', () => {
    const scoped = readJson<Report>(join(study, 'run-report.json'));
    expect(scoped.citation_codes).toEqual(report.citation_codes);
    // And the profiles of the scoped run cite with those codes.
    const codeOf = new Map(Object.entries(report.citation_codes));
    let n = 0;
    for (const p of profilesIn(study)) {
      for (const c of [...p.documents, ...p.alsoCited]) {
        expect(codeOf.get(c.docId), `${p.id} ${c.code}`).toContain(c.code);
        n++;
      }
    }
    console.log(`codes: ${Object.keys(report.citation_codes).length} statements, identical codes in the unscoped and the study-scoped run (${n} citations checked)`);
    expect(n).toBeGreaterThan(0);
  });

  it('tells partnerships apart: fewer than a third of the all-domains cells share one value', () => {
    const matrix = readJson<{ rows: measures.Row[] }>(join(full, 'matrix.json'));
    const cell = measures.modeShare(matrix, (c) => JSON.stringify([c.grade, c.commitments, c.concrete, c.listOnly, c.strength, c.reviewed]));
    const strength = measures.modeShare(matrix, (c) => c.strength.toFixed(1));
    const band = measures.modeShare(matrix, (c) => String(measures.bandOf(c.strength)));
    const grade = measures.modeShare(matrix, (c) => String(c.grade));
    const pct = (x: { share: number }) => `${(100 * x.share).toFixed(1)}%`;
    console.log(
      `discrimination over ${cell.cells} cells (${matrix.rows.length} rows): most common cell value ${cell.count} (${pct(cell)}), strength ${strength.value} in ${strength.count} (${pct(strength)}), heat band ${band.value} in ${band.count} (${pct(band)}); strongest grade alone: ${grade.value} in ${grade.count} (${pct(grade)})`,
    );
    expect(cell.share).toBeLessThan(1 / 3);
    expect(strength.share).toBeLessThan(1 / 3);
    expect(band.share).toBeLessThan(1 / 3);
  });

  it('lists registry partnerships with no statements in the run report', () => {
    expect(report.registry.withoutDocuments.length).toBeGreaterThan(0);
    const ids = new Set(report.documents.flatMap((d) => d.partnerships));
    for (const p of report.registry.withoutDocuments) expect(ids.has(p.id)).toBe(false);
  });
});
