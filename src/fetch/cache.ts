import { existsSync } from 'node:fs';
import { appendFile, mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../core/hash.js';
import { fsyncDir, writeFileAtomic } from '../core/fsutil.js';

/**
 * Raw responses, content-addressed: objects/<sha256> holds the bytes, and an
 * index maps each URL to its object and the validators (ETag, Last-Modified)
 * for conditional requests on the next fetch.
 *
 * Crash-safe: every change to the index is appended to a journal and flushed
 * to disk (fsync) before the fetch goes on, and the index is rewritten
 * atomically at the end, after which the journal is dropped. A fetch killed at
 * any point leaves an index plus a journal that together say what it had
 * stored, so the next fetch neither forgets a statement nor stores it twice.
 */
export interface CacheEntry {
  sha: string;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  finalUrl: string;
  fetchedAt: string;
  /** The corpus file this content was written to. */
  file?: string;
  /** When the content was already in the corpus from another address: that file. */
  sameAs?: string;
}

type JournalLine = { url: string; entry: CacheEntry } | { url: string; patch: Partial<CacheEntry> };

export class ResponseCache {
  private index: Record<string, CacheEntry> = {};
  private dirty = false;
  private journal: FileHandle | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** What load() had to repair (a damaged index, a cut journal line), for the fetch report. */
  readonly problems: string[] = [];

  constructor(readonly dir: string) {}

  private get indexPath(): string {
    return join(this.dir, 'index.json');
  }

  private get journalPath(): string {
    return join(this.dir, 'index.journal');
  }

  async load(): Promise<void> {
    if (existsSync(this.indexPath)) {
      try {
        this.index = JSON.parse(await readFile(this.indexPath, 'utf8')) as Record<string, CacheEntry>;
      } catch {
        // A damaged index only costs conditional requests; the journal and the corpus still say what was stored.
        this.index = {};
        this.problems.push(`${this.indexPath} was damaged and has been rebuilt`);
      }
    }
    if (existsSync(this.journalPath)) {
      const lines = (await readFile(this.journalPath, 'utf8')).split('\n');
      for (const [i, line] of lines.entries()) {
        if (!line.trim()) continue;
        let rec: JournalLine;
        try {
          rec = JSON.parse(line) as JournalLine;
        } catch {
          // Only the last line can be cut short by a crash.
          if (i < lines.length - 2) this.problems.push(`${this.journalPath}:${i + 1} was damaged and has been skipped`);
          continue;
        }
        if ('entry' in rec) this.index[rec.url] = rec.entry;
        else if (this.index[rec.url]) Object.assign(this.index[rec.url]!, rec.patch);
      }
      this.dirty = true;
    }
  }

  get(url: string): CacheEntry | undefined {
    return this.index[url];
  }

  entries(): Array<[string, CacheEntry]> {
    return Object.entries(this.index);
  }

  /** Append one change to the journal, flushed to disk before the promise resolves (changes are written in order). */
  private record(line: JournalLine): Promise<void> {
    const write = async () => {
      if (!this.journal) {
        await mkdir(this.dir, { recursive: true });
        const created = !existsSync(this.journalPath);
        this.journal = await open(this.journalPath, 'a');
        if (created) await fsyncDir(this.dir);
      }
      await appendFile(this.journal, `${JSON.stringify(line)}\n`);
      await this.journal.datasync();
    };
    this.queue = this.queue.then(write, write);
    return this.queue;
  }

  async put(url: string, body: Buffer, meta: Omit<CacheEntry, 'sha' | 'fetchedAt'>): Promise<CacheEntry> {
    const sha = sha256(body);
    const obj = join(this.dir, 'objects', sha.slice(0, 2), sha);
    if (!existsSync(obj)) await writeFileAtomic(obj, body);
    const entry: CacheEntry = { ...meta, sha, fetchedAt: new Date().toISOString() };
    this.index[url] = entry;
    this.dirty = true;
    await this.record({ url, entry });
    return entry;
  }

  async touch(url: string, patch: Partial<CacheEntry>): Promise<void> {
    const e = this.index[url];
    if (e) {
      Object.assign(e, patch);
      this.dirty = true;
      await this.record({ url, patch });
    }
  }

  async body(sha: string): Promise<Buffer> {
    return readFile(join(this.dir, 'objects', sha.slice(0, 2), sha));
  }

  /** Write the whole index atomically, then drop the journal it now contains. */
  async save(): Promise<void> {
    await this.queue.catch(() => {});
    if (this.dirty) {
      const sorted = Object.fromEntries(Object.entries(this.index).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      await writeFileAtomic(this.indexPath, `${JSON.stringify(sorted, null, 1)}\n`);
      this.dirty = false;
    }
    if (this.journal) {
      await this.journal.close();
      this.journal = undefined;
    }
    await rm(this.journalPath, { force: true });
  }
}
