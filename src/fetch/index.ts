import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { acquireLock, removeTempFiles, writeFileAtomic } from '../core/fsutil.js';
import { HttpClient, FetchError, clip, type HttpOptions } from './http.js';
import { ResponseCache } from './cache.js';
import { parseRobots, isAllowed, MAX_ROBOTS_BYTES, type RobotsRules } from './robots.js';
import { detectKind, decodeText, originalCapture, parseFeed } from './content.js';
import { loadFeedState, saveFeedState, MAX_TRIES, type FeedState } from './feeds.js';
import { regexFor } from './sources.js';
import type { Sources } from './sources.js';

export { loadSources, sourcesSchema, type Sources } from './sources.js';
export { HttpClient, FetchError, HTTP_DEFAULTS, retryAfterMs, type HttpOptions } from './http.js';
export { parseRobots, isAllowed, ruleMatches, MAX_ROBOTS_BYTES } from './robots.js';
export { detectKind, decodeText, originalCapture, parseFeed } from './content.js';
export { ResponseCache } from './cache.js';
export { privateAddressReason, refusal } from './address.js';
export { MAX_TRIES } from './feeds.js';

export type FetchStatus = 'new' | 'updated' | 'unchanged' | 'duplicate' | 'failed' | 'disallowed';

export interface FetchItemReport {
  url: string;
  status: FetchStatus;
  file?: string;
  error?: string;
  ms: number;
  attempts?: number;
  /** Why it failed, as a code: 'scheme' (an address that can never be fetched), 'private', 'http', 'timeout'... */
  reason?: FetchError['code'];
  /** Problems that did not stop the item: bytes replaced while decoding, say. */
  warnings?: string[];
  /** For a feed item: its feed, how many runs have tried it, and whether it was given up on this run. */
  feed?: string;
  tries?: number;
  givenUp?: boolean;
}

export interface FetchReport {
  items: FetchItemReport[];
  requests: number;
  conditional: number;
  seconds: number;
  /** Feed items given up on in earlier runs, with the reason (they are not tried again). */
  givenUp: Array<{ feed: string; id: string; url: string; error: string }>;
  /** What had to be repaired at the start (an index cut short by a killed fetch...). */
  repaired: string[];
}

export interface FetchOptions {
  corpus: string;
  cacheDir: string;
  http?: Partial<HttpOptions>;
  client?: HttpClient;
  log?: (line: string) => void;
}

interface WorkItem {
  url: string;
  meta: Record<string, string>;
  /** The feed items this address stands for (feed url, item id). */
  feedItems: Array<{ feed: string; id: string }>;
}

/** Metadata written beside a fetched file; the extractor merges it over what the page says. */
export interface Sidecar {
  title?: string;
  date?: string;
  partnership?: string;
  doc_type?: string;
  citation?: string;
  publisher?: string;
  source_url: string;
  source_urls: string[];
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, ' ')
      .trim()
      .split(/[\s_-]+/)
      .slice(0, 10)
      .join('-')
      .slice(0, 80) || 'statement'
  );
}

const EXT = { html: 'html', pdf: 'pdf', text: 'txt', feed: 'xml' } as const;
const DONE: FetchStatus[] = ['new', 'updated', 'unchanged', 'duplicate'];

