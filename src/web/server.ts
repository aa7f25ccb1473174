import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Doc } from '../core/doc.js';
import { hostname, networkInterfaces } from 'node:os';
import { z } from 'zod';
import { DOMAINS, GRADES, OBJECTIVES, SUBCATEGORIES } from '../core/taxonomy.js';
import { attach, labelsOf, type ReviewStore, type Labels } from '../review/index.js';
import { buildQueue, filterQueue, type Filters, type QueueItem } from './queue.js';
import { pageHtml } from './page.js';

export interface ReviewServerOptions {
  docs: Doc[];
  store: ReviewStore;
  port?: number;
  /** Address to listen on; 127.0.0.1 unless explicitly configured. */
  host?: string;
  reviewer?: string;
}

export interface ReviewServer {
  url: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const MAX_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8', extra: Record<string, string> = {}) {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...extra,
  });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(c);
  }
  const v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
  return v as Record<string, unknown>;
}

/**
 * Request bodies are checked with zod as they enter: labels are the taxonomy's
 * ids only (a subcategory must belong to its objective), ids are strings, and
 * unknown keys are refused.
 */
const objectiveLabel = z
  .object({
    objective: z.enum(OBJECTIVES),
    grade: z.enum(GRADES),
    subcategories: z.array(z.string()).max(50).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const known = SUBCATEGORIES[o.objective] as readonly string[];
    for (const [i, sub] of (o.subcategories ?? []).entries()) {
      if (!known.includes(sub)) ctx.addIssue({ code: 'custom', path: ['subcategories', i], message: `unknown subcategory ${JSON.stringify(sub.slice(0, 80))} for ${o.objective} (allowed: ${known.join(', ')})` });
    }
  });

const labelsSchema = z
  .object({
    objectives: z.array(objectiveLabel).max(OBJECTIVES.length),
    domains: z.array(z.enum(DOMAINS)).max(DOMAINS.length).default([]),
    governance: z.boolean().default(false),
  })
  .strict();

const text = (max: number) => z.string().max(max);
const decideSchema = z.object({ id: text(200), action: z.enum(['accept', 'correct', 'reject']), labels: z.unknown().optional(), note: text(4000).optional(), reviewer: text(100).optional() }).strict();
const undoSchema = z.object({ id: text(200), reviewer: text(100).optional() }).strict();
const bulkSchema = z.object({ ids: z.array(text(200)).max(100_000), reviewer: text(100).optional() }).strict();

/** The first problem zod found, as "path: message". */
function issue(error: z.ZodError): string {
  const i = error.issues[0]!;
  const path = i.path.map(String).join('.');
  const msg = i.code === 'invalid_value' && 'values' in i ? `must be one of ${(i.values as unknown[]).join(', ')}` : i.message;
  return path ? `${path}: ${msg}` : msg;
}

function parse<T>(schema: z.ZodType<T>, v: unknown, what = ''): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new Error(`${what}${issue(r.error)}`);
  return r.data;
}

function parseLabels(v: unknown): Labels {
  return parse(labelsSchema, v, 'labels.') as Labels;
}

/**
 * The review server: a page and a small JSON API over the review store.
 * Document text is untrusted: the page only ever sets it as text. Requests
 * that change state carry the per-session token; requests naming another host
 * are refused, and when the server is deliberately bound to a non-loopback
 * address every request must carry the token (in the URL for the page).
 */
