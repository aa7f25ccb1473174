import { link, lstat, mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { UserError } from './errors.js';

/**
 * Files and folders that survive a crash: every write goes to a temporary
 * sibling, is flushed to disk (fsync), and is renamed over its target, so a
 * reader sees the old content or the new one, never half of it, even after a
 * power cut. One process at a time writes a given output folder or cache
 * (a lock file that a dead process does not hold), and what an interrupted
 * process left behind is cleaned up by the next one.
 */

/** Temporary files are named so that the next run can recognise and remove them. */
const TMP = /^\..*\.[0-9a-f]{12}\.accords-tmp$/;

function tmpName(path: string): string {
  return join(dirname(path), `.${basename(path).slice(0, 80)}.${randomBytes(6).toString('hex')}.accords-tmp`);
}

/** Flush a folder's entries (new names, renames) to disk. Some file systems cannot; that is not an error. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // EISDIR/EINVAL/EPERM on file systems that do not sync directories.
  } finally {
    await fh?.close().catch(() => {});
  }
}

// Folders this process made or found, so that writing many files into one does not ask for it each time.
const knownDirs = new Set<string>();

/** Make a folder (and its parents) unless this process made or found it before (a writer must retry should it have gone since). */
async function ensureDir(dir: string): Promise<void> {
  if (knownDirs.has(dir)) return;
  await mkdir(dir, { recursive: true });
  if (knownDirs.size > 10_000) knownDirs.clear();
  knownDirs.add(dir);
}

/** Open a new file for writing, making its folder first (and again if it has gone since this process last saw it). */
async function openNew(path: string) {
  const dir = dirname(path);
  await ensureDir(dir);
  try {
    return await open(path, 'w');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    knownDirs.delete(dir);
    await ensureDir(dir);
    return open(path, 'w');
  }
}

/**
 * Write a file so that readers see either the old or the new content, never a
 * half-written one, and so that the new content is on disk once this returns:
 * write a temporary sibling, fsync it, rename it over the target, fsync the folder.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, opts: { sync?: boolean } = {}): Promise<void> {
  const sync = opts.sync ?? true;
  const tmp = tmpName(path);
  try {
    const fh = await openNew(tmp);
    try {
      await fh.writeFile(data);
      if (sync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // The first failure is the one to report (the temporary file may not even be reachable).
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  if (sync) await fsyncDir(dirname(path));
}

// Text is encoded into this buffer, one per thread, before it is written: a new
// buffer per file (what writing a string does) costs more than the encoding
// itself when files are written one after another by the thousand.
let scratch = Buffer.allocUnsafeSlow(1 << 20);
// A larger buffer is not kept for the next file.
const SCRATCH_MAX = 16 << 20;

/**
 * writeFileAtomic for an entry of a cache, written by a thread whose other work
 * can wait for it (a worker thread, or a run's preparing step): synchronous, and
 * not flushed to disk (a damaged entry is made again). Readers see the old
 * content or the new one, never half of it. The content may come in parts, each
 * followed by `end` (a line end, say): they are encoded one after another, never
 * joined into one string first (joining a large text costs more than writing it),
 * so a part must not end inside a surrogate pair.
 */
export function writeCacheFileSync(path: string, data: string | readonly string[], end = ''): void {
  writeCacheSectionsSync(path, [{ parts: typeof data === 'string' ? [data] : data, end }]);
}

/** What to write: parts (text, or bytes written as they are), each followed by `end`. */
export interface Section {
  parts: ReadonlyArray<string | Uint8Array>;
  end?: string;
}

/**
 * writeCacheFileSync for sections written one after another, and then, when
 * `trailer` is given, the text it makes of where each section's bytes are
 * ([start, end) in the file). Returns those places.
 */
export function writeCacheSectionsSync(path: string, sections: readonly Section[], trailer?: (at: Array<[number, number]>) => string, trailerMax = 0): Array<[number, number]> {
  // At most 3 bytes of UTF-8 per UTF-16 unit; counted exactly when that would not fit.
  let need = trailerMax;
  for (const { parts, end = '' } of sections) {
    need += parts.length * end.length * 3;
    for (const part of parts) need += typeof part === 'string' ? part.length * 3 : part.length;
  }
  let buf = scratch;
  // A bound that fits the kept buffer's largest size makes it that large (counting
  // the bytes exactly takes as long as encoding them).
  if (buf.length < need && need <= SCRATCH_MAX) buf = scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX, Math.max(need, buf.length * 2)));
  if (buf.length < need) {
    need = trailerMax;
    for (const { parts, end = '' } of sections) {
      need += parts.length * Buffer.byteLength(end);
      for (const part of parts) need += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
    }
    if (buf.length < need) {
      buf = need <= SCRATCH_MAX ? Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX, Math.max(need, buf.length * 2))) : Buffer.allocUnsafeSlow(need);
      if (buf.length <= SCRATCH_MAX) scratch = buf;
    }
  }
  let n = 0;
  const at: Array<[number, number]> = [];
  for (const { parts, end = '' } of sections) {
    const start = n;
    for (const part of parts) {
      if (typeof part === 'string') n += buf.write(part, n);
      else {
        buf.set(part, n);
        n += part.length;
      }
      if (end) n += buf.write(end, n);
    }
    at.push([start, n]);
  }
  if (trailer) {
    const text = trailer(at);
    if (Buffer.byteLength(text) > trailerMax) throw new Error(`${path}: the trailer is longer than ${trailerMax} bytes`);
    n += buf.write(text, n);
  }
  const tmp = tmpName(path);
  const dir = dirname(path);
  try {
    if (!knownDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      if (knownDirs.size > 10_000) knownDirs.clear();
      knownDirs.add(dir);
    }
    let fd: number;
    try {
      fd = openSync(tmp, 'w');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The folder went away since it was made: made again.
      mkdirSync(dir, { recursive: true });
      fd = openSync(tmp, 'w');
    }
    try {
      for (let w = 0; w < n; ) w += writeSync(fd, buf, w, n - w);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The first failure is the one to report.
    }
    throw err;
  }
  return at;
}

