import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../core/fsutil.js';
import { HttpClient, FetchError, type HttpOptions } from './http.js';
import { ResponseCache } from './cache.js';
import { parseRobots, isAllowed, type RobotsRules } from './robots.js';
import { detectKind, decodeText, originalCapture, parseFeed } from './content.js';
import type { Sources } from './sources.js';

export { loadSources, sourcesSchema, type Sources } from './sources.js';
export { HttpClient, FetchError, HTTP_DEFAULTS, retryAfterMs, type HttpOptions } from './http.js';
export { parseRobots, isAllowed } from './robots.js';
export { detectKind, decodeText, originalCapture, parseFeed } from './content.js';
export { ResponseCache } from './cache.js';

export type FetchStatus = 'new' | 'updated' | 'unchanged' | 'duplicate' | 'failed' | 'disallowed';

export interface FetchItemReport {
  url: string;
  status: FetchStatus;
  file?: string;
  error?: string;
  ms: number;
  attempts?: number;
}

export interface FetchReport {
  items: FetchItemReport[];
  requests: number;
  conditional: number;
  seconds: number;
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

/**
 * Fetch every listed document and every feed item not seen before into the
 * corpus folder (under fetched/), politely and incrementally. Failures are
 * reported per URL; the batch always completes.
 */
export async function fetchAll(sources: Sources, opts: FetchOptions): Promise<FetchReport> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const client = opts.client ?? new HttpClient(opts.http);
  const cache = new ResponseCache(opts.cacheDir);
  await cache.load();
  const outDir = join(opts.corpus, 'fetched');
  await mkdir(outDir, { recursive: true });
  const seenPath = join(opts.cacheDir, 'feeds-seen.json');
  const seen: Record<string, string[]> = existsSync(seenPath) ? (JSON.parse(await readFile(seenPath, 'utf8')) as Record<string, string[]>) : {};
  const robots = new Map<string, Promise<RobotsRules>>();
  const report: FetchItemReport[] = [];
  const requestsBefore = client.log.length;

