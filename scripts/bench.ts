/**
 * Speed benchmark: prints figures, asserts nothing. One JSON line per
 * measurement as it is made, then a readable table.
 *
 *   npm run bench                          everything (about 8 minutes on 2 cores)
 *   npm run bench -- --sizes 1000          whole-process runs on 1,000 statements only
 *   npm run bench -- --sizes 0             no whole-process runs (engine figures only)
 *   npm run bench -- --no-eval             without the tagging quality figures
 *
 * - tag+grade: the passages of the real statements (../shared/corpus, or
 *   --corpus DIR), tagged and graded in rounds on one core (this process) after
 *   an untimed warm-up round; the median round is reported. In the same run, on
 *   the same passages: one plain regular-expression scan, and compromise's
 *   sentences + verbs (on a sample: it is slow), as ratios.
 * - extraction per format, on the statements of the demo corpus and the real ones.
 * - whole runs of `accords run --full` on corpora of 1,000 and 10,000 statements
 *   built by scripts/bench-corpus.ts from the real statements with distinct text;
 *   wall time, peak resident memory and CPU use measured by /usr/bin/time; then
 *   the sizes of the report's index page and of the partnerships' evidence files;
 *   one statement added to the 1,000 and `accords run` again, an unchanged re-run,
 *   a run after a change of rules, and one more statement added, dated after all the
 *   others (as a statement published today is).
 * - the review store: decisions written and read per second.
 * - `accords eval`: the tagging quality figures, which speed work must not change.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir, cpus } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { compromise } from '../src/core/lazy.js';
import { extractFile } from '../src/extract/index.js';
import { segment } from '../src/segment/index.js';
import { loadRules, compileRules } from '../src/rules/index.js';
import { classify } from '../src/classify.js';
import { loadConfig } from '../src/config/index.js';
import { ReviewStore, type NewDecision } from '../src/review/index.js';
import { addNewerStatement, buildBenchCorpus, sourceStatements } from './bench-corpus.js';
import { ROOT } from '../src/core/paths.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
// The project's folder, found the same way when this runs from src/ through tsx or built (scripts/bench.mjs).
const root = ROOT;
const config = await loadConfig(undefined, root);
const corpus = resolve(opt('--corpus') ?? resolve(config.root, config.sharedCorpus));
const sizes = (opt('--sizes') ?? '1000,10000').split(',').map(Number).filter((n) => n > 0);
const timeoutS = Number(opt('--timeout') ?? 600);
if (!existsSync(corpus)) {
  console.error(`bench: corpus folder ${corpus} not found; pass --corpus DIR (the real statements live in ../shared/corpus)`);
  process.exit(2);
}

interface Row {
  measure: string;
  value: number | string;
  unit: string;
  note?: string;
  [k: string]: unknown;
}
const rows: Row[] = [];
const emit = (r: Row) => {
  rows.push(r);
  console.log(JSON.stringify(r));
};
const mb = (b: number) => b / (1024 * 1024);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

emit({ measure: 'machine', value: cpus().length, unit: 'cores', note: `${cpus()[0]?.model ?? '?'}; node ${process.version}` });

// ---- engine: tag+grade, regex scan, compromise ----------------------------------------
const rules = compileRules(await loadRules(opt('--rules') ? resolve(opt('--rules')!) : resolve(config.root, config.rules)));
const files = sourceStatements(corpus).map((f) => join(corpus, f));
const docs = [];
for (const f of files) docs.push(await extractFile(f, config.limits));
const passages = docs.flatMap((d) => segment(d).map((p) => ({ p, title: d.meta.title })));
const passageBytes = passages.reduce((n, x) => n + Buffer.byteLength(x.p.text), 0);
emit({ measure: 'corpus', value: files.length, unit: 'statements', passages: passages.length, mb: round(mb(passageBytes), 3), note: `passages of ${corpus}` });

const tagAll = () => {
  for (const { p, title } of passages) classify({ text: p.text, headings: p.headings, title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules);
};
tagAll(); // warm-up: JIT, regular-expression tier-up, per-word caches
const speeds: number[] = [];
let tagged = 0;
while (tagged < 5 * 1024 * 1024 || speeds.length < 5) {
  const t0 = performance.now();
  tagAll();
  speeds.push((performance.now() - t0) / 1000);
  tagged += passageBytes;
}
const tagS = median(speeds);
const tagMBs = mb(passageBytes) / tagS;
emit({ measure: 'tag+grade', value: round(tagMBs), unit: 'MB/s', passages_per_s: Math.round(passages.length / tagS), rounds: speeds.length, note: 'one core, median round after warm-up' });

// One plain regular-expression scan over the same passages.
const scanRe = /\b(?:cooperat\w*|research\w*|semiconductor\w*|workforce|commit\w*|will)\b/gi;
let hits = 0;
const scanAll = () => {
  for (const { p } of passages) {
    scanRe.lastIndex = 0;
    while (scanRe.exec(p.text)) hits++;
  }
};
scanAll();
const scanSpeeds: number[] = [];
for (let i = 0; i < 15; i++) {
  const t0 = performance.now();
  scanAll();
  scanSpeeds.push((performance.now() - t0) / 1000);
}
const scanMBs = mb(passageBytes) / median(scanSpeeds);
emit({ measure: 'regex scan', value: round(scanMBs), unit: 'MB/s', ratio: round(tagMBs / scanMBs, 3), note: 'tag+grade speed / scan speed (must be >= 0.1)' });

// compromise: sentences and verbs of every passage of a sample (one statement in nine).
const sample = passages.filter((_, i) => i % 9 === 0);
const sampleBytes = sample.reduce((n, x) => n + Buffer.byteLength(x.p.text), 0);
// The same build of compromise as the tagger loads.
const nlp = compromise();
for (const { p } of sample.slice(0, 100)) (nlp(p.text).sentences() as unknown as { verbs(): { out(f: string): unknown } }).verbs().out('array');
let t0 = performance.now();
for (const { p } of sample) (nlp(p.text).sentences() as unknown as { verbs(): { out(f: string): unknown } }).verbs().out('array');
const nlpMBs = mb(sampleBytes) / ((performance.now() - t0) / 1000);
emit({ measure: 'compromise baseline', value: round(nlpMBs, 3), unit: 'MB/s', ratio: round(tagMBs / nlpMBs, 1), note: `sentences + verbs on ${sample.length} of the same passages; tag+grade speed / compromise speed (must be >= 50)` });

// ---- extraction per format ---------------------------------------------------------------
const byFormat = new Map<string, string[]>();
for (const dir of [resolve(root, 'corpus'), corpus]) {
  for (const f of readdirSync(dir).sort()) {
    const ext = extname(f).slice(1).toLowerCase();
    if (['md', 'txt', 'html', 'pdf'].includes(ext) && !/^readme/i.test(f)) {
      const list = byFormat.get(ext) ?? [];
      list.push(join(dir, f));
      byFormat.set(ext, list);
    }
  }
}
for (const [ext, list] of [...byFormat.entries()].sort()) {
  const bytes = list.reduce((n, f) => n + statSync(f).size, 0);
  const times: number[] = [];
  for (const f of list) await extractFile(f, config.limits);
  let spent = 0;
  while (times.length < 3 || (spent < 1.5 && times.length < 50)) {
    const t = performance.now();
    for (const f of list) await extractFile(f, config.limits);
    times.push((performance.now() - t) / 1000);
    spent += times.at(-1)!;
  }
  emit({ measure: `extract ${ext}`, value: round(mb(bytes) / median(times)), unit: 'MB/s', files: list.length, note: 'file bytes read per second, median round' });
}

// ---- the review store --------------------------------------------------------------------
{
  const dir = mkdtempSync(join(tmpdir(), 'accords-bench-store-'));
  const store = new ReviewStore(join(dir, 'reviews.sqlite'));
  const labels = { objectives: [{ objective: 'research' as const, grade: 'commit' as const }], domains: [], governance: false };
  const decision = (i: number): NewDecision => ({ docKey: `doc${i % 97}`, docHash: 'h', passageKey: `p${i}`, passageId: `id${i}`, text: `An invented passage number ${i} about joint research.`, reviewer: 'bench', action: 'accept', before: labels });
  const n = 300;
  t0 = performance.now();
  for (let i = 0; i < n; i++) store.add(decision(i));
  const one = n / ((performance.now() - t0) / 1000);
  const bulk = Array.from({ length: 5000 }, (_, i) => decision(n + i));
  t0 = performance.now();
  store.addMany(bulk);
  const many = bulk.length / ((performance.now() - t0) / 1000);
  store.close();
  t0 = performance.now();
  const again = new ReviewStore(join(dir, 'reviews.sqlite'));
  const eff = again.effective();
  const openS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  let found = 0;
  for (let i = 0; i < n + bulk.length; i++) if (again.current(`doc${i % 97}`, `p${i}`)) found++;
  const lookups = (n + bulk.length) / ((performance.now() - t0) / 1000);
  again.close();
  rmSync(dir, { recursive: true, force: true });
  emit({ measure: 'review store write', value: Math.round(one), unit: 'decisions/s', note: 'one decision per transaction, synchronous=FULL' });
  emit({ measure: 'review store bulk write', value: Math.round(many), unit: 'decisions/s', note: `${bulk.length} decisions in one transaction` });
  emit({ measure: 'review store read', value: Math.round(eff.size / openS), unit: 'decisions/s', note: `opening a store of ${eff.size} decisions` });
  emit({ measure: 'review store lookup', value: Math.round(lookups), unit: 'lookups/s', note: `${found} decisions in force` });
}

// ---- start-up: a whole process for one small task -------------------------------------------
{
  const timeIt = (args: string[], input?: string) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'bin/accords.js'), ...args], { cwd: root, encoding: 'utf8', timeout: timeoutS * 1000, ...(input !== undefined ? { input } : {}) });
    return r.status === 0 ? (performance.now() - t0) / 1000 : NaN;
  };
  const passage = JSON.stringify({ text: 'The two governments will launch a joint research programme on quantum sensing in 2026.' });
  timeIt(['tag'], passage); // fills the rules cache if it is empty
  const help = median([0, 1, 2].map(() => timeIt(['--help'])));
  const tag = median([0, 1, 2].map(() => timeIt(['tag'], passage)));
  emit({ measure: 'start-up: accords --help', value: round(help), unit: 's', note: 'whole process, median of 3' });
  emit({ measure: 'start-up: accords tag, one passage', value: round(tag), unit: 's', note: 'whole process with the rules from the cache, median of 3' });
}

// ---- whole-process runs ----------------------------------------------------------------
interface Timed {
  ok: boolean;
  wall: number;
  rssMB: number;
  cores: number;
  tail: string;
  /** Seconds per phase, from the run report. */
  phases?: Record<string, number>;
  /** Passages that kept their tags through a change of rules, from the run report. */
  kept?: number;
}
function timedRun(cfg: string, corpusDir: string, outDir: string, full: boolean): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %M %U %S', process.execPath, join(root, 'bin/accords.js'), 'run', '--config', cfg, '--corpus', corpusDir, '--out', outDir, '--quiet', ...(full ? ['--full'] : [])], {
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /@@time ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => l.trim() && !l.startsWith('@@time')).slice(-3).join(' | ').slice(0, 400);
  if (!m) return { ok: false, wall: NaN, rssMB: NaN, cores: NaN, tail: r.error ? `${r.error.message}` : tail };
  const wall = Number(m[1]);
  let report: { phases?: Record<string, number>; kept_tags?: number } = {};
  try {
    report = JSON.parse(readFileSync(join(outDir, 'run-report.json'), 'utf8')) as typeof report;
  } catch {
    report = {};
  }
  const { phases, kept_tags: kept } = report;
  return { ok: r.status === 0, wall, rssMB: Math.round(Number(m[2]) / 1024), cores: round((Number(m[3]) + Number(m[4])) / Math.max(wall, 0.01)), tail, ...(phases ? { phases } : {}), ...(kept !== undefined ? { kept } : {}) };
}
/** What a reader's browser opens: the report's index page, and the partnerships' evidence files it reads a cell's evidence from (MB). */
function reportSizes(outDir: string): { report_index_mb?: number; report_evidence_mb?: number } {
  try {
    const evidence = join(outDir, 'report', 'evidence');
    const files = existsSync(evidence) ? readdirSync(evidence).map((f) => statSync(join(evidence, f))) : [];
    return {
      report_index_mb: round(mb(statSync(join(outDir, 'report', 'index.html')).size), 1),
      report_evidence_mb: round(mb(files.reduce((n, st) => n + st.size, 0)), 1),
    };
  } catch {
    return {};
  }
}
/** A run's phases for its row, when it ran and its report says them. */
const phasesOf = (t: Timed) => (t.ok && t.phases ? { phases: t.phases } : {});
if (sizes.length && !existsSync('/usr/bin/time')) {
  emit({ measure: 'runs', value: 'skipped', unit: '', note: '/usr/bin/time is missing (apt-get install time)' });
} else {
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `accords-bench-${size}-`));
    try {
      const corpusDir = join(dir, 'corpus');
      buildBenchCorpus(corpus, corpusDir, size);
      const cfg = join(dir, 'bench.config.mts');
      // A copy of the rules, so that a run after a change of rules can be timed.
      const rulesCopy = join(dir, 'rules');
      cpSync(resolve(config.root, config.rules), rulesCopy, { recursive: true });
      writeFileSync(cfg, `export default ${JSON.stringify({ rules: rulesCopy, cacheDir: join(dir, 'cache'), review: { db: join(dir, 'reviews.sqlite') }, concurrency: config.concurrency })};\n`);
      const note = `${size} statements built from ${files.length} real ones with distinct text (scripts/bench-corpus.ts)`;
      const full = timedRun(cfg, corpusDir, join(dir, 'out'), true);
      emit({ measure: `run ${size} --full`, value: full.ok ? full.wall : 'failed', unit: 's', peak_rss_mb: full.rssMB, cpu_cores: full.cores, ...phasesOf(full), ...(full.ok ? reportSizes(join(dir, 'out')) : {}), note: full.ok ? note : `${note}; ${full.tail}` });
      if (size === 1000 && full.ok) {
        const added = buildBenchCorpus(corpus, corpusDir, 1, size);
        const inc = timedRun(cfg, corpusDir, join(dir, 'out'), false);
        emit({ measure: `run ${size}+1`, value: inc.ok ? inc.wall : 'failed', unit: 's', peak_rss_mb: inc.rssMB, cpu_cores: inc.cores, ...phasesOf(inc), note: inc.ok ? `one statement added (${added.length})` : inc.tail });
        const same = timedRun(cfg, corpusDir, join(dir, 'out'), false);
        emit({ measure: `run ${size + 1} unchanged`, value: same.ok ? same.wall : 'failed', unit: 's', peak_rss_mb: same.rssMB, cpu_cores: same.cores, note: same.ok ? 'nothing changed' : same.tail });
        // A rule change as analysts make them: a pattern added to one rule. Every statement
        // is tagged again; the passages none of the changed words can occur in keep their tags.
        const research = join(rulesCopy, 'objectives', 'research.yaml');
        const before = readFileSync(research, 'utf8');
        const edited = before.replace(/(  - id: research\.institutions\n[\s\S]*?\n    patterns:\n)/, '$1      - centers? of excellence\n');
        writeFileSync(research, edited);
        const rc = timedRun(cfg, corpusDir, join(dir, 'out'), false);
        emit({ measure: `run ${size + 1} after a rule change`, value: rc.ok ? rc.wall : 'failed', unit: 's', peak_rss_mb: rc.rssMB, cpu_cores: rc.cores, ...phasesOf(rc), ...(rc.kept !== undefined ? { kept_tags: rc.kept } : {}), note: rc.ok ? (edited === before ? 'the rule edit did not apply: every passage tagged again' : `a pattern added to one rule (research.institutions): every statement tagged again, ${rc.kept ?? 0} passages kept their tags`) : rc.tail });
        // A rule moved to the end of its file whose `#year` pattern has no word to look
        // for: no passage can keep its tags, every one is tagged again (as every rule change did before).
        const concreteness = join(rulesCopy, 'concreteness.yaml');
        const moved = readFileSync(concreteness, 'utf8');
        const a = moved.indexOf('  - id: signal.timeframe\n');
        const b = moved.indexOf('  - id: ', a + 1);
        const canMove = a >= 0 && b > a && moved.slice(a, b).includes('"#year"');
        if (canMove) writeFileSync(concreteness, `${moved.slice(0, a)}${moved.slice(b).trimEnd()}\n${moved.slice(a, b)}`);
        const ro = canMove ? timedRun(cfg, corpusDir, join(dir, 'out'), false) : undefined;
        if (!ro) emit({ measure: `run ${size + 1} after a rule moved`, value: 'skipped', unit: '', note: 'signal.timeframe with its "#year" pattern is not in concreteness.yaml' });
        else emit({ measure: `run ${size + 1} after a rule moved`, value: ro.ok ? ro.wall : 'failed', unit: 's', peak_rss_mb: ro.rssMB, cpu_cores: ro.cores, ...phasesOf(ro), ...(ro.kept !== undefined ? { kept_tags: ro.kept } : {}), note: ro.ok ? `signal.timeframe (its "#year" pattern has no word to look for) moved to the end of its file: every passage tagged again (${ro.kept ?? 0} kept their tags)` : ro.tail });
        // A statement newer than all the others, as one published today is: the date every profile's age is measured to moves.
        const newer = addNewerStatement(corpus, corpusDir, size + 1, 10);
        const nw = timedRun(cfg, corpusDir, join(dir, 'out'), false);
        emit({ measure: `run ${size + 1}+1 newest`, value: nw.ok ? nw.wall : 'failed', unit: 's', peak_rss_mb: nw.rssMB, cpu_cores: nw.cores, ...phasesOf(nw), note: nw.ok ? `one statement added, dated ten days after the newest (${basename(newer)})` : nw.tail });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// ---- tagging quality: must not change -----------------------------------------------------
if (!flag('--no-eval')) {
  const r = spawnSync(process.execPath, [join(root, 'bin/accords.js'), 'eval'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutS * 1000 });
  const out = r.stdout ?? '';
  const hash = createHash('sha256').update(out).digest('hex').slice(0, 16);
  const figures = out.split('\n').filter((l) => /\b(micro|macro|F1|precision|recall|accuracy|alpha)\b/i.test(l)).slice(0, 12);
  // eval exits 1 while a quality floor is not met: its figures are still the ones to compare.
  const ran = r.status === 0 || (r.status === 1 && out.includes('SUMMARY'));
  emit({ measure: 'eval', value: ran ? hash : 'failed', unit: 'sha256 of output', note: `accords eval: any change in tagging changes this${r.status === 1 ? '; floors not met (exit 1)' : ''}`, figures });
}

// ---- the table ---------------------------------------------------------------------------
const fmt = (r: Row) => {
  const extra = ['passages_per_s', 'ratio', 'peak_rss_mb', 'cpu_cores', 'report_index_mb', 'report_evidence_mb']
    .filter((k) => r[k] !== undefined)
    .map((k) => `${k.replace(/_/g, ' ')} ${r[k]}`)
    .join(', ');
  return [r.measure, `${r.value} ${r.unit}`, extra];
};
const table = rows.filter((r) => r.measure !== 'eval').map(fmt);
const widths = [0, 1, 2].map((i) => Math.max(...table.map((t) => t[i]!.length), 8));
console.log('');
for (const t of table) console.log(t.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
// Where the whole-process runs spent their time (from their run reports); the rest is the flush to disk, the swap and the process's start and exit.
for (const r of rows) {
  const phases = r['phases'] as Record<string, number> | undefined;
  if (!phases || typeof r.value !== 'number') continue;
  const sum = Object.values(phases).reduce((a, b) => a + b, 0);
  console.log(`${r.measure} phases: ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}; the rest ${Math.max(0, r.value - sum).toFixed(2)} s`);
}
const ev = rows.find((r) => r.measure === 'eval');
if (ev) {
  console.log(`eval output ${ev.value}`);
  for (const l of (ev['figures'] as string[]) ?? []) console.log(`  ${l.trim()}`);
}
