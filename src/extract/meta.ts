import { z } from 'zod';
import type { DocMeta } from '../core/doc.js';
import type { Message } from '../core/messages.js';
import { problem } from '../core/errors.js';

/**
 * Front matter (and sidecar metadata, HTML and PDF metadata) is checked field by
 * field as it enters: text where text is expected, real calendar dates, lists
 * of addresses. A bad value is dropped with a warning naming the field and the
 * file, never passed on as "[object Object]" or as a 45th of Brumaire.
 */

/** A real calendar date written YYYY-MM-DD (a time after it is allowed and dropped). */
export function realDate(s: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ]\d)/.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f]/g;

/** YAML reads `2024-05-01` as a string here, but numbers, booleans and dates may come as such. */
const text = z
  .union([z.string(), z.number(), z.boolean(), z.date()], { message: 'must be text, not a list or a mapping' })
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).replace(CONTROLS, ' ').trim()));

const date = z
  .union([z.string(), z.date()], { message: 'must be a date written YYYY-MM-DD' })
  .transform((v, ctx) => {
    const s = v instanceof Date ? (Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10)) : v;
    const d = realDate(s);
    if (!d) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} is not a real date written YYYY-MM-DD` });
    return d ?? '';
  });

const partnership = z.union([text, z.array(text)], { message: 'must be text (several separated by ";") or a list' }).transform((v) => (Array.isArray(v) ? v.join('; ') : v));

const urls = z.array(z.string({ message: 'each address must be text' }).trim().min(1), { message: 'must be a list of addresses' });

export const FIELDS = {
  title: text,
  date,
  publisher: text,
  doc_type: text,
  partnership,
  source_url: z.string({ message: 'must be an address written as text' }).trim(),
  url: z.string({ message: 'must be an address written as text' }).trim(),
  source_urls: urls,
  language: text,
  found_in: text,
  complete: z.boolean({ message: 'must be true or false' }),
  citation: text,
} as const;

export type FieldName = keyof typeof FIELDS;

const HTTP = /^https?:\/\/[^\s]+$/i;

/**
 * Checked metadata from raw fields; problems become messages on the document.
 * Unknown fields are kept as they are (and warned about).
 */
export function checkMeta(fields: Record<string, unknown>, file: string, messages: Message[]): Partial<DocMeta> {
  const meta: Partial<DocMeta> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!(k in FIELDS)) {
      messages.push(problem('meta/unknown-field', file, `"${k}"`));
      if (v !== null && v !== undefined) meta[k] = v;
      continue;
    }
    if (v === null || v === undefined || v === '') continue;
    const r = FIELDS[k as FieldName].safeParse(v);
    if (!r.success) {
      const why = r.error.issues[0]?.message ?? 'not valid';
      messages.push(problem(k === 'date' ? 'meta/bad-date' : 'meta/bad-field', file, `${k}: ${why}`));
      continue;
    }
    const val = r.data as string | string[] | boolean;
    switch (k as FieldName) {
      case 'title': if (val) meta.title = val as string; break;
      case 'date': meta.date = val as string; break;
      case 'publisher': meta.publisher = val as string; break;
      case 'doc_type': meta.docType = val as string; break;
      case 'partnership': if ((val as string).trim()) meta.partnership = val as string; break;
      case 'source_url':
      case 'url':
        if (!HTTP.test(val as string)) messages.push(problem('meta/bad-url', file, `${k}: ${JSON.stringify((val as string).slice(0, 200))}`));
        meta.sourceUrl = val as string;
        break;
      case 'source_urls': meta.sourceUrls = val as string[]; break;
      case 'language': meta.language = val as string; break;
      default: meta[k] = val;
    }
  }
  return meta;
}
