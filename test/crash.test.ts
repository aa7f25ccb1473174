import { describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, fsyncSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { acquireLock, recoverDir, replaceDirAtomic, syncsSettled, takeFlushed, writeCacheFileSync, writeFileAtomic, writeFilePieces, writeOrLink, removeTempFiles } from '../src/core/fsutil.js';
import { startServer } from './fixtures/server.js';
import { ROOT, tmp } from './helpers.js';

const BIN = join(ROOT, 'bin', 'accords.js');

/** A scratch project with a few statements of the demo corpus; requests go only to the local test server. */
function project(extra: Record<string, unknown> = {}): { dir: string; config: string } {
  const dir = tmp('crash-project');
  mkdirSync(join(dir, 'corpus'));
  for (const f of readdirSync(join(ROOT, 'corpus')).filter((n) => n.endsWith('.yaml') || /nh-ks-technology-council.*\.md$/.test(n))) cpSync(join(ROOT, 'corpus', f), join(dir, 'corpus', f));
  const config = join(dir, 'accords.config.mjs');
  writeFileSync(config, `export default ${JSON.stringify({ corpus: 'corpus', out: 'out', rules: join(ROOT, 'rules'), cacheDir: '.accords/cache', ...extra }, null, 2)};\n`);
  return { dir, config };
}

/** The CLI in a child process, without blocking this one (the test server lives here). */
function accords(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
}

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/** Every file below dir (relative path -> sha256), for comparing folders. */
function tree(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tree(p, base, out);
    else out[p.slice(base.length + 1)] = sha(p);
  }
  return out;
}

