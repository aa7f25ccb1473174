import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify } from '../src/classify.js';
import { allTerms, exampleInput, exampleProblems, schemeTerms, termsIn, termsOfRule } from '../src/rules/coverage.js';
import { extractFile } from '../src/extract/index.js';
import { segment } from '../src/segment/index.js';
import { requireShared, rules, SHARED } from './helpers.js';

// One generic test runs every example of every rule file through the whole tagger
// (tag, guards, gates and grade) and compares what it states with what comes out:
// adding a rule with examples adds its tests.
const compiled = await rules();

describe('rule examples state the tagger’s final output', () => {
  for (const rule of compiled.rules) {
    const file = rule.file.split('/').slice(-2).join('/');
    describe(`${rule.id} (${file}:${rule.line})`, () => {
      rule.examples.forEach((ex, i) => {
        it(`example ${i + 1}: ${ex.text}`, () => {
          expect(exampleProblems(ex, classify(exampleInput(ex), compiled))).toEqual([]);
        });
      });
    });
  }
});

describe('every term of every rule and vocabulary', () => {
  const terms = allTerms(compiled);
  it('is covered by an example of a rule that uses it', () => {
    const covered = new Set<string>();
    compiled.rules.forEach((r, i) => {
      const own = termsOfRule(compiled, i);
      for (const e of r.examples) for (const t of [e.text, e.heading, e.title, e.lead_in]) if (t) for (const k of termsIn(compiled, t)) if (own.has(k)) covered.add(k);
    });
    const missing = [...terms.values()].filter((t) => !covered.has(t.key)).map((t) => `${t.file}:${t.line} "${t.authored}"`);
    expect(missing, 'terms without an example (node --import tsx scripts/rules-check.ts lists them)').toEqual([]);
  });
  it('occurs in a passage of the real statements (or is the coding scheme’s own word): no pattern exists only for a quotation', async () => {
    const corpus = requireShared('corpus');
    const seen = new Set<string>();
    for (const f of readdirSync(corpus).filter((n) => /\.(md|txt|html|pdf)$/.test(n) && !/^readme/i.test(n))) {
      const doc = await extractFile(join(corpus, f), { maxFileBytes: 64 * 1024 * 1024, minTextChars: 1 });
      for (const p of segment(doc)) for (const t of [p.text, ...p.headings]) for (const k of termsIn(compiled, t)) seen.add(k);
    }
    const taxonomy = join(SHARED, 'taxonomy.md');
    expect(existsSync(taxonomy), `${taxonomy} is missing`).toBe(true);
    const scheme = schemeTerms(compiled, readFileSync(taxonomy, 'utf8'));
    const unattested = [...terms.values()].filter((t) => !seen.has(t.key) && !scheme.has(t.key)).map((t) => `${t.file}:${t.line} "${t.authored}"`);
    expect(unattested).toEqual([]);
    // The scheme's words are the exception, and few: the rules are grown from the statements.
    expect([...terms.values()].filter((t) => !seen.has(t.key)).length).toBeLessThan(30);
  });
});
