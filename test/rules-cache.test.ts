import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules, loadRules, loadRulesCached } from '../src/rules/index.js';
import { classify } from '../src/classify.js';
import { UserError } from '../src/core/errors.js';
import { ROOT, tmp } from './helpers.js';

const copyRules = () => {
  const dir = tmp('accords-rules');
  cpSync(join(ROOT, 'rules'), dir, { recursive: true });
  return dir;
};
const entries = (cache: string) => readdirSync(cache).filter((n) => n.endsWith('.json'));
const message = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err instanceof UserError ? err.format() : String(err);
  }
  return 'no error';
};

describe('compiled rules kept on disk', () => {
  it('a second load reads the cache and gives the same rules, tags and grades as loading the files', async () => {
    const dir = copyRules();
    const cache = tmp('accords-rules-cache');
    const fresh = await loadRules(dir);
    const first = await loadRulesCached(dir, cache);
    expect(entries(cache)).toHaveLength(1);
    const stamp = readFileSync(join(cache, entries(cache)[0]!), 'utf8');
    const second = await loadRulesCached(dir, cache);
    expect(readFileSync(join(cache, entries(cache)[0]!), 'utf8')).toBe(stamp);
    expect(second).toEqual(fresh);
    expect(first).toEqual(fresh);
    // Terms shared by the rules that bring in a vocabulary stay one object.
    const vocabTerm = [...second.vocabularies.values()].find((v) => v.terms.length)!.terms[0]!;
    expect(second.rules.some((r) => r.terms.patterns.includes(vocabTerm) || r.terms.with.includes(vocabTerm))).toBe(true);
    const a = compileRules(fresh);
    const b = compileRules(second);
    const texts = [
      'The two governments will launch a joint research programme on quantum computing.',
      'Explore options to map the semiconductor supply chain together.',
      'The ministers launched the following initiatives: a fellowship for engineers.',
    ];
    for (const text of texts) expect(classify({ text, kind: 'item' }, b)).toEqual(classify({ text, kind: 'item' }, a));
  });

  it('an edited rule file makes a new entry, and only the newest is kept', async () => {
    const dir = copyRules();
    const cache = tmp('accords-rules-cache');
    const before = await loadRulesCached(dir, cache);
    const old = entries(cache)[0];
    writeFileSync(join(dir, 'extra.yaml'), 'version: "1"\nrules:\n  - id: x.board\n    kind: term\n    label: governance\n    patterns: [steering board]\n    examples:\n      - text: The steering board met.\n        governance: true\n');
    const after = await loadRulesCached(dir, cache);
    expect(after.version).not.toBe(before.version);
    expect(after.rules.some((r) => r.id === 'x.board')).toBe(true);
    expect(entries(cache)).toHaveLength(1);
    expect(entries(cache)[0]).not.toBe(old);
  });

  it('a damaged entry is loaded from the files again and replaced', async () => {
    const dir = copyRules();
    const cache = tmp('accords-rules-cache');
    await loadRulesCached(dir, cache);
    const file = join(cache, entries(cache)[0]!);
    writeFileSync(file, '{"format":1,"key":');
    expect(await loadRulesCached(dir, cache)).toEqual(await loadRules(dir));
    expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
  });

  it('a broken rule file gives the same message with or without the cache, and nothing is cached', async () => {
    const dir = copyRules();
    const cache = tmp('accords-rules-cache');
    writeFileSync(join(dir, 'extra.yaml'), 'version: "1"\nrules:\n  - id: x\n    patterns: [a, b\n');
    const m = await message(loadRulesCached(dir, cache));
    expect(m).toMatch(/extra\.yaml:\d+: not valid YAML/);
    expect(m).toBe(await message(loadRules(dir)));
    expect(entries(cache)).toHaveLength(0);
  });
});
