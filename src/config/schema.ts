import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { isIP } from 'node:net';
import { DOMAINS, GRADES, OBJECTIVES } from '../core/taxonomy.js';
import { realDate } from '../extract/meta.js';

const isoDate = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && realDate(s) !== undefined, 'must be a real date written YYYY-MM-DD');

function isCidr(a: string): boolean {
  const [ip, bits, more] = a.split('/');
  const kind = isIP(ip ?? '');
  if (!kind || more !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (kind === 4 ? 32 : 128));
}

/** Key names a binding may use: one character, or one of these KeyboardEvent.key names. */
export const NAMED_KEYS = ['Enter', 'Escape', 'Tab', 'Backspace', 'Delete', 'Insert', 'Home', 'End', 'PageUp', 'PageDown', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Space', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12'] as const;

/** The review page's key bindings (each action takes one or more keys). */
const DEFAULT_KEYS = {
  next: ['j', 'ArrowDown'],
  previous: ['k', 'ArrowUp'],
  accept: ['a', 'Enter'],
  reject: ['x'],
  objective: { policy: ['1'], research: ['2'], commercial: ['3'], preparedness: ['4'], workforce: ['5'] },
  grade: { explore: ['e'], intend: ['i'], commit: ['c'], underway: ['u'], completed: ['d'] },
  focus: ['f'],
  governance: ['g'],
  note: ['n'],
  undo: ['z'],
  undoBulk: ['Z'],
  acceptShown: ['B'],
  search: ['/'],
  document: ['v'],
  source: ['o'],
  take: ['t'],
  adjudicate: ['A'],
  help: ['?'],
};

/** The one place defaults live. */
export const DEFAULTS = {
  corpus: 'corpus',
  out: 'out',
  rules: 'rules',
  gold: '../shared/gold',
  sharedCorpus: '../shared/corpus',
  localGold: 'test/gold',
  concurrency: 2,
  /** Worker threads that process documents; 1 processes them in the main thread. */
  workers: availableParallelism(),
  limits: { maxFileBytes: 8 * 1024 * 1024, minTextChars: 40 },
  matrix: { domain: null as null | (typeof DOMAINS)[number], from: null as null | string, until: null as null | string },
  review: { db: '.accords/reviews.sqlite', keys: DEFAULT_KEYS },
  cacheDir: '.accords/cache',
  sources: 'corpus/sources.yaml',
  fetch: { userAgent: 'accords/0.1 (reads published statements on technology partnerships)', concurrency: 4, perHost: 1, timeoutMs: 20_000, retries: 3, maxBytes: 20 * 1024 * 1024, allowPrivateAddresses: false, allowAddresses: [] as string[] },
};

const keyName = z
  .string()
  .refine((k) => [...k].length === 1 || (NAMED_KEYS as readonly string[]).includes(k), { message: `a key is one character or one of ${NAMED_KEYS.join(', ')}` });
const binding = (d: string[]) => z.array(keyName).min(1, 'bind at least one key').default(d);
const bindings = <T extends readonly string[]>(names: T, d: Record<T[number], string[]>) =>
  z
    .object(Object.fromEntries(names.map((n: T[number]) => [n, binding(d[n])])) as Record<T[number], ReturnType<typeof binding>>)
    .strict()
    .default(d as never);

const keysSchema = z
  .object({
    next: binding(DEFAULT_KEYS.next).describe('next passage'),
    previous: binding(DEFAULT_KEYS.previous),
    accept: binding(DEFAULT_KEYS.accept),
    reject: binding(DEFAULT_KEYS.reject),
    objective: bindings(OBJECTIVES, DEFAULT_KEYS.objective),
    grade: bindings(GRADES, DEFAULT_KEYS.grade),
    focus: binding(DEFAULT_KEYS.focus),
    governance: binding(DEFAULT_KEYS.governance),
    note: binding(DEFAULT_KEYS.note),
    undo: binding(DEFAULT_KEYS.undo),
    undoBulk: binding(DEFAULT_KEYS.undoBulk),
    acceptShown: binding(DEFAULT_KEYS.acceptShown),
    search: binding(DEFAULT_KEYS.search),
    document: binding(DEFAULT_KEYS.document),
    source: binding(DEFAULT_KEYS.source),
    take: binding(DEFAULT_KEYS.take),
    adjudicate: binding(DEFAULT_KEYS.adjudicate),
    help: binding(DEFAULT_KEYS.help),
  })
  .strict()
  .superRefine((keys, ctx) => {
    // One key, one action: a key bound twice would do one of them silently.
    const owner = new Map<string, string>();
    const visit = (path: string[], v: unknown) => {
      if (Array.isArray(v)) {
        for (const k of v as string[]) {
          const other = owner.get(k);
          if (other) ctx.addIssue({ code: 'custom', path, message: `key "${k}" is bound to both ${other} and ${path.join('.')}` });
          else owner.set(k, path.join('.'));
        }
      } else if (v && typeof v === 'object') for (const [name, sub] of Object.entries(v)) visit([...path, name], sub);
    };
    visit([], keys);
  })
  .default(DEFAULT_KEYS);

