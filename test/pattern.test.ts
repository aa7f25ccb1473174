import { describe, expect, it } from 'vitest';
import { compilePattern, PatternError } from '../src/rules/index.js';

const re = (p: string) => {
  const c = compilePattern(p);
  return new RegExp(c.source, c.caseSensitive ? '' : 'i');
};

describe('pattern language', () => {
  it('joins words with white space or hyphens, on word boundaries', () => {
    expect(re('joint research').test('a joint-research call')).toBe(true);
    expect(re('joint research').test('jointresearch')).toBe(false);
    expect(re('chip').test('chipset')).toBe(false);
  });
  it('supports stems, optional characters, classes and nested groups', () => {
    expect(re('collaborat*').test('collaborations')).toBe(true);
    expect(re('working groups?').test('two working groups')).toBe(true);
    expect(re('standardi[sz]ation').test('standardisation')).toBe(true);
    expect(re('(shortages?|cris(is|es)) now').test('crises now')).toBe(true);
  });
  it('makes a whole group optional with ? and repeatable with *', () => {
    const p = re('(the |our )? supply chains?');
    expect(p.exec('secure our supply chains')?.[0]).toBe('our supply chains');
    expect(p.exec('supply chain')?.[0]).toBe('supply chain');
    expect(re('(the |a )*(industry|sector)').exec('grow the industry')?.[0]).toBe('the industry');
  });
  it('allows a gap of up to four words with ~', () => {
    expect(re('exchange ~ information').test('exchange timely and relevant information')).toBe(true);
    expect(re('exchange ~ information').test('exchange one two three four five information')).toBe(false);
  });
  it('is case-sensitive with a leading =', () => {
    expect(re('=AI').test('AI models')).toBe(true);
    expect(re('=AI').test('said')).toBe(false);
  });
  it('accepts raw regular expressions and rejects broken ones', () => {
    expect(re('/\\$\\s?\\d/').test('$ 5')).toBe(true);
    expect(() => compilePattern('/([a-/')).toThrow(PatternError);
    expect(() => compilePattern('(unbalanced')).toThrow(/unbalanced/);
  });
});

describe('one pass over many patterns', () => {
  it('reports every rule that matches at the same place, not only the first alternative', async () => {
    const { Matcher } = await import('../src/rules/index.js');
    const m = new Matcher([
      { pattern: 'information sharing', owner: 'a' },
      { pattern: 'information sharing mechanism', owner: 'b' },
      { pattern: 'information (sharing|exchange)', owner: 'a' },
      { pattern: 'sharing', owner: 'c' },
    ]);
    const hits = m.match('They set up an information sharing mechanism.');
    expect(hits.map((h) => [h.item, h.text])).toEqual([
      ['b', 'information sharing mechanism'],
      ['a', 'information sharing'],
      ['c', 'sharing'],
    ]);
  });
});

describe('first characters of a pattern (a filter for same-place matches)', () => {
  it('reads literals, groups and optional parts, and gives up on classes and lookarounds', async () => {
    const { firstChars } = await import('../src/rules/matcher.js');
    const set = (s: string) => [...(firstChars(s) ?? ['?'])].sort().join('');
    expect(set("(subsid[\\w'-]*\\b)")).toBe('s');
    expect(set('((?:look|looking|looked)[\\s-]+into\\b)')).toBe('l');
    expect(set('((?:(?:active)[\\s-]+)?pharma\\b)')).toBe('ap');
    expect(set('(\\d+ million)')).toBe('?');
    expect(set('((?=x)y)')).toBe('?');
    expect(set('(a?)')).toBe('?');
  });
});