/**
 * Remove temporary files that an interrupted write left in a folder (and its
 * sub-folders). Where other processes may be writing without a lock, only files
 * older than `olderThanMs` are taken for leftovers. Returns how many were removed.
 */
export async function removeTempFiles(dir: string, recursive = false, olderThanMs = 0): Promise<number> {
  let n = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.isFile() && TMP.test(e.name)) {
      const path = join(dir, e.name);
      if (olderThanMs > 0 && Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs <= olderThanMs) continue;
      await rm(path, { force: true });
      n++;
    } else if (recursive && e.isDirectory()) n += await removeTempFiles(join(dir, e.name), true, olderThanMs);
  }
  return n;
}

/**
 * fsync every file and folder below dir (a few at a time). With `linkedOnDisk`, a
 * file with more than one link is taken to be a link to a file whose content is on
 * disk already (the caller knows the files it links from were flushed): only its
 * name is new, and flushing the folders makes that durable. Flushing each of them
 * anyway cost more than all the new files together (the new link count is a change
 * to commit per file).
 */
async function syncTree(dir: string, linkedOnDisk = false): Promise<void> {
  // The files handed to syncSoon are flushed by now, in this thread and in the thread
  // writing the statements' files (which waits for its own before it ends and reports
  // them, see noteFlushed): they are not flushed again.
  await syncsSettled();
  const onDisk = takeFlushed(dir);
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (d: string) => {
    dirs.push(d);
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (e.isFile() && !onDisk.has(join(d, e.name))) files.push(join(d, e.name));
    }
  };
  await walk(dir);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      if (linkedOnDisk && (await lstat(f)).nlink > 1) continue;
      const fh = await open(f, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  for (const d of dirs.reverse()) await fsyncDir(d);
}

