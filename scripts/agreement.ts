// Agreement between two readers who labelled the same statements independently:
//   node --import tsx scripts/agreement.ts A.jsonl B.jsonl [A2.jsonl B2.jsonl ...]
// Reader A is taken as the reference; the figures are the ones `accords eval`
// prints for the tagger (objective F1, grade exact and within one on the slots both
// readers found, domain F1), so a reader pair and the tagger can be compared.
import { readFile } from 'node:fs/promises';
import { labelSchema, type Label } from '../src/eval/local.js';
import { scoreDocs } from '../src/eval/index.js';
import { GRADES } from '../src/core/taxonomy.js';
import { krippendorffOrdinal } from '../src/eval/alpha.js';

const files = process.argv.slice(2);
if (files.length < 2 || files.length % 2) {
  console.error('usage: agreement.ts A.jsonl B.jsonl [A2.jsonl B2.jsonl ...]');
  process.exit(2);
}
const read = async (f: string): Promise<Label[]> => (await readFile(f, 'utf8')).split('\n').filter((l) => l.trim()).map((l) => labelSchema.parse(JSON.parse(l)));
const items = [];
for (let i = 0; i < files.length; i += 2) {
  const a = await read(files[i]!);
  const b = new Map((await read(files[i + 1]!)).map((l) => [`${l.file}:${l.start}`, l]));
  for (const la of a) {
    const lb = b.get(`${la.file}:${la.start}`);
    if (!lb) continue;
    items.push({
      gold: { id: `${la.file}@${la.start}`, text: '', objectives: la.objectives, grades: la.grades, domains: la.domains, governance: la.governance },
      pred: { objectives: lb.objectives.map((o) => ({ objective: o, grade: lb.grades[o]! })), domains: lb.domains, governance: lb.governance },
    });
  }
}
const s = scoreDocs(items);
const pairs: Array<[number, number]> = [];
for (const it of items) for (const o of it.gold.objectives) {
  const g = it.pred.objectives.find((x) => x.objective === o);
  if (g) pairs.push([GRADES.indexOf(it.gold.grades![o]!), GRADES.indexOf(g.grade)]);
}
console.log(`${items.length} passages read by both`);
console.log(`objective micro-F1 ${s.micro.f1.toFixed(3)} (P ${s.micro.precision.toFixed(3)} R ${s.micro.recall.toFixed(3)}); per objective ${Object.entries(s.objectives).map(([o, x]) => `${o} ${x.f1.toFixed(3)}`).join(', ')}`);
console.log(`grade exact ${s.grades.exact.toFixed(3)}, within one ${s.grades.withinOne.toFixed(3)}, alpha ${krippendorffOrdinal(pairs, GRADES.length).toFixed(3)} (n=${s.grades.n})`);
console.log(`domain F1 ${s.domains.f1.toFixed(3)}; governance F1 ${s.governance.f1.toFixed(3)}`);
