import type { Doc } from '../core/doc.js';
import type { Aggregate } from '../aggregate/index.js';
import { namedPartnerships, profileInputs } from '../aggregate/index.js';
import type { Registry } from '../rules/registry.js';
import { json, textFiles, type FileText, type OutputFile } from './text.js';
import { analysisMarkdown, matrixMarkdown, profileMarkdown } from './markdown.js';
import { matrixCsv, tableOutputs } from './tables.js';
import { reportOutputs, renderDocumentPage, type ReportInfo } from './report/index.js';
import { prettyJsonPieces } from './report/html.js';

/** Render stage: pure functions from aggregates to file contents (deterministic). */

export { json, csv, csvField, md, mdLink, safeUrl, fileText, piecesOf, type FileText, type OutputFile, type OutputPart } from './text.js';
export { matrixMarkdown, profileMarkdown, analysisMarkdown, cellText, STRENGTH_HELP, CELL_HELP } from './markdown.js';
export { matrixCsv, tablesCsv, tableFiles } from './tables.js';
export { renderReport, reportFiles, reportOutputs, renderDocumentPage, documentPageParts, documentCodes, type ReportInfo } from './report/index.js';

/** One line per passage, tags included: the full record for other tools. */
export function passagesJsonl(docs: Doc[], registry?: Registry, named?: string[][][]): string {
  const out = passageLines(docs, registry, named);
  return out.length ? `${out.join('\n')}\n` : '';
}

/** The lines of passages.jsonl, without their line ends: a writer can encode them one at a time instead of joining them first. */
export function passageLines(docs: Doc[], registry?: Registry, named?: string[][][]): string[] {
  const out: string[] = [];
  for (const [k, d] of docs.entries()) {
    for (const [i, p] of d.passages.entries()) {
      out.push(
        JSON.stringify({
          id: p.id,
          doc: d.id,
          file: d.path,
          partnerships: d.partnerships,
          // Partnerships the passage names beyond its document's own: it is evidence for them too.
          named_partnerships: named?.[k]?.[i] ?? (registry ? namedPartnerships(p.text, d.partnerships, registry) : []),
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
          // Every objective tag a rule proposed, kept or dropped, and why.
          candidates: (p.tags.candidates ?? []).map((c) => ({ rule: c.ruleId, label: c.label, match: c.match, start: c.start, end: c.end, kept: c.kept, reason: c.reason })),
          ...(p.review ? { review: p.review } : {}),
        }),
      );
    }
  }
  return out;
}

/** The matrix, profiles and analysis in Markdown, CSV and JSON, and the HTML report. */
export function renderAggregate(agg: Aggregate, info: ReportInfo): Map<string, string> {
  return textFiles(aggregateFiles(agg, info));
}

/** The same files one at a time: a run writes each before the next is made, so they are never all in memory. */
export function* aggregateFiles(agg: Aggregate, info: ReportInfo): Generator<[string, FileText]> {
  for (const f of aggregateOutputs(agg, info)) yield [f.name, f.make()];
}

/**
 * The same files, each made when asked for. A partnership's files say what they are
 * made from (the aggregate's `inputs`, with the age for its profiles: profileInputs),
 * so that a run can keep those it wrote before from the same inputs.
 */
export function* aggregateOutputs(agg: Aggregate, info: ReportInfo): Generator<OutputFile> {
  const now = (name: string, make: () => FileText): OutputFile => ({ name, make });
  yield now('matrix.md', () => matrixMarkdown(agg));
  yield now('matrix.csv', () => matrixCsv(agg));
  yield now('matrix.json', () => json(agg.matrix));
  yield now('analysis.md', () => analysisMarkdown(agg));
  yield now('analysis.json', () => json({ scope: agg.scope, ...agg.analysis }));
  yield* tableOutputs(agg);
  for (const p of agg.profiles) {
    const inputs = profileInputs(agg, p);
    // The Markdown profile also prints the newest statement's date beside the age.
    const mdInputs = inputs !== undefined && p.ageYears !== undefined ? `${inputs}\u0000${agg.asOf}` : inputs;
    yield { name: `profiles/${p.id}.md`, make: () => profileMarkdown(p, agg), ...(mdInputs ? { inputs: mdInputs } : {}) };
    // In pieces, one commitment each (opened further, it took 2.6 times as long): a large partnership's profile runs to tens of megabytes.
    yield { name: `profiles/${p.id}.json`, make: () => prettyJsonPieces(p, 5), ...(inputs ? { inputs } : {}) };
  }
  yield* reportOutputs(agg, info);
}

/** Everything in out/ but the run report: aggregate outputs, passages and a page per statement. */
export function renderAll(agg: Aggregate, docs: Doc[], info: ReportInfo, registry?: Registry): Map<string, string> {
  const files = renderAggregate(agg, info);
  files.set('passages.jsonl', passagesJsonl(docs, registry));
  for (const d of docs) {
    if (!d.text || d.messages.some((m) => m.severity === 'error')) continue;
    files.set(`report/documents/${d.id}.html`, renderDocumentPage(d, agg.codes[d.id] ?? []));
  }
  return files;
}
