import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractBuffer, parseMarkdown, cleanInline } from '../src/extract/index.js';
import { statementPage, CHROME_MARK } from './fixtures/pages.js';
import { requireShared } from './helpers.js';

// Pages built at test time from the real statements in ../shared/corpus.
const corpus = requireShared('corpus');
const files = readdirSync(corpus).filter((f) => f.endsWith('.md') && f !== 'README.md');
const norm = (s: string) => s.replace(/[^A-Za-z0-9]+/g, ' ').trim();

describe('HTML extraction on pages built from the real statements', () => {
  it('keeps every paragraph and list item and none of the chrome', async () => {
    let blocksChecked = 0;
    for (const f of files) {
      const md = readFileSync(join(corpus, f), 'utf8');
      const title = /^title:\s*"?(.*?)"?\s*$/m.exec(md)?.[1] ?? f;
      const html = statementPage(md, title);
      const d = await extractBuffer(Buffer.from(html), f.replace(/\.md$/, '.html'), '.html', { maxFileBytes: 1e8, minTextChars: 40 }, [], { source_url: 'https://www.whitehouse.gov/briefing-room/x' });
      expect(d.text, f).not.toContain(CHROME_MARK);
      const text = ` ${norm(d.text)} `;
      for (const b of parseMarkdown(md, f).blocks) {
        const words = norm(cleanInline(b.raw));
        if (!words) continue;
        expect(text.includes(` ${words} `), `${f}: "${words.slice(0, 80)}"`).toBe(true);
        blocksChecked++;
      }
      const items = parseMarkdown(md, f).blocks.filter((b) => b.kind === 'item' && cleanInline(b.raw)).length;
      expect(d.blocks.filter((b) => b.kind === 'item').length, f).toBe(items);
    }
    expect(blocksChecked).toBeGreaterThan(2000);
  });
});
