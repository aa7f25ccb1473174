import pLimit, { type LimitFunction } from 'p-limit';
import type { Agent } from 'undici';
import { undici } from '../core/lazy.js';
import { guardedLookup, PrivateAddressError, refusal, type Resolver } from './address.js';

/**
 * A polite HTTP client: one global and one per-host concurrency limit, an
 * honest user agent, timeouts, retries with exponential backoff and jitter on
 * network errors, 5xx and 429 (honouring Retry-After), a redirect limit, a
 * maximum body size, nothing but http(s), and no loopback, private or
 * link-local address unless the configuration allows them (checked for every
 * hop of a redirect, on the addresses a name resolves to).
 */
export interface HttpOptions {
  userAgent: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxRetryAfterMs: number;
  maxRedirects: number;
  maxBytes: number;
  concurrency: number;
  perHost: number;
  /** Fetch from loopback, private and link-local addresses too (`fetch.allowPrivateAddresses`). */
  allowPrivateAddresses: boolean;
  /** Private addresses or ranges (CIDR) fetched all the same, e.g. an internal mirror (`fetch.allowAddresses`). */
  allowAddresses: string[];
  /** How names are resolved (the system's resolver unless a test provides one). */
  resolver?: Resolver;
}

export const HTTP_DEFAULTS: HttpOptions = {
  userAgent: 'accords/0.1 (+https://example.org/accords; reads published statements on technology partnerships)',
  timeoutMs: 20_000,
  retries: 3,
  backoffMs: 500,
  maxRetryAfterMs: 30_000,
  maxRedirects: 5,
  maxBytes: 20 * 1024 * 1024,
  concurrency: 4,
  perHost: 1,
  allowPrivateAddresses: false,
  allowAddresses: [],
};

export interface HttpResponse {
  url: string;
  finalUrl: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  attempts: number;
  /** True when the server answered 304 to a conditional request. */
  notModified: boolean;
}