const LEFTOVER = (base: string) => new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(staging|ready|old)-[0-9a-f]{8}$`);

export interface Recovery {
  /** The folder was missing after an interrupted swap and was put back from this leftover. */
  restored?: string;
  /** Leftovers of interrupted runs that were removed. */
  removed: string[];
}

/**
 * Finish what an interrupted replaceDirAtomic left: when the target is missing
 * (the process died between the two renames), put back the complete new
 * folder (".ready-") or, failing that, the previous one (".old-"); then remove
 * every other leftover (".staging-" folders of runs that never finished).
 * Call it only while holding the target's lock.
 */
export async function recoverDir(target: string): Promise<Recovery> {
  const parent = dirname(target);
  const base = basename(target);
  const re = LEFTOVER(base);
  let names: string[];
  try {
    names = (await readdir(parent)).filter((n) => re.test(n));
  } catch {
    return { removed: [] };
  }
  const result: Recovery = { removed: [] };
  if (!names.length) return result;
  let exists = true;
  try {
    await stat(target);
  } catch {
    exists = false;
  }
  if (!exists) {
    const byAge = async (kind: string) => {
      const list = await Promise.all(names.filter((n) => re.exec(n)![1] === kind).map(async (n) => ({ n, t: (await stat(join(parent, n))).mtimeMs })));
      return list.sort((a, b) => b.t - a.t).map((x) => x.n);
    };
    const pick = (await byAge('ready'))[0] ?? (await byAge('old'))[0];
    if (pick) {
      await rename(join(parent, pick), target);
      await fsyncDir(parent);
      result.restored = pick;
      names = names.filter((n) => n !== pick);
    }
  }
  for (const n of names) {
    await rm(join(parent, n), { recursive: true, force: true });
    result.removed.push(n);
  }
  return result;
}

/**
 * Write a file of a folder being rebuilt, or, when the previous build's file
 * `previous` holds exactly these bytes, link it there instead (a hard link: both
 * names are one file, which neither build changes afterwards). An output that did
 * not change then costs a read, not a write and a flush. Where links cannot be
 * made (some file systems), the file is written.
 */
export async function writeOrLink(path: string, content: string | Uint8Array, previous: string | undefined): Promise<'linked' | 'written'> {
  // Compared with the previous file only when their sizes agree.
  const st = previous ? await lstat(previous).catch(() => undefined) : undefined;
  const text = typeof content === 'string';
  const same = st?.isFile() && st.size === (text ? Buffer.byteLength(content) : content.length);
  return writeFilePieces(path, [text ? content : { bytes: content }], same ? previous : undefined);
}

/**
 * Put a hard link to `previous` at `path`, taking the place of whatever has that name
 * in one step (a rename: a file already there is replaced, never written through).
 * False where links cannot be made.
 */
export async function linkInPlace(previous: string, path: string): Promise<boolean> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.link`;
  try {
    await link(previous, aside);
    await rename(aside, path);
    return true;
  } catch {
    await rm(aside, { force: true });
    return false;
  }
}

/**
 * The path, with whatever already has that name removed first. A file in a folder
 * being rebuilt may be a link to the previous build's file (two outputs whose names
 * differ only in case, on a file system that ignores case): writing through it
 * would change the previous outputs, so new content always goes to a new file.
 */
async function freeName(path: string): Promise<string> {
  await rm(path, { force: true });
  return path;
}

// Text is written a megabyte (of characters) at a time, encoded into buffers of
// the file's own. (With buffers kept from file to file, a run of 10,000 statements
// peaked about 500 MB higher: allocating a buffer also prompts the collector to run.)
const CHUNK = 1 << 20;

/**
 * A piece of a file that is not text: bytes `copy` ([start, end)) of the previous
 * file, bytes given as they are to be written, or a mark, told (`at`) how many
 * bytes of the file come before it.
 */
export type FilePiece = { copy: readonly [number, number] } | { bytes: Uint8Array } | { at: (bytes: number) => void };

/**
 * Write a file from pieces of text, each encoded as it comes, so the whole text is
 * never held at once. While the pieces come out as `previous` holds them, nothing
 * is written: a file that turns out the same becomes a link to it (as in
 * writeOrLink); at the first difference the bytes found the same are copied from
 * `previous` and writing goes on from there. A piece may also be bytes (compared
 * and written as encoded text is), a range of `previous`'s bytes (which the caller
 * knows to be what it wants there: a range found at the same place costs nothing)
 * or a mark that learns where it falls.
 */
