/**
 * Speed benchmark: prints figures, asserts nothing. Tagging and grading are
 * timed alone on the passages of the real statements (../shared/corpus, or
 * --corpus DIR), repeated until at least 5 MB of text has been tagged, on one
 * core (this process). Extraction and segmentation are timed separately.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractFile } from '../src/extract/index.js';
import { segment } from '../src/segment/index.js';
import { loadRules, compileRules } from '../src/rules/index.js';
import { classify } from '../src/classify.js';
import { loadConfig } from '../src/config/index.js';

const args = process.argv.slice(2);
const config = await loadConfig();
const corpus = resolve(args[args.indexOf('--corpus') + 1] && args.includes('--corpus') ? args[args.indexOf('--corpus') + 1]! : resolve(config.root, config.sharedCorpus));
let files: string[];
try {
  files = readdirSync(corpus).filter((f) => /\.(md|txt|html|pdf)$/.test(f) && !/^readme/i.test(f)).map((f) => join(corpus, f));
} catch {
  console.error(`bench: corpus folder ${corpus} not found; pass --corpus DIR (the real statements live in ../shared/corpus)`);
  process.exit(2);
}

const rules = compileRules(await loadRules(args.includes('--rules') ? resolve(args[args.indexOf('--rules') + 1]!) : resolve(config.root, config.rules)));

let t0 = performance.now();
const docs = [];
let rawBytes = 0;
for (const f of files) {
  const d = await extractFile(f, config.limits);
  rawBytes += d.text.length;
  docs.push(d);
}
const extractMs = performance.now() - t0;
t0 = performance.now();
const passages = docs.flatMap((d) => segment(d).map((p) => ({ p, title: d.meta.title })));
const segmentMs = performance.now() - t0;
const passageBytes = passages.reduce((n, x) => n + Buffer.byteLength(x.p.text), 0);

// Warm up with one untimed pass: JIT, regular-expression tier-up, and the
// per-word cache of the part-of-speech check on opening words.
t0 = performance.now();
for (const { p, title } of passages) classify({ text: p.text, headings: p.headings, title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules);
const warmMs = performance.now() - t0;

// At least 5 MB in all, in rounds over the whole corpus; each round is timed
// on its own and the median is reported, which a busy machine disturbs least.
const target = 5 * 1024 * 1024;
let bytes = 0;
const roundSpeeds: number[] = [];
t0 = performance.now();
while (bytes < target || roundSpeeds.length < 5) {
  const r0 = performance.now();
  for (const { p, title } of passages) classify({ text: p.text, headings: p.headings, title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules);
  roundSpeeds.push(passageBytes / (1024 * 1024) / ((performance.now() - r0) / 1000));
  bytes += passageBytes;
}
const tagMs = performance.now() - t0;
const rounds = roundSpeeds.length;
const sorted = [...roundSpeeds].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
const mb = (b: number) => b / (1024 * 1024);

console.log(`corpus: ${files.length} documents, ${mb(rawBytes).toFixed(2)} MB of canonical text, ${passages.length} passages`);
console.log(`extract: ${(extractMs / 1000).toFixed(2)} s (${(mb(rawBytes) / (extractMs / 1000)).toFixed(2)} MB/s, includes file reading and PDF/HTML parsing)`);
console.log(`segment: ${(segmentMs / 1000).toFixed(3)} s (${(mb(rawBytes) / (segmentMs / 1000)).toFixed(1)} MB/s)`);
console.log(`tag+grade: ${mb(bytes).toFixed(2)} MB in ${(tagMs / 1000).toFixed(2)} s over ${rounds} rounds = ${(mb(bytes) / (tagMs / 1000)).toFixed(2)} MB/s overall; per round median ${median.toFixed(2)}, slowest ${sorted[0]!.toFixed(2)}, fastest ${sorted[sorted.length - 1]!.toFixed(2)} MB/s (one core; target >= 2 MB/s)`);
console.log(`  (the untimed warm-up pass, ${(mb(passageBytes) / (warmMs / 1000)).toFixed(2)} MB/s, is not counted)`);
console.log(`memory: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB resident`);
