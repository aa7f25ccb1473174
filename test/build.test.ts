import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCode, buildKey, codeKeys } from '../bin/build.mjs';
import { sourceHash, verdictCodeHash, VERDICT_FILES } from '../src/core/codehash.js';
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

describe('the code hash a build hands to the process it runs', () => {
  it('is the hash src/core/codehash.ts makes of src/, so caches are shared with runs of src/ itself', async () => {
    expect(process.env['ACCORDS_CODE_HASH']).toBeUndefined();
    expect(codeKeys(ROOT).source).toBe(await sourceHash());
    // And it follows src/: a changed file changes it.
    const dir = scratchProject();
    const before = codeKeys(dir).source;
    writeFileSync(join(dir, 'src', 'core', 'hash.ts'), `${readFileSync(join(dir, 'src', 'core', 'hash.ts'), 'utf8')}\n// changed\n`);
    expect(codeKeys(dir).source).not.toBe(before);
    expect(before).toBe(codeKeys(ROOT).source);
  });
});

describe("the part-of-speech verdicts' code hash", () => {
  it("is the hash codehash.ts makes of the verdicts' files, and follows those files only", async () => {
    expect(process.env['ACCORDS_VERDICT_HASH']).toBeUndefined();
    expect(codeKeys(ROOT).verdicts).toBe(await verdictCodeHash());
    const dir = scratchProject();
    const before = codeKeys(dir);
    const edit = (f: string) => writeFileSync(join(dir, 'src', f), `${readFileSync(join(dir, 'src', f), 'utf8')}\n// changed\n`);
    edit('core/hash.ts');
    expect(codeKeys(dir).source).not.toBe(before.source);
    expect(codeKeys(dir).verdicts).toBe(before.verdicts);
    edit('tag/imperative.ts');
    expect(codeKeys(dir).verdicts).not.toBe(before.verdicts);
  });

  it('covers every file of src/ that uses the tagger (what it answers could depend on any of them)', () => {
    const src = join(ROOT, 'src');
    const all = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(d, e.name)) : [join(d, e.name)]));
    const users = all(src)
      .filter((f) => /\.(?:ts|js)$/.test(f) && /\bfrom\s+['"]compromise|require\(\s*['"]compromise|\bcompromise\s*\(\s*\)|lazy<[^>]*>\(\s*['"]compromise/.test(readFileSync(f, 'utf8')))
      .map((f) => f.slice(src.length + 1).replaceAll('\\', '/'))
      .sort();
    expect(users).toEqual(['core/lazy.ts', 'rules/inflect.ts', 'tag/imperative.ts']);
    for (const f of users) expect(VERDICT_FILES as readonly string[]).toContain(f);
  });

  it('lets a new version of the code use the verdicts kept by the last one, unless their files changed', () => {
    const dir = scratchProject();
    const work = tmp('accords-verdict-versions');
    const cfg = join(work, 'c.config.mts');
    writeFileSync(cfg, `export default ${JSON.stringify({ corpus: join(ROOT, 'corpus'), rules: join(ROOT, 'rules'), cacheDir: join(work, 'cache'), review: { db: join(work, 'r.sqlite') } })};\n`);
    const run = (out: string) => {
      const r = cli(dir, ['run', '--config', cfg, '--out', join(work, out), '--quiet']);
      expect(r.status, r.stderr).toBe(0);
    };
    const kept = () => readdirSync(join(work, 'cache', 'verdicts')).sort();
    run('a');
    const [file] = kept();
    expect(kept()).toHaveLength(1);
    const verdicts = join(work, 'cache', 'verdicts', file!);
    expect((JSON.parse(readFileSync(verdicts, 'utf8')) as unknown[]).length).toBeGreaterThan(0);
    const made = statSync(verdicts).mtimeMs;
    const edit = (f: string) => writeFileSync(join(dir, 'src', f), `${readFileSync(join(dir, 'src', f), 'utf8')}\n// changed\n`);
    // Another file of the code changed: every statement is processed again, and no opening is asked about again.
    edit('core/hash.ts');
    run('b');
    expect(kept()).toEqual([file]);
    expect(statSync(verdicts).mtimeMs).toBe(made);
    // The code that asks changed: its verdicts are reached again, in a file of their own (the old one is dropped).
    edit('tag/imperative.ts');
    run('c');
    expect(kept()).toHaveLength(1);
    expect(kept()).not.toEqual([file]);
  });
});

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
    // All four were used within the hour: all stay.
    expect(builds(dir)).toEqual(made2.map((d) => d.split('/').pop()).sort());
    // Last used two hours ago and more, the oldest goes once a new build is made: the current one and the two most recently used stay.
    made2.forEach((d, i) => {
      const t = new Date(Date.now() - (3 + 4 - i) * 3_600_000);
      utimesSync(join(d, 'complete'), t, t);
    });
    writeFileSync(join(dir, 'src', 'core', 'edit.ts'), 'export const edit = 4;\n');
    const fifth = (await builtCode(dir))!;
    expect(builds(dir)).toEqual([made2[2], made2[3], fifth].map((d) => d!.split('/').pop()).sort());
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

  it('replaces a build folder that lost its mark of completion (an interrupted removal)', async () => {
    const dir = scratchProject();
    const first = (await builtCode(dir))!;
    rmSync(join(first, 'complete'));
    rmSync(join(first, 'cli.js'));
    expect(await builtCode(dir)).toBe(first);
    expect(existsSync(join(first, 'cli.js'))).toBe(true);
    expect(readdirSync(join(dir, '.accords', 'build')).filter((n) => n.includes('.stale-') || n.includes('.tmp-'))).toEqual([]);
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
    // A config that stands alone is compiled without tsx, once.
    const alone = join(dir, 'alone.config.mts');
    writeFileSync(alone, "import { defineConfig } from './src/config/index.js';\nexport default defineConfig({ rules: 'none-here' });\n");
    r = cli(dir, ['run', '--config', alone]);
    expect(r.stderr).toContain(`${join(dir, 'none-here')}: rules folder not found`);
    const compiled = () => readdirSync(join(dir, '.accords', 'build', 'config')).filter((n) => n.endsWith('.mjs'));
    expect(compiled()).toHaveLength(2);
    cli(dir, ['run', '--config', alone]);
    expect(compiled()).toHaveLength(2);
    // A config that asks where it is gets its own folder, as under tsx.
    const where = join(dir, 'where.config.mts');
    writeFileSync(where, "import { join } from 'node:path';\nexport default { rules: join(import.meta.dirname, 'my-rules') };\n");
    r = cli(dir, ['run', '--config', where]);
    expect(r.stderr).toContain(`${join(dir, 'my-rules')}: rules folder not found`);
    // A config importing the project's config API and a helper of its own; a change to the helper is seen.
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