export async function writeFilePieces(path: string, pieces: Iterable<string | FilePiece>, previous?: string): Promise<'linked' | 'written'> {
  const st = previous ? await lstat(previous).catch(() => undefined) : undefined;
  const old = st?.isFile() ? await open(previous!, 'r').catch(() => undefined) : undefined;
  let fh: FileHandle | undefined;
  // The bytes written (or found the same) so far.
  let offset = 0;
  // Buffers to encode into and to read the previous file into, grown to what the file needs (at most 3 MB).
  let enc: Buffer = Buffer.allocUnsafeSlow(0);
  let there: Buffer = Buffer.allocUnsafeSlow(0);
  const grown = (b: Buffer, need: number): Buffer => (b.length >= need ? b : Buffer.allocUnsafeSlow(Math.min(3 * CHUNK, Math.max(need, b.length * 2, 1 << 14))));
  // A write may take fewer bytes than given (a full disk says so only at the next one): written until all are.
  const writeAll = async (b: Uint8Array, n: number, at: number) => {
    for (let w = 0; w < n; ) w += (await fh!.write(b, w, n - w, at + w)).bytesWritten;
  };
  const start = async () => {
    fh = await open(await freeName(path), 'wx');
    // The bytes that were the same as the previous file's, copied from it.
    there = grown(there, Math.min(offset, 3 * CHUNK));
    for (let at = 0; at < offset; ) {
      const { bytesRead } = await old!.read(there, 0, Math.min(there.length, offset - at), at);
      if (!bytesRead) throw new Error(`${previous} became shorter while it was read`);
      await writeAll(there, bytesRead, at);
      at += bytesRead;
    }
  };
  // The next bytes of the file: compared with the previous file's at the same place
  // while they are the same (nothing is written), written from the first difference on.
  const emit = async (b: Uint8Array) => {
    let at = 0;
    while (!fh && at < b.length) {
      const n = Math.min(b.length - at, 3 * CHUNK);
      there = grown(there, n);
      const { bytesRead } = await old!.read(there, 0, n, offset);
      if (bytesRead !== n || !there.subarray(0, n).equals(b.subarray(at, at + n))) {
        await start();
        break;
      }
      offset += n;
      at += n;
    }
    if (at < b.length) {
      await writeAll(b.subarray(at), b.length - at, offset);
      offset += b.length - at;
    }
  };
  // Bytes encoded into `enc` and not yet compared or written.
  let used = 0;
  const flush = async () => {
    const n = used;
    used = 0;
    if (n) await emit(enc.subarray(0, n));
  };
  const put = async (text: string) => {
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + CHUNK);
      // Never between the two halves of a surrogate pair.
      if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
      // At most 3 bytes of UTF-8 per UTF-16 unit.
      if (used + (end - at) * 3 > 3 * CHUNK) await flush();
      if (enc.length < used + (end - at) * 3) {
        const bigger = grown(enc, used + (end - at) * 3);
        enc.copy(bigger, 0, 0, used);
        enc = bigger;
      }
      used += enc.write(at === 0 && end === text.length ? text : text.slice(at, end), used);
      at = end;
    }
  };
  // Bytes [a, b) of the previous file, next.
  const copy = async (a: number, b: number) => {
    if (!old || !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || b > st!.size) throw new Error(`${path}: bytes ${a}-${b} of ${previous ?? 'no previous file'} were to be copied, and it has no such bytes`);
    if (a === b) return;
    await flush();
    // Where they are already: nothing to compare or copy.
    if (!fh && a === offset) {
      offset = b;
      return;
    }
    if (!fh) await start();
    there = grown(there, Math.min(b - a, 3 * CHUNK));
    for (let at = a; at < b; ) {
      const { bytesRead } = await old.read(there, 0, Math.min(there.length, b - at), at);
      if (!bytesRead) throw new Error(`${previous} became shorter while it was read`);
      await writeAll(there, bytesRead, offset);
      offset += bytesRead;
      at += bytesRead;
    }
  };
  try {
    if (!old) await start();
    // Small pieces are gathered into one string first: a call to encode each would cost more.
    // (Pieces are encoded one after another: none may end inside a surrogate pair.)
    let small = '';
    for (const piece of pieces) {
      if (typeof piece !== 'string') {
        if (small) {
          await put(small);
          small = '';
        }
        if ('at' in piece) piece.at(offset + used);
        else if ('bytes' in piece) {
          await flush();
          await emit(piece.bytes);
        }
        else await copy(piece.copy[0], piece.copy[1]);
        continue;
      }
      if (piece.length < 1024) {
        small += piece;
        // Kept short: a long string of many pieces is copied whole before it can be encoded.
        if (small.length >= 1 << 13) {
          await put(small);
          small = '';
        }
        continue;
      }
      if (small) {
        await put(small);
        small = '';
      }
      await put(piece);
    }
    if (small) await put(small);
    await flush();
    // All the same: a link, unless the previous file is longer or links cannot be made (then a copy of what was the same).
    if (!fh) {
      if (st!.size === offset && (await linkInPlace(previous!, path))) return 'linked';
      await start();
    }
    return 'written';
  } finally {
    try {
      await fh?.close();
    } finally {
      await old?.close();
    }
    if (fh) syncSoon(path);
  }
}