  // robots.txt is kept for a day (RFC 9309 allows up to 24 hours), so re-runs
  // do not ask for it again; within that time only the statements are requested.
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
            .get(key)
            .then(async (r) => {
              await cache.put(key, r.body, { finalUrl: r.finalUrl, contentType: r.headers['content-type'] ?? 'text/plain' });
              return parseRobots(r.body.toString('utf8'), client.opts.userAgent);
            })
            .catch(async (err: unknown) => {
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

  // Content already in the corpus, by hash, to publish a statement once even when found at two addresses.
  const bySha = new Map<string, string>();
  const taken = new Set<string>();
  const sidecarWrites = new Map<string, Promise<void>>();
  for (const [, e] of cache.entries()) if (e.file && existsSync(join(opts.corpus, e.file))) bySha.set(e.sha, e.file);

  const work: WorkItem[] = sources.documents.map((d) => ({
    url: d.url,
    meta: Object.fromEntries(Object.entries({ title: d.title, date: d.date, partnership: d.partnership, doc_type: d.doc_type, citation: d.citation, publisher: d.publisher }).filter(([, v]) => v !== undefined)) as Record<string, string>,
  }));

  const fetchOne = async (item: WorkItem, kindWanted?: 'feed'): Promise<{ body?: Buffer; report: FetchItemReport; contentType?: string }> => {
    const t0 = Date.now();
    const target = originalCapture(item.url);
    try {
      const u = new URL(target);
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
        return { ...(body ? { body } : {}), report: { url: item.url, status: 'unchanged', ...(existing ? { file: existing } : {}), ms: Date.now() - t0, attempts: res.attempts }, ...(cached.contentType ? { contentType: cached.contentType } : {}) };
      }
      const entry = await cache.put(item.url, res.body, {
        finalUrl: res.finalUrl,
        ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
        ...(res.headers['etag'] ? { etag: res.headers['etag'] } : {}),
        ...(res.headers['last-modified'] ? { lastModified: res.headers['last-modified'] } : {}),
        ...(cached?.file ? { file: cached.file } : {}),
      });
      if (kindWanted === 'feed') return { body: res.body, report: { url: item.url, status: cached ? 'updated' : 'new', ms: Date.now() - t0, attempts: res.attempts } };
      return { report: await publish(item, res.body, res.headers['content-type'] ?? '', entry.sha, cached?.file, t0, res.attempts) };
    } catch (err) {
      const msg = err instanceof FetchError ? `${err.message}${err.status ? '' : ` (${err.code})`}` : (err as Error).message;
      return { report: { url: item.url, status: 'failed', error: msg, ms: Date.now() - t0 } };
    }
  };

  const publish = async (item: WorkItem, body: Buffer, contentType: string, sha: string, previous: string | undefined, t0: number, attempts: number): Promise<FetchItemReport> => {
    const dup = bySha.get(sha);
    if (dup && dup !== previous) {
      // Wait for the first address's sidecar to be written before extending it.
      await sidecarWrites.get(dup);
      // The same statement at a second address: cite both, process once.
      const side = join(opts.corpus, `${dup}.meta.json`);
      const meta = existsSync(side) ? (JSON.parse(await readFile(side, 'utf8')) as Sidecar) : ({ source_url: item.url, source_urls: [] } as Sidecar);
      if (!meta.source_urls.includes(item.url)) meta.source_urls.push(item.url);
      await writeFileAtomic(side, `${JSON.stringify(meta, null, 2)}\n`);
      cache.touch(item.url, { sameAs: dup });
      return { url: item.url, status: 'duplicate', file: dup, ms: Date.now() - t0, attempts };
    }
    const kind = detectKind(body, contentType);
    let data: Buffer = body;
    if (kind === 'html' || kind === 'text') data = Buffer.from(decodeText(body, contentType).text, 'utf8');
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
    const sidecar: Sidecar = { ...item.meta, source_url: item.url, source_urls: [item.url] };
    const written = (async () => {
      await writeFileAtomic(join(opts.corpus, target), data);
      await writeFileAtomic(join(opts.corpus, `${target}.meta.json`), `${JSON.stringify(sidecar, null, 2)}\n`);
    })();
    sidecarWrites.set(file, written);
    await written;
    cache.touch(item.url, { file });
    return { url: item.url, status: previous ? 'updated' : 'new', file, ms: Date.now() - t0, attempts };
  };

  // Feeds first: their new items join the work list.
  for (const feed of sources.feeds) {
    const r = await fetchOne({ url: feed.url, meta: {} }, 'feed');
    report.push(r.report);
    if (!r.body) continue;
    const items = parseFeed(decodeText(r.body, r.contentType).text, feed.url);
    const known = new Set(seen[feed.url] ?? []);
    const match = feed.match ? new RegExp(feed.match, 'i') : undefined;
    const fresh = items.filter((i) => !known.has(i.id) && (!match || match.test(i.title ?? '')));
    log(`feed ${feed.url}: ${items.length} items, ${fresh.length} new`);
    for (const i of fresh) {
      work.push({ url: i.url, meta: Object.fromEntries(Object.entries({ title: i.title, date: i.date, partnership: feed.partnership, doc_type: feed.doc_type }).filter(([, v]) => v !== undefined)) as Record<string, string> });
    }
    seen[feed.url] = [...new Set([...(seen[feed.url] ?? []), ...items.map((i) => i.id)])];
  }

  // Duplicate URLs in the list are fetched once.
  const unique = [...new Map(work.map((w) => [w.url, w])).values()];
  let done = 0;
  const results = await Promise.all(
    unique.map(async (w) => {
      const r = await fetchOne(w);
      done++;
      log(`[${done}/${unique.length}] ${r.report.status.padEnd(10)} ${w.url}${r.report.error ? `: ${r.report.error}` : ''}`);
      return r.report;
    }),
  );
  report.push(...results);
  await cache.save();
  await writeFileAtomic(seenPath, `${JSON.stringify(seen, null, 1)}\n`);
  const sent = client.log.slice(requestsBefore);
  return { items: report, requests: sent.length, conditional: sent.filter((s) => s.conditional).length, seconds: (Date.now() - started) / 1000 };
}