export class FetchError extends Error {
  constructor(
    message: string,
    readonly code: 'scheme' | 'redirects' | 'too-large' | 'timeout' | 'http' | 'network' | 'robots' | 'private',
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export class HttpClient {
  readonly opts: HttpOptions;
  private readonly global: LimitFunction;
  private readonly hosts = new Map<string, LimitFunction>();
  /** Every request sent, for the run report and tests. */
  readonly log: Array<{ url: string; status: number | string; conditional: boolean }> = [];

  private readonly agent: Agent;

  constructor(opts: Partial<HttpOptions> = {}) {
    this.opts = { ...HTTP_DEFAULTS, ...opts };
    this.global = pLimit(this.opts.concurrency);
    // Every connection resolves its host through the address check.
    this.agent = new (undici().Agent)({ connect: { lookup: guardedLookup(this.opts, this.opts.resolver) as never } });
  }

  /** Close idle connections (the client cannot be used afterwards). */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** An address given as a number (no name to resolve) is checked here. */
  private checkLiteral(u: URL, original: string): void {
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const why = refusal(host, this.opts);
    if (why) throw new FetchError(new PrivateAddressError(host, host, why).message, 'private', original);
  }

  private hostLimit(url: URL): LimitFunction {
    let l = this.hosts.get(url.host);
    if (!l) this.hosts.set(url.host, (l = pLimit(this.opts.perHost)));
    return l;
  }

  /** GET with redirects followed by hand (so each hop is checked), retries and limits. */
  async get(url: string, headers: Record<string, string> = {}, limits: { maxBytes?: number; truncate?: boolean } = {}): Promise<HttpResponse> {
    let current = checkScheme(url);
    for (let hop = 0; hop <= this.opts.maxRedirects; hop++) {
      this.checkLiteral(current, url);
      const res = await this.getOnce(current, headers, hop === 0 ? url : current.href, limits);
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && res.headers['location']) {
        let next: string;
        try {
          next = new URL(res.headers['location'], current).href;
        } catch {
          throw new FetchError(`redirected to an address that is not valid: ${clip(res.headers['location'])}`, 'scheme', url);
        }
        current = checkScheme(next);
        continue;
      }
      return { ...res, url };
    }
    throw new FetchError(`more than ${this.opts.maxRedirects} redirects`, 'redirects', url);
  }

  private async getOnce(url: URL, headers: Record<string, string>, original: string, limits: { maxBytes?: number; truncate?: boolean }): Promise<HttpResponse> {
    let attempt = 0;
    for (;;) {
      attempt++;
      let retryDelay: number | undefined;
      try {
        const res = await this.global(() => this.hostLimit(url)(() => this.request(url, headers, limits)));
        this.log.push({ url: url.href, status: res.status, conditional: !!(headers['if-none-match'] || headers['if-modified-since']) });
        if ((res.status >= 500 || res.status === 429) && attempt <= this.opts.retries) {
          retryDelay = retryAfterMs(res.headers['retry-after']);
          if (retryDelay !== undefined && retryDelay > this.opts.maxRetryAfterMs) {
            throw new FetchError(`HTTP ${res.status}, server asks to wait ${Math.round(retryDelay / 1000)} s`, 'http', original, res.status);
          }
        } else {
          if (res.status >= 400) throw new FetchError(`HTTP ${res.status}`, 'http', original, res.status);
          return { ...res, url: original, attempts: attempt };
        }
      } catch (err) {
        if (err instanceof FetchError && err.code !== 'timeout' && err.code !== 'network') throw err;
        this.log.push({ url: url.href, status: (err as FetchError).code ?? 'error', conditional: false });
        if (attempt > this.opts.retries) throw err instanceof FetchError ? err : new FetchError((err as Error).message, 'network', original);
      }
      // Exponential backoff with full jitter, unless the server said how long to wait.
      const backoff = this.opts.backoffMs * 2 ** (attempt - 1);
      await sleep(retryDelay ?? Math.random() * backoff + backoff / 2);
    }
  }

  private async request(url: URL, headers: Record<string, string>, limits: { maxBytes?: number; truncate?: boolean }): Promise<Omit<HttpResponse, 'url' | 'attempts'>> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.opts.timeoutMs);
    const maxBytes = limits.maxBytes ?? this.opts.maxBytes;
    try {
      const res = await undici().fetch(url, {
        headers: { 'user-agent': this.opts.userAgent, accept: 'text/html,application/xhtml+xml,application/pdf,application/rss+xml,application/atom+xml,text/plain;q=0.8,*/*;q=0.5', ...headers },
        redirect: 'manual',
        signal: ctrl.signal,
        dispatcher: this.agent,
      });
      const hdrs: Record<string, string> = {};
      res.headers.forEach((v, k) => (hdrs[k] = v));
      const declared = Number(hdrs['content-length'] ?? NaN);
      if (declared > maxBytes && !limits.truncate) {
        await res.body?.cancel();
        throw new FetchError(`body of ${declared} bytes exceeds the limit of ${maxBytes}`, 'too-large', url.href);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          if (size + chunk.length > maxBytes) {
            if (limits.truncate) {
              // Keep what fits and stop reading; the rest of the body is never downloaded.
              chunks.push(Buffer.from(chunk.subarray(0, maxBytes - size)));
              size = maxBytes;
              break;
            }
            ctrl.abort();
            throw new FetchError(`body exceeds the limit of ${maxBytes} bytes`, 'too-large', url.href);
          }
          size += chunk.length;
          chunks.push(Buffer.from(chunk));
        }
      }
      return { finalUrl: url.href, status: res.status, headers: hdrs, body: Buffer.concat(chunks), notModified: res.status === 304 };
    } catch (err) {
      if (err instanceof FetchError) throw err;
      const cause = (err as Error & { cause?: Error }).cause;
      if (cause instanceof PrivateAddressError || err instanceof PrivateAddressError) throw new FetchError((cause ?? (err as Error)).message, 'private', url.href);
      if (ctrl.signal.aborted) throw new FetchError(`no answer within ${this.opts.timeoutMs} ms`, 'timeout', url.href);
      throw new FetchError(clip(cause?.message ?? (err as Error).message), 'network', url.href);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Text from a server or a feed in a message: one line, at most 200 characters. */
export function clip(s: string, n = 200): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n)}...` : one;
}

export function checkScheme(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FetchError(`not a valid address: ${clip(url)}`, 'scheme', url);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError(`only http and https are fetched, not ${u.protocol}`, 'scheme', url);
  return u;
}
