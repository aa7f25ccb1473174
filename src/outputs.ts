/**
 * The statements' own outputs in a run's out/: passages.jsonl (one document's
 * lines after another, in corpus order) and a page per statement. Most come
 * from the cache entries the documents were prepared into, with only their
 * citation codes filled in; the rest (a statement an analyst reviewed, one
 * found at two addresses) are made by the run and handed over as text.
 *
 * A large run writes them in a thread of their own while the main thread makes
 * the matrix, profiles and report (see outputsWriter in pool/index.ts): the two
 * are independent, and each takes about as long as the other.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncSoon, writeOrLink } from './core/fsutil.js';
import type { Registry } from './rules/index.js';
import type { Doc } from './core/doc.js';
import { UserError } from './core/errors.js';
import { keptOutputs, loadDocSync, renderDoc, type DocInfo } from './stage.js';

/** One document's outputs, as the writer is given them. */
export type OutputItem =
  /** Kept in the document's cache entry: its citation codes are filled in. */
  | { kind: 'kept'; cached: string; info: Pick<DocInfo, 'path' | 'id' | 'outputs'>; codes: string[] }
  /** Made by the run. */
  | { kind: 'made'; id: string; jsonl: string; page?: string };

/** Where a statement's page goes in out/. */
export const pageName = (id: string) => `report/documents/${id}.html`;

/**
 * Write passages.jsonl into `staging` and the pages into its report/documents/
 * (which must exist), in the order the items come. A page that comes out as it
 * was in `previous` (the outputs being replaced) is linked from there.
 * `registry` is asked for only when a kept entry cannot give its outputs.
 */
export async function writeDocOutputs(staging: string, previous: string | undefined, items: AsyncIterable<OutputItem> | Iterable<OutputItem>, registry: () => Registry | Promise<Registry>): Promise<void> {
  const page = (id: string, html: string | Uint8Array) => writeOrLink(join(staging, pageName(id)), html, previous && join(previous, pageName(id)));
  const one = async (item: OutputItem): Promise<string | Buffer> => {
    if (item.kind === 'made') {
      if (item.page !== undefined) await page(item.id, item.page);
      return item.jsonl;
    }
    const kept = await keptOutputs(item.cached, item.info, item.codes);
    if (kept) {
      if (kept.page !== undefined) await page(item.info.id, kept.page);
      return kept.jsonl;
    }
    // Not in the entry (made for another path, or damaged): made from the document.
    const reg = await registry();
    let doc: Doc;
    try {
      doc = loadDocSync(item.cached, item.info.path);
    } catch (err) {
      // Not processed again here (this may be the writer's thread, which has no rules): the entry goes, and the next run processes the statement from its file.
      await rm(item.cached, { force: true });
      throw new UserError(`its cache entry could not be read (${(err as Error).message}); the entry was removed`, item.info.path, undefined, 'run again: the statement is processed from its file');
    }
    const out = renderDoc(doc, item.codes, reg);
    if (out.page !== undefined) await page(item.info.id, out.page);
    return out.jsonl;
  };
  const jsonl = await open(join(staging, 'passages.jsonl'), 'w');
  try {
    // A few documents ahead are read while one is written, in the items' order.
    const it = (Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]()) as AsyncIterator<OutputItem> | Iterator<OutputItem>;
    const inflight: Array<Promise<string | Buffer>> = [];
    let more = true;
    const next = async () => {
      if (!more) return;
      const r = await it.next();
      if (r.done) {
        more = false;
        return;
      }
      const p = one(r.value);
      p.catch(() => {}); // awaited in turn below; a failure stops the run there
      inflight.push(p);
    };
    for (let k = 0; k < 4; k++) await next();
    while (inflight.length) {
      const text = await inflight.shift()!;
      await next();
      if (typeof text === 'string') await jsonl.write(text);
      else await jsonl.write(text);
    }
  } finally {
    await jsonl.close();
  }
  // The largest file of the outputs: handed to the disk by this thread, not left to the flush before the swap.
  syncSoon(join(staging, 'passages.jsonl'));
}
