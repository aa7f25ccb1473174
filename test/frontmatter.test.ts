import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { flatFrontMatter, parseFrontMatter } from '../src/extract/frontmatter.js';
import { ROOT, requireShared } from './helpers.js';

/**
 * Flat front matter is read without the YAML library (src/extract/frontmatter.ts).
 * Whatever the text, the result must be what the library gives: the same fields,
 * values of the same types, in the same order, or the same error.
 */
function outcome(read: (text: string) => unknown, text: string): { value?: unknown[]; error?: string } {
  try {
    const v = read(text);
    return { value: v && typeof v === 'object' ? [Object.getPrototypeOf(v) === Object.prototype, Object.entries(v)] : [v] };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const FRONT = /^(?:\uFEFF)?---\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)\s*(?:\r?\n|$)/;
function frontMatters(dir: string): Array<[string, string]> {
  return readdirSync(dir)
    .filter((f) => /\.(md|txt)$/i.test(f))
    .flatMap((f): Array<[string, string]> => {
      const m = FRONT.exec(readFileSync(join(dir, f), 'utf8').replace(/\r\n?/g, '\n'));
      return m ? [[f, m[1]!]] : [];
    });
}

const KEYS = ['title', 'date', 'doc_type', 'partnership', 'source_url', 'x-y', '_k', 'True', 'null', 'yes', '__proto__', 'Title', 'k1', ' title', 'title ', '- title', '"title"'];
const VALUES = [
  'Joint Statement of the Corvo Dialogue', '"Fact Sheet: Aldmark-Brevia Council"', "'Readout: Corvo'", '2024-05-01', '2024', '-12', '+3', '0o17', '0x1F', '1e5', '.5', '1.', '.inf', '-.Inf', '.nan',
  '~', 'null', 'Null', 'NULL', 'true', 'False', 'yes', 'on', '0b101', '1_000', 'Infinity', 'NaN', 'https://example.org/a:b?c=d#frag', 'C# and F#', 'a # comment', 'a: b', 'ends:', 'a:b',
  'the "Quad" summit', "it's", "'it''s'", '"a \\"quoted\\" word"', '"tab\\there"', '"unclosed', "'unclosed", '"" ', '', '  ', '- item', '? q', ': x', '[a, b]', '{a: 1}', '&anchor x', '*alias',
  '|', '>', '%d', '@at', '`tick`', 'x, y', 'a  b', 'trailing   ', 'tab\tinside', 'é à ü', '日本', '😀 emoji', '\u2028sep', '\u0085nel', '\ufeffbom', 'a\u00a0b', 'x"', "x'", '#hash',
];
const LINES = ['', '   ', '# a comment', '  indented: x', '- listed', 'no colon here', 'key:value', 'key :value', '...'];

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return (s >>> 8) / (1 << 24);
  };
}

describe('front matter', () => {
  it('reads every demo statement and test fixture as YAML does, most of them without the library', () => {
    let flat = 0;
    let all = 0;
    for (const dir of [join(ROOT, 'corpus'), join(ROOT, 'test', 'fixtures'), join(ROOT, 'test', 'fixtures', 'aggregate')]) {
      for (const [file, text] of frontMatters(dir)) {
        expect(outcome(parseFrontMatter, text), file).toEqual(outcome(parseYaml, text));
        all++;
        if (flatFrontMatter(text)) flat++;
      }
    }
    expect(all).toBeGreaterThan(10);
    expect(flat / all).toBeGreaterThan(0.8);
  });

  it('reads every real statement as YAML does, most of them without the library', () => {
    const statements = frontMatters(requireShared('corpus'));
    expect(statements.length).toBeGreaterThan(50);
    let flat = 0;
    for (const [file, text] of statements) {
      expect(outcome(parseFrontMatter, text), file).toEqual(outcome(parseYaml, text));
      if (flatFrontMatter(text)) flat++;
    }
    expect(flat / statements.length).toBeGreaterThan(0.9);
  });

  it('reads 10,000 front matters made at random of awkward keys, values and lines as YAML does', () => {
    const next = random(11);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
    let flat = 0;
    for (let k = 0; k < 10_000; k++) {
      const lines: string[] = [];
      const n = 1 + Math.floor(next() * 5);
      for (let j = 0; j < n; j++) {
        const r = next();
        if (r < 0.1) lines.push(pick(LINES));
        else if (r < 0.55) lines.push(`${pick(KEYS.slice(0, 5))}: ${pick(VALUES)}`);
        else lines.push(`${pick(KEYS)}:${next() < 0.2 ? '' : ' '}${pick(VALUES)}`);
      }
      const text = lines.join('\n');
      expect(outcome(parseFrontMatter, text), JSON.stringify(text)).toEqual(outcome(parseYaml, text));
      if (flatFrontMatter(text)) flat++;
    }
    // Enough of them are read without the library for the comparison to mean something.
    expect(flat).toBeGreaterThan(500);
  });

  it('takes the usual fields as strings, and leaves to the library what it must read', () => {
    expect(flatFrontMatter('title: "Corvo: a Readout"\ndate: 2024-05-01\nsource_url: https://example.org/x\ncomplete: true\nnote:')).toEqual({ title: 'Corvo: a Readout', date: '2024-05-01', source_url: 'https://example.org/x', complete: true, note: null });
    // YAML's longest implicit key is 1,024 characters; a longer one is an error.
    expect(flatFrontMatter(`${'k'.repeat(1024)}: v`)).toEqual({ ['k'.repeat(1024)]: 'v' });
    for (const text of [`${'k'.repeat(1025)}: v`, `# note\n${'x'.repeat(1025)}:`, 'year: 2024', 'title: a # note', 'tags: [a, b]', 'title: x\ntitle: y', 'title: "a\\"b"', 'title: >\n  folded', '__proto__: x', 'title:\n  - a']) {
      expect(flatFrontMatter(text), text).toBeUndefined();
      expect(outcome(parseFrontMatter, text), text).toEqual(outcome(parseYaml, text));
    }
  });
});
