import { GRADES, OBJECTIVES, OBJECTIVE_INFO, type Objective } from '../core/taxonomy.js';
import type { Aggregate, Cell, Citation, EvidenceItem, Matrix, Profile, SourceCite } from '../aggregate/index.js';
import { md, mdLink } from './text.js';

/** How to read a cell, said the same way in every output. */
export const CELL_HELP =
  'Each cell: the strongest commitment grade found (explore < intend < commit < underway < completed), the number of distinct commitments (a sentence repeated in several statements counts once), how many of them are concrete (name an actor, a timeframe, an amount, a mechanism or a deliverable), and the strength score. "list" marks a cell whose commitments only name the area in a list of areas; ✓ marks a cell whose strongest evidence an analyst reviewed. "no clear reference" means the documents seem to lack one.';

export const STRENGTH_HELP =
  'Strength score: each distinct commitment gets points for its grade (explore 1, intend 2, commit 3, underway 4, completed 5) plus 1 for each concreteness signal, halved when it is only a list mention. The cell adds them up strongest first, the first in full, the second half, the third a third and so on (p1 + p2/2 + p3/3 + ...): the best evidence decides most of the score and more evidence adds with diminishing weight. One completed deliverable with a named agency, a date and an amount scores 8; three bare list mentions of promises score 1.5 + 0.75 + 0.5 = 2.75. Scores compare cells: a higher score means firmer, more concrete and more abundant evidence, not a probability.';

export function scopeLine(scope: Matrix['scope']): string {
  const parts = [scope.domain ? `domain ${scope.domain}` : 'all domains'];
  if (scope.from || scope.until) parts.push(`statements dated ${scope.from ?? 'any time'} to ${scope.until ?? 'now'}`);
  else parts.push('all dates');
  return parts.join(', ');
}

export function cellText(c: Cell): string {
  if (!c.grade) return 'no clear reference';
  return `${c.grade} · ${c.commitments} (${c.concrete} concrete) · ${c.strength.toFixed(1)}${c.listOnly ? ' · list' : ''}${c.reviewed ? ' ✓' : ''}`;
}