/**
 * Written files are handed to the disk at once, one at a time in the background,
 * while the run makes the next ones: the flush before an output folder is swapped
 * in (syncTree) then finds their bytes on disk already, instead of waiting for
 * all the folder's bytes at the end (2.2 s of a 3,000-statement run's 757 MB).
 */
const syncQueue: string[] = [];
let syncing: Promise<void> | undefined;
// The files syncSoon flushed (in this thread, or reported by another: see noteFlushed), until syncTree takes them.
const flushed = new Set<string>();

/** Flush the file, whose writing is over, to disk in the background. Best effort: syncTree flushes every file it was not told of. */
export function syncSoon(file: string): void {
  const path = resolve(file);
  // Written again (a name is written once in a folder being built, but should it be): not flushed until flushed again.
  flushed.delete(path);
  syncQueue.push(path);
  syncing ??= (async () => {
    for (let f = syncQueue.shift(); f !== undefined; f = syncQueue.shift()) {
      // Gone already (a failed run removed its staging folder): nothing to flush.
      const fh = await open(f, 'r').catch(() => undefined);
      if (!fh) continue;
      const ok = await fh.sync().then(
        () => true,
        () => false,
      );
      await fh.close().catch(() => {});
      if (ok) flushed.add(f);
    }
    syncing = undefined;
  })();
}

/**
 * The files below `dir` (whole paths) that syncSoon flushed once their writing was
 * over, forgotten here as they are returned. A folder being built has each name
 * written once; a file handed to syncSoon again is out of the set until it is
 * flushed again. Another thread's go to the thread that flushes the folder with noteFlushed.
 */
export function takeFlushed(dir: string): Set<string> {
  const whole = resolve(dir);
  const prefix = whole.endsWith(sep) ? whole : whole + sep;
  const out = new Set<string>();
  for (const f of flushed) {
    if (!f.startsWith(prefix)) continue;
    out.add(f);
    flushed.delete(f);
  }
  return out;
}

/** Files another thread wrote and flushed: syncTree need not flush them again. */
export function noteFlushed(paths: Iterable<string>): void {
  for (const f of paths) flushed.add(f);
}

/** When the files handed to syncSoon so far in this thread are flushed (or failed to be): another run's in the same process too. */
export async function syncsSettled(): Promise<void> {
  while (syncing) await syncing;
}

/**
 * Replace a whole output folder at once: build it in a staging folder next to
 * it, flush it to disk, mark it ready, then swap. An interrupted run leaves
 * the previous outputs intact; a crash between the two renames of the swap is
 * repaired by recoverDir at the next start. Call it while holding the
 * target's lock. `linkedOnDisk`: the files `build` links from elsewhere are
 * on disk already (see syncTree).
 */
