import { cpSync, existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules, loadRegistry, loadRegistryCached, loadRules, loadRulesCached } from '../src/rules/index.js';
import { classify } from '../src/classify.js';
import { UserError } from '../src/core/errors.js';
import { ROOT, tmp } from './helpers.js';
import { sumOf } from '../src/rules/compile.js';

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
    expect(first).toStrictEqual(fresh);
    const second = await loadRulesCached(dir, cache);
    expect(second).toStrictEqual(fresh);
    // The second load was read from the entry: a mark put in the entry comes back.
    const entry = join(cache, entries(cache)[0]!);
    const stored = JSON.parse(readFileSync(entry, 'utf8')) as { version: string };
    writeFileSync(entry, JSON.stringify({ ...stored, version: 'marked-in-the-cache' }));
    expect((await loadRulesCached(dir, cache)).version).toBe('marked-in-the-cache');
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

  it('an entry brings the matcher built, which tags every rule example as the matcher built from the files does', async () => {
    const dir = copyRules();
    const cache = tmp('accords-rules-cache');
    const fresh = compileRules(await loadRules(dir));
    await loadRulesCached(dir, cache);
    const cached = compileRules(await loadRulesCached(dir, cache));
    // Read, not built: a trie read from its stored form takes no new patterns.
    expect(() => cached.ci.add([{ k: 'w', s: 'extra' }], 0)).toThrow(/stored form/);
    expect(cached.terms.length).toBe(fresh.terms.length);
    expect(cached.ci.size).toBe(fresh.ci.size);
    const texts = fresh.rules.flatMap((r) => (r.examples ?? []).map((e) => e.text));
    expect(texts.length).toBeGreaterThan(300);
    for (const text of texts) {
      for (const kind of ['item', 'sentence'] as const) expect(classify({ text, kind }, cached), text).toEqual(classify({ text, kind }, fresh));
    }
  });

  it('a stored matcher that was damaged or made on a machine of the other byte order is built again, and kept in its place', async () => {
    const dir = copyRules();
    const texts = ['The two governments will launch a joint research programme on quantum computing.', 'Explore options to map the semiconductor supply chain together.'];
    const expected = compileRules(await loadRules(dir));
    type Entry = { compiled: { trie: { endianness: string; caseSensitive: boolean; words: unknown[]; rootClasses: number; arrays: Record<string, string>; branches: unknown[] }; terms: Array<[number, string, number, unknown]>; regexes: unknown[]; sum: string } };
    // An edit that also makes the hash again: the arrays' sizes are checked as well.
    const rehashed = (e: Entry) => (e.compiled.sum = sumOf(e.compiled as unknown as Parameters<typeof sumOf>[0]));
    const flip = (b64: string, at: number) => {
      const b = Buffer.from(b64, 'base64');
      b[at] = b[at]! ^ 1;
      return b.toString('base64');
    };
    const damages: Array<(e: Entry) => void> = [
      (e) => (e.compiled.trie.endianness = e.compiled.trie.endianness === 'LE' ? 'BE' : 'LE'),
      (e) => (e.compiled.trie.arrays.edgeChild = e.compiled.trie.arrays.edgeChild!.slice(0, 400)),
      (e) => (e.compiled.trie.arrays.outAt = 'AAAA'),
      (e) => e.compiled.trie.branches.push([10_000_000, {}]),
      // Damage that reads as a trie of the right sizes: only the hash tells.
      (e) => e.compiled.terms.pop(),
      (e) => (e.compiled.terms[5]![1] = e.compiled.terms[5]![1] === 'with' ? 'patterns' : 'with'),
      (e) => (e.compiled.trie.rootClasses = 0),
      (e) => (e.compiled.trie.caseSensitive = !e.compiled.trie.caseSensitive),
      (e) => (e.compiled.trie.arrays.outTerms = flip(e.compiled.trie.arrays.outTerms!, 40)),
      (e) => (e.compiled.trie.arrays.edgeChild = flip(e.compiled.trie.arrays.edgeChild!, 1000)),
      (e) => {
        e.compiled.trie.arrays.edgeChild = e.compiled.trie.arrays.edgeChild!.slice(0, 400);
        rehashed(e);
      },
      (e) => {
        e.compiled.trie.words[3] = 12;
        rehashed(e);
      },
    ];
    for (const damage of damages) {
      const cache = tmp('accords-rules-cache');
      await loadRulesCached(dir, cache);
      const file = join(cache, entries(cache)[0]!);
      const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry;
      damage(entry);
      writeFileSync(file, JSON.stringify(entry));
      const damaged = readFileSync(file, 'utf8');
      const rebuilt = compileRules(await loadRulesCached(dir, cache));
      // Built from the rules: it takes new patterns (added after the texts are tagged).
      for (const text of texts) expect(classify({ text, kind: 'item' }, rebuilt)).toEqual(classify({ text, kind: 'item' }, expected));
      expect(() => rebuilt.ci.add([{ k: 'w', s: 'extra' }], 0)).not.toThrow();
      // The entry now holds the matcher built in its place: the next process reads it.
      for (let waited = 0; readFileSync(file, 'utf8') === damaged && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      const next = compileRules(await loadRulesCached(dir, cache));
      expect(() => next.ci.add([{ k: 'w', s: 'extra' }], 0)).toThrow(/stored form/);
      for (const text of texts) expect(classify({ text, kind: 'item' }, next)).toEqual(classify({ text, kind: 'item' }, expected));
    }
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

  it('leftovers of a write cut short are removed when an entry is written, unless they may be a write in progress', async () => {
    const dir = copyRules();
    const cache = tmp('accords-rules-cache');
    const old = join(cache, '.0123.json.0123456789ab.accords-tmp');
    const recent = join(cache, '.4567.json.ba9876543210.accords-tmp');
    writeFileSync(old, '{');
    writeFileSync(recent, '{');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old, hourAgo, hourAgo);
    await loadRulesCached(dir, cache);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(entries(cache)).toHaveLength(1);
  });

  it('the same rules in another folder get their own entry (rules and terms name their files)', async () => {
    const a = copyRules();
    const b = copyRules();
    const cache = tmp('accords-rules-cache');
    await loadRulesCached(a, cache);
    const fromB = await loadRulesCached(b, cache);
    expect(fromB.rules[0]!.file.startsWith(b)).toBe(true);
    expect(fromB).toStrictEqual(await loadRules(b));
  });

  it('a damaged entry is loaded from the files again and replaced', async () => {
    const dir = copyRules();
    const cache = tmp('accords-rules-cache');
    await loadRulesCached(dir, cache);
    const file = join(cache, entries(cache)[0]!);
    writeFileSync(file, '{"format":1,"key":');
    expect(await loadRulesCached(dir, cache)).toStrictEqual(await loadRules(dir));
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

describe('the partnership registry kept on disk', () => {
  const same = (a: Awaited<ReturnType<typeof loadRegistry>>, b: Awaited<ReturnType<typeof loadRegistry>>) => {
    expect(JSON.stringify(b.partnerships)).toBe(JSON.stringify(a.partnerships));
    expect(b.hash).toBe(a.hash);
    expect(b.version).toBe(a.version);
    const text = 'Ministers of the EU-US Trade and Technology Council and the TTC met; the iCET and NH-KS-TC did not.';
    expect(b.mentions(text)).toEqual(a.mentions(text));
    expect(b.resolveField('EU-US TTC; NH-KS-TC; Nowhere')).toEqual(a.resolveField('EU-US TTC; NH-KS-TC; Nowhere'));
  };

  it('a second load reads the cache; an edited file, a damaged entry and a second file are read from the files', async () => {
    const dir = copyRules();
    const main = join(dir, 'partnerships.yaml');
    const extra = join(ROOT, 'corpus', 'partnerships.yaml');
    const cache = tmp('accords-registry-cache');
    const fresh = await loadRegistry(main);
    same(fresh, await loadRegistryCached([main], cache));
    expect(entries(cache)).toHaveLength(1);
    const [entry] = entries(cache);
    same(fresh, await loadRegistryCached([main], cache));
    // Read from the cache: a name changed there comes back.
    const stored = readFileSync(join(cache, entry!), 'utf8');
    writeFileSync(join(cache, entry!), stored.replace('"name":"', '"name":"Planted '));
    expect((await loadRegistryCached([main], cache)).partnerships[0]!.name).toMatch(/^Planted /);
    // Damaged: read from the files and written again.
    writeFileSync(join(cache, entry!), stored.slice(0, 100));
    same(fresh, await loadRegistryCached([main], cache));
    expect(readFileSync(join(cache, entry!), 'utf8')).toBe(stored);
    // Edited: a new entry, the only one kept.
    writeFileSync(main, readFileSync(main, 'utf8').replace('name: EU-US Trade and Technology Council,', 'name: EU-US Trade and Technology Council (renamed),'));
    const edited = await loadRegistryCached([main], cache);
    same(await loadRegistry(main), edited);
    expect(edited.partnerships[0]!.name).toMatch(/\(renamed\)$/);
    expect(entries(cache)).toHaveLength(1);
    expect(entries(cache)[0]).not.toBe(entry);
    // With a corpus's own registry file.
    if (existsSync(extra)) same(await loadRegistry(main, extra), await loadRegistryCached([main, extra], cache));
  });

  it('a broken registry gives the same message with or without the cache, and nothing is cached', async () => {
    const dir = copyRules();
    const main = join(dir, 'partnerships.yaml');
    const cache = tmp('accords-registry-cache');
    writeFileSync(main, readFileSync(main, 'utf8').replace(/parties: \[/, 'parties: [xx, '));
    const without = await message(loadRegistry(main));
    expect(without).toMatch(/partnerships\.yaml/);
    expect(await message(loadRegistryCached([main], cache))).toBe(without);
    expect(existsSync(cache) ? entries(cache) : []).toHaveLength(0);
    expect(await message(loadRegistryCached([join(dir, 'missing.yaml')], cache))).toBe(await message(loadRegistry(join(dir, 'missing.yaml'))));
  });
});

describe("the lemmas' inflections kept with the rules", () => {
  it('are written to a cache that has none even by a process that worked them all out before', async () => {
    const rules = copyRules();
    const first = tmp('accords-inflections-a');
    await loadRulesCached(rules, first);
    const kept = (cache: string) => (existsSync(join(cache, 'inflections')) ? readdirSync(join(cache, 'inflections')).filter((n) => n.endsWith('.json')) : []);
    expect(kept(first)).toHaveLength(1);
    // This process knows every form now: a new cache folder still gets them.
    const second = tmp('accords-inflections-b');
    await loadRulesCached(rules, second);
    expect(kept(second)).toEqual(kept(first));
    expect(readFileSync(join(second, 'inflections', kept(second)[0]!), 'utf8')).toBe(readFileSync(join(first, 'inflections', kept(first)[0]!), 'utf8'));
  });
});
