import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { addNewerStatement, buildBenchCorpus, distinctCopy } from '../scripts/bench-corpus.js';
import { tmp } from './helpers.js';

describe("the bench corpus's statement newer than all others", () => {
  it('is a new copy of a dated Markdown statement, dated the given days after the newest by front matter, its body as copied', () => {
    const src = tmp('bench-corpus-src');
    mkdirSync(src, { recursive: true });
    // A date line in a body is text, not a statement's date (2030 would be the newest otherwise).
    const a = '---\ntitle: "Alpha readout"\ndate: 2024-01-01\npartnership: Alpha Dialogue\n---\n\nThe two sides will meet again.\ndate: 2030-01-01\n\nThey will publish a joint report by the end of the year.\n';
    writeFileSync(join(src, '2024-01-01_alpha-readout.md'), a);
    writeFileSync(join(src, '2025-03-01_beta-statement.md'), '---\ntitle: "Beta statement"\ndate: 2025-03-01\npartnership: Beta Council\n---\n\nThe council will fund joint research on batteries.\n');
    writeFileSync(join(src, 'delta-notes.md'), '---\ntitle: "Delta notes"\n---\n\ndate: 2030-01-01\n\nNotes without a date of their own.\n');
    writeFileSync(join(src, 'gamma-note.txt'), 'A note without front matter.\n');
    const dest = tmp('bench-corpus');
    buildBenchCorpus(src, dest, 4);
    const before = new Set(readdirSync(dest));
    const path = addNewerStatement(src, dest, 4, 10);
    // The fifth statement of the bench corpus: the first source statement's second copy, renamed to its new date.
    expect(basename(path)).toBe('c0001-2025-03-11_alpha-readout.md');
    expect(before.has(basename(path))).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(distinctCopy(a, 1).replace('date: 2024-01-01', 'date: 2025-03-11'));
    expect(readFileSync(path, 'utf8')).toContain('date: 2030-01-01');
  });
});