export async function replaceDirAtomic(to: string, build: (staging: string) => Promise<void>, opts: { linkedOnDisk?: boolean } = {}): Promise<void> {
  // Whole: the files flushed below the staging folder are known by their whole paths (see takeFlushed).
  const target = resolve(to);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const id = randomBytes(4).toString('hex');
  const staging = `${target}.staging-${id}`;
  const ready = `${target}.ready-${id}`;
  const old = `${target}.old-${id}`;
  await mkdir(staging, { recursive: true });
  try {
    await build(staging);
    await syncTree(staging, opts.linkedOnDisk);
  } catch (err) {
    // Flushes still under way would record their files after this.
    await syncsSettled();
    takeFlushed(staging);
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  await rename(staging, ready);
  await fsyncDir(parent);
  let moved = false;
  try {
    await rename(target, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // For the crash tests: die where a crash would hurt most, between the two renames.
  if (process.env['ACCORDS_FAULT'] === 'swap') process.kill(process.pid, 'SIGKILL');
  await rename(ready, target);
  await fsyncDir(parent);
  if (moved) await rm(old, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// Locks

interface LockInfo {
  pid: number;
  host: string;
  started: string;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused pid apart. */
  ticks?: string;
  what: string;
}

function processTicks(pid: number): string | undefined {
  try {
    // Field 22 of /proc/PID/stat, counted after the command name (which may hold spaces).
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote the lock is still running (on this machine). */
function holderAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true;
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // The pid is taken: by the same process only if it started at the same time.
  const ticks = processTicks(info.pid);
  return !(info.ticks && ticks && ticks !== info.ticks);
}

export interface Lock {
  path: string;
  release(): Promise<void>;
}

/** Locks held by this process, so that a second taker in the same process is refused too. */
const held = new Set<string>();

/**
 * Take the lock file `path` for `what` (e.g. "the output folder out/"): one
 * process at a time. A lock left by a process that is no longer running is
 * taken over; a live holder makes this fail at once with a message naming it.
 */
export async function acquireLock(path: string, what: string): Promise<Lock> {
  await mkdir(dirname(path), { recursive: true });
  const mine: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), what, ...(processTicks(process.pid) ? { ticks: processTicks(process.pid)! } : {}) };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (held.has(path)) throw busy(path, what, mine);
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(`${JSON.stringify(mine)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      held.add(path);
      return {
        path,
        release: async () => {
          held.delete(path);
          // Remove it only if it is still ours.
          const now = await readFile(path, 'utf8').catch(() => '');
          if (now.includes(`"pid":${process.pid},`)) await rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let info: LockInfo | undefined;
    let age = 0;
    try {
      age = Date.now() - (await stat(path)).mtimeMs;
      info = JSON.parse(await readFile(path, 'utf8')) as LockInfo;
    } catch {
      info = undefined;
    }
    if (info && typeof info.pid === 'number' && holderAlive(info)) throw busy(path, what, info);
    // An unreadable lock younger than a few seconds is being written right now.
    if (!info && age < 3000) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    // A dead holder: move its lock aside (only one taker wins the rename), then try again.
    const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
    try {
      await rename(path, aside);
      await rm(aside, { force: true });
    } catch {
      // Someone else took it over first.
    }
  }
  throw new UserError(`could not take the lock for ${what}`, path, undefined, 'another accords process keeps taking it; try again when it has finished');
}

function busy(path: string, what: string, info: LockInfo): UserError {
  const since = info.started ? ` since ${info.started.replace('T', ' ').slice(0, 19)} UTC` : '';
  const who = info.pid === process.pid && info.host === hostname() ? 'this process' : `process ${info.pid}${info.host !== hostname() ? ` on ${info.host}` : ''}`;
  return new UserError(
    `${what} is in use by another accords run (${who}${since})`,
    path,
    undefined,
    info.host !== hostname() ? `wait for it to finish; if no accords process runs on ${info.host}, delete ${path}` : 'wait for it to finish and run again; a lock left by a process that no longer runs is cleared automatically',
  );
}

/** Run fn while holding the lock. */
export async function withLock<T>(path: string, what: string, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(path, what);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
