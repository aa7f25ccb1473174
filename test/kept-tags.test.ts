import { describe, expect, it } from 'vitest';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { loadRules } from '../src/rules/index.js';
import { changedWords, mayChange, readDigest, ruleDigest, RULE_DIGEST, type RuleDigest } from '../src/rules/digest.js';
import { ROOT, tmp } from './helpers.js';

const config = await loadConfig(join(ROOT, 'pipeline.config.ts'));
const quiet = { log: () => {} };
const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();

/** A digest of rules given as [id, what they say, their patterns with the words of each of their forms]. */
function digest(version: string, rules: Array<[string, string, Array<[string, string[][] | null]>]>, inScope: Array<[string, string[][] | null]> = []): RuleDigest {
  return { format: 1, version, rules: rules.map(([id, sig, patterns]) => [id, sig, { patterns, with: [], unless: [] }]), inScope, sum: '' };
}

describe('the words a change of rules can be seen by', () => {
  const before = digest('v1', [
    ['a', 's', [['joint lab', [['joint', 'lab']]], ['quantum link(s)?', [['link', 'quantum'], ['links', 'quantum']]]]],
    ['b', 's', [['fellowship', [['fellowship']]]]],
    ['c', 's', [['grid', [['grid']]]]],
  ]);
  it('are those of the terms added or removed, of every term of a rule that says something else, added or removed', () => {
    expect(changedWords(before, before)).toEqual([]);
    const added = digest('v2', [
      ['a', 's', [...before.rules[0]![2].patterns, ['sensor net', [['net', 'sensor']]]]],
      ['b', 's', [['fellowship', [['fellowship']]]]],
      ['c', 's', [['grid', [['grid']]]]],
    ]);
    expect(changedWords(before, added)).toEqual([['net', 'sensor']]);
    // Removed: the term's words as it was.
    expect(changedWords(added, before)).toEqual([['net', 'sensor']]);
    // A rule that says something else (a window, a label): all its terms, as they were and as they are.
    const other = digest('v2', [
      ['a', 't', [['joint lab', [['joint', 'lab']]], ['mesh', [['mesh']]]]],
      ['b', 's', [['fellowship', [['fellowship']]]]],
      ['c', 's', [['grid', [['grid']]]]],
    ]);
    expect(changedWords(before, other)).toEqual([['joint', 'lab'], ['link', 'quantum'], ['links', 'quantum'], ['mesh']]);
    // A rule removed, one added.
    const swapped = digest('v2', [
      ['a', 's', before.rules[0]![2].patterns],
      ['c', 's', [['grid', [['grid']]]]],
      ['d', 's', [['reactor', [['reactor']]]]],
    ]);
    expect(changedWords(before, swapped)).toEqual([['fellowship'], ['reactor']]);
    // A pattern listed twice makes two hits: dropping one copy is a change.
    const twice = digest('v2', [
      ['a', 's', before.rules[0]![2].patterns],
      ['b', 's', [['fellowship', [['fellowship']]], ['fellowship', [['fellowship']]]]],
      ['c', 's', [['grid', [['grid']]]]],
    ]);
    expect(changedWords(before, twice)).toEqual([['fellowship']]);
    // The in-scope vocabulary: its terms added or removed.
    expect(changedWords(before, { ...before, version: 'v2', inScope: [['foundry', [['foundry']]]] })).toEqual([['foundry']]);
  });
  it('are unknown (no tags kept) when a changed term has a form without a word; a rule that moved among the others counts as changed', () => {
    const wordless = digest('v2', [
      ['a', 's', [...before.rules[0]![2].patterns, ['#year', null]]],
      ['b', 's', [['fellowship', [['fellowship']]]]],
      ['c', 's', [['grid', [['grid']]]]],
    ]);
    expect(changedWords(before, wordless)).toBeUndefined();
    // An unchanged term without a word is no obstacle.
    expect(changedWords(wordless, { ...wordless, version: 'v3', inScope: [['foundry', [['foundry']]]] })).toEqual([['foundry']]);
    // Hits at one place are ordered by their rules: "a" moved after "b" (and "b" before "a": one of the two counts as moved).
    const reordered = digest('v2', [before.rules[1]!, before.rules[0]!, before.rules[2]!].map(([id, sig, t]) => [id, sig, t.patterns]));
    expect(changedWords(before, reordered)).toEqual([['joint', 'lab'], ['link', 'quantum'], ['links', 'quantum']]);
    const last = digest('v2', [before.rules[1]!, before.rules[2]!, before.rules[0]!].map(([id, sig, t]) => [id, sig, t.patterns]));
    expect(changedWords(before, last)).toEqual([['joint', 'lab'], ['link', 'quantum'], ['links', 'quantum']]);
    const first = digest('v2', [before.rules[2]!, before.rules[0]!, before.rules[1]!].map(([id, sig, t]) => [id, sig, t.patterns]));
    expect(changedWords(before, first)).toEqual([['grid']]);
  });
  it("are looked for in each text lower-cased, with ’ read as ', every word of a list in the same text", () => {
    expect(mayChange([['quantum']], ['Joint work on Quantum links'])).toBe(true);
    expect(mayChange([["partners'"]], ['the partners’ plans'])).toBe(true);
    expect(mayChange([['quantum']], ['Joint work on batteries', undefined, 'Heading'])).toBe(false);
    expect(mayChange([['quantum']], ['Joint work on batteries', 'QUANTUM heading'])).toBe(true);
    expect(mayChange([['link', 'quantum']], ['Quantum sensing', 'a link'])).toBe(false);
    expect(mayChange([['link', 'quantum']], ['Quantum sensing', 'a quantum link'])).toBe(true);
    expect(mayChange([], ['quantum'])).toBe(false);
    // A text whose lower case has another length is never cleared.
    expect(mayChange([['quantum']], ['İstanbul talks'])).toBe(true);
  });
  it('come from the rules as the matcher reads them: an edit of a rule file changes the digest of that rule only', async () => {
    const rules = tmp('accords-digest-rules');
    cpSync(join(ROOT, 'rules'), rules, { recursive: true });
    const before = ruleDigest(await loadRules(rules));
    expect(before.rules.length).toBeGreaterThan(50);
    const file = join(rules, 'domains.yaml');
    // Lines moved (a comment above every rule) and a pattern of two forms added to one rule.
    writeFileSync(file, `# a comment\n${readFileSync(file, 'utf8').replace('      - semiconductor*\n', '      - semiconductor*\n      - zircon lattices?\n')}`);
    const after = ruleDigest(await loadRules(rules));
    expect(after.version).not.toBe(before.version);
    // Read back as written, and not when changed since (a word of a term).
    expect(readDigest(JSON.parse(JSON.stringify(after)))).toEqual(after);
    expect(readDigest(JSON.parse(JSON.stringify(after).replace('"zircon"', '"zircom"')))).toBeUndefined();
    expect(changedWords(before, after)).toEqual([['lattice', 'zircon'], ['lattices', 'zircon']]);
    // A large alternation: each form's longest word alone.
    writeFileSync(file, readFileSync(file, 'utf8').replace('      - zircon lattices?\n', `      - (${Array.from({ length: 70 }, (_, i) => `w${i}`).join('|')}) zirconia\n`));
    const large = changedWords(after, ruleDigest(await loadRules(rules)))!;
    expect(large).toContainEqual(['zirconia']);
    expect(large).toContainEqual(['lattice', 'zircon']);
    expect(large).toHaveLength(3);
  });
});

