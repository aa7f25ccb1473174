import { tmp } from './helpers.js';
import { describe, expect, it, beforeAll } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFile, parseHtml, cleanInline } from '../src/extract/index.js';
import { buildPdf, SPECS } from '../scripts/make-demo-pdfs.js';

const opts = { maxFileBytes: 8 * 1024 * 1024, minTextChars: 40 };
let dir: string;
beforeAll(() => {
  dir = tmp('accords-extract');
});
const write = (name: string, data: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const codes = (d: { messages: { code: string }[] }) => d.messages.map((m) => m.code);

describe('inline cleanup', () => {
  it('removes leftover web markup and normalises typography', () => {
    expect(cleanInline('the 70<sup>th</sup> year of <u>our</u> [alliance](http://x.test) &amp; it’s **bold**')).toBe("the 70th year of our alliance & it's bold");
    expect(cleanInline('US \\$10 million')).toBe('US $10 million');
  });
});

describe('markdown', () => {
  it('reads front matter into metadata and keeps structure', async () => {
    const p = write('a.md', '---\ntitle: "A Statement"\ndate: 2024-05-01\npartnership: NH-KS-TC\nsource_url: https://example.org/a\n---\n\n## Part\n\nFirst line\nwraps here.\n\n-   item one\n    continues\n-   item two\n');
    const d = await extractFile(p, opts);
    expect(d.meta).toMatchObject({ title: 'A Statement', date: '2024-05-01', partnership: 'NH-KS-TC', sourceUrl: 'https://example.org/a' });
    expect(d.blocks.map((b) => [b.kind, d.text.slice(b.start, b.end)])).toEqual([
      ['heading', 'Part'],
      ['paragraph', 'First line wraps here.'],
      ['item', 'item one continues'],
      ['item', 'item two'],
    ]);
    expect(d.blocks[1]!.source.line).toBe(10);
  });
  it('warns about unknown front-matter fields, naming the field and file', async () => {
    const p = write('b.md', '---\ntitle: T\nmood: happy\n---\n\nThe two sides will cooperate on chips and on batteries in the years ahead.\n');
    const d = await extractFile(p, opts);
    const m = d.messages.find((x) => x.code === 'meta/unknown-field')!;
    expect(m.message).toContain('"mood"');
    expect(m.file).toBe(p);
    expect(m.severity).toBe('warning');
  });
});

describe('html', () => {
  it('keeps the statement body and drops chrome', () => {
    const html = `<html><head><title>T</title></head><body><header><nav>Home News</nav></header>
      <div class="cookie-notice">We use cookies</div><main><article><h1>Joint Statement</h1>
      <div class="social-share">Share this</div><p>The two sides will launch a joint research programme on batteries and will meet every year in spring.</p>
      <p><strong>Quantum:</strong> The labs will share a testbed.</p><ul><li>Item A<ul><li>Sub item</li></ul></li></ul></article>
      <aside class="related">Related stories</aside></main><footer>Copyright</footer></body></html>`;
    const r = parseHtml(html);
    const texts = r.blocks.map((b) => cleanInline(b.raw));
    expect(texts).toEqual(['Joint Statement', 'The two sides will launch a joint research programme on batteries and will meet every year in spring.', 'Quantum: The labs will share a testbed.', 'Item A', 'Sub item']);
    expect(r.blocks.map((b) => b.level).slice(3)).toEqual([1, 2]);
    expect(r.meta['title']).toBe('T');
  });
});

describe('pdf', () => {
  it('extracts text by page with metadata from the info dictionary', async () => {
    const p = write(
      'c.pdf',
      buildPdf({ file: 'c.pdf', info: { Title: 'A PDF Statement', Partnership: 'NH-KS-TC', Date: '2024-01-02' }, pages: [['# Heading One', 'The two sides will cooperate on research.'], ['- Launch a fund for start-ups.']] }),
    );
    const d = await extractFile(p, opts);
    expect(d.meta).toMatchObject({ title: 'A PDF Statement', partnership: 'NH-KS-TC', date: '2024-01-02' });
    expect(d.blocks.map((b) => [b.kind, b.source.page])).toEqual([
      ['heading', 1],
      ['paragraph', 1],
      ['item', 2],
    ]);
  });
});

describe('bad input gets a clear message naming the file', () => {
  it('empty file', async () => {
    const d = await extractFile(write('empty.md', ''), opts);
    expect(codes(d)).toContain('extract/empty');
    expect(d.messages[0]!.file).toContain('empty.md');
  });
  it('binary junk', async () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 37) % 256;
    expect(codes(await extractFile(write('junk.md', junk), opts))).toContain('extract/binary');
  });
  it('truncated PDF', async () => {
    const full = buildPdf({ file: 't.pdf', info: { Title: 'T' }, pages: [['Some text that will be cut off in the middle of the file.']] });
    const d = await extractFile(write('trunc.pdf', full.subarray(0, Math.floor(full.length / 3))), opts);
    expect(codes(d).some((c) => c.startsWith('extract/pdf'))).toBe(true);
    expect(d.messages[0]!.hint).toBeTruthy();
  });
  it('non-English document', async () => {
    const text = 'Die beiden Seiten werden gemeinsam an Halbleitern forschen und einen Fonds für junge Unternehmen gründen. '.repeat(10);
    expect(codes(await extractFile(write('de.md', text), opts))).toContain('extract/non-english');
  });
  it('file over the size limit', async () => {
    const d = await extractFile(write('big.md', 'x'.repeat(2000)), { ...opts, maxFileBytes: 1000 });
    expect(codes(d)).toContain('extract/too-large');
  });
  it('a 5 MB statement is read whole', async () => {
    const para = 'The two sides will cooperate on semiconductor research and will share information on supply chain disruptions.\n\n';
    const big = `---\ntitle: Big\n---\n\n${para.repeat(Math.ceil((5 * 1024 * 1024) / para.length))}`;
    const d = await extractFile(write('five.md', big), opts);
    expect(d.messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(d.text.length).toBeGreaterThan(5_000_000);
  });
  it('unsupported extension', async () => {
    expect(codes(await extractFile(write('x.docx', 'hello there'), opts))).toContain('extract/unsupported');
  });
});

it('the demo PDFs in corpus/ are exactly what the generator writes', () => {
  // Guards against editing the generator's texts without regenerating (npm run corpus:pdf).
  for (const spec of SPECS) {
    const onDisk = readFileSync(join(import.meta.dirname, '..', 'corpus', spec.file));
    expect(onDisk.equals(buildPdf(spec)), spec.file).toBe(true);
  }
});
