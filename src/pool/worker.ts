/**
 * A worker thread of the run. A thread of the pool loads the rules and the
 * registry once, then prepares documents (extract, segment, tag, summarise,
 * make their outputs, cache them) as the main thread asks, one message per
 * task. A thread started to write the statements' outputs (see outputsWriter)
 * is told where to write, then writes the items it is sent, in order, until it is
 * told there are no more.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadRulesCached, rulesCacheDir, loadRegistry, loadRegistryCached, registryCacheDir, compileRules, type Registry } from '../rules/index.js';
import { prepareFile, type StageContext } from '../stage.js';
import { giveVerdicts } from '../tag/imperative.js';
import { writeDocOutputs, type OutputItem } from '../outputs.js';
import { UserError } from '../core/errors.js';
import { syncsSettled, takeFlushed } from '../core/fsutil.js';
import type { OutputsInit, OutputsPlace, PoolInit, Task } from './index.js';

const init = workerData as PoolInit | OutputsInit;
if ('outputs' in init) writeOutputs();
else servePool(init);

function servePool(init: PoolInit): void {
  giveVerdicts(init.verdicts ?? []);
  // In the caches now: not held twice.
  delete init.verdicts;
  const ready: Promise<StageContext> = (async () => {
    const rules = compileRules(await loadRulesCached(init.rulesDir, rulesCacheDir(init.config)));
    const registry = await loadRegistryCached(init.registryFiles, registryCacheDir(init.config));
    if (rules.version !== init.rulesVersion || registry.hash !== init.registryHash) throw new Error('the rules or the registry changed while the run was starting; run again');
    return { config: init.config, rules, registry };
  })();
  ready.catch(() => {});

  const handle = async (task: Task): Promise<unknown> => prepareFile(task.job, await ready);

  parentPort!.on('message', (msg: { id: number; task: Task }) => {
    handle(msg.task).then(
      (value) => parentPort!.postMessage({ id: msg.id, ok: true, value }),
      (err: Error) => parentPort!.postMessage({ id: msg.id, ok: false, error: err?.message ?? String(err) }),
    );
  });
}

function writeOutputs(): void {
  // Batches of items as they arrive, handed to the writer in order (read by index:
  // shifting a queue of a whole corpus's items costs the square of their number).
  const batches: OutputItem[][] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  // Where to write comes first: the thread is started before the run knows.
  parentPort!.on('message', (msg: { place?: OutputsPlace; items?: OutputItem[]; end?: boolean }) => {
    if (msg.place) write(msg.place);
    if (msg.items?.length) batches.push(msg.items);
    if (msg.end) ended = true;
    wake?.();
  });
  async function* items(): AsyncGenerator<OutputItem> {
    for (let b = 0; ; ) {
      while (b < batches.length) {
        const batch = batches[b]!;
        // A batch written is not held any longer.
        batches[b++] = [];
        yield* batch;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  function write(o: OutputsPlace): void {
    let registry: Promise<Registry> | undefined;
    const load = async () => {
      const r = await loadRegistry(o.registryFiles[0]!, ...o.registryFiles.slice(1));
      if (r.hash !== o.registryHash) throw new UserError('the registry changed during the run', o.registryFiles[0], undefined, 'run again');
      return r;
    };
    writeDocOutputs(o.staging, o.previous, items(), () => (registry ??= load()))
      // The files this thread handed to the disk are flushed before it says it is done (it is ended then).
      .then(() => syncsSettled())
      .then(
        // With the files it flushed: the thread that swaps the folder in need not flush them again.
        () => parentPort!.postMessage({ ok: true, flushed: [...takeFlushed(o.staging)] }),
        // A problem the user can fix (a registry file made invalid meanwhile) goes back as one.
        (err: Error) => parentPort!.postMessage({ ok: false, error: err?.message ?? String(err), ...(err instanceof UserError ? { user: { file: err.file, line: err.line, hint: err.hint } } : {}) }),
      );
  }
}
