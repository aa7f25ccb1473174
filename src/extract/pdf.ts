import type { RawBlock } from './blocks.js';
import { looksLikeHeading } from './blocks.js';

export interface PdfResult {
  meta: Record<string, string>;
  blocks: RawBlock[];
  pages: number;
}

export class PdfError extends Error {
  constructor(
    message: string,
    readonly kind: 'broken' | 'no-text',
  ) {
    super(message);
  }
}

const BULLET = /^\s*(?:[•▪◦●\-–*]|\d{1,2}[.)])\s+(.*)$/;

/**
 * PDF to blocks. pdf-parse gives text line by line per page; lines are joined
 * into paragraphs (a line ending a sentence followed by a capitalised line, a
 * bullet, or a heading-like line starts a new block). Page numbers are kept.
 */
export async function parsePdf(data: Buffer): Promise<PdfResult> {
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data: new Uint8Array(data) });
  let pages: { num: number; text: string }[];
  const meta: Record<string, string> = {};
  try {
    const info = await parser.getInfo().catch(() => undefined);
    const dict = (info?.info ?? {}) as Record<string, unknown>;
    const custom = (dict['Custom'] ?? {}) as Record<string, unknown>;
    const pick = (k: string) => {
      const v = custom[k] ?? dict[k];
      return typeof v === 'string' && v.trim() ? v.trim() : undefined;
    };
    for (const [key, name] of [
      ['title', 'Title'], ['partnership', 'Partnership'], ['date', 'Date'], ['doc_type', 'DocType'],
      ['publisher', 'Publisher'], ['source_url', 'SourceUrl'], ['citation', 'Citation'],
    ] as const) {
      const v = pick(name);
      if (v) meta[key] = v;
    }
    const result = await parser.getText();
    pages = result.pages.map((p) => ({ num: p.num, text: p.text }));
  } catch (err) {
    throw new PdfError((err as Error).message, 'broken');
  } finally {
    await parser.destroy().catch(() => undefined);
  }
  const blocks: RawBlock[] = [];
  let buf: string[] = [];
  let kind: 'paragraph' | 'item' = 'paragraph';
  let page = 1;
  const flush = () => {
    if (buf.length) blocks.push({ kind, level: 1, raw: buf.join(' '), source: { page } });
    buf = [];
  };
  let chars = 0;
  for (const p of pages) {
    for (const rawLine of p.text.split('\n')) {
      const line = rawLine.trim();
      chars += line.length;
      if (!line) {
        flush();
        continue;
      }
      const bullet = BULLET.exec(line);
      if (bullet) {
        flush();
        kind = 'item';
        page = p.num;
        buf.push(bullet[1]!);
        continue;
      }
      const prev = buf[buf.length - 1];
      const endsSentence = prev !== undefined && /[.:;!?]["')]?$/.test(prev);
      // A short unpunctuated line after a finished sentence is a heading, even in sentence case.
      const shortLine = /^[A-Z]/.test(line) && !/[.,;:!?]$/.test(line) && line.split(/\s+/).length <= 8;
      const heading = looksLikeHeading(line) || ((endsSentence || !prev) && shortLine);
      if (!buf.length || (endsSentence && /^[A-Z"(]/.test(line) && heading)) {
        flush();
        if (heading) {
          blocks.push({ kind: 'heading', level: 7, raw: line.replace(/:$/, ''), source: { page: p.num } });
          continue;
        }
        kind = 'paragraph';
        page = p.num;
        buf.push(line);
        continue;
      }
      if (endsSentence && /^[A-Z"(]/.test(line) && kind === 'item' && rawLine.search(/\S/) === 0) {
        // An unindented capitalised line after a finished bullet starts a paragraph.
        flush();
        kind = 'paragraph';
        page = p.num;
      }
      // Words hyphenated across a line break are joined again.
      if (prev?.endsWith('-') && /^[a-z]/.test(line)) buf[buf.length - 1] = prev.slice(0, -1) + line;
      else buf.push(line);
    }
    flush();
  }
  if (chars < 20) throw new PdfError('no text layer', 'no-text');
  return { meta, blocks, pages: pages.length };
}