describe('a fetch killed in the middle', () => {
  it('leaves nothing that the next fetch stores twice: zero duplicate copies, every statement once', async () => {
    const server = await startServer({ seriesDelayMs: 150 });
    try {
      const { dir, config } = project({ fetch: { allowPrivateAddresses: true, retries: 0, perHost: 1, concurrency: 1 } });
      const N = 6;
      writeFileSync(join(dir, 'sources.yaml'), `documents:\n${Array.from({ length: N }, (_, i) => `  - url: ${server.url}/series/${i + 1}.html\n    title: Progress report ${i + 1}\n    date: 2026-01-0${i + 1}\n`).join('')}`);
      const fetched = join(dir, 'corpus', 'fetched');
      const args = [BIN, 'fetch', '--config', config, '--sources', join(dir, 'sources.yaml'), '--quiet'];
      // Kill it with SIGKILL at a different point each time: as soon as k statements are on disk.
      for (let k = 1; k <= 4; k++) {
        const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
        const t0 = Date.now();
        while (Date.now() - t0 < 60_000 && (!existsSync(fetched) || readdirSync(fetched).filter((f) => f.endsWith('.html')).length < k) && child.exitCode === null) {
          await new Promise((r) => setTimeout(r, 5));
        }
        child.kill('SIGKILL');
        await exited(child);
      }
      const last = await accords(['fetch', '--config', config, '--sources', join(dir, 'sources.yaml')]);
      expect(last.status, last.stderr + last.stdout).toBe(0);
      const files = readdirSync(fetched).filter((f) => f.endsWith('.html'));
      expect(files).toHaveLength(N);
      // No second copy under a numbered name ("..._progress-report-1-2.html").
      expect(files.filter((f) => /report-\d+-\d+\.html$/.test(f))).toEqual([]);
      const contents = files.map((f) => readFileSync(join(fetched, f), 'utf8'));
      for (let i = 1; i <= N; i++) expect(contents.filter((c) => c.includes(`Report ${i}:`)), `statement ${i}`).toHaveLength(1);
      for (const f of files) expect(existsSync(join(fetched, `${f}.meta.json`)), f).toBe(true);
      // The cache knows every statement and its file; nothing half-written is left.
      const index = JSON.parse(readFileSync(join(dir, '.accords', 'cache', 'http', 'index.json'), 'utf8'));
      for (let i = 1; i <= N; i++) expect(index[`${server.url}/series/${i}.html`]?.file, `series ${i}`).toMatch(/^fetched\//);
      expect(existsSync(join(dir, '.accords', 'cache', 'http', 'index.journal'))).toBe(false);
      expect(readdirSync(fetched).filter((f) => f.endsWith('.accords-tmp'))).toEqual([]);
      // A last fetch changes nothing.
      const again = await accords(['fetch', '--config', config, '--sources', join(dir, 'sources.yaml')]);
      expect(again.stdout).toMatch(/new 0, updated 0, unchanged 6/);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('outputs written crash-safely', () => {
  it('a kill between the two renames of the swap leaves out/ back in place at the next start', async () => {
    const { dir, config } = project();
    const first = await accords(['run', '--config', config, '--quiet']);
    expect(first.status, first.stderr).toBe(0);
    const before = tree(join(dir, 'out'));
    // Die where a crash would hurt most: old out/ moved aside, new one not yet in place.
    const killed = await accords(['run', '--config', config, '--quiet', '--full', '--domain', 'semiconductors'], { ACCORDS_FAULT: 'swap' });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(readdirSync(dir).filter((n) => /^out\.(ready|old)-/.test(n)).sort().map((n) => n.replace(/-.*/, ''))).toEqual(['out.old', 'out.ready']);
    const next = await accords(['run', '--config', config]);
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/out\/ was missing after an interrupted run; restored it from out\.ready-/);
    expect(readdirSync(dir).filter((n) => n.startsWith('out.'))).toEqual([]);
    expect(Object.keys(tree(join(dir, 'out'))).sort()).toEqual(Object.keys(before).sort());
  }, 120_000);

  it('recovery puts back the previous outputs when the new ones were never complete, and removes leftovers', async () => {
    const parent = tmp('recover');
    const out = join(parent, 'out');
    mkdirSync(`${out}.old-0000aaaa`, { recursive: true });
    writeFileSync(join(`${out}.old-0000aaaa`, 'matrix.md'), 'previous');
    mkdirSync(`${out}.staging-0000bbbb`);
    writeFileSync(join(`${out}.staging-0000bbbb`, 'half.md'), 'half');
    const r = await recoverDir(out);
    expect(r.restored).toBe('out.old-0000aaaa');
    expect(r.removed).toEqual(['out.staging-0000bbbb']);
    expect(readFileSync(join(out, 'matrix.md'), 'utf8')).toBe('previous');
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('an interrupted build leaves the previous outputs intact; its staging folder is cleaned at the next start', async () => {
    const parent = tmp('staging');
    const out = join(parent, 'out');
    await replaceDirAtomic(out, async (s) => writeFileSync(join(s, 'a.md'), 'one'));
    await expect(
      replaceDirAtomic(out, async (s) => {
        writeFileSync(join(s, 'a.md'), 'two');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(join(out, 'a.md'), 'utf8')).toBe('one');
    // A process killed while building leaves its staging folder: the next start removes it.
    mkdirSync(`${out}.staging-1234abcd`);
    expect((await recoverDir(out)).removed).toEqual(['out.staging-1234abcd']);
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('writes into a folder it made before and that was removed since, and into new nested folders', async () => {
    const d = tmp('gone');
    await writeFileAtomic(join(d, 'sub', 'a.json'), '1', { sync: false });
    rmSync(join(d, 'sub'), { recursive: true });
    await writeFileAtomic(join(d, 'sub', 'b.json'), '2', { sync: false });
    await writeFileAtomic(join(d, 'sub', 'deeper', 'c.json'), '3');
    expect(readFileSync(join(d, 'sub', 'b.json'), 'utf8')).toBe('2');
    expect(readFileSync(join(d, 'sub', 'deeper', 'c.json'), 'utf8')).toBe('3');
    expect(readdirSync(join(d, 'sub')).sort()).toEqual(['b.json', 'deeper']);
  });

  it('cache entries written one after another through one buffer: each whole, none with bytes of the one before', () => {
    const d = tmp('cache-writes');
    const long = 'Ministers’ statement — 声明 — '.repeat(200_000);
    writeCacheFileSync(join(d, 'sub', 'a.json'), long);
    writeCacheFileSync(join(d, 'sub', 'b.json'), 'short');
    rmSync(join(d, 'sub'), { recursive: true });
    writeCacheFileSync(join(d, 'sub', 'c.json'), 'ß'.repeat(3000));
    writeCacheFileSync(join(d, 'sub', 'c.json'), '{"again":true}');
    expect(readdirSync(join(d, 'sub')).sort()).toEqual(['c.json']);
    expect(readFileSync(join(d, 'sub', 'c.json'), 'utf8')).toBe('{"again":true}');
    writeCacheFileSync(join(d, 'a.json'), long);
    writeCacheFileSync(join(d, 'b.json'), 'short');
    // In parts, each followed by a line end; none at all gives an empty file.
    writeCacheFileSync(join(d, 'lines.jsonl'), ['{"n":1}', '{"t":"’—声"}', ''], '\n');
    expect(readFileSync(join(d, 'lines.jsonl'), 'utf8')).toBe('{"n":1}\n{"t":"’—声"}\n\n');
    writeCacheFileSync(join(d, 'lines.jsonl'), [], '\n');
    expect(readFileSync(join(d, 'lines.jsonl'), 'utf8')).toBe('');
    writeCacheFileSync(join(d, 'page.html'), ['<p>head', long, 'tail</p>']);
    expect(readFileSync(join(d, 'page.html'), 'utf8')).toBe(`<p>head${long}tail</p>`);
    rmSync(join(d, 'lines.jsonl'));
    rmSync(join(d, 'page.html'));
    expect(readFileSync(join(d, 'a.json'), 'utf8')).toBe(long);
    expect(readFileSync(join(d, 'b.json'), 'utf8')).toBe('short');
    // A folder in the way of the file: the error is passed on, no temporary file is left.
    mkdirSync(join(d, 'taken.json'));
    expect(() => writeCacheFileSync(join(d, 'taken.json'), 'x')).toThrow();
    expect(readdirSync(d).sort()).toEqual(['a.json', 'b.json', 'sub', 'taken.json']);
  });

  it('temporary files of an interrupted write are recognised and removed', async () => {
    const d = tmp('tmpfiles');
    await writeFileAtomic(join(d, 'index.json'), '{}');
    writeFileSync(join(d, '.index.json.0123456789ab.accords-tmp'), 'half');
    writeFileSync(join(d, 'notes.txt'), 'mine');
    expect(await removeTempFiles(d)).toBe(1);
    expect(readdirSync(d).sort()).toEqual(['index.json', 'notes.txt']);
  });
});

/** A scratch folder with an empty previous build (prev/) and an empty new one (next/). */
/** Record the path of every file handle flushed (fsync) from now on, until the returned spy is restored; `file` is any existing file. */
async function spyOnFlushes(file: string, record: (path: string) => void) {
  const probe = await open(file, 'r');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  return vi.spyOn(proto, 'sync').mockImplementation(async function (this: { fd: number }) {
    record(readlinkSync(`/proc/self/fd/${this.fd}`));
    return fsyncSync(this.fd);
  });
}

function twoBuilds(name: string): { dir: string; prev: string; next: string } {
  const dir = tmp(name);
  const prev = join(dir, 'prev');
  const next = join(dir, 'next');
  mkdirSync(prev);
  mkdirSync(next);
  return { dir, prev, next };
}

describe('unchanged outputs linked from the previous ones', () => {
  it('links a file whose bytes are the same, writes one whose bytes differ (even at the same size) or that is new', async () => {
    const { dir, prev, next } = twoBuilds('write-or-link');
    writeFileSync(join(prev, 'same.md'), 'Council met — twice.\n');
    writeFileSync(join(prev, 'other.md'), 'abc\n');
    expect(await writeOrLink(join(next, 'same.md'), 'Council met — twice.\n', join(prev, 'same.md'))).toBe('linked');
    expect(statSync(join(next, 'same.md')).ino).toBe(statSync(join(prev, 'same.md')).ino);
    expect(await writeOrLink(join(next, 'other.md'), 'abd\n', join(prev, 'other.md'))).toBe('written');
    expect(statSync(join(next, 'other.md')).ino).not.toBe(statSync(join(prev, 'other.md')).ino);
    expect(readFileSync(join(next, 'other.md'), 'utf8')).toBe('abd\n');
    expect(readFileSync(join(prev, 'other.md'), 'utf8')).toBe('abc\n');
    expect(await writeOrLink(join(next, 'new.md'), 'x', join(prev, 'missing.md'))).toBe('written');
    expect(await writeOrLink(join(next, 'none.md'), 'y', undefined)).toBe('written');
    expect(readFileSync(join(next, 'none.md'), 'utf8')).toBe('y');
    // A name written twice (two outputs whose names differ only in case, on a file system
    // that ignores case) where the first was linked: the previous file is never written through.
    expect(await writeOrLink(join(next, 'same.md'), 'Something else.\n', join(prev, 'other.md'))).toBe('written');
    expect(readFileSync(join(prev, 'same.md'), 'utf8')).toBe('Council met — twice.\n');
    expect(readFileSync(join(next, 'same.md'), 'utf8')).toBe('Something else.\n');
    expect(await writeFilePieces(join(next, 'other.md'), ['piece one, ', 'piece two'], join(prev, 'other.md'))).toBe('written');
    expect(readFileSync(join(prev, 'other.md'), 'utf8')).toBe('abc\n');
    expect(readFileSync(join(next, 'other.md'), 'utf8')).toBe('piece one, piece two');
    // Pieces that come out as the previous file's bytes: the written file gives way to a link.
    expect(await writeFilePieces(join(next, 'pieces.md'), ['Council met', ' — twice.\n'], join(prev, 'same.md'))).toBe('linked');
    expect(statSync(join(next, 'pieces.md')).ino).toBe(statSync(join(prev, 'same.md')).ino);
    expect(await writeFilePieces(join(next, 'longer.md'), ['Council met — twice.\n', 'And again.'], join(prev, 'same.md'))).toBe('written');
    expect(readFileSync(join(next, 'longer.md'), 'utf8')).toBe('Council met — twice.\nAnd again.');
    expect(readdirSync(next).filter((n) => n.endsWith('.link'))).toEqual([]);
  });
  it('takes bytes as it takes text: linked when they are the previous file\'s, written from the first difference', async () => {
    const { prev, next } = twoBuilds('bytes-or-link');
    const text = 'The desk met — twice.\n';
    writeFileSync(join(prev, 'same.md'), text);
    expect(await writeOrLink(join(next, 'same.md'), Buffer.from(text), join(prev, 'same.md'))).toBe('linked');
    expect(statSync(join(next, 'same.md')).ino).toBe(statSync(join(prev, 'same.md')).ino);
    // The same size, one byte apart at the end: written, the previous file untouched.
    const other = Buffer.from(text.replace('\n', '!'));
    expect(await writeOrLink(join(next, 'other.md'), other, join(prev, 'same.md'))).toBe('written');
    expect(readFileSync(join(next, 'other.md'))).toEqual(other);
    expect(readFileSync(join(prev, 'same.md'), 'utf8')).toBe(text);
    expect(await writeOrLink(join(next, 'new.md'), new Uint8Array([0xe2, 0x80, 0x99]), undefined)).toBe('written');
    expect(readFileSync(join(next, 'new.md'), 'utf8')).toBe('’');
    // Text, bytes and text again, the bytes the same as the previous file's until a later piece differs.
    const big = Buffer.from(`${'x'.repeat(4 << 20)}—end\n`);
    writeFileSync(join(prev, 'big.md'), big);
    expect(await writeFilePieces(join(next, 'big.md'), ['x', { bytes: big.subarray(1, big.length - 2) }, 'd\n'], join(prev, 'big.md'))).toBe('linked');
    expect(await writeFilePieces(join(next, 'big2.md'), ['x', { bytes: big.subarray(1, big.length - 2) }, 'D\n'], join(prev, 'big.md'))).toBe('written');
    expect(readFileSync(join(next, 'big2.md')).equals(Buffer.concat([big.subarray(0, big.length - 2), Buffer.from('D\n')]))).toBe(true);
    // Bytes that differ inside a later chunk (past the first 3 MB compared).
    const late = Buffer.from(big);
    late[(3 << 20) + 5] = 0x79;
    expect(await writeFilePieces(join(next, 'late.md'), [{ bytes: late }], join(prev, 'big.md'))).toBe('written');
    expect(readFileSync(join(next, 'late.md')).equals(late)).toBe(true);
    expect(readFileSync(join(prev, 'big.md')).equals(big)).toBe(true);
    // Longer than the previous file, and marks that learn where they fall after bytes.
    let mark = -1;
    const longer = Buffer.concat([big, Buffer.from('more’\n')]);
    expect(await writeFilePieces(join(next, 'longer.md'), [{ bytes: longer.subarray(0, 10) }, 'x'.repeat(5), { bytes: longer.subarray(15) }, { at: (n) => (mark = n) }, 'tail'], join(prev, 'big.md'))).toBe('written');
    expect(mark).toBe(longer.length);
    expect(readFileSync(join(next, 'longer.md')).equals(Buffer.concat([longer, Buffer.from('tail')]))).toBe(true);
  });

  it('hands each written file to the disk as soon as it is written, not only in the flush before the swap', async () => {
    const { prev, next } = twoBuilds('early-sync');
    writeFileSync(join(prev, 'same.md'), 'The council met.\n');
    // Files written by the tests before this one are flushed first.
    await syncsSettled();
    const flushed: string[] = [];
    const spy = await spyOnFlushes(join(prev, 'same.md'), (path) => flushed.push(path));
    try {
      expect(await writeFilePieces(join(next, 'written.md'), ['The council ', 'will meet.\n'])).toBe('written');
      expect(await writeOrLink(join(next, 'other.md'), 'The desk opened.\n', undefined)).toBe('written');
      // A file that is a link to the previous one was flushed when that was written: not again.
      expect(await writeOrLink(join(next, 'same.md'), 'The council met.\n', join(prev, 'same.md'))).toBe('linked');
      await syncsSettled();
    } finally {
      spy.mockRestore();
    }
    expect(flushed.filter((f) => f.startsWith(prev) || f.startsWith(next)).sort()).toEqual([join(next, 'other.md'), join(next, 'written.md')]);
  });

  it('flushes each file once: the flush before the swap skips the files already handed to the disk', async () => {
    const { dir } = twoBuilds('sync-once');
    const target = join(dir, 'out');
    await syncsSettled();
    writeFileSync(join(dir, 'probe'), '');
    const flushed: string[] = [];
    const spy = await spyOnFlushes(join(dir, 'probe'), (path) => {
      if (statSync(path).isFile()) flushed.push(path.slice(path.lastIndexOf('/') + 1));
    });
    try {
      // Named in a form that is not normalised: the files are still known by their whole paths.
      await replaceDirAtomic(`${relative(process.cwd(), dir)}/./out`, async (staging) => {
        await writeFilePieces(join(staging, 'a.md'), ['The council ', 'will meet.\n']);
        mkdirSync(join(staging, 'sub'));
        await writeOrLink(join(staging, 'sub', 'b.md'), 'The desk opened.\n', undefined);
        // Written otherwise: flushed in the flush before the swap.
        writeFileSync(join(staging, 'report.json'), '{}\n');
      });
    } finally {
      spy.mockRestore();
    }
    expect(flushed.sort()).toEqual(['a.md', 'b.md', 'report.json']);
    expect(readFileSync(join(target, 'sub', 'b.md'), 'utf8')).toBe('The desk opened.\n');
    // A build that fails after writing files: nothing of its folder is kept in mind.
    const failed = await replaceDirAtomic(target, async (staging) => {
      for (let i = 0; i < 20; i++) await writeFilePieces(join(staging, `n${i}.md`), [`Note ${i}.\n`]);
      throw new Error('the build failed');
    }).catch((err: Error) => err.message);
    expect(failed).toBe('the build failed');
    await syncsSettled();
    expect(takeFlushed(dir).size).toBe(0);
  });

  it('pieces that differ only after megabytes, or end early, are written whole (the same part copied from the previous file)', async () => {
    const { dir, prev, next } = twoBuilds('pieces-later');
    // Three batches of a megabyte and more, with text of two and three bytes per character.
    const line = (i: number) => `${i}: the council’s working group — 会議 — met again\n`;
    const lines = Array.from({ length: 60_000 }, (_, i) => line(i));
    const before = lines.join('');
    writeFileSync(join(prev, 'big.md'), before);
    const changed = [...lines];
    changed[50_000] = 'a line that was not there\n';
    expect(await writeFilePieces(join(next, 'big.md'), changed, join(prev, 'big.md'))).toBe('written');
    expect(readFileSync(join(next, 'big.md'), 'utf8')).toBe(changed.join(''));
    expect(statSync(join(next, 'big.md')).ino).not.toBe(statSync(join(prev, 'big.md')).ino);
    expect(await writeFilePieces(join(next, 'short.md'), lines.slice(0, 40_000), join(prev, 'big.md'))).toBe('written');
    expect(readFileSync(join(next, 'short.md'), 'utf8')).toBe(lines.slice(0, 40_000).join(''));
    expect(await writeFilePieces(join(next, 'same.md'), lines, join(prev, 'big.md'))).toBe('linked');
    expect(await writeFilePieces(join(next, 'first.md'), ['other', ...lines.slice(1)], join(prev, 'big.md'))).toBe('written');
    expect(readFileSync(join(next, 'first.md'), 'utf8')).toBe(['other', ...lines.slice(1)].join(''));
    expect(readFileSync(join(prev, 'big.md'), 'utf8')).toBe(before);
    // One string of megabytes, cut where a character of two UTF-16 units sits on the cut.
    const wide = `${'a'.repeat((1 << 20) - 1)}😀${'b'.repeat(1 << 20)}😀`;
    expect(await writeOrLink(join(next, 'wide.md'), wide, undefined)).toBe('written');
    expect(readFileSync(join(next, 'wide.md'), 'utf8')).toBe(wide);
    expect(await writeOrLink(join(next, 'wide2.md'), wide, join(next, 'wide.md'))).toBe('linked');
    // A write that takes only part of its bytes (a file-size limit here; a full disk alike) is an error, not a shorter file.
    const script = join(dir, 'limited.mts');
    writeFileSync(script, `import { writeFilePieces } from ${JSON.stringify(join(ROOT, 'src', 'core', 'fsutil.ts'))};\ntry { await writeFilePieces(${JSON.stringify(join(next, 'limited.md'))}, ['a'.repeat(2_500_000)]); console.log('returned'); } catch (err) { console.log('failed ' + err.code); }\n`);
    const limited = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 2048; exec "${process.execPath}" --import tsx "${script}"`], { cwd: ROOT, encoding: 'utf8' });
    expect(limited.stdout.trim()).toBe('failed EFBIG');
    // Pieces that fail half-way: the failure is passed on, the previous file untouched.
    const failing = function* () {
      yield lines[0]!;
      throw new Error('rendering failed');
    };
    await expect(writeFilePieces(join(next, 'broken.md'), failing(), join(prev, 'big.md'))).rejects.toThrow('rendering failed');
    expect(readFileSync(join(prev, 'big.md'), 'utf8')).toBe(before);
  });

  it("ranges of the previous file's bytes are copied into place, and marks learn where they fall", async () => {
    const { prev, next } = twoBuilds('pieces-ranges');
    // Parts with characters of three bytes (— and 会議), the middle one over a megabyte.
    const parts = ['Kestria — first part\n', `${'会議 met. '.repeat(120_000)}\n`, 'Nordhaven — last part\n'];
    const bytes = parts.map((p) => Buffer.byteLength(p));
    const ends = bytes.map((_, i) => bytes.slice(0, i + 1).reduce((a, b) => a + b, 0));
    writeFileSync(join(prev, 'parts.csv'), parts.join(''));
    const places: number[] = [];
    const at = { at: (n: number) => places.push(n) };
    // Every part where it was: nothing is copied, and the file gives way to a link.
    expect(await writeFilePieces(join(next, 'same.csv'), [at, parts[0]!, at, { copy: [ends[0]!, ends[1]!] }, at, { copy: [ends[1]!, ends[2]!] }, at], join(prev, 'parts.csv'))).toBe('linked');
    expect(places).toEqual([0, ...ends]);
    // A range where it was, then a difference: what was found the same is copied before the rest is written.
    expect(await writeFilePieces(join(next, 'later.csv'), [parts[0]!, { copy: [ends[0]!, ends[1]!] }, 'Nordhaven — changed\n'], join(prev, 'parts.csv'))).toBe('written');
    expect(readFileSync(join(next, 'later.csv'), 'utf8')).toBe(`${parts[0]}${parts[1]}Nordhaven — changed\n`);
    // An empty range anywhere copies nothing.
    expect(await writeFilePieces(join(next, 'empty.csv'), [{ copy: [ends[1]!, ends[1]!] }, parts[0]!, { copy: [ends[0]!, ends[2]!] }], join(prev, 'parts.csv'))).toBe('linked');
    // A new first part moves the others: they are copied from where they were.
    places.length = 0;
    const first = 'Valmora — a longer first part\n';
    expect(await writeFilePieces(join(next, 'moved.csv'), [first, at, { copy: [ends[0]!, ends[1]!] }, at, 'between\n', { copy: [ends[1]!, ends[2]!] }, at], join(prev, 'parts.csv'))).toBe('written');
    expect(readFileSync(join(next, 'moved.csv'), 'utf8')).toBe(`${first}${parts[1]}between\n${parts[2]}`);
    const moved = Buffer.byteLength(first);
    expect(places).toEqual([moved, moved + bytes[1]!, moved + bytes[1]! + 8 + bytes[2]!]);
    // The same bytes, their parts in another order.
    expect(await writeFilePieces(join(next, 'swapped.csv'), [{ copy: [ends[1]!, ends[2]!] }, { copy: [0, ends[0]!] }], join(prev, 'parts.csv'))).toBe('written');
    expect(readFileSync(join(next, 'swapped.csv'), 'utf8')).toBe(parts[2]! + parts[0]!);
    // Bytes the previous file does not have, or no previous file: an error naming the file, the previous file untouched.
    await expect(writeFilePieces(join(next, 'beyond.csv'), ['x', { copy: [ends[1]!, ends[2]! + 1] }], join(prev, 'parts.csv'))).rejects.toThrow(`${join(next, 'beyond.csv')}: bytes ${ends[1]}-${ends[2]! + 1} of ${join(prev, 'parts.csv')}`);
    await expect(writeFilePieces(join(next, 'none.csv'), [{ copy: [0, 1] }])).rejects.toThrow('no previous file');
    expect(readFileSync(join(prev, 'parts.csv'), 'utf8')).toBe(parts.join(''));
  });
});

describe('one run at a time', () => {
  it('a second run on the same out/ stops at once with a message naming the first; the first is unharmed', async () => {
    const { dir, config } = project();
    const lock = await acquireLock(join(dir, 'out.lock'), 'the output folder out/');
    try {
      const r = await accords(['run', '--config', config, '--quiet']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`out\\.lock: the output folder \\S*out/ is in use by another accords run \\(process ${process.pid} since `));
      expect(existsSync(join(dir, 'out'))).toBe(false);
      expect(readdirSync(dir).filter((n) => /^out\./.test(n))).toEqual(['out.lock']);
    } finally {
      await lock.release();
    }
    const ok = await accords(['run', '--config', config, '--quiet']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readdirSync(dir).filter((n) => /^out\./.test(n))).toEqual([]);
  }, 60_000);

  it('two runs started together: one writes out/, the other says it is busy; nothing is left behind', async () => {
    const { dir, config } = project();
    const start = () => spawn(process.execPath, [BIN, 'run', '--config', config, '--quiet', '--full'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const a = start();
    const b = start();
    let errs = '';
    for (const c of [a, b]) c.stderr!.on('data', (d) => (errs += String(d)));
    const codes = (await Promise.all([exited(a), exited(b)])).sort();
    // Either both ran one after the other, or one was refused as busy; never a crash.
    expect(codes[0]).toBe(0);
    if (codes[1] !== 0) {
      expect(codes[1]).toBe(2);
      expect(errs).toMatch(/is in use by another accords run/);
    }
    expect(errs).not.toMatch(/at .*\.ts:\d+/);
    expect(readdirSync(dir).filter((n) => /^out\./.test(n))).toEqual([]);
    expect(existsSync(join(dir, 'out', 'run-report.json'))).toBe(true);
  }, 90_000);

  it('a lock left by a process that died is taken over', async () => {
    const { dir, config } = project();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'out.lock'), JSON.stringify({ pid: Number(dead.stdout), host: (await import('node:os')).hostname(), started: '2026-01-01T00:00:00.000Z', what: 'the output folder out/' }));
    const r = await accords(['run', '--config', config, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'out.lock'))).toBe(false);
  }, 60_000);
});
