/**
 * A worker thread of the run's pool: it loads the rules and the registry once,
 * then prepares documents (extract, segment, tag, summarise, cache) and renders
 * their outputs as the main thread asks, one message per task.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadRules, loadRegistry, compileRules } from '../rules/index.js';
import { loadDoc, prepareFile, renderDoc, type StageContext } from '../stage.js';
import type { PoolInit, Task } from './index.js';

const init = workerData as PoolInit;
const ready: Promise<StageContext> = (async () => {
  const rules = compileRules(await loadRules(init.rulesDir));
  const registry = await loadRegistry(init.registryFiles[0]!, ...init.registryFiles.slice(1));
  if (rules.version !== init.rulesVersion || registry.hash !== init.registryHash) throw new Error('the rules or the registry changed while the run was starting; run again');
  return { config: init.config, rules, registry };
})();
ready.catch(() => {});

async function handle(task: Task): Promise<unknown> {
  const ctx = await ready;
  if (task.kind === 'prepare') return prepareFile(task.job, ctx);
  const doc = await loadDoc(task.cached, task.display);
  if (task.patch) {
    if (task.patch.sourceUrls) doc.meta.sourceUrls = task.patch.sourceUrls;
    doc.partnerships = task.patch.partnerships;
  }
  const { jsonl, page } = renderDoc(doc, task.codes, ctx.registry);
  if (page !== undefined) {
    await mkdir(dirname(task.pagePath), { recursive: true });
    await writeFile(task.pagePath, page);
  }
  return jsonl;
}

parentPort!.on('message', (msg: { id: number; task: Task }) => {
  handle(msg.task).then(
    (value) => parentPort!.postMessage({ id: msg.id, ok: true, value }),
    (err: Error) => parentPort!.postMessage({ id: msg.id, ok: false, error: err?.message ?? String(err) }),
  );
});
