/**
 * Built code (bin/build.mjs) runs without tsx, and registering tsx only to read a
 * config written in TypeScript would cost more than the build saves. So a config
 * that stands alone is compiled here with esbuild, as tsx would compile it, and
 * kept in .accords/build/config/ until its text or the build changes. A config
 * stands alone when it imports nothing but `defineConfig` from this project's
 * config API and does not ask where it is (import.meta, __dirname, require):
 * compiled elsewhere, anything more could behave differently. Any other config,
 * one that does not compile (tsx then reports the error as always) or a place
 * where nothing can be written gets undefined, and is loaded through tsx.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BUILD, ROOT, SRC } from '../core/paths.js';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const API = join(SRC, 'config', 'index');
const ASKS_WHERE = /\bimport\.meta\b|\b__dirname\b|\b__filename\b|\brequire\s*\(/;

interface Compiled {
  out: string;
  /** The hash of the config's text and the build it was compiled for. */
  text: string;
  build: string;
}

/** The compiled form of the config at `path` (an absolute file path), or undefined when it is to be loaded through tsx. */
export async function compiledConfig(path: string): Promise<string | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    if (ASKS_WHERE.test(text)) return undefined;
    const dir = join(ROOT, '.accords', 'build', 'config');
    const name = sha(path).slice(0, 16);
    const record = join(dir, `${name}.json`);
    const textHash = sha(text);
    const build = BUILD ?? '';
    try {
      const kept = JSON.parse(await readFile(record, 'utf8')) as Compiled;
      if (kept.text === textHash && kept.build === build) {
        await readFile(kept.out);
        return kept.out;
      }
    } catch {
      // Not compiled yet, or its record is damaged: compiled now.
    }
    const esbuild = await import('esbuild');
    let alone = true;
    let code: string;
    try {
      const result = await esbuild.build({
        stdin: { contents: text, resolveDir: dirname(path), sourcefile: path, loader: /\.[mc]?ts$/.test(path) ? 'ts' : 'js' },
        outfile: join(dir, `${name}.mjs`),
        write: false,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        sourcemap: 'inline',
        logLevel: 'silent',
        plugins: [
          {
            name: 'accords-config',
            setup(b) {
              b.onResolve({ filter: /.*/ }, (args) => {
                if (resolve(args.resolveDir, args.path).replace(/\.[cm]?[jt]s$/, '') === API) return { path: 'config-api', namespace: 'accords' };
                alone = false;
                return { path: args.path, external: true };
              });
              b.onLoad({ filter: /.*/, namespace: 'accords' }, () => ({ contents: 'export function defineConfig(config) { return config; }', loader: 'js' }));
            },
          },
        ],
      });
      code = result.outputFiles[0]!.text;
    } catch {
      // It does not compile here (a syntax error, or more of the config API than defineConfig): tsx reads it and says what is wrong.
      return undefined;
    } finally {
      await esbuild.stop();
    }
    if (!alone) return undefined;
    const out = join(dir, `${name}.${sha(code).slice(0, 12)}.mjs`);
    await mkdir(dir, { recursive: true });
    await writeFile(`${out}.${process.pid}.tmp`, code);
    await rename(`${out}.${process.pid}.tmp`, out);
    await writeFile(`${record}.${process.pid}.tmp`, JSON.stringify({ out, text: textHash, build } satisfies Compiled));
    await rename(`${record}.${process.pid}.tmp`, record);
    // Earlier compilations of this config go (a process that loaded one has it in memory).
    for (const f of await readdir(dir)) if (f.startsWith(`${name}.`) && f.endsWith('.mjs') && f !== basename(out)) await rm(join(dir, f), { force: true });
    return out;
  } catch {
    // Nowhere to keep it (a read-only project folder): tsx reads the config.
    return undefined;
  }
}
