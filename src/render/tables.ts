import { GRADES, OBJECTIVES } from '../core/taxonomy.js';
import type { Aggregate, Profile, SourceCite } from '../aggregate/index.js';
import { csv, csvHeader, csvRows, piecesOf, textFiles, type FileText, type OutputFile, type OutputPart } from './text.js';

/** The matrix and the study's measures as CSV, one file per table (RFC 4180, spreadsheet-safe). */

const codes = (list: SourceCite[]) => [...new Set(list.map((c) => c.code))].join(' ');

export function matrixCsv(agg: Aggregate): string {
  const header = ['partnership', 'name', 'documents', 'commitments', ...OBJECTIVES.flatMap((o) => [`${o}_grade`, `${o}_commitments`, `${o}_concrete`, `${o}_list_only`, `${o}_strength`, `${o}_reviewed`])];
  const rows = agg.matrix.rows.map((r) => [
    r.id,
    r.name,
    r.documents,
    r.commitments,
    ...OBJECTIVES.flatMap((o) => {
      const c = r.cells[o]!;
      return [c.grade ?? 'none', c.commitments, c.concrete, c.listOnly, c.strength, c.reviewed];
    }),
  ]);
  return csv(header, rows);
}

const EVIDENCE_HEADER = ['partnership', 'objective', 'subcategory', 'subcategories', 'grade', 'points', 'concreteness', 'list_mention', 'reviewed', 'domains', 'rules', 'citations', 'statements', 'text'];

/** The evidence table a row at a time: on a large corpus it runs to hundreds of megabytes. */
export function* evidenceCsvPieces(agg: Aggregate): Generator<string> {
  for (const part of evidenceCsvParts(agg)) yield* piecesOf(part.make());
}

/**
 * The same table in parts: its header, then each partnership's rows, made from its
 * profile alone, without its age (so from the partnership's inputs: see partnershipInputs).
 */
export function* evidenceCsvParts(agg: Aggregate): Generator<OutputPart> {
  yield { key: '', make: () => csvHeader(EVIDENCE_HEADER) };
  for (const p of agg.profiles) {
    const inputs = agg.inputs?.[p.id];
    yield { key: p.id, make: () => csvRows(evidenceRows(p)), ...(inputs ? { inputs } : {}) };
  }
}

function* evidenceRows(p: Profile): Generator<Array<string | number | boolean>> {
  for (const o of OBJECTIVES) {
    for (const [sub, items] of Object.entries(p.objectives[o].bySubcategory)) {
      for (const it of items) {
        yield [p.id, o, sub, it.subcategories.join(' '), it.grade, it.points, it.concreteness.join(' '), it.listMention, it.reviewed, it.domains.join(' '), it.rules.join(' '), codes(it.sources), it.sources.length, it.text];
      }
    }
  }
}

export function governanceCsv(agg: Aggregate): string {
  const rows: Array<Array<string | number>> = [];
  for (const p of agg.profiles) {
    const g = p.governance;
    for (const b of g.bodies) rows.push([p.id, 'body', b.name, b.status, codes(b.cites)]);
    for (const c of g.chairs) rows.push([p.id, 'chair', c.of ? `${c.who} (${c.of})` : c.who, '', codes(c.cites)]);
    for (const l of g.levels) rows.push([p.id, 'level', l.level, '', codes(l.cites)]);
    for (const r of g.rhythm) rows.push([p.id, 'rhythm', r.rhythm, '', codes(r.cites)]);
  }
  return csv(['partnership', 'fact', 'value', 'status', 'citations'], rows);
}

export function milestonesCsv(agg: Aggregate): string {
  const rows = agg.profiles.flatMap((p) => p.milestones.map((m) => [p.id, m.date, m.dated, m.kind, m.planned, m.what, codes(m.cites)]));
  return csv(['partnership', 'date', 'dated_by', 'kind', 'planned', 'what', 'citations'], rows);
}

