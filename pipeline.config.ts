import { defineConfig } from './src/config/index.js';

export default defineConfig({
  // The bundled demo statements; `accords run --corpus DIR` overrides this.
  corpus: 'corpus',
  out: 'out',
  rules: 'rules',
  // Analyst labels and real statements, kept beside the project (not in it).
  gold: '../shared/gold',
  sharedCorpus: '../shared/corpus',
  // The project's own labels: passages of sharedCorpus statements, by file name and offsets.
  localGold: 'test/gold',
  concurrency: 2,
  limits: { maxFileBytes: 8 * 1024 * 1024, minTextChars: 40 },
  // The matrix scope: null means all domains and all dates.
  matrix: { domain: null, from: null, until: null },
  review: { db: '.accords/reviews.sqlite' },
  // Fetched responses and processed documents, so re-runs only redo what changed.
  cacheDir: '.accords/cache',
  sources: 'corpus/sources.yaml',
  fetch: { concurrency: 4, perHost: 1, timeoutMs: 20_000, retries: 3, maxBytes: 20 * 1024 * 1024 },
});
