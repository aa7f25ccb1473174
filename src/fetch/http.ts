import pLimit, { type LimitFunction } from 'p-limit';

/**
 * A polite HTTP client: one global and one per-host concurrency limit, an
 * honest user agent, timeouts, retries with exponential backoff and jitter on
 * network errors, 5xx and 429 (honouring Retry-After), a redirect limit, a
 * maximum body size, and nothing but http(s).
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
    readonly code: 'scheme' | 'redirects' | 'too-large' | 'timeout' | 'http' | 'network' | 'robots',
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

  constructor(opts: Partial<HttpOptions> = {}) {
    this.opts = { ...HTTP_DEFAULTS, ...opts };
    this.global = pLimit(this.opts.concurrency);
  }

  private hostLimit(url: URL): LimitFunction {
    let l = this.hosts.get(url.host);
    if (!l) this.hosts.set(url.host, (l = pLimit(this.opts.perHost)));
    return l;
  }

  /** GET with redirects followed by hand (so each hop is checked), retries and limits. */
  async get(url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    let current = checkScheme(url);
    for (let hop = 0; hop <= this.opts.maxRedirects; hop++) {
      const res = await this.getOnce(current, headers, hop === 0 ? url : current.href);
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && res.headers['location']) {
        current = checkScheme(new URL(res.headers['location'], current).href);
        continue;
      }
      return { ...res, url };
    }
    throw new FetchError(`more than ${this.opts.maxRedirects} redirects`, 'redirects', url);
  }

  private async getOnce(url: URL, headers: Record<string, string>, original: string): Promise<HttpResponse> {
    let attempt = 0;
    for (;;) {
      attempt++;
      let retryDelay: number | undefined;
      try {
        const res = await this.global(() => this.hostLimit(url)(() => this.request(url, headers)));
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

  private async request(url: URL, headers: Record<string, string>): Promise<Omit<HttpResponse, 'url' | 'attempts'>> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.opts.timeoutMs);
    try {
      const res = await fetch(url, { headers: { 'user-agent': this.opts.userAgent, accept: 'text/html,application/xhtml+xml,application/pdf,application/rss+xml,application/atom+xml,text/plain;q=0.8,*/*;q=0.5', ...headers }, redirect: 'manual', signal: ctrl.signal });
      const hdrs: Record<string, string> = {};
      res.headers.forEach((v, k) => (hdrs[k] = v));
      const declared = Number(hdrs['content-length'] ?? NaN);
      if (declared > this.opts.maxBytes) {
        await res.body?.cancel();
        throw new FetchError(`body of ${declared} bytes exceeds the limit of ${this.opts.maxBytes}`, 'too-large', url.href);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          size += chunk.length;
          if (size > this.opts.maxBytes) {
            ctrl.abort();
            throw new FetchError(`body exceeds the limit of ${this.opts.maxBytes} bytes`, 'too-large', url.href);
          }
          chunks.push(Buffer.from(chunk));
        }
      }
      return { finalUrl: url.href, status: res.status, headers: hdrs, body: Buffer.concat(chunks), notModified: res.status === 304 };
    } catch (err) {
      if (err instanceof FetchError) throw err;
      if (ctrl.signal.aborted) throw new FetchError(`no answer within ${this.opts.timeoutMs} ms`, 'timeout', url.href);
      throw new FetchError(((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message).slice(0, 200), 'network', url.href);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function checkScheme(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FetchError(`not a valid URL: ${url}`, 'scheme', url);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError(`only http and https are fetched, not ${u.protocol}`, 'scheme', url);
  return u;
}
