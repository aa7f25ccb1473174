// Making labels for test/gold without copying a statement's words into the project.
//
//   node --import tsx scripts/label.ts list ../shared/corpus/FILE.md
//       prints the passages as the pipeline cuts them, numbered, with raw offsets
//   node --import tsx scripts/label.ts write ../shared/corpus/FILE.md NOTES.txt test/gold/FILE.jsonl [--listing FILE.list]
//       turns short notes, one line per passage number, into labels:
//         12 research=commit/funding,institutions policy=intend d=ai,quantum g=underway
//         13 - d=semiconductors          (no objective; domains still count)
//       objective=grade[/subcategories]; d= domains; g= governance grade.
//       The labels hold file name, offsets and a fingerprint, never the text.
//   node --import tsx scripts/label.ts admit --batch NAME LABELS.jsonl...
//       the first-sight step: scores new label files with the tagger as it stands
//       (before any rule is changed for them), appends the figures to
//       test/gold/first-sight.jsonl and adds the labels to test/gold/dev/.
//       With --listing, the passage numbers are those of a listing saved earlier by
//       `list` (so notes written against it stay right after segmentation changes).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../src/config/index.js';
import { compileRules, loadRules } from '../src/rules/index.js';
import { loadLocalGold } from '../src/eval/local.js';
import { scoreDocs } from '../src/eval/index.js';
import { tagInContext } from '../src/eval/run.js';
import { appendFirstSight, entryFrom, formatTotals, readFirstSight, totals } from '../src/eval/firstsight.js';
import { placedPassages, labelSchema, type Label } from '../src/eval/local.js';
import { spanCheck } from '../src/eval/anchor.js';
import { writeFileAtomic } from '../src/core/fsutil.js';
import { GRADES, OBJECTIVES, objectiveOf, type Grade, type Objective } from '../src/core/taxonomy.js';

const args = process.argv.slice(2);
const li = args.indexOf('--listing');
const listing = li >= 0 ? args.splice(li, 2)[1] : undefined;
const [cmd, file, notes, outFile] = args;
if (!cmd || !file) {
  console.error('usage: label.ts list FILE | label.ts write FILE NOTES OUT.jsonl');
  process.exit(2);
}
if (cmd === 'admit') {
  await admit(args.slice(1));
  process.exit(0);
}
const { raw, passages } = await placedPassages(file);