const defined = (o: Record<string, string | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;

/**
 * Fetch every listed document and every feed item not fetched before into the
 * corpus folder (under fetched/), politely and incrementally. Failures are
 * reported per address with the reason; the batch always completes. A feed
 * item whose fetch fails is tried again on the next runs until it succeeds or
 * is given up on (the reason is kept in <cacheDir>/feeds.json). One fetch at a
 * time per cache: the cache folder is locked while it runs.
 */
export async function fetchAll(sources: Sources, opts: FetchOptions): Promise<FetchReport> {
  const rel = relative(process.cwd(), opts.cacheDir);
  const lock = await acquireLock(join(opts.cacheDir, '.lock'), `the fetch cache ${rel && !rel.startsWith('..') ? rel : opts.cacheDir}/`);
  const client = opts.client ?? new HttpClient(opts.http);
  try {
    return await fetchLocked(sources, opts, client);
  } finally {
    if (!opts.client) await client.close();
    await lock.release();
  }
}

async function fetchLocked(sources: Sources, opts: FetchOptions, client: HttpClient): Promise<FetchReport> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const outDir = join(opts.corpus, 'fetched');
  await mkdir(outDir, { recursive: true });
  // Temporary files of a fetch that was killed mid-write.
  await removeTempFiles(opts.cacheDir, true);
  await removeTempFiles(outDir);
  const cache = new ResponseCache(opts.cacheDir);
  await cache.load();
  const statePath = join(opts.cacheDir, 'feeds.json');
  const state: FeedState = await loadFeedState(statePath, join(opts.cacheDir, 'feeds-seen.json'));
  const robots = new Map<string, Promise<RobotsRules>>();
  const report: FetchItemReport[] = [];
  const requestsBefore = client.log.length;

  // robots.txt is kept for a day (RFC 9309 allows up to 24 hours), so re-runs
  // do not ask for it again; within that time only the statements are requested.
  // Only its first 500 KiB are read.
  const ROBOTS_TTL = 24 * 3600 * 1000;
  const robotsFor = (u: URL) => {
    let p = robots.get(u.origin);
    if (!p) {
      const key = `${u.origin}/robots.txt`;
      const cached = cache.get(key);
      const fresh = cached && Date.now() - Date.parse(cached.fetchedAt) < ROBOTS_TTL;
      p = fresh
        ? cache.body(cached.sha).then((b) => parseRobots(b.toString('utf8'), client.opts.userAgent))
        : client
            .get(key, {}, { maxBytes: MAX_ROBOTS_BYTES, truncate: true })
            .then(async (r) => {
              await cache.put(key, r.body, { finalUrl: r.finalUrl, contentType: r.headers['content-type'] ?? 'text/plain' });
              return parseRobots(r.body.toString('utf8'), client.opts.userAgent);
            })
            .catch(async (err: unknown) => {
              // A refused address is refused for the statement too, with its reason.
              if (err instanceof FetchError && (err.code === 'private' || err.code === 'scheme')) throw err;
              // No robots.txt (4xx) allows everything; a server error forbids everything for now.
              if (err instanceof FetchError && err.status !== undefined && err.status < 500) {
                await cache.put(key, Buffer.alloc(0), { finalUrl: key, contentType: 'text/plain' });
                return { allow: [], disallow: [] };
              }
              return { allow: [], disallow: ['/'] };
            });
      robots.set(u.origin, p);
    }
    return p;
  };

  // Statements already in the corpus: by content hash (to publish a statement
  // once even when found at two addresses) and by address (to find again a file
  // that a killed fetch wrote before it could record it).
  const bySha = new Map<string, string>();
  const byAddress = new Map<string, string>();
  const taken = new Set<string>();
  const sidecarWrites = new Map<string, Promise<void>>();
  for (const [, e] of cache.entries()) if (e.file && existsSync(join(opts.corpus, e.file))) bySha.set(e.sha, e.file);
  for (const name of (await readdir(outDir)).filter((n) => n.endsWith('.meta.json')).sort()) {
    const data = name.slice(0, -'.meta.json'.length);
    if (!existsSync(join(outDir, data))) continue;
    try {
      const side = JSON.parse(await readFile(join(outDir, name), 'utf8')) as Partial<Sidecar>;
      const file = relative(opts.corpus, join(outDir, data));
      for (const u of [side.source_url, ...(Array.isArray(side.source_urls) ? side.source_urls : [])]) if (typeof u === 'string' && !byAddress.has(u)) byAddress.set(u, file);
    } catch {
      // A damaged sidecar: the extractor reports it.
    }
  }

  const work: WorkItem[] = sources.documents.map((d) => ({
    url: d.url,
    meta: defined({ title: d.title, date: d.date, partnership: d.partnership, doc_type: d.doc_type, citation: d.citation, publisher: d.publisher }),
    feedItems: [],
  }));

  const fetchOne = async (item: WorkItem, kindWanted?: 'feed'): Promise<{ body?: Buffer; report: FetchItemReport; contentType?: string }> => {
    const t0 = Date.now();
    try {
      const target = originalCapture(item.url);
      let u: URL;
      try {
        u = new URL(target);
      } catch {
        throw new FetchError(`not a valid address: ${clip(item.url)}`, 'scheme', item.url);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError(`only http and https are fetched, not ${u.protocol}`, 'scheme', item.url);
      if (!isAllowed(await robotsFor(u), u.pathname + u.search)) {
        return { report: { url: item.url, status: 'disallowed', error: 'robots.txt disallows this address', ms: Date.now() - t0 } };
      }
      const cached = cache.get(item.url);
      const existing = cached?.file ?? cached?.sameAs;
      const have = cached && (kindWanted === 'feed' || (existing && existsSync(join(opts.corpus, existing))));
      const headers: Record<string, string> = {};
      if (have && cached.etag) headers['if-none-match'] = cached.etag;
      if (have && cached.lastModified) headers['if-modified-since'] = cached.lastModified;
      const res = await client.get(target, headers);
      if (res.notModified && cached) {
        const body = kindWanted === 'feed' ? await cache.body(cached.sha) : undefined;
        // A sidecar lost to a killed fetch is written again.
        if (cached.file && !existsSync(join(opts.corpus, `${cached.file}.meta.json`))) await writeSidecar(cached.file, item);
        return { ...(body ? { body } : {}), report: { url: item.url, status: 'unchanged', ...(existing ? { file: existing } : {}), ms: Date.now() - t0, attempts: res.attempts }, ...(cached.contentType ? { contentType: cached.contentType } : {}) };
      }
      const previous = cached?.file ?? (kindWanted === 'feed' ? undefined : byAddress.get(item.url));
      const entry = await cache.put(item.url, res.body, {
        finalUrl: res.finalUrl,
        ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
        ...(res.headers['etag'] ? { etag: res.headers['etag'] } : {}),
        ...(res.headers['last-modified'] ? { lastModified: res.headers['last-modified'] } : {}),
        ...(previous ? { file: previous } : {}),
      });
      if (kindWanted === 'feed') return { body: res.body, report: { url: item.url, status: cached ? 'updated' : 'new', ms: Date.now() - t0, attempts: res.attempts }, ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}) };
      return { report: await publish(item, res.body, res.headers['content-type'] ?? '', entry.sha, previous, !!cached?.file, t0, res.attempts) };
    } catch (err) {
      const msg = err instanceof FetchError ? `${err.message}${err.status || err.code === 'private' || err.code === 'scheme' ? '' : ` (${err.code})`}` : clip((err as Error).message);
      return { report: { url: item.url, status: 'failed', error: msg, ...(err instanceof FetchError ? { reason: err.code } : {}), ms: Date.now() - t0 } };
    }
  };

  const writeSidecar = async (file: string, item: WorkItem) => {
    const sidecar: Sidecar = { ...item.meta, source_url: item.url, source_urls: [item.url] };
    await writeFileAtomic(join(opts.corpus, `${file}.meta.json`), `${JSON.stringify(sidecar, null, 2)}\n`);
  };

  const publish = async (item: WorkItem, body: Buffer, contentType: string, sha: string, previous: string | undefined, known: boolean, t0: number, attempts: number): Promise<FetchItemReport> => {
    const dup = bySha.get(sha);
    if (dup && dup !== previous) {
      // Wait for the first address's sidecar to be written before extending it.
      await sidecarWrites.get(dup);
      // The same statement at a second address: cite both, process once.
      const side = join(opts.corpus, `${dup}.meta.json`);
      const meta = existsSync(side) ? (JSON.parse(await readFile(side, 'utf8')) as Sidecar) : ({ source_url: item.url, source_urls: [] } as Sidecar);
      if (!meta.source_urls.includes(item.url)) meta.source_urls.push(item.url);
      // Whichever address answered first, metadata listed for the other fills what is missing.
      for (const [k, v] of Object.entries(item.meta)) if ((meta as unknown as Record<string, unknown>)[k] === undefined) (meta as unknown as Record<string, unknown>)[k] = v;
      await writeFileAtomic(side, `${JSON.stringify(meta, null, 2)}\n`);
      await cache.touch(item.url, { sameAs: dup });
      return { url: item.url, status: 'duplicate', file: dup, ms: Date.now() - t0, attempts };
    }
    const kind = detectKind(body, contentType);
    let data: Buffer = body;
    const warnings: string[] = [];
    if (kind === 'html' || kind === 'text') {
      const decoded = decodeText(body, contentType);
      if (decoded.replaced) warnings.push(`${decoded.replaced} byte sequence${decoded.replaced === 1 ? ' was' : 's were'} not valid ${decoded.charset} and ${decoded.replaced === 1 ? 'was' : 'were'} replaced with U+FFFD`);
      data = Buffer.from(decoded.text, 'utf8');
    }
    let file = previous;
    if (!file) {
      const base = `${item.meta['date'] ?? 'undated'}_${slug(item.meta['title'] ?? new URL(item.url).pathname.replace(/\.\w+$/, ''))}`;
      let name = `${base}.${EXT[kind]}`;
      for (let i = 2; existsSync(join(outDir, name)) || taken.has(name); i++) name = `${base}-${i}.${EXT[kind]}`;
      taken.add(name);
      file = relative(opts.corpus, join(outDir, name));
    }
    // Claim the content before any await, so a second address with the same
    // bytes fetched at the same time is recorded as a duplicate of this file.
    bySha.set(sha, file);
    const target = file;
    const written = (async () => {
      // Record the file name first, then the sidecar, then the statement: a
      // fetch killed anywhere in between finds and completes the same file.
      await cache.touch(item.url, { file: target });
      await writeSidecar(target, item);
      await writeFileAtomic(join(opts.corpus, target), data);
    })();
    sidecarWrites.set(file, written);
    await written;
    return { url: item.url, status: known ? 'updated' : 'new', file, ms: Date.now() - t0, attempts, ...(warnings.length ? { warnings } : {}) };
  };

  // Feeds first: their new items, and the items whose fetch failed before, join the work list.
  const now = new Date().toISOString();
  for (const feed of sources.feeds) {
    const items = (state[feed.url] ??= {});
    const r = await fetchOne({ url: feed.url, meta: {}, feedItems: [] }, 'feed');
    report.push(r.report);
    const match = feed.match ? regexFor(feed.match) : undefined;
    if (r.body) {
      let parsed: ReturnType<typeof parseFeed> = [];
      try {
        parsed = parseFeed(decodeText(r.body, r.contentType).text, feed.url);
      } catch (err) {
        r.report.status = 'failed';
        r.report.error = `the feed could not be read: ${clip((err as Error).message)}`;
      }
      let fresh = 0;
      for (const i of parsed) {
        if (match && !match.test(i.title ?? '')) continue;
        const known = items[i.id];
        // Seen before (done, given up, or waiting for another try), unless its link has changed since.
        if (known && (known.url === i.url || known.url === '')) continue;
        const base = { url: i.url, ...(i.title ? { title: i.title } : {}), ...(i.date ? { date: i.date } : {}) };
        if (i.error) {
          // A link that can never be fetched is given up on at once, with its reason.
          items[i.id] = { ...base, status: 'given-up', tries: 1, error: i.error, last: now };
          report.push({ url: i.url, status: 'failed', error: i.error, reason: 'scheme', ms: 0, feed: feed.url, tries: 1, givenUp: true });
          continue;
        }
        items[i.id] = { ...base, status: 'pending', tries: 0 };
        fresh++;
      }
      log(`feed ${feed.url}: ${parsed.length} items, ${fresh} new`);
    }
    for (const [id, it] of Object.entries(items)) {
      if (it.status !== 'pending') continue;
      const meta = defined({ title: it.title, date: it.date, partnership: feed.partnership, doc_type: feed.doc_type });
      work.push({ url: it.url, meta, feedItems: [{ feed: feed.url, id }] });
    }
  }

  // Duplicate URLs in the list are fetched once (a listed document's metadata wins over a feed's).
  const byUrl = new Map<string, WorkItem>();
  for (const w of work) {
    const first = byUrl.get(w.url);
    if (first) first.feedItems.push(...w.feedItems);
    else byUrl.set(w.url, { ...w, feedItems: [...w.feedItems] });
  }
  const unique = [...byUrl.values()];
  let done = 0;
  const results = await Promise.all(
    unique.map(async (w) => {
      const r = await fetchOne(w);
      done++;
      // Feed items: done once fetched; otherwise tried again next run, until given up.
      for (const ref of w.feedItems) {
        const it = state[ref.feed]![ref.id]!;
        r.report.feed = ref.feed;
        if (DONE.includes(r.report.status)) {
          it.status = 'done';
          it.tries += 1;
          delete it.error;
        } else {
          it.tries += 1;
          it.error = r.report.error ?? r.report.status;
          if (it.tries >= MAX_TRIES || r.report.reason === 'scheme') {
            it.status = 'given-up';
            it.error = `given up after ${it.tries} tr${it.tries === 1 ? 'y' : 'ies'}: ${it.error}`;
            r.report.givenUp = true;
          }
        }
        it.last = now;
        r.report.tries = it.tries;
      }
      log(`[${done}/${unique.length}] ${r.report.status.padEnd(10)} ${w.url}${r.report.error ? `: ${r.report.error}` : ''}${r.report.givenUp ? ' (given up)' : r.report.tries && r.report.status === 'failed' ? ` (will be tried again; try ${r.report.tries} of ${MAX_TRIES})` : ''}`);
      return r.report;
    }),
  );
  report.push(...results);
  await cache.save();
  await saveFeedState(statePath, state);
  // The older list of seen items has been carried over into feeds.json.
  await rm(join(opts.cacheDir, 'feeds-seen.json'), { force: true });
  const givenUp = Object.entries(state).flatMap(([feed, items]) =>
    Object.entries(items)
      .filter(([, it]) => it.status === 'given-up')
      .map(([id, it]) => ({ feed, id, url: it.url, error: it.error ?? '' })),
  );
  const sent = client.log.slice(requestsBefore);
  return { items: report, requests: sent.length, conditional: sent.filter((s) => s.conditional).length, seconds: (Date.now() - started) / 1000, givenUp, repaired: cache.problems };
}
