import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { runPipeline } from '../src/pipeline.js';
import { ROOT, tmp } from './helpers.js';
import { builtCode } from '../bin/build.mjs';
import { loadRules, loadRulesCached } from '../src/rules/index.js';

const LAZY = ['compromise', 'cheerio', 'undici', 'better-sqlite3'];

/** Run a module script in a fresh process (through tsx) and list the packages of LAZY it loaded, imported or required. */
function lazyLoadedBy(body: string): string[] {
  const dir = tmp('accords-startup');
  const log = join(dir, 'loaded.txt');
  // A module hook writes down every module imported; the script adds every module required.
  const hook = join(dir, 'hook.mjs');
  writeFileSync(hook, `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
  const script = `
    import { register } from 'node:module';
    register(${JSON.stringify(`file://${hook}`)});
    const { register: tsx } = await import('tsx/esm/api');
    tsx();
    ${body}
    const { createRequire } = await import('node:module');
    const { appendFileSync } = await import('node:fs');
    appendFileSync(${JSON.stringify(log)}, Object.keys(createRequire(import.meta.url).cache).join('\\n'));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const loaded = readFileSync(log, 'utf8');
  expect(loaded).toContain('/node_modules/zod/');
  return LAZY.filter((n) => loaded.includes(`/node_modules/${n}/`));
}

describe('start-up', () => {
  it('loading the command line loads neither compromise, cheerio, undici nor SQLite (each is loaded when first used)', () => {
    expect(lazyLoadedBy(`await import('./src/cli.ts');`)).toEqual([]);
  });

  it('nor does the build of the command line that bin/accords.js starts from', async () => {
    const dir = await builtCode(ROOT);
    expect(dir).toBeDefined();
    expect(lazyLoadedBy(`await import(${JSON.stringify(pathToFileURL(join(dir!, 'cli.js')).href)});`)).toEqual([]);
  });

  it('after a rule file is edited without new words, loading the rules does not load compromise: the inflections of their lemmas are kept', async () => {
    const rules = tmp('accords-inflections-rules');
    cpSync(join(ROOT, 'rules'), rules, { recursive: true });
    const cacheDir = tmp('accords-inflections-cache');
    await loadRulesCached(rules, cacheDir);
    const scope = join(rules, 'scope.yaml');
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# edited\n`);
    const terms = join(tmp('accords-inflections-terms'), 'terms.json');
    const script = `
      const { loadRulesCached } = await import('./src/rules/index.ts');
      const set = await loadRulesCached(${JSON.stringify(rules)}, ${JSON.stringify(cacheDir)});
      (await import('node:fs')).writeFileSync(${JSON.stringify(terms)}, JSON.stringify(set.rules.map((r) => r.terms)));
    `;
    expect(lazyLoadedBy(script)).toEqual([]);
    // The same patterns as the rules loaded from their files alone.
    const fromFiles = JSON.parse(JSON.stringify((await loadRules(rules)).rules.map((r) => r.terms)));
    expect(JSON.parse(readFileSync(terms, 'utf8'))).toEqual(fromFiles);
    // Kept forms changed after they were written are not used: compromise works them out again.
    const [kept] = readdirSync(join(cacheDir, 'inflections')).map((f) => join(cacheDir, 'inflections', f));
    writeFileSync(kept!, readFileSync(kept!, 'utf8').replace('invested', 'investted'));
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# edited again\n`);
    expect(lazyLoadedBy(script)).toEqual(['compromise']);
    expect(JSON.parse(readFileSync(terms, 'utf8'))).toEqual(fromFiles);
  });

  it('a run whose statements all come from the cache loads none of them either (its rules come from the cache, nothing is tagged or extracted)', async () => {
    const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('cache') };
    // The bundled corpus has an HTML statement (cheerio) and bullets whose opening words compromise reads.
    await runPipeline(config, { out: tmp('out'), log: () => {} });
    const run = `
      const { loadConfig } = await import('./src/config/index.ts');
      const { runPipeline } = await import('./src/pipeline.ts');
      const config = { ...(await loadConfig('pipeline.config.ts')), cacheDir: ${JSON.stringify(config.cacheDir)} };
      const s = await runPipeline(config, { out: ${JSON.stringify(tmp('out'))}, log: () => {} });
      if (s.processed !== 0 || s.reused < 10) throw new Error('expected every statement from the cache: ' + s.processed + ' processed');
    `;
    expect(lazyLoadedBy(run)).toEqual([]);
  });
});
