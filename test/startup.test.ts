import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmp } from './helpers.js';

describe('start-up', () => {
  it('loading the command line loads neither compromise, cheerio, undici nor SQLite (each is loaded when first used)', () => {
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
      await import('./src/cli.ts');
      const { createRequire } = await import('node:module');
      const { appendFileSync } = await import('node:fs');
      appendFileSync(${JSON.stringify(log)}, Object.keys(createRequire(import.meta.url).cache).join('\\n'));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const loaded = readFileSync(log, 'utf8');
    expect(loaded).toContain('/src/cli.ts');
    expect(loaded).toContain('/node_modules/zod/');
    expect(['compromise', 'cheerio', 'undici', 'better-sqlite3'].filter((n) => loaded.includes(`/node_modules/${n}/`))).toEqual([]);
  });
});
