/**
 * Output files a run can keep from the run before: a partnership's profile and
 * page come out the same whenever what they are made from is the same (see
 * OutputFile.inputs), and adding a statement to a large corpus changes the inputs
 * of a few partnerships only. A run records, for each such file it puts in out/,
 * the digest of its inputs and the file's identity on disk (inode, size and
 * modification time); the next run links a file from the previous outputs instead
 * of making it again only when the digest is the same and the file there is still
 * the one recorded: a file edited, replaced or copied in between is made again.
 * A file made of parts (the evidence table, a part per partnership: see
 * OutputFile.parts) is recorded with where each part is and its digest; the next
 * run copies a part whose digest is the same from the previous file, under the same
 * condition on that file.
 *
 * The record lives beside the cache of processed documents, one file per output
 * folder, written after the outputs are in place; a record that is missing,
 * damaged or older than the outputs only means files are made again.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { sha256 } from './core/hash.js';
import { linkInPlace, removeTempFiles, writeFileAtomic } from './core/fsutil.js';

interface Entry {
  /** For a file made whole: the digest of its inputs. */
  inputs?: string;
  /** For a file made of parts: where each part with inputs is, by its key: [digest of its inputs, first byte, end]. */
  parts?: Record<string, PartAt>;
  ino: string;
  size: string;
  mtime: string;
}

/** A part of a file: the digest of its inputs and its bytes, [start, end). */
export type PartAt = [inputs: string, start: number, end: number];

const isPartAt = (x: unknown): x is PartAt => Array.isArray(x) && x.length === 3 && typeof x[0] === 'string' && Number.isSafeInteger(x[1]) && Number.isSafeInteger(x[2]) && (x[1] as number) >= 0 && (x[1] as number) <= (x[2] as number);
const isEntry = (e: Partial<Record<keyof Entry, unknown>> | null | undefined): e is Entry =>
  !!e &&
  typeof e === 'object' &&
  typeof e.ino === 'string' &&
  typeof e.size === 'string' &&
  typeof e.mtime === 'string' &&
  (typeof e.inputs === 'string' || e.parts !== undefined) &&
  (e.inputs === undefined || typeof e.inputs === 'string') &&
  (e.parts === undefined || (!!e.parts && typeof e.parts === 'object' && !Array.isArray(e.parts) && Object.values(e.parts).every(isPartAt)));

const VERSION = 3;
/** A record of an output folder that is gone is removed once it is this old. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/** The record of the output folder `outDir`, kept in `dir`. */
export function keptRecordPath(dir: string, outDir: string): string {
  return join(dir, `${sha256(resolve(outDir)).slice(0, 16)}.json`);
}

async function identity(path: string): Promise<Omit<Entry, 'inputs'> | undefined> {
  const st = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  return { ino: String(st.ino), size: String(st.size), mtime: String(st.mtimeNs) };
}

/** An output folder's identity, and its run report's: the folder a run put in place, unless replaced since. */
interface Folder {
  ino: string;
  report: Omit<Entry, 'inputs'>;
}

async function folderOf(outDir: string): Promise<Folder | undefined> {
  const dir = await lstat(outDir, { bigint: true }).catch(() => undefined);
  const report = await identity(join(outDir, 'run-report.json'));
  return dir?.isDirectory() && report ? { ino: String(dir.ino), report } : undefined;
}

export class KeptOutputs {
  private readonly next = new Map<string, Entry>();

  private constructor(
    private readonly path: string,
    private readonly before: Map<string, Entry>,
    private readonly folder: Folder | undefined,
    /** When the record was written (its file's modification time, by the file system's clock). */
    private readonly savedNs: bigint | undefined,
  ) {}

  /** The record at `path`; empty when there is none or it cannot be read. */
  static async open(path: string): Promise<KeptOutputs> {
    const before = new Map<string, Entry>();
    let folder: Folder | undefined;
    let savedNs: bigint | undefined;
    try {
      savedNs = (await lstat(path, { bigint: true })).mtimeNs;
      const data = JSON.parse(await readFile(path, 'utf8')) as { version?: number; files?: Record<string, Entry>; folder?: Folder };
      const f = data.folder;
      if (data.version === VERSION && f && typeof f.ino === 'string' && f.report && typeof f.report.ino === 'string') folder = f;
      if (data.version === VERSION && data.files && typeof data.files === 'object') {
        for (const [name, e] of Object.entries(data.files)) {
          if (isEntry(e)) before.set(name, e);
        }
      }
    } catch {
      // No record (a first run) or an unreadable one: every file is made.
    }
    return new KeptOutputs(path, before, folder, savedNs);
  }

