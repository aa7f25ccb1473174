// The command line runs a build of src/ when it can: one JavaScript file per
// entry, made by esbuild on the first start after any change to src/ and kept in
// .accords/build/<key>/. Starting from it skips compiling and resolving every
// TypeScript module through tsx, about half of what a short command costs. When a
// build cannot be made or loaded, the command line runs src/ through tsx: the
// build is a cache, never a step anyone has to take.
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

export const ENTRIES = ['cli.ts', 'pool/worker.ts'];
/** src/core/codehash.ts's VERDICT_FILES (a test holds the two hashes equal). */
const VERDICT_FILES = ['tag/imperative.ts', 'core/lazy.ts', 'verdicts.ts', 'rules/inflect.ts'];
/** Builds kept besides the current one, and how long one used is kept in any case (a process started from it may still start workers). */
const KEEP = 2;
const IN_USE_MS = 3_600_000;

/** How src/ is built; part of the key, so a change here makes a new build. */
export const OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages stay in node_modules, loaded when the code asks for them (some only when first used).
  packages: 'external',
  // Stack traces name the lines of src/ (bin/accords.js turns source maps on).
  sourcemap: 'linked',
  logLevel: 'silent',
};

function files(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

/** The build's key: every file under src/, the build's options, the bundler's version and Node's major version. */
export function buildKey(root) {
  return codeKeys(root).build;
}

/**
 * The build's key, the code's hash as src/core/codehash.ts makes it (the key of
 * everything cached from what the code computed) and the hash of the verdicts'
 * code (codehash.ts, verdictCodeHash), from one reading of src/: a process started
 * from the build is given the last two (ACCORDS_CODE_HASH, ACCORDS_VERDICT_HASH)
 * instead of reading the files of src/ again, in each of its threads.
 */
export function codeKeys(root) {
  const esbuild = JSON.parse(readFileSync(createRequire(join(root, 'package.json')).resolve('esbuild/package.json'), 'utf8')).version;
  const h = createHash('sha256').update(`esbuild ${esbuild}\nnode ${process.versions.node.split('.')[0]}\n${JSON.stringify(OPTIONS)}\n`);
  const src = join(root, 'src');
  const bytes = new Map();
  for (const f of files(src)) {
    const b = readFileSync(f);
    bytes.set(f, b);
    h.update(`${relative(src, f)}\0`).update(b).update('\0');
  }
  // codehash.ts's order and choice of files: each folder's entries by localeCompare, code and styles only.
  const parts = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(?:ts|js|css)$/.test(e.name)) parts.push(`${relative(src, p)}:${createHash('sha256').update(bytes.get(p) ?? readFileSync(p)).digest('hex')}`);
    }
  };
  walk(src);
  // codehash.ts's verdictCodeHash: the files the part-of-speech verdicts depend on.
  const verdictParts = VERDICT_FILES.map((f) => `${f}:${createHash('sha256').update(bytes.get(join(src, f)) ?? readFileSync(join(src, f))).digest('hex')}`);
  return {
    build: h.digest('hex').slice(0, 16),
    source: createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16),
    verdicts: createHash('sha256').update(verdictParts.join('\n')).digest('hex').slice(0, 16),
  };
}

/** The variables that hand a process the hashes codehash.ts would otherwise make by reading src/. */
export const HASH_VARIABLES = ['ACCORDS_CODE_HASH', 'ACCORDS_VERDICT_HASH'];
let hashesOfBuild = {};
/**
 * The hashes (codehash.ts: the code's, the verdicts' code's) of the src/ the last
 * build given by builtCode was made from, by the variable that hands each over.
 */
export function builtHashes() {
  return hashesOfBuild;
}

/** The folder of a build of src/ as it is now, made if needed; undefined when there is none to be had. */
export async function builtCode(root) {
  if (process.env.ACCORDS_NO_BUILD) return undefined;
  try {
    const base = join(root, '.accords', 'build');
    const keys = codeKeys(root);
    const key = keys.build;
    const dir = join(base, key);
    hashesOfBuild = { ACCORDS_CODE_HASH: keys.source, ACCORDS_VERDICT_HASH: keys.verdicts };
    if (existsSync(join(dir, 'complete'))) {
      // Marked as used, so that pruning by other processes leaves it while this one may need it.
      try {
        const now = new Date();
        utimesSync(join(dir, 'complete'), now, now);
      } catch {
        // A folder this process cannot write: the build is used all the same.
      }
      return dir;
    }
    mkdirSync(base, { recursive: true });
    // Where nothing can be written, no build is tried at every start.
    accessSync(base, constants.W_OK);
    const esbuild = await import('esbuild');
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await esbuild.build({ ...OPTIONS, entryPoints: ENTRIES.map((e) => join(root, 'src', e)), outbase: join(root, 'src'), outdir: tmp });
      // src/ changed while esbuild read it: the build is of neither state, and is not kept under the key.
      if (buildKey(root) !== key) return undefined;
      writeFileSync(join(tmp, 'complete'), `${key}\n`);
      // Made aside and renamed into place: a build is whole or absent.
      try {
        renameSync(tmp, dir);
      } catch (err) {
        if (existsSync(join(dir, 'complete'))) {
          // Another process put the same build there first.
        } else if (existsSync(dir)) {
          // What an interrupted removal left (no 'complete'): moved aside, then replaced.
          const stale = `${dir}.stale-${process.pid}-${Date.now()}`;
          renameSync(dir, stale);
          rmSync(stale, { recursive: true, force: true });
          try {
            renameSync(tmp, dir);
          } catch (again) {
            if (!existsSync(join(dir, 'complete'))) throw again;
          }
        } else throw err;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      // esbuild's service process would otherwise live as long as this one.
      await esbuild.stop();
    }
    prune(base, key);
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * Remove builds but the current one, those used in the last hour and the most
 * recently used few; and what interrupted builds left over an hour ago.
 */
function prune(base, key) {
  try {
    const now = Date.now();
    const used = (n) => {
      try {
        return statSync(join(base, n, 'complete')).mtimeMs;
      } catch {
        return undefined;
      }
    };
    const entries = readdirSync(base)
      .filter((n) => n !== key && n !== 'config')
      .map((n) => ({ n, done: /^[0-9a-f]{16}$/.test(n) ? used(n) : undefined, t: statSync(join(base, n)).mtimeMs }))
      .sort((a, b) => (b.done ?? 0) - (a.done ?? 0));
    let kept = 0;
    for (const { n, done, t } of entries) {
      if (done !== undefined ? kept++ < KEEP || now - done < IN_USE_MS : now - t < IN_USE_MS) continue;
      rmSync(join(base, n), { recursive: true, force: true });
    }
  } catch {
    // Pruning is tidying: a build left behind costs disk, never a failed command.
  }
}
