import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Doc } from '../core/doc.js';
import { DEFAULTS, type KeyBindings } from '../config/index.js';
import { agreement, evidenceOf, issuesText, labelsOf, labelsSignature, learn, parseLabels, settledDecisions, type Labels, type ReviewStore } from '../review/index.js';
import { Queue, filtersSchema, type Entry, type Filters } from './queue.js';
import { bulkSchema, describeLabels, plan } from './bulk.js';
import { pageHtml } from './page.js';

export interface ReviewServerOptions {
  docs: Doc[];
  store: ReviewStore;
  port?: number;
  /** Address to listen on; 127.0.0.1 unless explicitly configured. */
  host?: string;
  reviewer?: string;
  /** Key bindings (review.keys of pipeline.config.ts). */
  keys?: KeyBindings;
}

export interface ReviewServer {
  url: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const MAX_BODY = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

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
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    chunks.push(c);
  }
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new HttpError(400, 'expected a JSON object');
  return v as Record<string, unknown>;
}

function parse<T>(schema: z.ZodType<T>, v: unknown, what: string): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new HttpError(400, `${what}: ${issuesText(r.error)}`);
  return r.data;
}

const reviewerSchema = z.string().trim().max(100, 'a reviewer name is at most 100 characters').optional();
const noteSchema = z.string().max(4000, 'a note is at most 4000 characters').optional();
const decideSchema = z
  .object({
    id: z.string().min(1).max(200),
    action: z.enum(['accept', 'correct', 'reject'], { message: 'action must be accept, correct or reject' }),
    labels: z.unknown().optional(),
    note: noteSchema,
    reviewer: reviewerSchema,
    /** An adjudication: the final decision on a passage reviewers disagreed on. */
    final: z.boolean().optional(),
  })
  .strict();
const undoSchema = z.object({ id: z.string().min(1).max(200), reviewer: reviewerSchema }).strict();
const bulkBody = z.object({ filters: z.record(z.string(), z.string()).default({}), reviewer: reviewerSchema, op: z.string(), rule: z.string().optional(), expect: z.number().int().nonnegative().optional() }).strict();
const bulkAcceptSchema = z.object({ ids: z.array(z.string().max(200)).max(100_000), reviewer: reviewerSchema }).strict();
const batchSchema = z.object({ batch: z.string().min(1).max(100), reviewer: reviewerSchema }).strict();

