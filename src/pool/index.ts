/**
 * A pool of worker threads for the run: documents are prepared (extracted,
 * segmented, tagged, summarised, their outputs made) on every core. Each task is
 * independent and the run puts results back in corpus order, so a run with a
 * pool writes exactly what a single-threaded run writes.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BUILD } from '../core/paths.js';
import { UserError } from '../core/errors.js';
import { noteFlushed } from '../core/fsutil.js';
import type { LoadedConfig } from '../config/index.js';
import type { PrepareJob } from '../stage.js';
import type { Verdict } from '../tag/imperative.js';
import type { OutputItem } from '../outputs.js';

export interface PoolInit {
  config: LoadedConfig;
  rulesDir: string;
  registryFiles: string[];
  /** What the main thread loaded: a worker that reads anything else stops. */
  rulesVersion: string;
  registryHash: string;
  /** The old-generation heap limit of each worker, in MB. */
  heapMb?: number;
  /** Part-of-speech verdicts kept from earlier runs. */
  verdicts?: Verdict[];
}

export type Task = { kind: 'prepare'; job: PrepareJob };

/** What a thread writing the statements' outputs is started with (see outputsWriter): where to write comes in its first message. */
export interface OutputsInit {
  outputs: true;
}

/** Where a thread writing the statements' outputs writes them, and the registry it reads to make a page a cache entry cannot give. */
export interface OutputsPlace {
  staging: string;
  previous: string | undefined;
  registryFiles: string[];
  registryHash: string;
}

/** The code a worker thread runs: the build's, or src/ through tsx. */
const workerEntry = () => (BUILD ? pathToFileURL(join(BUILD, 'pool', 'worker.js')) : new URL('./boot.mjs', import.meta.url));

/**
 * A thread that writes passages.jsonl and the statements' pages (writeDocOutputs
 * in outputs.ts) while the caller goes on with other work. It starts at once and
 * loads its code (a fifth of a second) while the caller works; `begin` tells it
 * where to write, then `push` items in order, `end`, then `wait` (which rejects
 * with the thread's error). `stop` ends the thread early, when the caller gives
 * up or finds it does not need it; until `begin` it does not keep the process alive.
 */
export function outputsWriter(): { begin(place: OutputsPlace): void; push(items: OutputItem[]): void; end(): void; wait(): Promise<void>; stop(): Promise<void> } {
  const w = new Worker(workerEntry(), { workerData: { outputs: true } satisfies OutputsInit });
  let settled = false;
  let stopped = false;
  const done = new Promise<void>((resolve, reject) => {
    w.on('message', (m: { ok: boolean; flushed?: string[]; error?: string; user?: { file?: string; line?: number; hint?: string } }) => {
      settled = true;
      if (m.ok) {
        // Not after the caller gave up: its staging folder is gone.
        if (!stopped) noteFlushed(m.flushed ?? []);
        resolve();
      }
      else reject(m.user ? new UserError(m.error ?? 'failed', m.user.file, m.user.line, m.user.hint) : new Error(m.error));
    });
    w.on('error', (err) => {
      settled = true;
      reject(err);
    });
    w.on('exit', (code) => {
      if (!settled) reject(new Error(`the thread writing passages.jsonl stopped (exit code ${code})`));
    });
  });
  done.catch(() => {}); // awaited by the caller; a failure before then must not go unhandled
  // Settled: the thread is not needed any more.
  const finished = done.then(
    () => w.terminate(),
    () => w.terminate(),
  );
  // Not keeping the process alive until it is given work (after its listeners: the first 'message' listener refs it).
  w.unref();
  let begun = false;
  return {
    begin: (place) => {
      if (begun) throw new Error('the thread writing passages.jsonl was told twice where to write');
      begun = true;
      w.ref();
      w.postMessage({ place });
    },
    push: (items) => w.postMessage({ items }),
    end: () => w.postMessage({ end: true }),
    wait: async () => {
      await done;
      await finished;
    },
    stop: async () => {
      stopped = true;
      await w.terminate();
    },
  };
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ task: Task; p: Pending }> = [];
  private readonly running = new Map<Worker, Map<number, Pending>>();
  private next = 0;
  private failure?: Error;
  private closed = false;

  /** `perWorker` tasks are in flight in each worker at once, so reading files overlaps with tagging. */
  constructor(size: number, init: PoolInit, private readonly perWorker = 2) {
    for (let i = 0; i < size; i++) {
      // A worker's own heap is kept small: it holds one document at a time, so a
      // smaller heap is collected more often instead of growing with garbage.
      // Built code starts the built worker; code run from src/ starts it through tsx.
      const w = new Worker(workerEntry(), { workerData: init, resourceLimits: { maxOldGenerationSizeMb: init.heapMb ?? 384 } });
      this.workers.push(w);
      this.running.set(w, new Map());
      for (let k = 0; k < perWorker; k++) this.idle.push(w);
      w.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
        const pending = this.running.get(w)!;
        const p = pending.get(m.id);
        pending.delete(m.id);
        this.idle.push(w);
        if (p) {
          if (m.ok) p.resolve(m.value);
          else p.reject(new Error(m.error));
        }
        this.pump();
      });
      const fail = (err: Error) => {
        this.failure ??= err;
        for (const p of this.running.get(w)!.values()) p.reject(err);
        this.running.get(w)!.clear();
        for (const q of this.queue.splice(0)) q.p.reject(err);
      };
      w.on('error', fail);
      w.on('exit', (code) => {
        if (code !== 0) fail(new Error(`a worker thread stopped (exit code ${code})`));
      });
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run<T>(task: Task): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ task, p: { resolve: resolve as (v: unknown) => void, reject } });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length && this.idle.length) {
      const w = this.idle.shift()!;
      const { task, p } = this.queue.shift()!;
      const id = this.next++;
      this.running.get(w)!.set(id, p);
      w.postMessage({ id, task });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
