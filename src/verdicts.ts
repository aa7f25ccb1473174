/**
 * The part-of-speech tagger's verdicts on list items' opening words (see
 * tag/imperative.ts), kept between runs in <cacheDir>/verdicts/: they depend on the
 * words, the code that asks and reads them and compromise's version, never on the
 * rules, so a run after a change of rules asks only about openings no earlier run
 * needed (the tagger is asked only when a passage's tags depend on its opening).
 * One file per version of that code (core/codehash.ts, VERDICT_FILES), so a new
 * version of the project that leaves it as it was keeps them; written by runs
 * holding the cache's lock.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { verdictCodeHash } from './core/codehash.js';
import { writeFileAtomic } from './core/fsutil.js';
import { sha256 } from './core/hash.js';
import { packageVersion } from './rules/cache.js';
import type { Verdict } from './tag/imperative.js';

/** The file of verdicts for the verdicts' code as it is, under the cache folder. */
export async function verdictsFile(cacheDir: string): Promise<string> {
  return join(cacheDir, 'verdicts', `${sha256(JSON.stringify([await verdictCodeHash(), packageVersion('compromise')])).slice(0, 16)}.json`);
}

const VERDICTS_MAX = 200_000;
/** A file larger than this is not what a run writes (200,000 verdicts take about 10 MB): it is ignored and made again. */
const VERDICTS_BYTES_MAX = 32 * 1024 * 1024;

/** Verdicts kept by an earlier run (none when the file is missing or damaged: they are reached again). */
export async function readVerdicts(file: string): Promise<Verdict[]> {
  try {
    if ((await stat(file)).size > VERDICTS_BYTES_MAX) return [];
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return Array.isArray(data) ? data.filter((v): v is Verdict => Array.isArray(v) && typeof v[0] === 'string' && v[0].length <= 200 && Number.isInteger(v[1])).slice(-VERDICTS_MAX) : [];
  } catch {
    return [];
  }
}

/** Keep the verdicts with the new ones (the newest when there are too many), and drop files made for other code. Best effort. */
export async function keepVerdicts(file: string, old: Verdict[], fresh: Verdict[], log: (s: string) => void): Promise<void> {
  const all = new Map<string, number>(old);
  for (const [key, bits] of fresh) {
    const had = all.get(key) ?? 0;
    all.delete(key);
    // A verdict reached now replaces a kept one of the same kind (bits 1-2: base verb; 4-8: gerund).
    all.set(key, (had & ~(bits & 1 ? 3 : 0) & ~(bits & 4 ? 12 : 0)) | bits);
  }
  const list = [...all].slice(-VERDICTS_MAX);
  try {
    await writeFileAtomic(file, JSON.stringify(list), { sync: false });
    const dir = dirname(file);
    for (const name of await readdir(dir)) if (/^[0-9a-f]{16}\.json$/.test(name) && name !== basename(file)) await rm(join(dir, name), { force: true });
  } catch (err) {
    log(`warning: ${file}: the part-of-speech verdicts could not be kept (${(err as Error).message}); the next run reaches them again`);
  }
}
