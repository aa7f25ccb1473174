import type { Doc } from '../core/doc.js';
import { GRADE_INFO, OBJECTIVES, OBJECTIVE_INFO, type Objective } from '../core/taxonomy.js';
import type { Aggregate, Matrix, Profile } from '../aggregate/index.js';

/** Render stage: pure functions from aggregates to file contents (deterministic). */

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function scopeLine(m: Matrix): string {
  const parts = [m.scope.domain ? `domain ${m.scope.domain}` : 'all domains'];
  if (m.scope.from || m.scope.until) parts.push(`statements dated ${m.scope.from ?? 'any time'} to ${m.scope.until ?? 'now'}`);
  else parts.push('all dates');
  return parts.join(', ');
}

function cellText(c: Matrix['rows'][number]['cells'][Objective]): string {
  if (!c.grade) return 'no clear reference';
  return `${c.grade} (${c.passages})${c.reviewed ? ' ✓' : ''}`;
}

export function matrixMarkdown(m: Matrix): string {
  const lines = [
    '# Objectives matrix',
    '',
    `Scope: ${scopeLine(m)}. Each cell: the strongest commitment grade found (${Object.keys(GRADE_INFO).join(' < ')}), the number of supporting passages, and ✓ where an analyst reviewed it. "no clear reference" means the documents seem to lack one.`,
    '',
    `| Partnership | Docs | ${OBJECTIVES.map((o) => OBJECTIVE_INFO[o].label).join(' | ')} |`,
    `|---|---:|${OBJECTIVES.map(() => '---').join('|')}|`,
  ];
  for (const r of m.rows) lines.push(`| ${r.name} (${r.id}) | ${r.documents} | ${OBJECTIVES.map((o) => cellText(r.cells[o])).join(' | ')} |`);
  if (!m.rows.length) lines.push('', 'No documents in scope.');
  return `${lines.join('\n')}\n`;
}

function csvField(s: string | number | boolean | null): string {
  const t = s === null ? '' : String(s);
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

export function matrixCsv(m: Matrix): string {
  const header = ['partnership', 'name', 'documents', ...OBJECTIVES.flatMap((o) => [`${o}_grade`, `${o}_passages`, `${o}_reviewed`])];
  const rows = m.rows.map((r) => [r.id, r.name, r.documents, ...OBJECTIVES.flatMap((o) => [r.cells[o].grade ?? 'none', r.cells[o].passages, r.cells[o].reviewed])]);
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}

function quote(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function profileMarkdown(p: Profile): string {
  const lines: string[] = [`# ${p.name} (${p.id})`, ''];
  lines.push(`- Parties: ${p.parties.join(', ') || 'unknown'}`);
  lines.push(`- Launched: ${p.launched ?? 'unknown'}${p.ageYears !== undefined ? ` (${p.ageYears} years before the newest statement in the corpus)` : ''}`);
  if (p.parent) lines.push(`- Part of: ${p.parent}`);
  lines.push(`- Documents: ${p.documents.length}`, '');
  lines.push('## Documents', '');
  for (const c of p.documents) lines.push(`- **${c.code}** ${c.date ?? 'undated'}: [${c.title}](${c.url})${c.urls ? `; also at ${c.urls.slice(1).map((u) => `<${u}>`).join(', ')}` : ''}`);
  lines.push('', '## Governance', '');
  if (!p.governance.length) lines.push('The documents say nothing clear about how the partnership runs.');
  for (const g of p.governance.slice(0, 12)) lines.push(`- "${quote(g.text)}" (${g.grade ?? 'ungraded'}; ${g.cite})`);
  if (p.governance.length > 12) lines.push(`- … and ${p.governance.length - 12} more in the JSON profile.`);
  lines.push('', '## Milestones', '');
  for (const m of p.milestones) lines.push(`- ${m.date}: ${m.event}${m.cite ? ` (${m.cite})` : ''}`);
  for (const o of OBJECTIVES) {
    const cell = p.objectives[o];
    lines.push('', `## ${OBJECTIVE_INFO[o].label}`, '');
    if (!cell.found) {
      lines.push(`The documents seem to lack a clear reference to ${OBJECTIVE_INFO[o].label.toLowerCase()}.`);
      continue;
    }
    lines.push(`Strongest grade: **${cell.strongest}**; ${cell.passages} passage${cell.passages === 1 ? '' : 's'}${cell.reviewed ? '; reviewed by an analyst' : ''}.`);
    for (const [sub, items] of Object.entries(cell.bySubcategory)) {
      lines.push('', `### ${sub}`, '');
      for (const it of items.slice(0, 6)) {
        const flags = [it.grade, `concreteness ${it.concreteness.length}/5`, it.cite, ...(it.reviewed ? ['reviewed'] : []), ...(it.listMention ? ['list mention'] : [])];
        lines.push(`- "${quote(it.text)}" (${flags.join('; ')})`);
      }
      if (items.length > 6) lines.push(`- … and ${items.length - 6} more in the JSON profile.`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** One line per passage, tags included: the full record for other tools. */
export function passagesJsonl(docs: Doc[]): string {
  const out: string[] = [];
  for (const d of docs) {
    for (const p of d.passages) {
      out.push(
        JSON.stringify({
          id: p.id,
          doc: d.id,
          file: d.path,
          partnerships: d.partnerships,
          date: d.meta.date ?? null,
          kind: p.kind,
          start: p.start,
          end: p.end,
          source: p.source,
          heading: p.headings,
          text: p.text,
          objectives: p.tags.objectives.map((o) => ({ objective: o.objective, subcategories: o.subcategories, grade: o.grade, grade_reason: o.gradeReason, concreteness: o.concreteness, list_mention: o.listMention })),
          domains: p.tags.domains,
          governance: p.tags.governance,
          governance_grade: p.tags.governanceGrade ?? null,
          evidence: p.tags.evidence.map((e) => ({ rule: e.ruleId, label: e.label, match: e.match, start: e.start, end: e.end, scope: e.scope, rules_version: e.rulesVersion })),
          ...(p.review ? { review: p.review } : {}),
        }),
      );
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function renderAll(agg: Aggregate, docs: Doc[]): Map<string, string> {
  const files = new Map<string, string>();
  files.set('matrix.md', matrixMarkdown(agg.matrix));
  files.set('matrix.csv', matrixCsv(agg.matrix));
  files.set('matrix.json', json(agg.matrix));
  for (const p of agg.profiles) {
    files.set(`profiles/${p.id}.md`, profileMarkdown(p));
    files.set(`profiles/${p.id}.json`, json(p));
  }
  files.set('passages.jsonl', passagesJsonl(docs));
  return files;
}
