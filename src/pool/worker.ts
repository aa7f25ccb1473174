/**
 * A worker thread of the run's pool: it loads the rules and the registry once,
 * then prepares documents (extract, segment, tag, summarise, make their
 * outputs, cache them) as the main thread asks, one message per task.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadRulesCached, rulesCacheDir, loadRegistry, compileRules } from '../rules/index.js';
import { prepareFile, type StageContext } from '../stage.js';
import { giveVerdicts } from '../tag/imperative.js';
import type { PoolInit, Task } from './index.js';

const init = workerData as PoolInit;
giveVerdicts(init.verdicts ?? []);
// In the caches now: not held twice.
delete init.verdicts;
const ready: Promise<StageContext> = (async () => {
  const rules = compileRules(await loadRulesCached(init.rulesDir, rulesCacheDir(init.config)));
  const registry = await loadRegistry(init.registryFiles[0]!, ...init.registryFiles.slice(1));
  if (rules.version !== init.rulesVersion || registry.hash !== init.registryHash) throw new Error('the rules or the registry changed while the run was starting; run again');
  return { config: init.config, rules, registry };
})();
ready.catch(() => {});

async function handle(task: Task): Promise<unknown> {
  const ctx = await ready;
  return prepareFile(task.job, ctx);
}

parentPort!.on('message', (msg: { id: number; task: Task }) => {
  handle(msg.task).then(
    (value) => parentPort!.postMessage({ id: msg.id, ok: true, value }),
    (err: Error) => parentPort!.postMessage({ id: msg.id, ok: false, error: err?.message ?? String(err) }),
  );
});
