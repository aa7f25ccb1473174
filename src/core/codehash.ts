import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sha256 } from './hash.js';
import { SRC } from './paths.js';

/**
 * A hash of the project's code (every file under src/), so that anything cached
 * from what the code computed (processed documents, compiled rules) is made
 * again when the code changes.
 */
let codeHash: Promise<string> | undefined;
export function sourceHash(): Promise<string> {
  // Given by bin/accords.js when it runs a build: the hash of the src/ the build was made from.
  const given = process.env['ACCORDS_CODE_HASH'];
  if (given && /^[0-9a-f]{16}$/.test(given)) return (codeHash ??= Promise.resolve(given));
  return (codeHash ??= (async () => {
    const dir = SRC;
    const files: string[] = [];
    const walk = async (d: string) => {
      for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else if (/\.(?:ts|js|css)$/.test(e.name)) files.push(join(d, e.name));
      }
    };
    await walk(dir);
    const parts = await Promise.all(files.map(async (f) => `${relative(dir, f)}:${sha256(await readFile(f))}`));
    return sha256(parts.join('\n')).slice(0, 16);
  })());
}

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

let verdictHash: Promise<string> | undefined;
/**
 * A hash of the verdicts' code (VERDICT_FILES): verdicts kept by one version of
 * the project serve the next one unless these files changed.
 */
export function verdictCodeHash(): Promise<string> {
  // Given by bin/accords.js when it runs a build, made from the same src/ as the build.
  const given = process.env['ACCORDS_VERDICT_HASH'];
  if (given && /^[0-9a-f]{16}$/.test(given)) return (verdictHash ??= Promise.resolve(given));
  return (verdictHash ??= (async () => {
    const parts = await Promise.all(VERDICT_FILES.map(async (f) => `${f}:${sha256(await readFile(join(SRC, f)))}`));
    return sha256(parts.join('\n')).slice(0, 16);
  })());
}
