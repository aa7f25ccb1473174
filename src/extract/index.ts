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

export { cleanInline, normalizeTypography } from './inline.js';
export { parseMarkdown } from './markdown.js';
export { parseHtml } from './html.js';
export { assemble } from './blocks.js';

export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.txt', '.html', '.htm', '.pdf'];

const KNOWN_FIELDS = new Set([
  'title', 'date', 'publisher', 'doc_type', 'partnership', 'source_url', 'language', 'found_in', 'complete', 'citation', 'url', 'source_urls',
]);

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

function normalizeMeta(fields: Record<string, unknown>, file: string, messages: Message[]): Partial<DocMeta> {
  const meta: Partial<DocMeta> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!KNOWN_FIELDS.has(k)) messages.push(problem('meta/unknown-field', file, `"${k}"`));
    if (v === null || v === undefined) continue;
    const s = v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' ? v.trim() : v;
    switch (k) {
      case 'title': meta.title = String(s); break;
      case 'date':
        if (typeof s === 'string' && /^\d{4}-\d{2}-\d{2}/.test(s)) meta.date = s.slice(0, 10);
        else messages.push(problem('meta/bad-date', file, JSON.stringify(s)));
        break;
      case 'publisher': meta.publisher = String(s); break;
      case 'doc_type': meta.docType = String(s); break;
      case 'partnership': if (String(s).trim()) meta.partnership = String(s); break;
      case 'source_url': case 'url': meta.sourceUrl = String(s); break;
      case 'source_urls': if (Array.isArray(s)) meta.sourceUrls = s.map(String); break;
      case 'language': meta.language = String(s); break;
      default: meta[k] = s;
    }
  }
  return meta;
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

  const size = (await stat(path)).size;
  if (size > opts.maxFileBytes) {
    messages.push(problem('extract/too-large', path, `${(size / 1e6).toFixed(1)} MB > ${(opts.maxFileBytes / 1e6).toFixed(1)} MB`));
    return empty('text');
  }
  const buf = await readFile(path);
  // Fetched statements carry a sidecar with the metadata their source listed.
  const sidecar = `${path}.meta.json`;
  let overrides: Record<string, unknown> | undefined;
  if (existsSync(sidecar)) {
    try {
      overrides = JSON.parse(await readFile(sidecar, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      messages.push(problem('meta/bad-front-matter', sidecar, (err as Error).message));
    }
  }
  return extractBuffer(buf, path, ext, opts, messages, overrides);
}

export async function extractBuffer(buf: Buffer, path: string, ext: string, opts: ExtractOptions, messages: Message[] = [], overrides?: Record<string, unknown>): Promise<Extracted> {
  const empty = (format: Doc['format']): Extracted => ({ path, id: shortHash(buf.length ? buf : path), format, meta: { title: basename(path) }, text: '', blocks: [], messages });
  if (!buf.toString('utf8').trim()) {
    messages.push(problem('extract/empty', path));
    return empty('text');
  }
  const format = sniff(buf, ext);
  if (!format) {
    messages.push(problem('extract/unsupported', path, ext || '(no extension)'));
    return empty('text');
  }
  if (format !== 'pdf' && looksBinary(buf)) {
    messages.push(problem('extract/binary', path));
    return empty(format);
  }

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
    const r = parseHtml(buf.toString('utf8'), typeof overrides?.['source_url'] === 'string' ? overrides['source_url'] : undefined);
    raw = r.blocks;
    fields = r.meta;
  } else {
    const r = parseMarkdown(buf.toString('utf8'), path);
    raw = r.blocks;
    fields = r.frontMatter;
    messages.push(...r.messages);
  }

  const { text, blocks } = assemble(raw);
  const meta = normalizeMeta({ ...fields, ...(overrides ?? {}) }, path, messages);
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
