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
//       With --listing, the passage numbers are those of a listing saved earlier by
//       `list` (so notes written against it stay right after segmentation changes).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
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
