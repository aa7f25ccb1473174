import { describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import type { OutputFile } from '../src/render/index.js';
import { ROOT, tmp } from './helpers.js';

// The run's outputs with one more file made of parts, two of them under one name.
vi.mock('../src/render/index.js', async (original) => {
  const render = await original<typeof import('../src/render/index.js')>();
  return {
    ...render,
    *aggregateOutputs(...args: Parameters<typeof render.aggregateOutputs>): Generator<OutputFile> {
      yield* render.aggregateOutputs(...args);
      const part = (text: string) => ({ key: 'KS', make: () => text, inputs: 'same' });
      yield { name: 'tables/twice.csv', make: () => 'a\r\nb\r\n', parts: () => [part('a\r\n'), part('b\r\n')] };
    },
  };
});

describe('a file made of parts', () => {
  it('with two parts of one name is an error naming the file and the name, and no out/ is put in place', async () => {
    const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('accords-parts-cache') };
    const out = join(tmp('accords-parts-out'), 'out');
    await expect(runPipeline(config, { out, log: () => {} })).rejects.toThrow('tables/twice.csv: two of its parts are named "KS"');
    expect(existsSync(out)).toBe(false);
  });
});
