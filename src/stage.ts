/**
 * The work done for one document, the same in the main thread and in a worker
 * thread: read it (or its cached form), extract, segment, tag, attribute and
 * summarise it, and later render its lines of passages.jsonl and its page. What
 * goes back to the run is a compact record (`DocInfo`): metadata, messages and
 * the per-document summary aggregation needs; the whole document stays in the
 * cache of processed documents and is read again only to render its outputs.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Doc, DocMeta } from './core/doc.js';
import type { Message } from './core/messages.js';
import { problem } from './core/errors.js';
import { writeFileAtomic } from './core/fsutil.js';
import type { LoadedConfig } from './config/index.js';
import { extractFile } from './extract/index.js';
import { segment } from './segment/index.js';
import type { CompiledRules, Registry } from './rules/index.js';
import { classify } from './classify.js';
import { attribute, summarize, type DocSummary } from './aggregate/index.js';
import { passagesJsonl, renderDocumentPage } from './render/index.js';

/** What the run keeps of a processed document. */
export interface DocInfo {
  path: string;
  id: string;
  hasText: boolean;
  format: Doc['format'];
  meta: DocMeta;
  partnerships: string[];
  messages: Message[];
  passages: number;
  /** The automatic tags' summary, for aggregation. */
  summary: DocSummary;
}

export interface Prepared {
  info: DocInfo;
  /** The processed document's file in the cache; absent when it could not be cached. */
  cached?: string;
  /** The document itself when it is not cached (it failed in a way worth trying again). */
  doc?: Doc;
  fromCache: boolean;
  ms: number;
}

export interface StageContext {
  config: LoadedConfig;
  rules: CompiledRules;
  registry: Registry;
}

export interface PrepareJob {
  file: string;
  display: string;
  /** The document's cache key, when its bytes could be read. */
  key?: string;
  cacheDir: string;
  full: boolean;
}

/** Process one file through every stage. Never throws: failures become messages. */
export async function processFile(path: string, config: LoadedConfig, rules: CompiledRules, registry: Registry, displayPath = path): Promise<Doc> {
  try {
    const ex = await extractFile(path, config.limits);
    ex.path = displayPath;
    for (const m of ex.messages) if (m.file === path) m.file = displayPath;
    const doc: Doc = { ...ex, passages: [], partnerships: [] };
    if (!doc.text || doc.messages.some((m) => m.severity === 'error')) return doc;
    const passages = segment(doc);
    doc.passages = passages.map((p) => ({ ...p, tags: classify({ text: p.text, headings: p.headings, title: doc.meta.title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules) }));
    const attr = attribute(doc.meta, doc.text, registry, displayPath);
    doc.partnerships = attr.ids;
    doc.messages.push(...attr.messages);
    return doc;
  } catch (err) {
    return {
      path: displayPath,
      id: basename(path),
      format: 'text',
      meta: { title: basename(path) },
      text: '',
      blocks: [],
      passages: [],
      partnerships: [],
      messages: [problem('pipeline/crash', displayPath, (err as Error).message)],
    };
  }
}

/** The compact record of a document. */
export function infoOf(doc: Doc, registry: Registry): DocInfo {
  return {
    path: doc.path,
    id: doc.id,
    hasText: !!doc.text,
    format: doc.format,
    meta: doc.meta,
    partnerships: doc.partnerships,
    messages: doc.messages,
    passages: doc.passages.length,
    summary: summarize(doc, registry),
  };
}

/** The same content may have been processed under another path: it is named by the path it has now. */
export function renamedDoc<T extends { path: string; messages: Message[] }>(x: T, display: string): T {
  for (const m of x.messages) if (m.file === x.path) m.file = display;
  x.path = display;
  return x;
}

/** A processed document from the cache, named by its present path. */
export async function loadDoc(cached: string, display: string): Promise<Doc> {
  return renamedDoc(JSON.parse(await readFile(cached, 'utf8')) as Doc, display);
}

const infoFile = (cached: string) => cached.replace(/\.json$/, '.info.json');

/**
 * One document for the run: from the cache when its bytes, the rules, the
 * registry, the settings and the code are unchanged (only the compact record is
 * read), otherwise processed and cached. Cache entries are written atomically
 * but not flushed to disk one by one: a damaged entry is re-processed.
 */
export async function prepareFile(job: PrepareJob, ctx: StageContext): Promise<Prepared> {
  const t0 = performance.now();
  const cached = job.key ? `${job.cacheDir}/${job.key}.json` : undefined;
  if (cached && !job.full && existsSync(cached)) {
    try {
      const info = JSON.parse(await readFile(infoFile(cached), 'utf8')) as DocInfo;
      renamedDoc(info, job.display);
      info.summary.path = job.display;
      return { info, cached, fromCache: true, ms: Math.round(performance.now() - t0) };
    } catch {
      // No record yet (or a damaged one): made from the cached document.
    }
    try {
      const doc = await loadDoc(cached, job.display);
      const info = infoOf(doc, ctx.registry);
      await writeFileAtomic(infoFile(cached), JSON.stringify(info), { sync: false });
      return { info, cached, fromCache: true, ms: Math.round(performance.now() - t0) };
    } catch {
      // A damaged cache entry: processed again.
    }
  }
  const doc = await processFile(job.file, ctx.config, ctx.rules, ctx.registry, job.display);
  const info = infoOf(doc, ctx.registry);
  if (cached && !doc.messages.some((m) => m.code === 'pipeline/crash')) {
    await writeFileAtomic(cached, JSON.stringify(doc), { sync: false });
    await writeFileAtomic(infoFile(cached), JSON.stringify(info), { sync: false });
    return { info, cached, fromCache: false, ms: Math.round(performance.now() - t0) };
  }
  return { info, doc, fromCache: false, ms: Math.round(performance.now() - t0) };
}

/** A document's outputs: its lines of passages.jsonl and, when it has text, its page in the report. */
export function renderDoc(doc: Doc, codes: string[], registry: Registry): { jsonl: string; page?: string } {
  const jsonl = passagesJsonl([doc], registry);
  if (!doc.text || doc.messages.some((m) => m.severity === 'error')) return { jsonl };
  return { jsonl, page: renderDocumentPage(doc, codes) };
}