export function breadthCsv(agg: Aggregate): string {
  return csv(
    ['partnership', 'objectives', 'subcategories', 'commitments', 'list_mentions_only', 'objective_ids', 'subcategory_ids'],
    agg.analysis.breadth.map((b) => [b.id, b.objectives, b.subcategories, b.commitments, b.listOnly, b.objectiveIds.join(' '), b.subcategoryIds.join(' ')]),
  );
}

export function concretenessCsv(agg: Aggregate): string {
  const signals = agg.dataset.signals;
  return csv(
    ['partnership', 'commitments', 'any_signal_pct', ...signals.map((s) => `${s}_pct`), ...GRADES.map((g) => `grade_${g}`)],
    agg.analysis.concreteness.map((c) => [c.id, c.commitments, c.any, ...signals.map((s) => c.signals[s] ?? 0), ...GRADES.map((g) => c.grades[g] ?? 0)]),
  );
}

export function similarityCsv(agg: Aggregate): string {
  const { ids, values } = agg.analysis.similarity;
  const rows: Array<Array<string | number>> = [];
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) rows.push([ids[i]!, ids[j]!, values[i]![j]!]);
  return csv(['partnership_a', 'partnership_b', 'similarity'], rows);
}

export function countriesCsv(agg: Aggregate): string {
  const rows = agg.analysis.countries.flatMap((c) => c.partnerships.map((p) => [c.party, p.id, p.commitments, ...OBJECTIVES.map((o) => p.shares[o] ?? 0)]));
  return csv(['country', 'partnership', 'commitments', ...OBJECTIVES.map((o) => `${o}_pct`)], rows);
}

export function meetingsCsv(agg: Aggregate): string {
  const rows = agg.profiles.flatMap((p) => p.meetings.map((m) => [p.id, m.date, m.codes.join(' '), ...OBJECTIVES.map((o) => m.counts[o] ?? 0)]));
  return csv(['partnership', 'date', 'statements', ...OBJECTIVES], rows);
}

export function gapsCsv(agg: Aggregate): string {
  const g = agg.analysis.gaps;
  const rows: Array<Array<string | number>> = [
    ...g.objectives.map((o) => ['objective', o.objective, o.addressing, o.substantive, g.partnerships, o.missing.join(' ')]),
    ...g.subcategories.map((s) => ['subcategory', s.subcategory, s.partnerships, '', g.partnerships, '']),
  ];
  return csv(['level', 'id', 'partnerships_addressing', 'substantively', 'partnerships_in_scope', 'not_addressed_by'], rows);
}

export function tablesCsv(agg: Aggregate): Map<string, string> {
  return textFiles(tableFiles(agg));
}

/** The tables one at a time, so each can be written before the next is made. */
export function* tableFiles(agg: Aggregate): Generator<[string, FileText]> {
  for (const f of tableOutputs(agg)) yield [f.name, f.make()];
}

/** The tables, each made when asked for; the evidence table in parts (see evidenceCsvParts). */
export function* tableOutputs(agg: Aggregate): Generator<OutputFile> {
  yield { name: 'tables/evidence.csv', make: () => evidenceCsvPieces(agg), parts: () => evidenceCsvParts(agg) };
  yield { name: 'tables/governance.csv', make: () => governanceCsv(agg) };
  yield { name: 'tables/milestones.csv', make: () => milestonesCsv(agg) };
  yield { name: 'tables/breadth.csv', make: () => breadthCsv(agg) };
  yield { name: 'tables/concreteness.csv', make: () => concretenessCsv(agg) };
  yield { name: 'tables/similarity.csv', make: () => similarityCsv(agg) };
  yield { name: 'tables/countries.csv', make: () => countriesCsv(agg) };
  yield { name: 'tables/meetings.csv', make: () => meetingsCsv(agg) };
  yield { name: 'tables/gaps.csv', make: () => gapsCsv(agg) };
}