export async function startReviewServer(opts: ReviewServerOptions): Promise<ReviewServer> {
  const token = randomBytes(24).toString('hex');
  const host = opts.host ?? '127.0.0.1';
  const exposed = !LOOPBACK.has(host);
  // The names a request may be addressed to: loopback, the address listened on, and when
  // listening beyond loopback, this machine's own name and addresses (0.0.0.0 and :: listen on all of them).
  const ownNames = new Set([...LOOPBACK, host.toLowerCase().replace(/^\[|\]$/g, '')]);
  if (exposed) {
    const name = hostname().toLowerCase();
    ownNames.add(name);
    ownNames.add(name.split('.')[0]!);
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) ownNames.add(a.address.toLowerCase().replace(/%.*$/, ''));
  }
  let items: QueueItem[] = [];
  const rebuild = () => {
    items = buildQueue(opts.docs, attach(opts.docs, opts.store));
  };
  rebuild();
  const byId = () => new Map(items.map((i) => [i.id, i]));

  const tokenOk = (given: string | null | undefined) => {
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  let port = 0;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    // Refuse requests addressed to another host name (DNS rebinding): only this
    // server's own address, on its own port, is answered.
    let hostOk = false;
    try {
      const h = new URL(`http://${req.headers.host ?? ''}`);
      const name = h.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      hostOk = ownNames.has(name) && (h.port === String(port) || (!h.port && port === 80));
    } catch {
      hostOk = false;
    }
    if (!hostOk) return send(res, 421, { error: 'this server only answers requests for its own address' });
    if (exposed && !tokenOk(url.searchParams.get('token') ?? (req.headers['x-accords-token'] as string | undefined))) {
      return send(res, 401, { error: 'a token is required: open the address printed by accords review' });
    }
    try {
      if (req.method === 'GET' && url.pathname === '/') {
        const nonce = randomBytes(16).toString('base64');
        return send(res, 200, pageHtml({ token, nonce, reviewer: opts.reviewer ?? '' }), 'text/html; charset=utf-8', {
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        });
      }
      if (req.method === 'GET' && url.pathname === '/api/queue') {
        const f: Filters = {};
        for (const k of ['partnership', 'objective', 'domain', 'grade', 'status'] as const) {
          const v = url.searchParams.get(k);
          if (v) f[k] = v;
        }
        if (url.searchParams.get('order') === 'uncertain') f.order = 'uncertain';
        if (url.searchParams.get('all') === '1') f.all = true;
        const list = filterQueue(items, f);
        const partnerships = [...new Set(items.flatMap((i) => i.partnerships))].sort();
        const counts = { unreviewed: 0, accepted: 0, corrected: 0, stale: 0 };
        for (const i of items) if (i.auto.objectives.length || i.auto.governance || i.status !== 'unreviewed') counts[i.status]++;
        return send(res, 200, { items: list.slice(0, 2000), total: list.length, partnerships, counts });
      }
      if (req.method === 'POST') {
        if (!tokenOk(req.headers['x-accords-token'] as string | undefined)) return send(res, 403, { error: 'missing or wrong session token' });
        const body = await readJson(req);
        if (url.pathname === '/api/decide') {
          const b = parse(decideSchema, body);
          const reviewer = (b.reviewer ?? opts.reviewer ?? '').trim() || 'anonymous';
          const item = byId().get(b.id);
          if (!item || item.status === 'stale') return send(res, 404, { error: 'no such passage (or it is stale)' });
          const action = b.action;
          const passage = opts.docs.flatMap((d) => d.passages).find((p) => p.id === item.id)!;
          const after = action === 'correct' ? parseLabels(b.labels) : action === 'accept' && b.labels ? parseLabels(b.labels) : undefined;
          const decision = opts.store.add({
            docKey: item.docKey,
            docHash: item.docId,
            passageKey: item.passageKey,
            passageId: item.id,
            text: item.text,
            heading: item.heading.join(' > '),
            reviewer,
            action,
            before: labelsOf(passage.tags),
            ...(after ? { after } : {}),
            ...(b.note ? { note: b.note } : {}),
            rules: [...new Set(passage.tags.evidence.map((e) => e.ruleId))],
          });
          rebuild();
          return send(res, 200, { ok: true, seq: decision.seq, item: byId().get(item.id) });
        }
        if (url.pathname === '/api/undo') {
          const b = parse(undoSchema, body);
          const reviewer = (b.reviewer ?? opts.reviewer ?? '').trim() || 'anonymous';
          const item = byId().get(b.id);
          if (!item) return send(res, 404, { error: 'no such passage' });
          const undone = opts.store.undo(item.docKey, item.passageKey, reviewer);
          rebuild();
          return send(res, 200, { ok: true, seq: undone?.seq ?? null, item: byId().get(item.id) ?? null });
        }
        if (url.pathname === '/api/bulk-accept') {
          const b = parse(bulkSchema, body);
          const reviewer = (b.reviewer ?? opts.reviewer ?? '').trim() || 'anonymous';
          const ids = b.ids;
          const map = byId();
          const unknown = ids.filter((id) => !map.has(id));
          if (unknown.length) return send(res, 400, { error: `${unknown.length} unknown passage id${unknown.length === 1 ? '' : 's'}, e.g. ${JSON.stringify(unknown[0]!.slice(0, 80))}; nothing was saved` });
          const passages = new Map(opts.docs.flatMap((d) => d.passages).map((p) => [p.id, p]));
          let n = 0;
          opts.store.db.transaction(() => {
            for (const id of ids) {
              const item = map.get(id);
              const passage = passages.get(id);
              if (!item || !passage || item.status !== 'unreviewed') continue;
              opts.store.add({ docKey: item.docKey, docHash: item.docId, passageKey: item.passageKey, passageId: item.id, text: item.text, heading: item.heading.join(' > '), reviewer, action: 'accept', before: labelsOf(passage.tags), rules: [...new Set(passage.tags.evidence.map((e) => e.ruleId))] });
              n++;
            }
          })();
          rebuild();
          return send(res, 200, { ok: true, accepted: n });
        }
      }
      return send(res, 404, { error: 'not found' });
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
  };
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => send(res, 500, { error: (err as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/${exposed ? `?token=${token}` : ''}`,
    token,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
