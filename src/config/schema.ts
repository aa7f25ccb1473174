import { z } from 'zod';
import { isIP } from 'node:net';
import { DOMAINS } from '../core/taxonomy.js';
import { realDate } from '../extract/meta.js';

const isoDate = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && realDate(s) !== undefined, 'must be a real date written YYYY-MM-DD');

function isCidr(a: string): boolean {
  const [ip, bits, more] = a.split('/');
  const kind = isIP(ip ?? '');
  if (!kind || more !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (kind === 4 ? 32 : 128));
}

/** The one place defaults live. */
export const DEFAULTS = {
  corpus: 'corpus',
  out: 'out',
  rules: 'rules',
  gold: '../shared/gold',
  sharedCorpus: '../shared/corpus',
  localGold: 'test/gold',
  concurrency: 2,
  limits: { maxFileBytes: 8 * 1024 * 1024, minTextChars: 40 },
  matrix: { domain: null as null | (typeof DOMAINS)[number], from: null as null | string, until: null as null | string },
  review: { db: '.accords/reviews.sqlite' },
  cacheDir: '.accords/cache',
  sources: 'corpus/sources.yaml',
  fetch: { userAgent: 'accords/0.1 (reads published statements on technology partnerships)', concurrency: 4, perHost: 1, timeoutMs: 20_000, retries: 3, maxBytes: 20 * 1024 * 1024, allowPrivateAddresses: false, allowAddresses: [] as string[] },
};

export const configSchema = z
  .object({
    corpus: z.string().min(1).default(DEFAULTS.corpus).describe('folder of statements to process'),
    out: z.string().min(1).default(DEFAULTS.out).describe('folder the outputs are written to'),
    rules: z.string().min(1).default(DEFAULTS.rules).describe('folder of rule files'),
    gold: z.string().min(1).default(DEFAULTS.gold).describe('folder of gold labels for accords eval'),
    sharedCorpus: z.string().min(1).default(DEFAULTS.sharedCorpus).describe('folder of real statements used by evaluation and benchmarks'),
    localGold: z.string().min(1).default(DEFAULTS.localGold).describe('labels kept in the project, pointing at sharedCorpus statements by file name and offsets'),
    concurrency: z.number().int().min(1).max(64).default(DEFAULTS.concurrency),
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
    review: z.object({ db: z.string().min(1).default(DEFAULTS.review.db) }).strict().default(DEFAULTS.review),
    cacheDir: z.string().min(1).default(DEFAULTS.cacheDir).describe('fetched responses and processed documents, for incremental runs'),
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
export type UserConfig = z.input<typeof configSchema>;
