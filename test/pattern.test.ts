import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePattern, checkRegex, PatternError, compileRules, loadRules } from '../src/rules/index.js';
import { TokenTrie } from '../src/rules/trie.js';
import { scan } from '../src/rules/compile.js';
import { rules, tmp } from './helpers.js';
import { tokenize } from '../src/tag/tokens.js';
import { verbPattern, nounPattern } from '../src/rules/inflect.js';

/** The spans of text a single pattern matches, through the same trie the tagger uses. */
function spans(pattern: string, text: string): string[] {
  const c = compilePattern(pattern);
  const trie = new TokenTrie(c.caseSensitive);
  for (const seq of c.seqs) trie.add(seq, 0);
  const t = tokenize(text);
  return trie.match(t).map((h) => text.slice(t.start[h.from]!, t.end[h.to]!));
}

describe('pattern language', () => {
  it('joins words with white space or hyphens, on word boundaries', () => {
    expect(spans('joint research', 'a joint-research call')).toEqual(['joint-research']);
    expect(spans('joint research', 'jointresearch')).toEqual([]);
    expect(spans('chip', 'chipset')).toEqual([]);
  });
  it('supports stems, optional characters, classes and nested groups', () => {
    expect(spans('collaborat*', 'collaborations')).toEqual(['collaborations']);
    expect(spans('working groups?', 'two working groups')).toEqual(['working groups']);
    expect(spans('standardi[sz]ation', 'standardisation')).toEqual(['standardisation']);
    expect(spans('(shortages?|cris(is|es)) now', 'crises now')).toEqual(['crises now']);
  });
  it('makes a whole group optional with ? and repeatable with *', () => {
    expect(spans('(the |our )? supply chains?', 'secure our supply chains')).toContain('our supply chains');
    expect(spans('(the |our )? supply chains?', 'supply chain')).toEqual(['supply chain']);
    expect(spans('(the |a )*(industry|sector)', 'grow the industry')).toContain('the industry');
  });
  it('allows a gap of up to four words with ~', () => {
    expect(spans('exchange ~ information', 'exchange timely and relevant information')).toEqual(['exchange timely and relevant information']);
    expect(spans('exchange ~ information', 'exchange one two three four five information')).toEqual([]);
  });
  it('is case-sensitive with a leading =', () => {
    expect(spans('=AI', 'AI models')).toEqual(['AI']);
    expect(spans('=AI', 'ai said')).toEqual([]);
  });
  it('has token classes for numbers, years and capitalised words', () => {
    expect(spans('$ #num', 'up to $40 million')).toEqual(['$40']);
    expect(spans('#year', 'in 2024 and 1066')).toEqual(['2024']);
    expect(spans('=#Cap University', 'Stanford University and the university')).toEqual(['Stanford University']);
  });
  it('reads words as the tokenizer cuts them: possessives, abbreviations, R&D', () => {
    expect(spans('korea', "Korea's chips")).toEqual(['Korea']);
    expect(spans('u.s', 'the U.S. and Japan')).toEqual(['U.S']);
    expect(spans('R&D', 'more R&D funding')).toEqual(['R&D']);
  });
  it('rejects broken patterns with a reason', () => {
    expect(() => compilePattern('/([a-/')).toThrow(PatternError);
    expect(() => compilePattern('(unbalanced')).toThrow(/unbalanced/);
    expect(() => compilePattern('a*b')).toThrow(/only end a word/);
  });
});

