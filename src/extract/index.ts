import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Doc, DocMeta } from '../core/doc.js';
import type { Message } from '../core/messages.js';
import { problem } from '../core/errors.js';
import { shortHash } from '../core/hash.js';
import { assemble, type RawBlock } from './blocks.js';
import { parseMarkdown } from './markdown.js';
import { parseHtml } from './html.js';
import { parsePdf, PdfError } from './pdf.js';
import { englishScore, looksBinary } from './quality.js';
import { decodeBytes } from './encoding.js';
import { checkMeta } from './meta.js';

export { cleanInline, normalizeTypography } from './inline.js';
export { parseMarkdown } from './markdown.js';
export { parseHtml } from './html.js';
export { assemble } from './blocks.js';

export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.txt', '.html', '.htm', '.pdf'];

export interface ExtractOptions {
  maxFileBytes: number;
  minTextChars: number;
}

export type Extracted = Omit<Doc, 'passages' | 'partnerships'>;

function sniff(buf: Buffer, ext: string): Doc['format'] | undefined {
  const head = buf.subarray(0, 1024).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('%pdf-')) return 'pdf';
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || (ext.startsWith('.htm') && head.startsWith('<'))) return 'html';
  if (ext === '.pdf') return 'pdf';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.txt') return 'text';
  if (ext === '.html' || ext === '.htm') return 'html';
  return undefined;
}

/**
 * Read one local file into a document record with canonical text and blocks.
 * Never throws for content problems: they become messages on the record, and a
 * document with an error message has no text to tag.
 */
export async function extractFile(path: string, opts: ExtractOptions): Promise<Extracted> {
  const messages: Message[] = [];
  const ext = extname(path).toLowerCase();
  const empty = (format: Doc['format']): Extracted => ({ path, id: shortHash(path), format, meta: { title: basename(path) }, text: '', blocks: [], messages });

  let buf: Buffer;
  try {
    const st = await stat(path);
    if (!st.isFile()) {
      messages.push(problem('extract/unreadable', path, 'not a regular file (a pipe, a device or a folder)'));
      return empty('text');
    }
    if (st.size > opts.maxFileBytes) {
      messages.push(problem('extract/too-large', path, `${(st.size / 1e6).toFixed(1)} MB > ${(opts.maxFileBytes / 1e6).toFixed(1)} MB`));
      return empty('text');
    }
    buf = await readFile(path);
  } catch (err) {
    messages.push(problem('extract/unreadable', path, (err as NodeJS.ErrnoException).code ?? (err as Error).message));
    return empty('text');
  }
  // Fetched statements carry a sidecar with the metadata their source listed.
  const sidecar = `${path}.meta.json`;
  let overrides: Record<string, unknown> | undefined;
  if (existsSync(sidecar)) {
    try {
      const v = JSON.parse(await readFile(sidecar, 'utf8')) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) overrides = v as Record<string, unknown>;
      else messages.push(problem('meta/bad-front-matter', sidecar, 'it is not a JSON object of fields'));
    } catch (err) {
      messages.push(problem('meta/bad-front-matter', sidecar, (err as Error).message));
    }
  }
  return extractBuffer(buf, path, ext, opts, messages, overrides);
}

export async function extractBuffer(buf: Buffer, path: string, ext: string, opts: ExtractOptions, messages: Message[] = [], overrides?: Record<string, unknown>): Promise<Extracted> {
  const empty = (format: Doc['format']): Extracted => ({ path, id: shortHash(buf.length ? buf : path), format, meta: { title: basename(path) }, text: '', blocks: [], messages });
  const utf16 = (buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff);
  // A UTF-16 file is sniffed and checked as the text it holds.
  const bytes = utf16 ? Buffer.from(decodeBytes(buf, path, []), 'utf8') : buf;
  if (!bytes.toString('utf8').replace(/^\uFEFF/, '').trim()) {
    messages.push(problem('extract/empty', path));
    return empty('text');
  }
  const format = sniff(bytes, ext);
  if (!format) {
    messages.push(problem('extract/unsupported', path, ext || '(no extension)'));
    return empty('text');
  }
  if (format !== 'pdf' && looksBinary(bytes)) {
    messages.push(problem('extract/binary', path));
    return empty(format);
  }
  const source = format === 'pdf' ? '' : decodeBytes(buf, path, messages);

  let raw: RawBlock[] = [];
  let fields: Record<string, unknown> = {};
  if (format === 'pdf') {
    try {
      const r = await parsePdf(buf);
      raw = r.blocks;
      fields = r.meta;
    } catch (err) {
      const kind = err instanceof PdfError ? err.kind : 'broken';
      messages.push(problem(kind === 'no-text' ? 'extract/pdf-no-text' : 'extract/pdf-broken', path, (err as Error).message.split('\n')[0]));
      return empty('pdf');
    }
  } else if (format === 'html') {
    const r = parseHtml(source, typeof overrides?.['source_url'] === 'string' ? overrides['source_url'] : undefined);
    raw = r.blocks;
    fields = r.meta;
  } else {
    const r = parseMarkdown(source, path);
    raw = r.blocks;
    fields = r.frontMatter;
    messages.push(...r.messages);
  }

  const { text, blocks } = assemble(raw);
  const meta = checkMeta({ ...fields, ...(overrides ?? {}) }, path, messages);
  if (!meta.title) {
    const first = blocks[0];
    meta.title = first ? text.slice(first.start, Math.min(first.end, first.start + 120)) : basename(path);
    messages.push(problem('meta/no-title', path));
  }
  if (!text.trim()) messages.push(problem('extract/empty', path, 'no statement text after extraction'));
  else if (text.length < opts.minTextChars) messages.push(problem('extract/too-little-text', path, `${text.length} characters`));
  else if (englishScore(text) < 0.08) messages.push(problem('extract/non-english', path));
  return { path, id: shortHash(text), format, meta: meta as DocMeta, text, blocks, messages };
}
