import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, loadConfig, loadError } from '../src/config/index.js';
import { loadRules } from '../src/rules/index.js';
import { UserError } from '../src/core/errors.js';
import { ROOT, tmp } from './helpers.js';

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as UserError).format();
  }
  throw new Error('did not throw');
};
const messageAsync = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e instanceof UserError ? e.format() : String(e);
  }
  throw new Error('did not throw');
};

describe('configuration', () => {
  it('fills defaults', () => {
    const c = parseConfig({});
    expect(c.corpus).toBe('corpus');
    expect(c.matrix.domain).toBeNull();
  });
  it('names an unknown key and lists the allowed ones', () => {
    const m = message(() => parseConfig({ corpsu: 'x' }, 'pipeline.config.ts'));
    expect(m).toContain('pipeline.config.ts');
    expect(m).toContain('unknown key "corpsu"');
    expect(m).toMatch(/allowed: corpus, out, rules/);
  });
  it('names a bad enum value with the allowed values', () => {
    const m = message(() => parseConfig({ matrix: { domain: 'chips' } }));
    expect(m).toContain('matrix.domain');
    expect(m).toContain('"semiconductors"');
  });
  it('names a wrong type', () => {
    expect(message(() => parseConfig({ concurrency: 'two' }))).toContain('concurrency');
  });
  it('review keys: defaults, partial overrides, and clear errors for a key bound twice or not a key', () => {
    const c = parseConfig({ review: { keys: { accept: ['y'], grade: { explore: ['E'] } } } });
    expect(c.review.keys.accept).toEqual(['y']);
    expect(c.review.keys.grade).toMatchObject({ explore: ['E'], intend: ['i'] });
    expect(c.review.keys.next).toEqual(['j', 'ArrowDown']);
    expect(c.review.db).toBe('.accords/reviews.sqlite');
    const twice = message(() => parseConfig({ review: { keys: { reject: ['a'] } } }, 'pipeline.config.ts'));
    expect(twice).toContain('review.keys.reject: key "a" is bound to both accept and reject');
    const name = message(() => parseConfig({ review: { keys: { undo: ['ctrl+z'] } } }));
    expect(name).toMatch(/review\.keys\.undo\.0: a key is one character or one of Enter, Escape/);
    const unknown = message(() => parseConfig({ review: { keys: { objective: { diplomacy: ['6'] } } } }));
    expect(unknown).toContain('review.keys.objective: unknown key "diplomacy" (allowed: policy, research, commercial, preparedness, workforce)');
    expect(message(() => parseConfig({ review: { keys: { accept: [] } } }))).toContain('review.keys.accept: bind at least one key');
  });
  it('reports a config file that does not load', async () => {
    const dir = tmp('accords-cfg');
    const f = join(dir, 'bad.config.ts');
    writeFileSync(f, 'export default {{{');
    expect(await messageAsync(loadConfig(f))).toContain('bad.config.ts');
  });
});

describe('why a config file failed to load', () => {
  it('finds the line of a syntax error however the transform names the file (tsx names a *.mts file *.ts)', () => {
    const err = new Error('Transform failed with 1 error:\n/home/a/pipeline.config.ts:4:2: ERROR: Expected "}" but found "rules"');
    expect(loadError(err, '/home/a/pipeline.config.mts')).toEqual({ message: 'Expected "}" but found "rules" (column 2)', line: 4 });
    expect(loadError(err, '/home/a/pipeline.config.ts').line).toBe(4);
    expect(loadError(err, '/home/b/other.config.mts').line).toBeUndefined();
  });
  it('reads the line of a runtime error from the stack', () => {
    const err = new ReferenceError('notDefined is not defined');
    err.stack = 'ReferenceError: notDefined is not defined\n    at file:///home/a/other.config.mts:2:12';
    expect(loadError(err, '/home/a/other.config.mts')).toEqual({ message: 'notDefined is not defined', line: 2 });
  });
});