/**
 * The review server: a page and a small JSON API over the review store.
 * Document text is untrusted: the page only ever sets it as text. Requests
 * that change state carry the per-session token; requests naming another host
 * are refused, and when the server is deliberately bound to a non-loopback
 * address every request must carry the token (in the URL for the page). Every
 * input is checked against a schema: labels are the taxonomy's ids only.
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
  const store = opts.store;
  const queue = new Queue(opts.docs, store);
  const keys = opts.keys ?? (DEFAULTS.review.keys as KeyBindings);

  const tokenOk = (given: string | null | undefined) => {
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const who = (r: string | undefined) => (r ?? opts.reviewer ?? '').trim() || 'anonymous';
  const entryOr404 = (id: string): Entry => {
    const e = queue.get(id);
    if (!e || e.gone) throw new HttpError(404, 'no such passage');
    return e;
  };
  const filtersFrom = (v: unknown): Filters => parse(filtersSchema, v, 'filters');
  const base = (e: Entry, reviewer: string) => ({
    docKey: e.docKey,
    docHash: e.passage ? (queue.docs[e.doc]?.id ?? '') : '',
    docFile: queue.docs[e.doc]?.path ?? '',
    passageKey: e.passageKey,
    passageId: e.id,
    text: e.text,
    heading: e.passage?.headings.join(' > ') ?? '',
    reviewer,
    before: e.passage ? labelsOf(e.passage.tags) : e.auto,
    rules: e.passage ? [...new Set(e.passage.tags.evidence.map((x) => x.ruleId))] : [],
    evidence: e.passage ? evidenceOf(e.passage.tags) : [],
  });
  const after = (e: Entry) => ({ item: queue.detail(e), row: queue.row(e), counts: queue.counts() });

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
        return send(res, 200, pageHtml({ token, nonce, reviewer: opts.reviewer ?? '', keys }), 'text/html; charset=utf-8', {
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        });
      }
      // Decisions written by another process on the same database show up here.
      queue.refresh();
      if (req.method === 'GET') {
        if (url.pathname === '/api/queue') {
          const params = Object.fromEntries([...url.searchParams.entries()].filter(([k, v]) => k !== 'token' && v !== ''));
          const list = queue.filter(filtersFrom(params));
          return send(res, 200, {
            items: list.map((e) => queue.row(e)),
            total: list.length,
            counts: queue.counts(),
            docs: queue.docs.map((d) => ({ title: d.title, partnerships: d.partnerships })),
            partnerships: [...new Set(queue.docs.flatMap((d) => d.partnerships))].sort(),
            rules: queue.ruleFacets(list),
            reviewers: [...new Set(queue.entries.flatMap((e) => e.reviews.map((r) => r.reviewer)))].sort(),
          });
        }
        if (url.pathname === '/api/items') {
          const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean).slice(0, 50);
          return send(res, 200, { items: ids.map((id) => queue.get(id)).filter((e): e is Entry => !!e && !e.gone).map((e) => queue.detail(e)) });
        }
        if (url.pathname === '/api/document') {
          const doc = queue.document(entryOr404(url.searchParams.get('id') ?? ''));
          if (!doc) throw new HttpError(404, 'the passage is stale: its document no longer holds it');
          return send(res, 200, doc);
        }
        if (url.pathname === '/api/learn') {
          const settled = settledDecisions(store);
          const learned = learn(settled.decisions);
          const idOf = (docKey: string, passageKey: string) => queue.forKey(`${docKey}\u0000${passageKey}`).find((e) => !e.gone)?.id ?? null;
          return send(res, 200, {
            reviewed: learned.reviewed,
            disputed: settled.disputed,
            rules: learned.rules.map((r) => ({ ...r, rejectedHits: r.rejectedHits.map((h) => ({ ...h, id: idOf(h.docKey, h.passageKey) })) })),
          });
        }
        if (url.pathname === '/api/agreement') {
          const all = store.allReviews();
          const a = agreement(all, (k) => store.isAdjudicated(k));
          const disputed = queue.entries.filter((e) => !e.gone && e.reviews.length >= 2 && (e.disputed || e.adjudicated) && queue.forKey(e.key)[0] === e);
          return send(res, 200, {
            ...a,
            objectives: Object.fromEntries(Object.entries(a.objectives).map(([o, v]) => [o, { ...v, alpha: Number.isNaN(v.alpha) ? null : v.alpha, gradeAlpha: Number.isNaN(v.gradeAlpha) ? null : v.gradeAlpha }])),
            governance: { ...a.governance, alpha: Number.isNaN(a.governance.alpha) ? null : a.governance.alpha },
            passages: disputed.map((e) => ({ id: e.id, text: e.text, adjudicated: e.adjudicated, reviews: e.reviews.map((r) => ({ reviewer: r.reviewer, labels: describeLabels(r.after ?? r.before) })), final: e.adjudicated && e.decision ? describeLabels(e.decision.after ?? e.decision.before) : null })),
          });
        }
      }
      if (req.method === 'POST') {
        if (!tokenOk(req.headers['x-accords-token'] as string | undefined)) return send(res, 403, { error: 'missing or wrong session token' });
        const body = await readJson(req);
        if (url.pathname === '/api/decide') {
          const b = parse(decideSchema, body, 'decision');
          const e = queue.get(b.id);
          if (!e || e.gone || e.status === 'stale' || !e.passage) return send(res, 404, { error: 'no such passage (or it is stale)' });
          let labels: Labels | undefined;
          if (b.action !== 'reject' && b.labels !== undefined) {
            try {
              labels = parseLabels(b.labels);
            } catch (err) {
              throw new HttpError(400, (err as Error).message);
            }
          }
          if (b.action === 'correct' && !labels) throw new HttpError(400, 'labels: a correction needs the labels');
          const before = labelsOf(e.passage.tags);
          // Labels other than the automatic ones make a correction; the automatic ones, an acceptance.
          const action = b.action === 'reject' || !labels ? b.action : labelsSignature(labels) === labelsSignature(before) ? 'accept' : 'correct';
          const decision = store.add({ ...base(e, who(b.reviewer)), action, ...(labels ? { after: labels } : {}), ...(b.note ? { note: b.note } : {}), ...(b.final ? { final: true } : {}) });
          queue.refresh();
          return send(res, 200, { ok: true, seq: decision.seq, action, ...after(e) });
        }
        if (url.pathname === '/api/undo') {
          const b = parse(undoSchema, body, 'undo');
          const e = entryOr404(b.id);
          const undone = store.undo(e.docKey, e.passageKey, who(b.reviewer));
          queue.refresh();
          return send(res, 200, { ok: true, seq: undone?.seq ?? null, ...(e.gone ? { item: null, row: null, counts: queue.counts() } : after(e)) });
        }
        if (url.pathname === '/api/bulk/preview' || url.pathname === '/api/bulk/apply') {
          const b = parse(bulkBody, body, 'bulk action');
          const op = parse(bulkSchema, { op: b.op, ...(b.rule ? { rule: b.rule } : {}) }, 'bulk action');
          const list = queue.filter(filtersFrom(b.filters));
          const p = plan(list, op.op, op.rule);
          if (url.pathname === '/api/bulk/preview') {
            return send(res, 200, {
              shown: list.length,
              changes: p.changes.length,
              skipped: p.skipped,
              sample: p.changes.slice(0, 8).map((c) => ({ id: c.entry.id, text: c.entry.text, before: describeLabels(c.entry.labels), after: describeLabels(c.after) })),
            });
          }
          // The preview's count must still hold: nothing changes behind the analyst's back.
          if (b.expect !== undefined && b.expect !== p.changes.length) throw new HttpError(409, `the preview counted ${b.expect} passages, now there are ${p.changes.length}: preview again`);
          const batch = `bulk-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
          const reviewer = who(b.reviewer);
          const what = op.op === 'accept' ? 'accepted every passage shown' : op.op === 'reject' ? 'rejected every passage shown' : `${op.op === 'accept-rule' ? 'accepted' : 'rejected'} the hits of rule ${op.rule}`;
          const made = store.addMany(p.changes.map((c) => ({ ...base(c.entry, reviewer), action: c.action, ...(c.action === 'correct' ? { after: c.after } : {}), note: `bulk: ${what}`, batch })));
          queue.refresh();
          return send(res, 200, { ok: true, batch, applied: made.length, counts: queue.counts(), rows: p.changes.map((c) => queue.row(c.entry)) });
        }
        if (url.pathname === '/api/bulk/undo') {
          const b = parse(batchSchema, body, 'undo');
          const undone = store.undoBatch(b.batch, who(b.reviewer));
          queue.refresh();
          return send(res, 200, { ok: true, undone: undone.length, counts: queue.counts() });
        }
        if (url.pathname === '/api/bulk-accept') {
          // Accept the listed passages nobody reviewed yet (the page's first bulk action; kept for scripts).
          const b = parse(bulkAcceptSchema, body, 'bulk accept');
          // Known passage ids only: a list naming others is refused whole.
          const unknown = b.ids.filter((id) => { const e = queue.get(id); return !e || e.gone; });
          if (unknown.length) throw new HttpError(400, `bulk accept: ${unknown.length} unknown passage id${unknown.length === 1 ? '' : 's'}, e.g. ${JSON.stringify(unknown[0]!.slice(0, 80))}; nothing was saved`);
          const entries = b.ids.map((id) => queue.get(id)).filter((e): e is Entry => !!e && !e.gone);
          const p = plan(entries, 'accept', undefined);
          const batch = `bulk-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
          const made = store.addMany(p.changes.map((c) => ({ ...base(c.entry, who(b.reviewer)), action: 'accept' as const, batch })));
          queue.refresh();
          return send(res, 200, { ok: true, accepted: made.length, batch, counts: queue.counts() });
        }
      }
      return send(res, 404, { error: 'not found' });
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, { error: err.message });
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
