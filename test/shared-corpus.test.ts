import { describe, expect, it, beforeAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFile } from '../src/extract/index.js';
import { runPipeline, type RunSummary } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { ROOT, requireShared, tmp } from './helpers.js';

// The real statements are read from ../shared at test time, never copied here.
const corpus = requireShared('corpus');
const files = readdirSync(corpus).filter((f) => f.endsWith('.md') && f !== 'README.md');

describe('the 80 real statements', () => {
  let summary: RunSummary;
  beforeAll(async () => {
    const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('cache') };
    summary = await runPipeline(config, { corpus, out: join(tmp('accords-shared'), 'out'), log: () => {} });
  }, 120_000);

  it('are all processed without an error and attributed', () => {
    expect(files.length).toBe(80);
    expect(summary.documents).toBe(80);
    expect(summary.failed).toBe(0);
    expect(summary.docs.filter((d) => !d.partnerships.length).map((d) => d.path)).toEqual([]);
  });

  it('lose no words of the body: every body line is found in the canonical text', async () => {
    // Must-contain check: each line of prose (markup removed) appears in the extracted text.
    const norm = (s: string) => s.replace(/[\u00AD\u200B-\u200D\uFEFF]/g, '').replace(/<[^>]+>|\*\*|\\|[\u2018\u2019]/g, (m) => (m === '\u2018' || m === '\u2019' ? "'" : '')).replace(/[^A-Za-z0-9']+/g, ' ').trim();
    for (const f of files) {
      const src = readFileSync(join(corpus, f), 'utf8').replace(/^---[\s\S]*?\n---\n/, '');
      const d = await extractFile(join(corpus, f), { maxFileBytes: 1e8, minTextChars: 40 });
      const text = ` ${norm(d.text)} `;
      // Paragraphs and list items, as blank lines and bullets separate them.
      for (const block of src.split(/\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)/)) {
        const words = norm(block.replace(/^\s*(?:[-*]|\d+\.)\s+/, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
        if (words.split(' ').length >= 4) expect(text.includes(` ${words} `), `${f}: "${words.slice(0, 80)}"`).toBe(true);
      }
    }
  });

  it('turn bold lead-in lines into headings that passages inherit', () => {
    const doc = summary.docs.find((d) => d.path.includes('2023-12-08_kr-us-next-generation-cet'))!;
    const headings = new Set(doc.passages.filter((p) => p.kind === 'item').map((p) => p.headings.at(-1)));
    expect(headings.has('Quantum')).toBe(true);
    const q = doc.passages.find((p) => p.kind === 'item' && p.headings.at(-1) === 'Quantum')!;
    expect(q.tags.domains).toContain('quantum');
  });

  it('handle 20k-word communiqués', () => {
    const big = summary.docs.filter((d) => d.text.length > 100_000);
    expect(big.length).toBeGreaterThan(0);
    for (const d of big) expect(d.passages.length).toBeGreaterThan(300);
  });
});
