// The command line runs a build of src/ when it can: one JavaScript file per
// entry, made by esbuild on the first start after any change to src/ and kept in
// .accords/build/<key>/. Starting from it skips compiling and resolving every
// TypeScript module through tsx, about half of what a short command costs. When a
// build cannot be made or loaded, the command line runs src/ through tsx: the
// build is a cache, never a step anyone has to take.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

export const ENTRIES = ['cli.ts', 'pool/worker.ts'];
/** Builds kept besides the current one (a process started earlier may still start workers from one). */
const KEEP = 2;

function files(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

/** The build's key: every file under src/, the bundler's version and Node's major version. */
export function buildKey(root) {
  const esbuild = JSON.parse(readFileSync(createRequire(join(root, 'package.json')).resolve('esbuild/package.json'), 'utf8')).version;
  const h = createHash('sha256').update(`esbuild ${esbuild}\nnode ${process.versions.node.split('.')[0]}\n`);
  const src = join(root, 'src');
  for (const f of files(src)) h.update(`${relative(src, f)}\0`).update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** The folder of a build of src/ as it is now, made if needed; undefined when there is none to be had. */
export async function builtCode(root) {
  if (process.env.ACCORDS_NO_BUILD) return undefined;
  try {
    const base = join(root, '.accords', 'build');
    const key = buildKey(root);
    const dir = join(base, key);
    if (existsSync(join(dir, 'complete'))) return dir;
    const { build } = await import('esbuild');
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await build({
        entryPoints: ENTRIES.map((e) => join(root, 'src', e)),
        outbase: join(root, 'src'),
        outdir: tmp,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        // Packages stay in node_modules, loaded when the code asks for them (some only when first used).
        packages: 'external',
        // As tsx compiles: functions keep their names.
        keepNames: true,
        logLevel: 'silent',
      });
      writeFileSync(join(tmp, 'complete'), `${key}\n`);
      // Made aside and renamed into place: a build is whole or absent. Another
      // process may have put the same build there first.
      try {
        renameSync(tmp, dir);
      } catch (err) {
        if (!existsSync(join(dir, 'complete'))) throw err;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    prune(base, key);
    return dir;
  } catch {
    return undefined;
  }
}

/** Remove older builds but the most recent few, and what interrupted builds left over an hour ago. */
function prune(base, key) {
  try {
    const now = Date.now();
    const entries = readdirSync(base)
      .filter((n) => n !== key && n !== 'config')
      .map((n) => ({ n, t: statSync(join(base, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    let kept = 0;
    for (const { n, t } of entries) {
      const done = /^[0-9a-f]{16}$/.test(n) && existsSync(join(base, n, 'complete'));
      if (done ? kept++ < KEEP : now - t < 3_600_000) continue;
      rmSync(join(base, n), { recursive: true, force: true });
    }
  } catch {
    // Pruning is tidying: a build left behind costs disk, never a failed command.
  }
}
