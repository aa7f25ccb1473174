import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContentHashes } from '../src/core/contenthash.js';
import { tmp } from './helpers.js';

const hashOfBytes = (text: string, side = '') => createHash('sha256').update(text).update('\u0000').update(side).digest('hex');

/** A kept-hashes file that says `hash` for `path`, hashed `afterMs` after the file's last change. */
function plant(store: string, path: string, hash: string, afterMs: number): void {
  const st = statSync(path);
  const sig = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
  writeFileSync(store, JSON.stringify({ format: 1, files: { [path]: [hash, sig, '-', Math.max(st.mtimeMs, st.ctimeMs) + afterMs] } }));
}

describe('content hashes kept between runs', () => {
  it('hash a statement and its sidecar, and read them again when either changes', async () => {
    const dir = tmp('accords-hashes');
    const store = join(dir, 'kept', 'statements.json');
    const file = join(dir, 'a.md');
    writeFileSync(file, 'The partners will meet again.');
    let hashes = await ContentHashes.open(store);
    expect(hashes.hashOf(file)).toBe(hashOfBytes('The partners will meet again.'));
    await hashes.save(() => false);
    expect(Object.keys(JSON.parse(readFileSync(store, 'utf8')).files)).toEqual([file]);
    // Same size, and the modification time put back: the change time still tells.
    const before = statSync(file);
    writeFileSync(file, 'The partners will meet AGAIN.');
    utimesSync(file, before.atime, before.mtime);
    hashes = await ContentHashes.open(store);
    expect(hashes.hashOf(file)).toBe(hashOfBytes('The partners will meet AGAIN.'));
    // A sidecar appears: read again.
    writeFileSync(`${file}.meta.json`, '{"date":"2025-01-01"}');
    expect(hashes.hashOf(file)).toBe(hashOfBytes('The partners will meet AGAIN.', '{"date":"2025-01-01"}'));
    // Files the run says are gone are dropped.
    await hashes.save((p) => p === file);
    expect(JSON.parse(readFileSync(store, 'utf8')).files).toEqual({});
  });

  it('trust a kept hash only when the file was last changed well before it was hashed', async () => {
    const dir = tmp('accords-hashes');
    const store = join(dir, 'statements.json');
    const file = join(dir, 'b.md');
    writeFileSync(file, 'Joint research on batteries.');
    const right = hashOfBytes('Joint research on batteries.');
    // A planted wrong hash is returned as it is when it was made long after the file's last change: the file is not read...
    plant(store, file, 'f'.repeat(64), 10_000);
    expect((await ContentHashes.open(store)).hashOf(file)).toBe('f'.repeat(64));
    // ...and the file is read again when its hash was made within two seconds of a change (a second change in the same tick would not show).
    plant(store, file, 'f'.repeat(64), 1_000);
    expect((await ContentHashes.open(store)).hashOf(file)).toBe(right);
    // A kept-hashes file that cannot be read: every file is read.
    writeFileSync(store, '{"format":1,"files":{"x":');
    expect((await ContentHashes.open(store)).hashOf(file)).toBe(right);
    writeFileSync(store, JSON.stringify({ format: 1, files: { [file]: ['f'.repeat(64), 'not', 'right'] } }));
    expect((await ContentHashes.open(store)).hashOf(file)).toBe(right);
  });

  it('keep other folders\' hashes up to a limit, dropping those hashed longest ago first but never this run\'s', async () => {
    const dir = tmp('accords-hashes');
    const store = join(dir, 'statements.json');
    const files = ['a', 'b', 'c', 'd', 'e'].map((n) => join(dir, `${n}.md`));
    for (const f of files) writeFileSync(f, `Statement ${f}.`);
    // Hashed in order, each a little later than the one before.
    const files0 = Object.fromEntries(files.map((f, i) => {
      const st = statSync(f);
      return [f, [hashOfBytes(`Statement ${f}.`), `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`, '-', 1_000_000 + i]];
    }));
    writeFileSync(store, JSON.stringify({ format: 1, files: files0 }));
    const hashes = await ContentHashes.open(store);
    expect(hashes.hashOf(files[0]!)).toBe(hashOfBytes(`Statement ${files[0]}.`));
    // This run's statements are a (hashed first) and e; at most three are kept.
    await hashes.save(() => false, (p) => p === files[0] || p === files[4], 3);
    expect(Object.keys(JSON.parse(readFileSync(store, 'utf8')).files).sort()).toEqual([files[0], files[3], files[4]]);
    // Over the limit with nothing it may drop: nothing changed, nothing written.
    rmSync(store);
    await hashes.save(() => false, () => true, 2);
    expect(existsSync(store)).toBe(false);
  });

  it('throw for a statement that cannot be read, and keep nothing for it', async () => {
    const dir = tmp('accords-hashes');
    const store = join(dir, 'statements.json');
    const hashes = await ContentHashes.open(store);
    expect(() => hashes.hashOf(join(dir, 'missing.md'))).toThrow();
    await hashes.save(() => false);
    expect(() => readFileSync(store)).toThrow();
  });
});
