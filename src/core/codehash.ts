import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sha256 } from './hash.js';
import { SRC } from './paths.js';

/**
 * A hash handed over by bin/accords.js when it runs a build (made from the same
 * src/ as the build, see bin/build.mjs), or else made here by `make`; made once
 * per process.
 */
function handedOr(variable: string, make: () => Promise<string>): () => Promise<string> {
  let hash: Promise<string> | undefined;
  return () => {
    const given = process.env[variable];
    return (hash ??= given && /^[0-9a-f]{16}$/.test(given) ? Promise.resolve(given) : make());
  };
}

/** A hash of files of src/ (paths relative to it, in the order given) and their bytes. */
async function hashOfFiles(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(files.map(async (f) => `${f}:${sha256(await readFile(join(SRC, f)))}`));
  return sha256(parts.join('\n')).slice(0, 16);
}

/**
 * A hash of the project's code (every file under src/), so that anything cached
 * from what the code computed (processed documents, compiled rules) is made
 * again when the code changes.
 */
export const sourceHash = handedOr('ACCORDS_CODE_HASH', async () => {
  const files: string[] = [];
  const walk = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (/\.(?:ts|js|css)$/.test(e.name)) files.push(relative(SRC, join(d, e.name)));
    }
  };
  await walk(SRC);
  return hashOfFiles(files);
});

/**
 * The files the part-of-speech tagger's verdicts depend on (src/verdicts.ts): the
 * questions asked and how the answers are read (tag/imperative.ts), how the tagger
 * is loaded (core/lazy.ts), how the verdicts are kept, and the one other file that
 * uses the tagger (rules/inflect.ts: it reads compromise's model, which a change
 * there could alter, and with it the answers). The threads and the pipeline only
 * carry verdicts: a mistake there that wrote wrong ones would need this list's
 * hash changed to clear them. bin/build.mjs hashes the same list (a test holds the
 * two hashes equal; another that no other file uses compromise).
 */
export const VERDICT_FILES = ['tag/imperative.ts', 'core/lazy.ts', 'verdicts.ts', 'rules/inflect.ts'] as const;

/**
 * A hash of the verdicts' code (VERDICT_FILES): verdicts kept by one version of
 * the project serve the next one unless these files changed.
 */
export const verdictCodeHash = handedOr('ACCORDS_VERDICT_HASH', () => hashOfFiles(VERDICT_FILES));
