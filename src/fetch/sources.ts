import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { readYamlFile } from '../rules/yaml.js';
import { checkRegex } from '../rules/pattern.js';
import { realDate } from '../extract/meta.js';

const date = z.union([
  z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && realDate(s) !== undefined, 'write a real date as YYYY-MM-DD'),
  z.date().transform((d) => d.toISOString().slice(0, 10)),
]);

/**
 * A feed's `match` runs on titles written by someone else: it is compiled for
 * RE2's linear-time engine, so no title can make it run without end.
 */
export function regexFor(source: string): { test(text: string): boolean } {
  return checkRegex(source, `"${source}"`, false);
}

const httpUrl = z.string().refine((s) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'must be a full http(s) address');

const documentSchema = z
  .object({
    url: httpUrl,
    partnership: z.string().optional(),
    title: z.string().optional(),
    date: date.optional(),
    doc_type: z.string().optional(),
    citation: z.string().optional(),
    publisher: z.string().optional(),
  })
  .strict();

const feedSchema = z
  .object({
    url: httpUrl,
    partnership: z.string().optional(),
    doc_type: z.string().optional(),
    /** Only items whose title matches this (case-insensitive) regular expression. */
    match: z.string().optional(),
  })
  .strict();

export const sourcesSchema = z
  .object({
    documents: z.array(documentSchema).default([]),
    feeds: z.array(feedSchema).default([]),
  })
  .strict();

export type Sources = z.infer<typeof sourcesSchema>;
export type SourceDocument = z.infer<typeof documentSchema>;

export async function loadSources(file: string): Promise<Sources> {
  const { data, lineOf } = await readYamlFile(file, sourcesSchema, {
    missing: 'sources file not found',
    missingHint: 'create corpus/sources.yaml with a `documents:` list of {url, partnership?, title?, date?}, or pass --sources FILE',
    hint: 'see README "Fetching"',
    allowed: 'documents: url, partnership, title, date, doc_type, citation, publisher; feeds: url, partnership, doc_type, match',
  });
  for (const [i, f] of data.feeds.entries()) {
    if (f.match) {
      try {
        regexFor(f.match);
      } catch (err) {
        throw new UserError(`feeds.${i}.match: ${(err as Error).message}`, file, lineOf(['feeds', i, 'match']));
      }
    }
  }
  return data;
}