describe('a change of rules keeps the tags of the passages it cannot touch', () => {
  it('tags again only those a changed term occurs in or around, with outputs the same as a run from scratch', async () => {
    const corpus = tmp('accords-kept');
    cpSync(join(ROOT, 'corpus'), corpus, { recursive: true });
    // A statement whose rare words stand in one place each: the title, a heading, a list's lead-in.
    writeFileSync(
      join(corpus, 'orrin.md'),
      [
        '---',
        'title: "Orrin Lattice Dialogue: Joint Statement"',
        'date: 2025-03-01',
        'partnership: Valmora-Nordhaven Chips Dialogue',
        '---',
        '',
        'The two governments will deepen cooperation on joint research.',
        '',
        '## Zircon lattice programme',
        '',
        'The ministers will fund joint research projects on new materials.',
        '',
        'Next steps for Quellport:',
        '',
        '- a fellowship for doctoral students in materials science;',
        '- an annual review of progress.',
        '',
      ].join('\n'),
    );
    const rules = tmp('accords-kept-rules');
    cpSync(join(ROOT, 'rules'), rules, { recursive: true });
    const cacheDir = tmp('accords-kept-cache');
    const out = join(tmp('accords-kept-out'), 'out');
    const cfg = { ...config, cacheDir, rules };
    const run = () => runPipeline(cfg, { corpus, out, workers: 1, ...quiet });
    const fresh = async () => {
      const dir = join(tmp('accords-kept-fresh'), 'out');
      await runPipeline({ ...cfg, cacheDir: tmp('accords-kept-cache2') }, { corpus, out: dir, workers: 1, ...quiet });
      const names = files(out).filter((f) => f !== 'run-report.json');
      expect(files(dir).filter((f) => f !== 'run-report.json')).toEqual(names);
      for (const f of names) expect(readFileSync(join(dir, f), 'utf8'), f).toBe(readFileSync(join(out, f), 'utf8'));
    };
    const tagsOf = () => readFileSync(join(out, 'passages.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; text: string; domains: string[]; objectives: Array<{ objective: string; grade: string }> });
    const mine = (text: string) => tagsOf().find((p) => p.file.endsWith('orrin.md') && p.text.startsWith(text))!;
    /** Add a pattern to a rule's `patterns:` list. */
    const addPattern = (file: string, id: string, pattern: string) => {
      const path = join(rules, file);
      const text = readFileSync(path, 'utf8');
      const at = text.indexOf('    patterns:\n', text.indexOf(`  - id: ${id}\n`));
      expect(at).toBeGreaterThan(0);
      const end = at + '    patterns:\n'.length;
      writeFileSync(path, `${text.slice(0, end)}      - ${pattern}\n${text.slice(end)}`);
    };

    const first = await run();
    expect(first.retagged).toBe(0);
    const passages = first.passages;
    const tagged = () => first.documents - first.failed;
    expect(mine('The two governments').domains).toEqual([]);
    expect(mine('The ministers will fund').domains).toEqual([]);
    expect(mine('a fellowship').objectives).toEqual([]);

    // A word only the heading holds: the passages under it are tagged again (they take its domain), no other.
    addPattern('domains.yaml', 'domain.semiconductors', 'zircon lattice');
    const heading = await run();
    expect(heading.retagged).toBe(tagged());
    expect(heading.keptTags).toBeGreaterThan(passages - 10);
    expect(heading.keptTags).toBeLessThan(passages);
    expect(mine('The ministers will fund').domains).toEqual(['semiconductors']);
    await fresh();

    // A word only the title holds: its passages without a field of their own take the title's.
    addPattern('domains.yaml', 'domain.quantum', 'orrin lattice');
    const title = await run();
    expect(title.keptTags).toBeLessThan(passages);
    expect(mine('The two governments').domains).toEqual(['quantum']);
    await fresh();

    // A cue only the list's lead-in holds: its items are governed by it now.
    addPattern('grades.yaml', 'grade.intend.verbs', 'next steps for');
    const intro = await run();
    expect(intro.keptTags).toBeLessThan(passages);
    expect(mine('a fellowship').objectives.map((o) => o.objective)).toEqual(['workforce']);
    await fresh();

    // A comment: every passage keeps its tags, with the new rules' version.
    const scope = join(rules, 'scope.yaml');
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# edited\n`);
    const comment = await run();
    expect(comment.retagged).toBe(tagged());
    expect(comment.keptTags).toBe(passages);
    expect(comment.text).toMatch(new RegExp(`${passages} of their ${passages} passages kept their tags`));
    await fresh();

    // A term removed, and a rule that says something else (a window): the same as from scratch.
    const domains = join(rules, 'domains.yaml');
    writeFileSync(domains, readFileSync(domains, 'utf8').replace('      - zircon lattice\n', ''));
    expect((await run()).keptTags).toBeLessThan(passages);
    // Without the heading's field, the title's.
    expect(mine('The ministers will fund').domains).toEqual(['quantum']);
    await fresh();
    const commercial = join(rules, 'objectives', 'commercial.yaml');
    writeFileSync(commercial, readFileSync(commercial, 'utf8').replace('    window: 10\n', '    window: 4\n'));
    await run();
    await fresh();

    // A rule moved after others: the passages its words occur in are tagged again (hits at one place are ordered by their rules).
    const research = join(rules, 'objectives', 'research.yaml');
    const text = readFileSync(research, 'utf8');
    const a = text.indexOf('  - id: research.funding\n');
    const b = text.indexOf('  - id: ', a + 10);
    writeFileSync(research, `${text.slice(0, a)}${text.slice(b).trimEnd()}\n${text.slice(a, b)}`);
    const moved = await run();
    expect(moved.retagged).toBe(tagged());
    expect(moved.keptTags).toBeGreaterThan(0);
    expect(moved.keptTags).toBeLessThan(passages);
    await fresh();

    // A digest that cannot be read: every passage is tagged again.
    const generations = readdirSync(join(cacheDir, 'docs'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(cacheDir, 'docs', e.name));
    for (const g of generations) writeFileSync(join(g, RULE_DIGEST), '{"format":1,"version":');
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# again\n`);
    const damaged = await run();
    expect(damaged.retagged).toBe(tagged());
    expect(damaged.keptTags).toBe(0);
    await fresh();
    // A damaged digest of the rules in use is written again by the next run, which then has nothing to do.
    const now = readdirSync(join(cacheDir, 'docs'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(cacheDir, 'docs', e.name));
    const readable = (g: string) => {
      try {
        return readDigest(JSON.parse(readFileSync(join(g, RULE_DIGEST), 'utf8'))) !== undefined;
      } catch {
        return false;
      }
    };
    expect(now.filter(readable)).toHaveLength(1);
    for (const g of now) writeFileSync(join(g, RULE_DIGEST), readFileSync(join(g, RULE_DIGEST), 'utf8').replace('"format":1', '"format":2'));
    expect(now.filter(readable)).toHaveLength(0);
    expect((await run()).upToDate).toBe(true);
    expect(now.filter(readable)).toHaveLength(1);
    writeFileSync(scope, `${readFileSync(scope, 'utf8')}\n# once more\n`);
    expect((await run()).keptTags).toBe(passages);
    await fresh();
  });
});
