import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCode, buildKey } from '../bin/build.mjs';
import { ROOT, tmp } from './helpers.js';

/** A copy of the project's code (src/, bin/, package.json) with its node_modules, to build and break freely. */
function scratchProject(): string {
  const dir = tmp('accords-build');
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const builds = (dir: string) => (existsSync(join(dir, '.accords', 'build')) ? readdirSync(join(dir, '.accords', 'build')).filter((n) => n !== 'config').sort() : []);

function cli(dir: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(dir, 'bin', 'accords.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
}

describe('the command line runs a build of src/', () => {
  it('makes the build once, starts from it, and makes a new one when src/ changes, keeping the two before it', async () => {
    const dir = scratchProject();
    const first = (await builtCode(dir))!;
    expect(first).toBe(join(dir, '.accords', 'build', buildKey(dir)));
    for (const f of ['cli.js', 'pool/worker.js', 'complete']) expect(existsSync(join(first, f)), f).toBe(true);
    const made = statSync(join(first, 'cli.js')).mtimeMs;
    expect(await builtCode(dir)).toBe(first);
    expect(statSync(join(first, 'cli.js')).mtimeMs).toBe(made);
    const made2: string[] = [first];
    for (let i = 1; i <= 3; i++) {
      writeFileSync(join(dir, 'src', 'core', 'edit.ts'), `export const edit = ${i};\n`);
      const next = (await builtCode(dir))!;
      expect(made2).not.toContain(next);
      made2.push(next);
    }
    // The first of four is gone: the current build and the two most recent others stay.
    expect(builds(dir)).toEqual(made2.slice(1).map((d) => d.split('/').pop()).sort());
    const r = cli(dir, ['--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('accords COMMAND --help');
  });

  it('several commands started at once share one build and leave nothing half-made', async () => {
    const dir = scratchProject();
    const runs = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<number | null>((done) => {
            const child = spawn(process.execPath, [join(dir, 'bin', 'accords.js'), '--help'], { cwd: dir, stdio: 'ignore' });
            child.on('exit', (code) => done(code));
          }),
      ),
    );
    expect(runs).toEqual([0, 0, 0]);
    expect(builds(dir)).toEqual([buildKey(dir)]);
  });

  it('runs src/ through tsx when no build can be made, and says what is wrong with the code', async () => {
    const dir = scratchProject();
    writeFileSync(join(dir, 'src', 'cli.ts'), `${readFileSync(join(dir, 'src', 'cli.ts'), 'utf8')}\nexport const broken = ;\n`);
    expect(await builtCode(dir)).toBeUndefined();
    const r = cli(dir, ['--help']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cli\.ts:\d+:\d+: ERROR: Unexpected ";"/);
    expect(builds(dir)).toEqual([]);
  });

  it('ACCORDS_NO_BUILD=1 runs src/ through tsx, with the same result', () => {
    const dir = scratchProject();
    const r = cli(dir, ['--help'], { ACCORDS_NO_BUILD: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(cli(dir, ['--help']).stdout);
    expect(builds(dir)).toHaveLength(1);
  });

  it('reads a config written in TypeScript without tsx, and names the line of an error in it', () => {
    const dir = scratchProject();
    const bad = join(dir, 'bad.config.mts');
    writeFileSync(bad, "export default {\n  corpus: 'corpus',\n  out: 'out'\n  rules: 'rules',\n};\n");
    let r = cli(dir, ['run', '--config', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.config\.mts:4: the config file could not be loaded: Expected "}" but found "rules"/);
    const undef = join(dir, 'undef.config.mts');
    writeFileSync(undef, 'export default {\n  corpus: notDefined,\n};\n');
    r = cli(dir, ['run', '--config', undef]);
    expect(r.stderr).toMatch(/undef\.config\.mts:2: the config file could not be loaded: notDefined is not defined/);
    // A valid config importing the project's config API and a helper of its own; a change to the helper is seen.
    writeFileSync(join(dir, 'helper.ts'), "export const where: string = 'elsewhere';\n");
    const good = join(dir, 'good.config.ts');
    writeFileSync(good, "import { defineConfig } from './src/config/index.js';\nimport { where } from './helper.js';\nexport default defineConfig({ corpus: where, matrix: { domain: 'nope' } } as never);\n");
    r = cli(dir, ['run', '--config', good]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/good\.config\.ts: invalid configuration/);
    expect(r.stderr).toMatch(/matrix\.domain/);
    expect(r.stderr).not.toMatch(/corpus:/);
    writeFileSync(join(dir, 'helper.ts'), "export const where: number = 7;\n");
    r = cli(dir, ['run', '--config', good]);
    expect(r.stderr).toMatch(/corpus: Invalid input: expected string, received number/);
  });
});
