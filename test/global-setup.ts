import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One scratch folder for the whole test run, removed at the end. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'accords-test-'));
  process.env['ACCORDS_TEST_TMP'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