describe('raw regular expressions run in bounded time', () => {
  it('a pattern that backtracks in ordinary engines runs in linear time on a hostile sentence', () => {
    const c = compilePattern('/(\\w+\\s?)+ jointly fund/');
    const re = checkRegex(c.regex!.source);
    const t0 = performance.now();
    expect(re.matcher('word '.repeat(5000) + 'x').find()).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
  it('refuses back-references and lookbehind, naming the pattern', () => {
    expect(() => compilePattern('/(\\d)\\1/')).toThrow(/not allowed/);
    expect(() => compilePattern('/(?<=a)b/')).toThrow(PatternError);
  });
  it('keeps the word a plain expression needs, as a prefilter', () => {
    expect(compilePattern('/\\bjointly fund(ed|s)?\\b/').regex?.anchor).toBe('jointly');
  });
});

describe('lemmas are inflected at compile time', () => {
  it('conjugates the first word of a verb phrase, irregular forms included', () => {
    const p = verbPattern('hold a dialogue');
    for (const f of ['hold a dialogue', 'holds a dialogue', 'held a dialogue', 'holding a dialogue']) expect(spans(p, f), f).toEqual([f]);
    expect(spans(verbPattern('begin talks'), 'talks have begun')).toEqual([]);
    expect(spans(verbPattern('begin'), 'they have begun')).toEqual(['begun']);
  });
  it('pluralises the last word of a noun phrase', () => {
    expect(spans(nounPattern('national laboratory'), 'two national laboratories')).toEqual(['national laboratories']);
    expect(spans(nounPattern('subsidy'), 'a subsidiary')).toEqual([]);
  });
});

describe('one pass over many patterns', () => {
  it('reports every term that matches at the same place', () => {
    const trie = new TokenTrie(false);
    const terms = ['information sharing', 'information sharing mechanism', 'information (sharing|exchange)', 'sharing'];
    terms.forEach((p, i) => compilePattern(p).seqs.forEach((s) => trie.add(s, i)));
    const text = 'They set up an information sharing mechanism.';
    const t = tokenize(text);
    const got = trie.match(t).map((h) => `${h.term}:${text.slice(t.start[h.from]!, t.end[h.to]!)}`).sort();
    expect(got).toEqual(['0:information sharing', '1:information sharing mechanism', '2:information sharing', '3:sharing']);
  });
});

describe('the matcher reads tokens by their characters', () => {
  it('reads a word at the very end of a text as it reads it inside one', () => {
    const words = (text: string) => {
      const t = tokenize(text);
      return Array.from({ length: t.length }, (_, i) => `${t.raw(i)}:${t.flags[i]}`);
    };
    for (const end of ['the U.S.', 'e.g.', 'in 2024', 'grade 5', "Korea's", 'Korea’s', 'R&', '1,', '1.5', '$', 'A', 'x.', 'planning', 'signed']) {
      const alone = words(end);
      const inside = words(`${end} and more`).slice(0, alone.length);
      expect(alone, end).toEqual(inside);
    }
    expect(words('in 2024')).toEqual(['in:0', '2024:3']);
    expect(words('grade 5')).toEqual(['grade:0', '5:1']);
    expect(words('talks with the U.S.')).toEqual(['talks:0', 'with:0', 'the:0', 'U.S:4']);
  });
  it('keeps the lower-cased words for whoever asks, with ’ read as an apostrophe', () => {
    const t = tokenize('The Partners’ plan: don’t delay, Korea’s R&D.');
    expect(t.norm).toEqual(['the', 'partners', 'plan', "don't", 'delay', 'korea', 'r&d']);
    expect(t.lower).toBe('the partners’ plan: don’t delay, korea’s r&d.\u0000\u0000\u0000\u0000');
  });
  it('reads the text lower-cased, but the letters of an abbreviation as written (the Kelvin sign is not the letter K)', () => {
    const raw = (text: string) => {
      const t = tokenize(text);
      return Array.from({ length: t.length }, (_, i) => t.raw(i));
    };
    expect(raw('the K.S. standard')).toEqual(['the', 'K.S', 'standard']);
    expect(raw('the \u212a.S. standard')).toEqual(['the', '\u212a', 'S', 'standard']);
    expect(raw('S.\u212a. x and U.\u212a.S. y')).toEqual(['S', '\u212a', 'x', 'and', 'U', '\u212a', 'S', 'y']);
    expect(raw('U.S.\u212a. z')).toEqual(['U.S', '\u212a', 'z']);
    expect(raw('SEMICONDUCTOR Supply-Chain U.S.-ROK')).toEqual(['SEMICONDUCTOR', 'Supply', 'Chain', 'U.S', 'ROK']);
  });
  it('matches words whose lower-case form is longer than the word (İ), token by token', () => {
    const text = 'İstanbul hosted the İnnovation dialogue on semiconductors';
    const t = tokenize(text);
    expect(t.lower).toBe('');
    expect(t.norm[0]).toBe('i̇stanbul');
    expect(spans('semiconductors', text)).toEqual(['semiconductors']);
    expect(spans('dialogue on semi*', text)).toEqual(['dialogue on semiconductors']);
    expect(spans('hosted the', text)).toEqual(['hosted the']);
  });
  it('reads a curly apostrophe in the text as the straight one of a pattern, in words and stems', () => {
    expect(spans("don't delay", 'we don’t delay')).toEqual(['don’t delay']);
    expect(spans("don'*", 'we don’t delay')).toEqual(['don’t']);
  });
  it('tells apart thousands of words, including those that share a hash bucket or a stem bucket', () => {
    const trie = new TokenTrie(false);
    const words = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}x`);
    words.forEach((w, i) => trie.add([{ k: 'w', s: w }], i));
    trie.add([{ k: 'p', s: 'w1' }, { k: 'w', s: 'end' }], 9000);
    const text = `${words[17]} ${words[2999]} zz w1qq end ${words[5]}`;
    const t = tokenize(text);
    const got = trie.match(t).map((h) => `${h.term}:${text.slice(t.start[h.from]!, t.end[h.to]!)}`);
    expect(got).toEqual([`17:${words[17]}`, `2999:${words[2999]}`, '9000:w1qq end', `5:${words[5]}`]);
  });
  it('gives every hit of a passage with tens of thousands of them, and the right ones for the passage after it', () => {
    const trie = new TokenTrie(false);
    trie.add([{ k: 'w', s: 'chip' }], 0);
    trie.add([{ k: 'w', s: 'chip' }, { k: 'w', s: 'chip' }], 1);
    const many = trie.matchAll(tokenize('chip '.repeat(50000)));
    expect(many.length).toBe(99999);
    expect(many.term[99998]).toBe(0);
    expect(trie.match(tokenize('one chip here'))).toEqual([{ term: 0, from: 1, to: 1 }]);
  });
  it('takes in patterns added after a match', () => {
    const trie = new TokenTrie(false);
    trie.add([{ k: 'w', s: 'joint' }, { k: 'w', s: 'research' }], 0);
    const t = tokenize('joint research and joint development');
    expect(trie.match(t).map((h) => h.term)).toEqual([0]);
    trie.add([{ k: 'w', s: 'joint' }, { k: 'w', s: 'development' }], 1);
    expect(trie.match(t).map((h) => h.term)).toEqual([0, 1]);
  });
  it('matches the same from its stored form, through JSON, with words, stems, classes, gaps and case', () => {
    const patterns = ['information sharing', 'collaborat*', 'joint #num projects', 'launch ~ fund', 'semi*', '#Cap Dialogue', 'R&D', "don'*", 'supply chain*', 'the #year summit'];
    const words = ['information', 'sharing', 'collaboration', 'collaborating', 'joint', '12', 'projects', 'launch', 'a', 'new', 'fund', 'semiconductors', 'Quantum', 'Dialogue', 'R&D', 'don’t', 'supply', 'chains', 'the', '2024', 'summit', 'İstanbul', 'and'];
    for (const caseSensitive of [false, true]) {
      const trie = new TokenTrie(caseSensitive);
      patterns.forEach((p, i) => compilePattern(p).seqs.forEach((s) => trie.add(caseSensitive ? s : s.map((e) => ('s' in e ? { ...e, s: e.s.toLowerCase() } : e)), i)));
      const stored = trie.store();
      // Every kind of branch is there to be read back.
      expect(stored.branches.some(([, b]) => b.gap) && stored.branches.some(([, b]) => b.classes) && stored.branches.some(([node, b]) => node === 0 && b.stems)).toBe(true);
      const revived = TokenTrie.revive(JSON.parse(JSON.stringify(stored)));
      expect(revived.size).toBe(trie.size);
      let seed = 3;
      const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
      let hits = 0;
      for (let k = 0; k < 400; k++) {
        const t = tokenize(Array.from({ length: 3 + rnd(25) }, () => words[rnd(words.length)]).join(' '));
        const want = trie.match(t);
        hits += want.length;
        expect(revived.match(t)).toEqual(want);
      }
      expect(hits).toBeGreaterThan(500);
      expect(() => revived.add([{ k: 'w', s: 'more' }], 99)).toThrow(/stored form/);
    }
  });
  it('gives tokens that stay intact while later passages are read', () => {
    const a = tokenize('first passage words');
    const before = [...a.start, ...a.end, ...a.flags].join();
    for (let i = 0; i < 20000; i++) tokenize(`another passage number ${i} with Words`);
    expect([...a.start, ...a.end, ...a.flags].join()).toBe(before);
  });
});

describe('a scan for the tagger keeps a rule\'s other words only with its own', () => {
  it('keeps `with` and `unless` words only in a text that also holds one of the same rule\'s patterns, and every pattern hit', async () => {
    const r = await rules();
    // The demo corpus's statements, sentence by sentence: partner words occur without their anchors.
    const dir = join(import.meta.dirname, '..', 'corpus');
    const texts = readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split(/(?<=[.:;])\s+/));
    let dropped = 0;
    let kept = 0;
    for (const text of texts) {
      const all = scan(r, text).hits;
      const anchoredRules = new Set(all.filter((h) => h.role === 'patterns').map((h) => h.rule));
      const expected = all.filter((h) => h.role === 'patterns' || anchoredRules.has(h.rule));
      const got = scan(r, text, true).hits;
      expect(got.map((h) => `${h.rule}:${h.role}:${h.start}-${h.end}`)).toEqual(expected.map((h) => `${h.rule}:${h.role}:${h.start}-${h.end}`));
      dropped += all.length - got.length;
      kept += got.filter((h) => h.role !== 'patterns').length;
    }
    // Both cases occur in these texts, so the comparison means something.
    expect(dropped).toBeGreaterThan(10);
    expect(kept).toBeGreaterThan(10);
  });
});

describe('a scan with raw expressions and many hits', () => {
  it('orders every hit by start, longest first, then rule, and filters raw expressions like words', async () => {
    const dir = tmp('scan-rules');
    cpSync(join(import.meta.dirname, '..', 'rules'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'raw.yaml'),
      [
        'version: "1"',
        'rules:',
        '  - id: raw.joint-funding',
        '    kind: cooccur',
        '    label: research/funding',
        '    patterns: ["/joint[a-z]*/"]',
        '    with: ["fund*", "/grants?/"]',
        '    unless: ["/joint venture/"]',
        '    examples:',
        '      - text: The two agencies will jointly fund research on sensors.',
        '        objectives: { research: commit }',
        '',
      ].join('\n'),
    );
    const r = compileRules(await loadRules(dir));
    const rule = r.rules.findIndex((x) => x.id === 'raw.joint-funding');
    const key = (h: { rule: number; role: string; start: number; end: number }) => `${h.rule}:${h.role}:${h.start}-${h.end}`;
    const ordered = (hits: Array<{ rule: number; start: number; end: number }>) =>
      hits.every((h, i) => i === 0 || hits[i - 1]!.start < h.start || (hits[i - 1]!.start === h.start && (hits[i - 1]!.end > h.end || (hits[i - 1]!.end === h.end && hits[i - 1]!.rule <= h.rule))));
    // Partner words without the pattern: dropped from the tagger's scan, kept in the full one.
    const alone = 'The ministries will fund grants for research on sensors.';
    expect(scan(r, alone).hits.some((h) => h.rule === rule)).toBe(true);
    expect(scan(r, alone, true).hits.some((h) => h.rule === rule)).toBe(false);
    // With the pattern (a raw expression), its raw and word partners stay.
    const both = 'The ministries will jointly fund grants for research on sensors, not a joint venture.';
    const got = scan(r, both, true).hits.filter((h) => h.rule === rule).map((h) => `${h.role}:${both.slice(h.start, h.end)}`);
    expect(got).toEqual(['patterns:jointly', 'with:fund', 'with:grants', 'unless:joint venture', 'patterns:joint']);
    expect(ordered(scan(r, both, true).hits)).toBe(true);
    // Many hits (past the insertion sort) with and without raw-expression hits among them.
    const long = Array.from({ length: 12 }, () => 'The two sides will jointly fund joint research and will cooperate on semiconductor supply chains.').join(' ');
    const plain = 'The two sides will cooperate on semiconductor supply chains and research. '.repeat(12);
    for (const text of [long, plain]) {
      const all = scan(r, text).hits;
      const anchored = scan(r, text, true).hits;
      expect(all.length).toBeGreaterThan(64);
      expect(ordered(all) && ordered(anchored)).toBe(true);
      const kept = new Set(all.filter((h) => h.role === 'patterns').map((h) => h.rule));
      expect(anchored.map(key)).toEqual(all.filter((h) => h.role === 'patterns' || kept.has(h.rule)).map(key));
    }
  });
});
