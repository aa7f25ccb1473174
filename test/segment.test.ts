import { describe, expect, it } from 'vitest';
import { splitSentences, segment } from '../src/segment/index.js';
import { parseMarkdown, assemble } from '../src/extract/index.js';

const sentences = (t: string) => splitSentences(t).map(([s, e]) => t.slice(s, e));

describe('sentence splitting', () => {
  it('does not split at abbreviations, initials or numbers', () => {
    const t = 'The U.S. and the E.U. met on Dec. 4 in Room No. 3, e.g. to talk. Then Dr. Lee spoke at 3.5 p.m. sharp. A new sentence starts here.';
    expect(sentences(t)).toEqual([
      'The U.S. and the E.U. met on Dec. 4 in Room No. 3, e.g. to talk.',
      'Then Dr. Lee spoke at 3.5 p.m. sharp.',
      'A new sentence starts here.',
    ]);
  });
  it('splits after question marks and closing quotes', () => {
    expect(sentences('Is it ready? "Yes." It is.')).toEqual(['Is it ready?', '"Yes."', 'It is.']);
  });
});

describe('segmentation', () => {
  const src = [
    '# Outcomes',
    '',
    'The two sides met. They agreed on three points:',
    '',
    '**Semiconductors:**',
    '',
    '-   Launch a joint fund',
    '    for packaging.',
    '-   Map the value chain.',
    '',
    '**Quantum:** The labs will share a testbed. Work starts in 2025.',
  ].join('\n');
  const { blocks: raw } = parseMarkdown(src, 'x.md');
  const { text, blocks } = assemble(raw);
  const passages = segment({ id: 'doc', text, blocks });

  it('keeps list items whole and splits paragraphs into sentences', () => {
    expect(passages.map((p) => [p.kind, p.text])).toEqual([
      ['heading', 'Outcomes'],
      ['sentence', 'The two sides met.'],
      ['sentence', 'They agreed on three points:'],
      ['heading', 'Semiconductors'],
      ['item', 'Launch a joint fund for packaging.'],
      ['item', 'Map the value chain.'],
      ['sentence', 'The labs will share a testbed.'],
      ['sentence', 'Work starts in 2025.'],
    ]);
  });
  it('records heading paths, including bold headings and lead-ins', () => {
    expect(passages[4]!.headings).toEqual(['Outcomes', 'Semiconductors']);
    expect(passages[6]!.headings).toEqual(['Outcomes', 'Quantum']);
  });
  it('gives list items the sentence that introduces the list', () => {
    expect(passages[4]!.listIntro).toBe('They agreed on three points:');
    expect(passages[5]!.listIntro).toBe('They agreed on three points:');
    expect(passages[1]!.listIntro).toBeUndefined();
  });
  it('a nested list is introduced by its parent item, and the parent list resumes after it', () => {
    const md = ['Leaders intend to cooperate on:', '', '-   Energy, including on:', '    -   Hydrogen research.', '-   Fund joint labs.', '', 'A closing sentence.', '', '-   A later item.'].join('\n');
    const { blocks: b } = parseMarkdown(md, 'y.md');
    const a = assemble(b);
    const ps = segment({ id: 'y', text: a.text, blocks: a.blocks }).filter((p) => p.kind === 'item');
    expect(ps.map((p) => [p.text, p.listIntro])).toEqual([
      ['Energy, including on:', 'Leaders intend to cooperate on:'],
      ['Hydrogen research.', 'Energy, including on:'],
      ['Fund joint labs.', 'Leaders intend to cooperate on:'],
      ['A later item.', undefined],
    ]);
  });
  it('takes a plain title before a colon, or a run-in title in capitals, as the passage heading', () => {
    const md = ['-   Expanding Cooperation in Biotechnology: The two agencies are increasing joint work.', '', 'TECHNOLOGY AND SPACE COOPERATION Our alliance now covers space.', '', '-   The plan: more labs.'].join('\n');
    const { blocks: b } = parseMarkdown(md, 'z.md');
    const a = assemble(b);
    const ps = segment({ id: 'z', text: a.text, blocks: a.blocks });
    expect(ps.map((p) => [p.text, p.headings])).toEqual([
      ['The two agencies are increasing joint work.', ['Expanding Cooperation in Biotechnology']],
      ['Our alliance now covers space.', ['TECHNOLOGY AND SPACE COOPERATION']],
      ['The plan: more labs.', []],
    ]);
  });
  it('points into the canonical text by offsets', () => {
    for (const p of passages) expect(text.slice(p.start, p.end)).toBe(p.text);
  });
  it('gives passages ids that depend on document and text only', () => {
    const again = segment({ id: 'doc', text, blocks });
    expect(again.map((p) => p.id)).toEqual(passages.map((p) => p.id));
    expect(new Set(passages.map((p) => p.id)).size).toBe(passages.length);
  });
});
