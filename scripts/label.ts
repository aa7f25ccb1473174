// Making labels for test/gold without copying a statement's words into the project.
//
//   node --import tsx scripts/label.ts list ../shared/corpus/FILE.md
//       prints the passages as the pipeline cuts them, numbered, with raw offsets
//   node --import tsx scripts/label.ts write ../shared/corpus/FILE.md NOTES.txt test/gold/FILE.jsonl
//       turns short notes, one line per passage number, into labels:
//         12 research=commit/funding,institutions policy=intend d=ai,quantum g=underway
//         13 - d=semiconductors          (no objective; domains still count)
//       objective=grade[/subcategories]; d= domains; g= governance grade.
//       The labels hold file name, offsets and a fingerprint, never the text.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { placedPassages, labelSchema, type Label } from '../src/eval/local.js';
import { spanCheck } from '../src/eval/anchor.js';
import { writeFileAtomic } from '../src/core/fsutil.js';
import { GRADES, OBJECTIVES, type Grade, type Objective } from '../src/core/taxonomy.js';

const [cmd, file, notes, outFile] = process.argv.slice(2);
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
  const labels: Label[] = [];
  for (const [n, line] of (await readFile(notes, 'utf8')).split('\n').entries()) {
    const t = line.replace(/#.*/, '').trim();
    if (!t) continue;
    const [idx, ...parts] = t.split(/\s+/);
    const p = passages[Number(idx)];
    if (!p?.raw) throw new Error(`${notes}:${n + 1}: no placed passage #${idx}`);
    const label: Record<string, unknown> = { file: basename(file), start: p.raw.start, end: p.raw.end, check: spanCheck(raw, p.raw), objectives: [], subcategories: [], grades: {}, domains: [], governance: false };
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
    labels.push(labelSchema.parse(label));
  }
  await writeFileAtomic(outFile, labels.map((l) => JSON.stringify(l)).join('\n') + '\n');
  console.error(`wrote ${labels.length} labels to ${outFile}`);
} else {
  console.error(`unknown command "${cmd}"`);
  process.exit(2);
}
