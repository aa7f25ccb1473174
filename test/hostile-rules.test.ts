import { describe, expect, it, beforeAll } from 'vitest';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { runPipeline } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { ReviewStore } from '../src/review/index.js';
import { startReviewServer } from '../src/web/index.js';
import { ROOT, tmp } from './helpers.js';

/**
 * A colleague's rule file with a raw expression that backtracks without end in
 * ordinary engines, and an ordinary sentence on which it would: every command
 * that reads rules finishes at once (each test has 5 s).
 */
const SENTENCE = 'The partners and their many agencies and research institutes in both countries will keep working on the matter of new funding for the years ahead';

let rulesDir: string;
let corpus: string;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

beforeAll(async () => {
  rulesDir = tmp('hostile-rules');
  cpSync(join(ROOT, 'rules'), rulesDir, { recursive: true });
  writeFileSync(
    join(rulesDir, 'colleague.yaml'),
    [
      'version: "1"',
      'rules:',
      '  - id: colleague.jointly-fund',
      '    kind: term',
      '    label: research/funding',
      '    patterns:',
      '      - /(\\w+\\s?)+ jointly fund/',
      '      - /(\\w+\\s?)+ co-?finance/',
      '    examples:',
      '      - text: The two ministries will jointly fund research on sensors.',
      '        objectives: { research: commit }',
      '',
    ].join('\n'),
  );
  corpus = tmp('hostile-rules-corpus');
  mkdirSync(corpus, { recursive: true });
  cpSync(join(ROOT, 'corpus', 'partnerships.yaml'), join(corpus, 'partnerships.yaml'));
  writeFileSync(join(corpus, '2026-03-01_hostile.md'), `---\ntitle: A statement a rule could choke on\ndate: 2026-03-01\npartnership: NH-KS-TC\n---\n\n${SENTENCE}.\n\n${SENTENCE.replace('funding', 'co-financing')}, and the agencies will jointly fund a sensor testbed.\n`);
  // Warm the module cache, so the tests time the commands, not the first import.
  await loadConfig(join(ROOT, 'pipeline.config.ts'));
});

describe('a backtracking raw expression in a rule file', () => {
  it('tag finishes at once, and still tags what the rule is for', async () => {
    const input = join(tmp('hostile-tag'), 'in.jsonl');
    writeFileSync(input, `${JSON.stringify({ id: 'a', text: SENTENCE })}\n${JSON.stringify({ id: 'b', text: 'The two ministries will jointly fund research on sensors.' })}\n`);
    const t0 = performance.now();
    const r = await cli(['tag', input, '--rules', rulesDir]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[1].evidence.some((e: { rule: string }) => e.rule === 'colleague.jointly-fund')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000);
  }, 5000);

  it('explain finishes at once', async () => {
    const r = await cli(['explain', SENTENCE, '--rules', rulesDir]);
    expect(r.code, r.err).toBe(0);
  }, 5000);

  it('run finishes at once and writes out/', async () => {
    const out = join(tmp('hostile-run'), 'out');
    const r = await cli(['run', '--rules', rulesDir, '--corpus', corpus, '--out', out, '--quiet']);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(out, 'passages.jsonl'), 'utf8')).toContain('colleague.jointly-fund');
  }, 5000);

  it('review loads its queue at once', async () => {
    const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('hostile-review-cache') };
    const store = new ReviewStore(join(tmp('hostile-review-db'), 'reviews.sqlite'));
    const summary = await runPipeline(config, { corpus, rules: rulesDir, out: join(tmp('hostile-review-out'), 'out'), log: () => {}, needDocs: true, reviews: store });
    const server = await startReviewServer({ docs: summary.docs, store });
    try {
      const res = await fetch(new URL('/api/queue?all=1', server.url));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { total: number };
      expect(body.total).toBeGreaterThan(0);
    } finally {
      await server.close();
      store.close();
    }
  }, 5000);
});
