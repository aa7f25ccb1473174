import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../core/hash.js';
import { writeFileAtomic } from '../core/fsutil.js';

/**
 * Raw responses, content-addressed: objects/<sha256> holds the bytes, and an
 * index maps each URL to its object and the validators (ETag, Last-Modified)
 * for conditional requests on the next fetch.
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

export class ResponseCache {
  private index: Record<string, CacheEntry> = {};
  private dirty = false;

  constructor(readonly dir: string) {}

  async load(): Promise<void> {
    const p = join(this.dir, 'index.json');
    if (existsSync(p)) {
      try {
        this.index = JSON.parse(await readFile(p, 'utf8')) as Record<string, CacheEntry>;
      } catch {
        // A damaged index only costs a full re-fetch; the objects are still there.
        this.index = {};
      }
    }
  }

  get(url: string): CacheEntry | undefined {
    return this.index[url];
  }

  entries(): Array<[string, CacheEntry]> {
    return Object.entries(this.index);
  }

  async put(url: string, body: Buffer, meta: Omit<CacheEntry, 'sha' | 'fetchedAt'>): Promise<CacheEntry> {
    const sha = sha256(body);
    const obj = join(this.dir, 'objects', sha.slice(0, 2), sha);
    if (!existsSync(obj)) {
      await mkdir(join(this.dir, 'objects', sha.slice(0, 2)), { recursive: true });
      await writeFileAtomic(obj, body);
    }
    const entry: CacheEntry = { ...meta, sha, fetchedAt: new Date().toISOString() };
    this.index[url] = entry;
    this.dirty = true;
    return entry;
  }

  touch(url: string, patch: Partial<CacheEntry>): void {
    const e = this.index[url];
    if (e) {
      Object.assign(e, patch);
      this.dirty = true;
    }
  }

  async body(sha: string): Promise<Buffer> {
    return readFile(join(this.dir, 'objects', sha.slice(0, 2), sha));
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    const sorted = Object.fromEntries(Object.entries(this.index).sort(([a], [b]) => a.localeCompare(b)));
    await writeFileAtomic(join(this.dir, 'index.json'), `${JSON.stringify(sorted, null, 1)}\n`);
    this.dirty = false;
  }
}