  /**
   * Whether `outDir` is still the folder the run that wrote this record put in place,
   * and nothing in it has been written, replaced or restored since (every file's
   * status last changed no later than the record was written: a copy can set a file's
   * modification time back, never its status-change time): then every file in it
   * was flushed to disk by a run, and a file linked from it need not be flushed again.
   * Asked before the run links anything (a link changes the file's status time too).
   */
  async sameFolder(outDir: string): Promise<boolean> {
    const now = await folderOf(outDir);
    const was = this.folder;
    if (!now || !was || this.savedNs === undefined) return false;
    if (now.ino !== was.ino || now.report.ino !== was.report.ino || now.report.size !== was.report.size || now.report.mtime !== was.report.mtime) return false;
    try {
      const entries = await readdir(outDir, { recursive: true, withFileTypes: true });
      const saved = this.savedNs;
      for (let i = 0; i < entries.length; i += 64) {
        const stats = await Promise.all(entries.slice(i, i + 64).map((e) => lstat(join(e.parentPath, e.name), { bigint: true })));
        if (stats.some((st) => st.ctimeNs > saved)) return false;
      }
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Link `name` from `previous` (the outputs being replaced) into `staging` when
   * it was made there from the same inputs and is still the file recorded. True
   * when it was kept.
   */
  async keep(name: string, inputs: string, staging: string, previous: string | undefined): Promise<boolean> {
    const was = this.before.get(name);
    if (!previous || !was || was.inputs !== inputs) return false;
    const there = await identity(join(previous, name));
    if (!there || there.ino !== was.ino || there.size !== was.size || there.mtime !== was.mtime) return false;
    if (!(await linkInPlace(join(previous, name), join(staging, name)))) return false;
    this.next.set(name, was);
    return true;
  }

  /** Record `name`, just written into `staging` from `inputs`. */
  async made(name: string, inputs: string, staging: string): Promise<void> {
    const id = await identity(join(staging, name));
    if (id) this.next.set(name, { inputs, ...id });
  }

  /**
   * Where the parts of `name` are in `previous` (the outputs being replaced), by
   * key, when the file there is still the one recorded; empty otherwise. A part
   * whose inputs are the same can then be copied from there instead of made again.
   */
  async partsOf(name: string, previous: string | undefined): Promise<Map<string, PartAt>> {
    const was = this.before.get(name);
    if (!previous || !was?.parts) return new Map();
    const there = await identity(join(previous, name));
    if (!there || there.ino !== was.ino || there.size !== was.size || there.mtime !== was.mtime) return new Map();
    const size = Number(was.size);
    return new Map(Object.entries(was.parts).filter(([, at]) => at[2] <= size));
  }

  /** Record `name`, just written into `staging`, made of `parts` (those with inputs; see partsOf). */
  async madeOfParts(name: string, parts: Record<string, PartAt>, staging: string): Promise<void> {
    const id = await identity(join(staging, name));
    if (id) this.next.set(name, { parts, ...id });
  }

  /**
   * Write the record of this run's files, once its outputs are in place in `outDir`;
   * remove the records of another version, those of output folders that no longer
   * exist and were not written for a month (a folder may be missing for a while: a
   * swap cut short and not yet repaired, a drive not mounted), and what writes cut
   * short left.
   */
  async save(outDir: string): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const files = Object.fromEntries([...this.next.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const folder = await folderOf(outDir);
    await writeFileAtomic(this.path, `${JSON.stringify({ version: VERSION, out: resolve(outDir), ...(folder ? { folder } : {}), files })}\n`);
    for (const name of await readdir(dir)) {
      const p = join(dir, name);
      if (!name.endsWith('.json') || p === this.path) continue;
      const other = await readFile(p, 'utf8').then((t) => JSON.parse(t) as { version?: number; out?: unknown }).catch(() => undefined);
      const old = async () => Date.now() - (await lstat(p)).mtimeMs > STALE_MS;
      if (other?.version !== VERSION || typeof other.out !== 'string' || (!existsSync(other.out) && (await old()))) await rm(p, { force: true });
    }
    await removeTempFiles(dir, false, 60_000);
  }
}
