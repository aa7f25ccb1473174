// npm run bench [-- options]: the benchmarks, built with the options the command
// line's build uses (bin/build.mjs), so that they measure the code users run and
// not the code as tsx compiles it for the tests (tsx keeps every function's name,
// which makes closures made in a hot loop slower). The options go to
// scripts/bench.ts; scripts/bench-fetch.ts runs after it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { OPTIONS } from '../bin/build.mjs';

const root = join(import.meta.dirname, '..');
const outdir = join(root, '.accords', 'bench');
try {
  await build({
    ...OPTIONS,
    absWorkingDir: root,
    entryPoints: { bench: join(root, 'scripts', 'bench.ts'), 'bench-fetch': join(root, 'scripts', 'bench-fetch.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
} catch (err) {
  console.error(`bench: the benchmark could not be built (${err.message.split('\n')[0]}); fix the error above and run it again`);
  process.exit(2);
}
for (const [name, args] of [
  ['bench', process.argv.slice(2)],
  ['bench-fetch', []],
]) {
  const r = spawnSync(process.execPath, ['--enable-source-maps', join(outdir, `${name}.mjs`), ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
