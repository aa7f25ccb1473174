/**
 * Built code (bin/build.mjs) runs without tsx, and registering tsx only to read a
 * config written in TypeScript would cost more than the build saves. So such a
 * config is compiled here with esbuild, as tsx would compile it, and kept in
 * .accords/build/config/ until it or a file it imports changes. Its imports of
 * this project's config API (src/config/index) get `defineConfig` alone; a runtime
 * error in it names the config's own line through an inline source map.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ROOT, SRC } from '../core/paths.js';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const API = join(SRC, 'config', 'index');

interface Compiled {
  out: string;
  /** Every file the compiled config was made from, with the hash of its bytes. */
  inputs: Record<string, string>;
}

/** The compiled form of the config at `path` (an absolute file path). Throws esbuild's error for a config that does not compile. */
export async function compiledConfig(path: string): Promise<string> {
  const dir = join(ROOT, '.accords', 'build', 'config');
  const record = join(dir, `${sha(path).slice(0, 16)}.json`);
  try {
    const kept = JSON.parse(await readFile(record, 'utf8')) as Compiled;
    if (Object.entries(kept.inputs).every(([f, h]) => sha(readFileSync(f)) === h)) {
      readFileSync(kept.out);
      return kept.out;
    }
  } catch {
    // Not compiled yet, or changed since, or its record is damaged: compiled again.
  }
  const { build } = await import('esbuild');
  const outfile = join(dir, `${sha(path).slice(0, 16)}.mjs`);
  const result = await build({
    entryPoints: [path],
    outfile,
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: dirname(path),
    plugins: [
      {
        name: 'accords-config-api',
        setup(b) {
          b.onResolve({ filter: /config[\\/]index(?:\.[cm]?[jt]s)?$/ }, (args) => {
            const target = resolve(args.resolveDir, args.path).replace(/\.[cm]?[jt]s$/, '');
            return target === API ? { path: 'config-api', namespace: 'accords' } : undefined;
          });
          b.onLoad({ filter: /.*/, namespace: 'accords' }, () => ({ contents: 'export function defineConfig(config) { return config; }', loader: 'js' }));
        },
      },
    ],
  });
  const text = result.outputFiles[0]!.text;
  const out = outfile.replace(/\.mjs$/, `.${sha(text).slice(0, 12)}.mjs`);
  const inputs: Record<string, string> = {};
  for (const f of Object.keys(result.metafile!.inputs)) {
    if (f.includes(':')) continue;
    const abs = isAbsolute(f) ? f : resolve(dirname(path), f);
    inputs[abs] = sha(readFileSync(abs));
  }
  await mkdir(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, out);
  await writeFile(`${record}.${process.pid}.tmp`, JSON.stringify({ out, inputs } satisfies Compiled));
  await rename(`${record}.${process.pid}.tmp`, record);
  return out;
}
