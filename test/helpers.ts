import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRules, compileRules, type CompiledRules } from '../src/rules/index.js';

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

/** A fresh folder inside the test run's scratch folder (removed after the run). */
export function tmp(prefix: string): string {
  return mkdtempSync(join(process.env['ACCORDS_TEST_TMP'] ?? tmpdir(), `${prefix}-`));
}
