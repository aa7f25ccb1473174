import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRules, compileRules, type CompiledRules } from '../src/rules/index.js';
import * as view from '../src/render/report/assets/view.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const SHARED = resolve(process.env.ACCORDS_SHARED ?? resolve(ROOT, '..', 'shared'));

let compiled: CompiledRules | undefined;
export async function rules(): Promise<CompiledRules> {
  compiled ??= compileRules(await loadRules(resolve(ROOT, 'rules')));
  return compiled;
}

/**
 * Tests that read the real statements or the analyst labels need ../shared.
 * Without it they fail with this message rather than pass silently.
 */
export function requireShared(sub: string): string {
  const dir = resolve(SHARED, sub);
  if (!existsSync(dir)) {
    throw new Error(`${dir} is missing: these tests read the real statements and gold labels from ../shared (set ACCORDS_SHARED to its path)`);
  }
  return dir;
}

/** The dataset a report's index page (in the output folder `out`) starts from, as its script reads it. */
export function reportPageData(out: string) {
  const html = readFileSync(join(out, 'report', 'index.html'), 'utf8');
  const m = /<script type="application\/json" id="accords-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error(`${out}: the index page has no data block`);
  return view.pageDataset(JSON.parse(m[1]!));
}

/** What a partnership's evidence file (in the output folder `out`) hands to the index page. */
export function reportEvidence(out: string, id: string) {
  const text = readFileSync(join(out, 'report', 'evidence', `${id}.js`), 'utf8');
  const m = /^accordsEvidence\(([\s\S]*)\);\n$/.exec(text);
  if (!m) throw new Error(`${out}: report/evidence/${id}.js is not one call of accordsEvidence`);
  return JSON.parse(m[1]!);
}

/** A fresh folder inside the test run's scratch folder (removed after the run). */
export function tmp(prefix: string): string {
  return mkdtempSync(join(process.env['ACCORDS_TEST_TMP'] ?? tmpdir(), `${prefix}-`));
}