describe('rule files', () => {
  const copyRules = () => {
    const dir = tmp('accords-rules');
    cpSync(join(ROOT, 'rules'), dir, { recursive: true });
    return dir;
  };
  const example = '    examples:\n      - text: The board will meet.\n        governance: true\n';
  it('a bad label names the file, the line and what is allowed', async () => {
    const dir = copyRules();
    writeFileSync(join(dir, 'extra.yaml'), `version: "1"\nrules:\n  - id: x.bad\n    kind: term\n    label: research/fundng\n    patterns: [grant]\n${example}`);
    const m = await messageAsync(loadRules(dir));
    expect(m).toContain('extra.yaml:');
    expect(m).toContain('needs a tag label');
    expect(m).toContain('research/funding');
  });
  it('an unknown kind lists the kinds', async () => {
    const dir = copyRules();
    writeFileSync(join(dir, 'extra.yaml'), `version: "1"\nrules:\n  - id: x.kind\n    kind: phrase\n    label: governance\n    patterns: [board]\n${example}`);
    const m = await messageAsync(loadRules(dir));
    expect(m).toMatch(/extra\.yaml:4/);
    expect(m).toContain('"term"|"cooccur"|"cue"|"exception"|"guard"');
  });
  it('broken YAML names the file and line', async () => {
    const dir = copyRules();
    writeFileSync(join(dir, 'extra.yaml'), 'version: "1"\nrules:\n  - id: x\n    patterns: [a, b\n');
    expect(await messageAsync(loadRules(dir))).toMatch(/extra\.yaml:\d+: not valid YAML/);
  });
  it('a rule without examples is refused, and so is an example that states nothing', async () => {
    const dir = copyRules();
    writeFileSync(join(dir, 'extra.yaml'), 'version: "1"\nrules:\n  - id: x.noex\n    kind: term\n    label: governance\n    patterns: [board]\n    examples: []\n');
    expect(await messageAsync(loadRules(dir))).toContain('every rule needs at least one example');
    writeFileSync(join(dir, 'extra.yaml'), 'version: "1"\nrules:\n  - id: x.noex\n    kind: term\n    label: governance\n    patterns: [board]\n    examples:\n      - text: The board met.\n');
    expect(await messageAsync(loadRules(dir))).toContain('an example states what the tagger must output');
  });
  it('a bad pattern names the line of the pattern', async () => {
    const dir = copyRules();
    writeFileSync(join(dir, 'extra.yaml'), `version: "1"\nrules:\n  - id: x.pat\n    kind: term\n    label: governance\n    patterns:\n      - ok\n      - (broken\n${example}`);
    const m = await messageAsync(loadRules(dir));
    expect(m).toContain('extra.yaml:8');
    expect(m).toContain('unbalanced');
  });
  it('a raw expression that needs backtracking is refused with its file and line', async () => {
    const dir = copyRules();
    writeFileSync(join(dir, 'extra.yaml'), `version: "1"\nrules:\n  - id: x.re\n    kind: term\n    label: governance\n    patterns:\n      - /(board)\\1/\n${example}`);
    const m = await messageAsync(loadRules(dir));
    expect(m).toContain('extra.yaml:7');
    expect(m).toContain('not allowed');
  });
  it('an unknown vocabulary is named with the known ones', async () => {
    const dir = copyRules();
    writeFileSync(join(dir, 'extra.yaml'), `version: "1"\nrules:\n  - id: x.voc\n    kind: term\n    label: governance\n    patterns: ["@boards"]\n${example}`);
    const m = await messageAsync(loadRules(dir));
    expect(m).toContain('unknown vocabulary "@boards"');
    expect(m).toContain('supply-chain');
  });
  it('duplicate ids across files are refused', async () => {
    const dir = copyRules();
    writeFileSync(join(dir, 'extra.yaml'), `version: "1"\nrules:\n  - id: governance.bodies\n    kind: term\n    label: governance\n    patterns: [board]\n${example}`);
    expect(await messageAsync(loadRules(dir))).toContain('duplicate rule id "governance.bodies"');
  });
});