export function matrixMarkdown(agg: Aggregate): string {
  const m = agg.matrix;
  const lines = [
    '# Objectives matrix',
    '',
    `Scope: ${scopeLine(m.scope)}. ${CELL_HELP}`,
    '',
    STRENGTH_HELP,
    '',
    `| Partnership | Docs | ${OBJECTIVES.map((o) => OBJECTIVE_INFO[o].label).join(' | ')} |`,
    `|---|---:|${OBJECTIVES.map(() => '---').join('|')}|`,
  ];
  for (const r of m.rows) lines.push(`| ${md(r.name)} (${r.id}) | ${r.documents} | ${OBJECTIVES.map((o) => cellText(r.cells[o]!)).join(' | ')} |`);
  if (!m.rows.length) lines.push('', 'No documents in scope.');
  const ranked = m.rows
    .flatMap((r) => OBJECTIVES.map((o) => ({ r, o, c: r.cells[o]! })))
    .filter((x) => x.c.grade)
    .sort((a, b) => b.c.strength - a.c.strength || (a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : OBJECTIVES.indexOf(a.o) - OBJECTIVES.indexOf(b.o)));
  if (ranked.length) {
    lines.push('', '## Strongest cells', '');
    for (const x of ranked.slice(0, 15)) lines.push(`- ${x.c.strength.toFixed(1)}: ${md(x.r.name)} (${x.r.id}), ${OBJECTIVE_INFO[x.o].label.toLowerCase()}: ${x.c.grade}, ${x.c.commitments} commitment${x.c.commitments === 1 ? '' : 's'}, ${x.c.concrete} concrete`);
  }
  const without = agg.registry.withoutDocuments;
  if (without.length) {
    lines.push('', '## Registry partnerships without statements of their own', '', `${without.length} of ${agg.registry.partnerships}: ${without.map((p) => p.id).join(', ')}.`);
    const named = without.filter((p) => p.namedInPassages);
    if (named.length) {
      lines.push('', 'Named in other statements:', '');
      for (const p of named) lines.push(`- ${md(p.name)} (${p.id}): ${p.namedInPassages} passage${p.namedInPassages === 1 ? '' : 's'}${p.evidence ? ', with evidence (it has a row in the matrix)' : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function cites(list: SourceCite[]): string {
  return [...new Set(list.map((c) => c.code))].join(', ');
}

function citationLine(c: Citation): string {
  const also = c.urls && c.urls.length > 1 ? `; also at ${c.urls.slice(1).map((u) => mdLink(u, u)).join(', ')}` : '';
  return `- **${c.code}** ${c.date ?? 'undated'}: ${mdLink(c.title, c.url)}${also}`;
}

function evidenceLine(it: EvidenceItem): string {
  const flags = [
    it.grade,
    it.concreteness.length ? `concrete: ${it.concreteness.join(', ')}` : 'no concreteness signal',
    cites(it.sources),
    ...(it.reviewed ? ['reviewed'] : []),
    ...(it.listMention ? ['list mention'] : []),
  ];
  return `- "${md(it.text)}" (${flags.join('; ')})`;
}

const PER_SUBCATEGORY = 8;

export function profileMarkdown(p: Profile, agg: Aggregate): string {
  const lines: string[] = [`# ${md(p.name)} (${p.id})`, ''];
  lines.push(`- Parties: ${p.parties.join(', ') || 'unknown'}`);
  if (p.kind) lines.push(`- Kind: ${p.kind}`);
  lines.push(`- Launched: ${p.launched ?? 'unknown'}${p.ageYears !== undefined ? ` (${p.ageYears} years before the newest statement in the corpus, ${agg.asOf})` : ''}`);
  if (p.parent) lines.push(`- Part of: ${p.parent}`);
  if (p.children.length) lines.push(`- Includes: ${p.children.join(', ')}`);
  lines.push(`- Statements of its own: ${p.documents.length}${p.alsoCited.length ? `; statements of other partnerships with evidence for it: ${p.alsoCited.length}` : ''}`);
  lines.push(`- Scope: ${scopeLine(agg.scope)}`, '');

  lines.push('## Objectives at a glance', '', '| Objective | Cell |', '|---|---|');
  for (const o of OBJECTIVES) lines.push(`| ${OBJECTIVE_INFO[o].label} | ${cellText(p.objectives[o])} |`);

  lines.push('', '## Governance', '');
  const g = p.governance;
  if (!g.bodies.length && !g.chairs.length && !g.levels.length && !g.rhythm.length) {
    lines.push('The statements say nothing clear about how the partnership runs.');
  } else {
    if (g.bodies.length) {
      lines.push('Bodies (working groups, task forces, committees, dialogues):', '');
      for (const b of g.bodies) lines.push(`- ${md(b.name)}: ${b.status}${b.first ? `, first named ${b.first}` : ''} (${cites(b.cites)})`);
      lines.push('');
    }
    if (g.chairs.length) {
      lines.push('Chaired or led by:', '');
      for (const c of g.chairs) lines.push(`- ${md(c.who)}${c.of ? `, for the ${md(c.of)}` : ''} (${cites(c.cites)})`);
      lines.push('');
    }
    if (g.levels.length) lines.push(`Levels: ${g.levels.map((l) => `${l.level} (${cites(l.cites)})`).join('; ')}`, '');
    if (g.rhythm.length) lines.push(`Meeting rhythm: ${g.rhythm.map((r) => `${r.rhythm} (${cites(r.cites)})`).join('; ')}`, '');
    lines.push(`Read from ${g.passages.length} passage${g.passages.length === 1 ? '' : 's'} (negated sentences and other organisations' bodies left out; all of them in the JSON profile).`);
  }

  lines.push('', '## Milestones', '');
  if (!p.milestones.length) lines.push('No dated launch, meeting or signing is found in the statements.');
  for (const m of p.milestones) {
    const when = m.dated === 'statement' ? `${m.date} (date of the statement)` : m.date;
    lines.push(`- ${when}: ${m.kind}${m.planned ? ' (planned)' : ''}: ${md(m.what)}${m.cites.length ? ` (${cites(m.cites)})` : ''}`);
  }

  if (p.meetings.length > 1) {
    lines.push('', '## Objectives addressed at each meeting', '', `| Date | Statements | ${OBJECTIVES.map((o) => OBJECTIVE_INFO[o].label).join(' | ')} |`, `|---|---|${OBJECTIVES.map(() => '---:').join('|')}|`);
    for (const m of p.meetings) lines.push(`| ${m.date} | ${m.codes.join(', ')} | ${OBJECTIVES.map((o) => m.counts[o] ?? 0).join(' | ')} |`);
  }

  for (const o of OBJECTIVES) {
    const cell = p.objectives[o];
    lines.push('', `## ${OBJECTIVE_INFO[o].label}`, '');
    if (!cell.found) {
      lines.push(`The documents seem to lack a clear reference to ${OBJECTIVE_INFO[o].label.toLowerCase()}.`);
      continue;
    }
    lines.push(
      `Strongest grade: **${cell.grade}**; ${cell.commitments} distinct commitment${cell.commitments === 1 ? '' : 's'}, ${cell.concrete} concrete; strength ${cell.strength.toFixed(1)}${cell.listOnly ? '; list mentions only' : ''}${cell.reviewed ? '; strongest evidence reviewed by an analyst' : ''}.`,
    );
    for (const [sub, items] of Object.entries(cell.bySubcategory)) {
      lines.push('', `### ${md(sub)}`, '');
      for (const it of items.slice(0, PER_SUBCATEGORY)) lines.push(evidenceLine(it));
      if (items.length > PER_SUBCATEGORY) lines.push(`- … and ${items.length - PER_SUBCATEGORY} more in the JSON profile and the report.`);
    }
  }

  lines.push('', '## Documents', '');
  if (!p.documents.length) lines.push('No statement of its own in scope.');
  for (const c of p.documents) lines.push(citationLine(c));
  if (p.alsoCited.length) {
    lines.push('', 'Statements of other partnerships that name it, cited for their passages about it:', '');
    for (const c of p.alsoCited) lines.push(citationLine(c));
  }
  if (p.namedIn.length) {
    lines.push('', 'Also named (without evidence) in:', '');
    for (const c of p.namedIn) lines.push(citationLine(c));
  }
  return `${lines.join('\n')}\n`;
}

const pct = (x: number) => `${Number.isInteger(x) ? x : x.toFixed(1)}%`;

/** The study's questions, answered: breadth, concreteness, shared priorities, change over time, gaps. */
export function analysisMarkdown(agg: Aggregate): string {
  const a = agg.analysis;
  const totalSubs = OBJECTIVES.reduce((n, o) => n + agg.dataset.subcategories[o]!.length, 0);
  const lines = ['# The study\'s questions', '', `Scope: ${scopeLine(agg.scope)}. Counts are of distinct commitments: a sentence repeated in several statements counts once.`, ''];

  lines.push('## How broad is each partnership\'s agenda?', '', '| Partnership | Objectives | Subcategories | Distinct commitments | List mentions only |', '|---|---:|---:|---:|---:|');
  for (const b of [...a.breadth].sort((x, y) => y.subcategories - x.subcategories || y.objectives - x.objectives || (x.id < y.id ? -1 : 1))) {
    lines.push(`| ${b.id} | ${b.objectives}/5 | ${b.subcategories}/${totalSubs} | ${b.commitments} | ${b.listOnly} |`);
  }

  lines.push('', '## How concrete are its commitments?', '', 'Share of distinct commitments carrying each concreteness signal, and the grades of its commitments (per objective).', '');
  lines.push(`| Partnership | Commitments | Any signal | ${agg.dataset.signals.join(' | ')} | ${GRADES.join(' | ')} |`, `|---|---:|---:|${agg.dataset.signals.map(() => '---:').join('|')}|${GRADES.map(() => '---:').join('|')}|`);
  for (const c of [...a.concreteness].filter((x) => x.commitments).sort((x, y) => y.any - x.any || (x.id < y.id ? -1 : 1))) {
    lines.push(`| ${c.id} | ${c.commitments} | ${pct(c.any)} | ${agg.dataset.signals.map((s) => pct(c.signals[s] ?? 0)).join(' | ')} | ${GRADES.map((g) => c.grades[g] ?? 0).join(' | ')} |`);
  }

  lines.push('', '## Do partnerships share priorities?', '', 'Similarity of subcategory profiles (cosine of distinct-commitment counts per subcategory, 0 to 1), the ten most similar pairs:', '');
  const pairs: Array<{ a: string; b: string; v: number }> = [];
  const { ids, values } = a.similarity;
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.push({ a: ids[i]!, b: ids[j]!, v: values[i]![j]! });
  pairs.sort((x, y) => y.v - x.v || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : 1));
  lines.push('| Pair | Similarity |', '|---|---:|');
  for (const p of pairs.slice(0, 10)) lines.push(`| ${p.a} · ${p.b} | ${p.v.toFixed(2)} |`);
  lines.push('', 'Priorities most partnerships share (all pairs in `tables/similarity.csv`):', '', '| Subcategory | Partnerships |', '|---|---:|');
  for (const s of a.shared.slice(0, 12)) lines.push(`| ${md(s.subcategory)} | ${s.partnerships.length} |`);

  lines.push('', '### One country\'s priorities with different partners', '', 'Share of each partnership\'s distinct commitments per objective.');
  for (const c of a.countries) {
    lines.push('', `#### ${c.party}`, '', `| Partnership | Commitments | ${OBJECTIVES.map((o) => OBJECTIVE_INFO[o].label).join(' | ')} |`, `|---|---:|${OBJECTIVES.map(() => '---:').join('|')}|`);
    for (const p of c.partnerships) lines.push(`| ${p.id} | ${p.commitments} | ${OBJECTIVES.map((o) => pct(p.shares[o] ?? 0)).join(' | ')} |`);
  }

  lines.push('', '## How did each partnership\'s agenda change over time?', '', 'Distinct commitments per objective in the statements of each meeting (statements of the same date).');
  for (const x of a.overTime.filter((t) => t.meetings.length >= 2)) {
    lines.push('', `### ${x.id}`, '', `| Date | ${OBJECTIVES.map((o) => OBJECTIVE_INFO[o].label).join(' | ')} |`, `|---|${OBJECTIVES.map(() => '---:').join('|')}|`);
    for (const m of x.meetings) lines.push(`| ${m.date} | ${OBJECTIVES.map((o) => m.counts[o] ?? 0).join(' | ')} |`);
  }

  lines.push('', '## Gaps: what few partnerships address', '', `Of ${a.gaps.partnerships} partnerships in scope ("substantively": at least one commitment that is a firm promise or stronger and not a bare list mention):`, '', '| Objective | Addressing | Substantively | Not addressed by |', '|---|---:|---:|---|');
  for (const o of a.gaps.objectives) lines.push(`| ${OBJECTIVE_INFO[o.objective as Objective].label} | ${o.addressing} | ${o.substantive} | ${o.missing.join(', ') || '–'} |`);
  lines.push('', 'Least addressed subcategories:', '', '| Subcategory | Partnerships |', '|---|---:|');
  for (const s of a.gaps.subcategories.slice(0, 12)) lines.push(`| ${md(s.subcategory)} | ${s.partnerships} |`);
  return `${lines.join('\n')}\n`;
}