if (cmd === 'list') {
  passages.forEach((p, i) => {
    const where = p.raw ? `${p.raw.start}-${p.raw.end}` : 'NOT-FOUND';
    const h = p.headings.length ? ` ⟨${p.headings.join(' / ')}⟩` : '';
    console.log(`#${i} ${where} ${p.kind}${h} ${p.text}`);
  });
} else if (cmd === 'write' && notes && outFile) {
  // Offsets by passage number: from a saved listing, or from today's segmentation.
  const spans = new Map<number, { start: number; end: number }>();
  if (listing) {
    for (const line of (await readFile(listing, 'utf8')).split('\n')) {
      const m = /^#(\d+) (\d+)-(\d+) /.exec(line);
      if (m) spans.set(Number(m[1]), { start: Number(m[2]), end: Number(m[3]) });
    }
  } else passages.forEach((p, i) => p.raw && spans.set(i, p.raw));
  const labels: Label[] = [];
  for (const [n, line] of (await readFile(notes, 'utf8')).split('\n').entries()) {
    const t = line.replace(/#.*/, '').trim();
    if (!t) continue;
    const [idx, ...parts] = t.split(/\s+/);
    const span = spans.get(Number(idx));
    if (!span) throw new Error(`${notes}:${n + 1}: no placed passage #${idx}`);
    const label: Record<string, unknown> = { file: basename(file), start: span.start, end: span.end, check: spanCheck(raw, span), objectives: [], subcategories: [], grades: {}, domains: [], governance: false };
    for (const part of parts) {
      if (part === '-') continue;
      const [key, value = ''] = part.split('=');
      if (key === 'd') label['domains'] = value.split(',').filter(Boolean);
      else if (key === 'g') {
        label['governance'] = true;
        label['governance_grade'] = value as Grade;
      } else if (OBJECTIVES.includes(key as Objective)) {
        const [grade, subs = ''] = value.split('/');
        if (!GRADES.includes(grade as Grade)) throw new Error(`${notes}:${n + 1}: unknown grade "${grade}"`);
        (label['objectives'] as string[]).push(key!);
        (label['grades'] as Record<string, string>)[key!] = grade!;
        (label['subcategories'] as string[]).push(...subs.split(',').filter(Boolean));
      } else throw new Error(`${notes}:${n + 1}: cannot read "${part}"`);
    }
    const objs = label['objectives'] as Objective[];
    for (const sub of label['subcategories'] as string[]) {
      const o = objectiveOf(sub);
      if (!o || !objs.includes(o)) throw new Error(`${notes}:${n + 1}: subcategory "${sub}" is not one of ${objs.join(', ') || 'no objective'} (see taxonomy section 1)`);
    }
    for (const o of objs) if (!(label['subcategories'] as string[]).some((s) => objectiveOf(s) === o)) throw new Error(`${notes}:${n + 1}: ${o} needs at least one of its subcategories`);
    labels.push(labelSchema.parse(label));
  }
  await writeFileAtomic(outFile, labels.map((l) => JSON.stringify(l)).join('\n') + '\n');
  console.error(`wrote ${labels.length} labels to ${outFile}`);
} else {
  console.error(`unknown command "${cmd}"`);
  process.exit(2);
}

async function admit(argv: string[]): Promise<void> {
  const bi = argv.indexOf('--batch');
  const batch = bi >= 0 ? argv.splice(bi, 2)[1] : undefined;
  const ni = argv.indexOf('--note');
  const note = ni >= 0 ? argv.splice(ni, 2)[1] : undefined;
  if (!batch || !argv.length) {
    console.error('usage: label.ts admit --batch NAME [--note TEXT] LABELS.jsonl...');
    process.exit(2);
  }
  const config = await loadConfig();
  const goldDir = resolve(config.root, config.localGold);
  const devDir = join(goldDir, 'dev');
  const logFile = join(goldDir, 'first-sight.jsonl');
  const corpus = resolve(config.root, config.sharedCorpus);
  const logged = new Set((await readFirstSight(logFile)).map((e) => e.file));
  const rules = compileRules(await loadRules(resolve(config.root, config.rules)));
  const code = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: config.root, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'rules'], { cwd: config.root, encoding: 'utf8' }).trim() ? '+changes' : '';
  const tmp = await mkdtemp(join(tmpdir(), 'accords-admit-'));
  const entries = [];
  for (const f of argv) {
    // One label per span: a sentence repeated in a statement is listed at its first place twice.
    const seen = new Set<string>();
    const lines = (await readFile(f, 'utf8')).split('\n').filter((l) => l.trim()).filter((l) => {
      const { file: fl, start, end } = JSON.parse(l) as Label;
      const key = `${fl}:${start}:${end}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const target = (JSON.parse(lines[0]!) as Label).file;
    if (logged.has(target)) throw new Error(`${target} was already scored at first sight; its labels are development data now`);
    if (existsSync(join(devDir, target.replace(/\.\w+$/, '.jsonl')))) throw new Error(`${target} already has labels in ${devDir}`);
    const dir = join(tmp, basename(f));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'labels.jsonl'), lines.join('\n') + '\n');
    const local = await loadLocalGold(dir, corpus);
    if (local.problems.length) throw new Error(local.problems.join('\n'));
    const scores = scoreDocs(local.labels.map((l) => ({ gold: l.gold, pred: tagInContext(l, rules) })));
    const entry = entryFrom(scores, { date: new Date().toISOString().slice(0, 10), batch, file: target, rules: rules.version, code: code + dirty, ...(note ? { note } : {}) });
    entries.push({ entry, target, lines });
    console.error(formatTotals(target, totals([entry])));
  }
  await appendFirstSight(logFile, entries.map((e) => e.entry));
  for (const e of entries) await writeFileAtomic(join(devDir, e.target.replace(/\.\w+$/, '.jsonl')), e.lines.join('\n') + '\n');
  console.error(formatTotals(`batch ${batch}`, totals(entries.map((e) => e.entry))));
  await rm(tmp, { recursive: true, force: true });
}
