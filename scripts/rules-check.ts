// For rule authors: run every rule example through the whole tagger, list the terms
// no example covers, and (with --corpus DIR) the terms no passage of the real
// statements contains. The tests run the same checks; this prints all at once.
//
//   node --import tsx scripts/rules-check.ts [--rules DIR] [--corpus ../shared/corpus]
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRules, compileRules } from '../src/rules/index.js';
import { allTerms, exampleInput, exampleProblems, schemeTerms, termsIn, termsOfRule } from '../src/rules/coverage.js';
import { classify } from '../src/classify.js';
import { extractFile } from '../src/extract/index.js';
import { segment } from '../src/segment/index.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rules = compileRules(await loadRules(resolve(opt('--rules') ?? 'rules')));
const terms = allTerms(rules);
let failures = 0;
const covered = new Set<string>();
for (const [index, r] of rules.rules.entries()) {
  const own = termsOfRule(rules, index);
  r.examples.forEach((e, i) => {
    for (const k of termsIn(rules, e.text)) if (own.has(k)) covered.add(k);
    for (const h of [e.heading, e.title, e.lead_in]) if (h) for (const k of termsIn(rules, h)) if (own.has(k)) covered.add(k);
    const problems = exampleProblems(e, classify(exampleInput(e), rules));
    if (problems.length) {
      failures++;
      console.log(`FAIL ${r.file}:${r.line} ${r.id} example ${i + 1}: "${e.text}"\n     ${problems.join('\n     ')}`);
    }
  });
}
const uncovered = [...terms.values()].filter((t) => !covered.has(t.key));
for (const t of uncovered) console.log(`UNCOVERED ${t.file}:${t.line} ${t.vocabulary ? `@${t.vocabulary} ` : ''}"${t.authored}"`);
const corpus = opt('--corpus');
const taxonomy = opt('--taxonomy') ?? (corpus ? join(corpus, '..', 'taxonomy.md') : undefined);
let unattested = 0;
if (corpus) {
  const seen = new Set<string>();
  for (const f of readdirSync(corpus).filter((n) => /\.(md|txt|html|pdf)$/.test(n) && !/^readme/i.test(n))) {
    const doc = await extractFile(join(corpus, f), { maxFileBytes: 64 * 1024 * 1024, minTextChars: 1 });
    for (const p of segment(doc)) for (const t of [p.text, ...p.headings]) for (const k of termsIn(rules, t)) seen.add(k);
  }
  // The coding scheme's own words count too (never the gold quotations).
  const scheme = taxonomy ? schemeTerms(rules, readFileSync(taxonomy, 'utf8')) : new Set<string>();
  for (const t of terms.values())
    if (!seen.has(t.key) && !scheme.has(t.key)) {
      unattested++;
      console.log(`UNATTESTED ${t.file}:${t.line} ${t.vocabulary ? `@${t.vocabulary} ` : ''}"${t.authored}"`);
    }
}
console.log(`${rules.rules.length} rules, ${terms.size} terms; ${failures} failing examples, ${uncovered.length} terms without an example${corpus ? `, ${unattested} terms in no real statement` : ''}`);
process.exit(failures || uncovered.length || unattested ? 1 : 0);
