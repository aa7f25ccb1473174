import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../core/fsutil.js';

/**
 * What became of each feed item: fetched (done), waiting for another try
 * (pending: its fetch failed, it is tried again on every run), or given up
 * (after MAX_TRIES failed runs, or at once when it can never succeed, such as
 * a malformed link), with the reason recorded. An item counts as seen only
 * once it is done or given up, so a statement whose first fetch failed is
 * never silently lost.
 */
export const MAX_TRIES = 5;

const itemSchema = z.object({
  url: z.string(),
  title: z.string().optional(),
  date: z.string().optional(),
  status: z.enum(['done', 'pending', 'given-up']),
  tries: z.number().int().nonnegative(),
  error: z.string().optional(),
  last: z.string().optional(),
});

const stateSchema = z.record(z.string(), z.record(z.string(), itemSchema));

export type FeedItemState = z.infer<typeof itemSchema>;
export type FeedState = z.infer<typeof stateSchema>;

/** Read the state; the older form (feed -> list of item ids, all counted as done) is read too. */
export async function loadFeedState(file: string, legacyFile?: string): Promise<FeedState> {
  if (existsSync(file)) {
    try {
      const r = stateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (r.success) return r.data;
    } catch {
      // fall through: a damaged state file means every item is looked at again
    }
  }
  if (legacyFile && existsSync(legacyFile)) {
    try {
      const old = z.record(z.string(), z.array(z.string())).parse(JSON.parse(await readFile(legacyFile, 'utf8')));
      return Object.fromEntries(Object.entries(old).map(([feed, ids]) => [feed, Object.fromEntries(ids.map((id) => [id, { url: '', status: 'done' as const, tries: 0 }]))]));
    } catch {
      return {};
    }
  }
  return {};
}

export async function saveFeedState(file: string, state: FeedState): Promise<void> {
  const sorted = Object.fromEntries(
    Object.keys(state)
      .sort()
      .map((feed) => [feed, Object.fromEntries(Object.keys(state[feed]!).sort().map((id) => [id, state[feed]![id]!]))]),
  );
  await writeFileAtomic(file, `${JSON.stringify(sorted, null, 1)}\n`);
}
