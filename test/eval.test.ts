import { describe, expect, it } from 'vitest';
import { loadGold, scoreDocs, scoreQuotes } from '../src/eval/index.js';
import { classifyRaw } from '../src/classify.js';
import { requireShared, rules } from './helpers.js';

// The floor the tagger must keep on the analysts' labels in ../shared/gold.
const gold = await loadGold(requireShared('gold'));
const r = await rules();
const classify = (text: string, heading?: string) => classifyRaw({ text, headings: heading ? [heading] : [] }, r);

describe('tagging quality on the gold labels', () => {
  it('recall on the study quotes is at least 0.85', () => {
    expect(scoreQuotes(gold.quotes, classify).recall).toBeGreaterThanOrEqual(0.85);
  });
  it('objective micro-F1 is at least 0.75 and grade exact at least 0.65 on labelled documents', () => {
    const s = scoreDocs(gold.docs.flatMap((d) => d.passages), classify);
    expect(s.passages).toBeGreaterThan(0);
    expect(s.micro.f1).toBeGreaterThanOrEqual(0.75);
    expect(s.grades.exact).toBeGreaterThanOrEqual(0.65);
  });
});
