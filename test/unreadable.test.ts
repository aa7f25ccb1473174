import { describe, expect, it, vi } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tmp } from './helpers.js';

// Tests run as root here, and root reads any folder whatever its permissions: the
// refusal a locked folder gets from the system is simulated at the one call that meets it.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = (async (path: Parameters<typeof real.readdir>[0], ...rest: unknown[]) => {
    if (String(path).endsWith('/locked')) throw Object.assign(new Error(`EACCES: permission denied, scandir '${String(path)}'`), { code: 'EACCES', errno: -13, syscall: 'scandir', path: String(path) });
    return (real.readdir as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof real.readdir;
  return { ...real, default: { ...real, readdir }, readdir };
});

const { runPipeline } = await import('../src/pipeline.js');
const { loadConfig } = await import('../src/config/index.js');

describe('a corpus sub-folder that cannot be read', () => {
  it('is reported by name and reason; every other statement is processed and out/ is written', async () => {
    const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('unreadable-cache') };
    const corpus = tmp('unreadable-corpus');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    mkdirSync(join(corpus, 'locked'));
    writeFileSync(join(corpus, 'locked', 'hidden.md'), '---\ntitle: Hidden\n---\n\nThe two sides will fund research.\n');
    const out = join(tmp('unreadable-out'), 'out');
    const s = await runPipeline(config, { corpus, out, log: () => {} });
    expect(s.text).toMatch(/locked: warning \[corpus\/unreadable-folder\] a folder of the corpus could not be read; its statements were skipped: EACCES/);
    expect(s.documents).toBe(13);
    expect(s.failed).toBe(0);
    expect(existsSync(join(out, 'matrix.md'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'run-report.json'), 'utf8'));
    expect(report.skipped[0]).toMatchObject({ code: 'corpus/unreadable-folder' });
  });
});