export const configSchema = z
  .object({
    corpus: z.string().min(1).default(DEFAULTS.corpus).describe('folder of statements to process'),
    out: z.string().min(1).default(DEFAULTS.out).describe('folder the outputs are written to'),
    rules: z.string().min(1).default(DEFAULTS.rules).describe('folder of rule files'),
    gold: z.string().min(1).default(DEFAULTS.gold).describe('folder of gold labels for accords eval'),
    sharedCorpus: z.string().min(1).default(DEFAULTS.sharedCorpus).describe('folder of real statements used by evaluation and benchmarks'),
    localGold: z.string().min(1).default(DEFAULTS.localGold).describe('labels kept in the project, pointing at sharedCorpus statements by file name and offsets'),
    concurrency: z.number().int().min(1).max(64).default(DEFAULTS.concurrency),
    workers: z.number().int().min(1).max(64).default(DEFAULTS.workers).describe('worker threads that process documents when 1,000 or more need it (default: the machine\'s cores); 1 processes them in the main thread, with the same outputs'),
    limits: z
      .object({
        maxFileBytes: z.number().int().positive().default(DEFAULTS.limits.maxFileBytes),
        minTextChars: z.number().int().nonnegative().default(DEFAULTS.limits.minTextChars),
      })
      .strict()
      .default(DEFAULTS.limits),
    matrix: z
      .object({
        domain: z.enum(DOMAINS).nullable().default(null),
        from: isoDate.nullable().default(null),
        until: isoDate.nullable().default(null),
      })
      .strict()
      .refine((m) => !m.from || !m.until || m.from <= m.until, { message: 'from must not be after until', path: ['until'] })
      .default(DEFAULTS.matrix),
    review: z
      .object({
        db: z.string().min(1).default(DEFAULTS.review.db),
        keys: keysSchema.describe('key bindings of the review page'),
      })
      .strict()
      .default(DEFAULTS.review),
    cacheDir: z.string().min(1).default(DEFAULTS.cacheDir).describe('fetched responses, processed documents and the rules as loaded, for incremental runs'),
    sources: z.string().min(1).default(DEFAULTS.sources).describe('the list of documents and feeds to fetch'),
    fetch: z
      .object({
        userAgent: z.string().min(3).default(DEFAULTS.fetch.userAgent),
        concurrency: z.number().int().min(1).max(32).default(DEFAULTS.fetch.concurrency),
        perHost: z.number().int().min(1).max(8).default(DEFAULTS.fetch.perHost),
        timeoutMs: z.number().int().positive().default(DEFAULTS.fetch.timeoutMs),
        retries: z.number().int().min(0).max(10).default(DEFAULTS.fetch.retries),
        maxBytes: z.number().int().positive().default(DEFAULTS.fetch.maxBytes),
        allowPrivateAddresses: z.boolean().default(false).describe('fetch from loopback, private and link-local addresses too (refused by default)'),
        allowAddresses: z
          .array(z.string().refine((a) => isCidr(a), 'an IP address or a range such as 10.1.0.0/16'))
          .default([])
          .describe('private addresses or ranges fetched all the same, e.g. an internal mirror'),
      })
      .strict()
      .default(DEFAULTS.fetch),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type KeyBindings = Config['review']['keys'];
export type UserConfig = z.input<typeof configSchema>;
