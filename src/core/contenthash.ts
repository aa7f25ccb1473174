/**
 * The content hashes of a corpus's statements, kept between runs with what the
 * file system says of each file: a statement (and its sidecar metadata) whose
 * size, modification and change times and inode are as they were when it was
 * hashed is not read again to learn that it did not change. Reading and hashing
 * every statement was a third of a run with nothing to do. A file changed less
 * than two seconds before it was hashed is read again at the next run all the
 * same: a second change within the same tick of its clock would not show.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';
import { writeFileAtomic } from './fsutil.js';

const FORMAT = 1;
const RACY_MS = 2000;
// About 150 bytes a file: the kept hashes stay under 8 MB.
const KEEP_AT_MOST = 50_000;

/** A file's hash, what stat said of the file and of its sidecar then, and when it was hashed. */
type Known = [hash: string, file: string, side: string, at: number];

const signature = (st: Stats | undefined) => (st ? `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}` : '-');

export class ContentHashes {
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly known: Map<string, Known>,
  ) {}

  /** The hashes kept in `file` (none when it is missing or cannot be read: every statement is then read). */
  static async open(file: string): Promise<ContentHashes> {
    const known = new Map<string, Known>();
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as { format?: number; files?: Record<string, unknown> };
      if (data.format === FORMAT && data.files && typeof data.files === 'object') {
        for (const [path, k] of Object.entries(data.files)) {
          if (Array.isArray(k) && k.length === 4 && typeof k[0] === 'string' && typeof k[1] === 'string' && typeof k[2] === 'string' && typeof k[3] === 'number') known.set(path, k as Known);
        }
      }
    } catch {
      // Not kept yet, or damaged: made again.
    }
    return new ContentHashes(file, known);
  }

  /**
   * The hash of a statement's bytes and its sidecar's (`path`.meta.json), read
   * only when either may have changed. Throws when the statement cannot be read.
   */
  hashOf(path: string): string {
    const side = `${path}.meta.json`;
    const st = statSync(path);
    const sideSt = statSync(side, { throwIfNoEntry: false });
    const sig = signature(st);
    const sideSig = signature(sideSt);
    const k = this.known.get(path);
    const newest = Math.max(st.mtimeMs, st.ctimeMs, sideSt?.mtimeMs ?? 0, sideSt?.ctimeMs ?? 0);
    if (k && k[1] === sig && k[2] === sideSig && k[3] - newest > RACY_MS) return k[0];
    const at = Date.now();
    // Read at once: through the thread pool, a small file's read costs more than the read itself.
    const bytes = readFileSync(path);
    const extra = sideSt ? readFileSync(side) : Buffer.alloc(0);
    const hash = createHash('sha256').update(bytes).update('\u0000').update(extra).digest('hex');
    // What stat says after the read: a file written meanwhile is read again next time.
    const after = signature(statSync(path));
    if (after === sig) {
      this.known.set(path, [hash, sig, sideSig, at]);
      this.changed = true;
    }
    return hash;
  }

  /**
   * Keep the hashes for the next run, leaving out the files `drop` says are gone.
   * Other corpus folders' statements run with the same cache are kept too, up to
   * `limit` files in all: past it, those hashed longest ago go first (never the
   * ones `keep` names, the statements of this run). A failure to write costs time,
   * not correctness.
   */
  async save(drop: (path: string) => boolean, keep: (path: string) => boolean = () => false, limit = KEEP_AT_MOST): Promise<void> {
    for (const path of this.known.keys()) {
      if (drop(path)) {
        this.known.delete(path);
        this.changed = true;
      }
    }
    if (this.known.size > limit) {
      const oldest = [...this.known].filter(([path]) => !keep(path)).sort((a, b) => a[1][3] - b[1][3]);
      for (const [path] of oldest.slice(0, this.known.size - limit)) {
        this.known.delete(path);
        this.changed = true;
      }
    }
    if (!this.changed) return;
    await mkdir(dirname(this.file), { recursive: true })
      .then(() => writeFileAtomic(this.file, JSON.stringify({ format: FORMAT, files: Object.fromEntries(this.known) }), { sync: false }))
      .catch(() => {});
    this.changed = false;
  }
}
