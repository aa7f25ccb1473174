import type { Doc, TaggedPassage, ObjectiveTag } from '../core/doc.js';
import type { Domain, Grade, Objective, Subcategory } from '../core/taxonomy.js';
import { OBJECTIVES, gradeRank, strongerGrade } from '../core/taxonomy.js';
import type { Partnership, Registry } from '../rules/registry.js';

export { attribute } from './attribute.js';

export interface Scope {
  domain: Domain | null;
  from: string | null;
  until: string | null;
}

export interface Citation {
  code: string;
  docId: string;
  title: string;
  date?: string;
  url: string;
  /** Every address the statement was found at, when more than one. */
  urls?: string[];
}

export interface EvidenceItem {
  passageId: string;
  text: string;
  heading: string[];
  subcategories: Subcategory[];
  grade: Grade;
  gradeReason: string;
  concreteness: string[];
  listMention: boolean;
  domains: Domain[];
  cite: string;
  reviewed: boolean;
  rules: string[];
}

export interface Profile {
  id: string;
  name: string;
  parties: string[];
  launched?: string;
  ageYears?: number;
  parent?: string;
  documents: Citation[];
  governance: Array<{ text: string; grade?: Grade; cite: string }>;
  milestones: Array<{ date: string; event: string; cite?: string }>;
  objectives: Record<Objective, { found: boolean; strongest?: Grade; passages: number; reviewed: boolean; bySubcategory: Record<string, EvidenceItem[]> }>;
}

export interface MatrixCell {
  grade: Grade | null;
  passages: number;
  reviewed: boolean;
}

export interface Matrix {
  scope: Scope;
  rows: Array<{ id: string; name: string; documents: number; cells: Record<Objective, MatrixCell> }>;
}

function inScope(doc: Doc, scope: Scope): boolean {
  const d = doc.meta.date;
  if (scope.from && (!d || d < scope.from)) return false;
  if (scope.until && (!d || d > scope.until)) return false;
  return true;
}

function yearsBetween(from: string, to: string): number {
  const a = new Date(from.length === 4 ? `${from}-01-01` : from.length === 7 ? `${from}-01` : from);
  const b = new Date(to);
  return Math.max(0, Math.round(((b.getTime() - a.getTime()) / (365.25 * 864e5)) * 10) / 10);
}

/** Citation codes in the study's style: partnership id and a number in date order. */
export function citations(docs: Doc[], partnershipId: string): Citation[] {
  return docs
    .filter((d) => d.partnerships.includes(partnershipId))
    .sort((a, b) => (a.meta.date ?? '9999').localeCompare(b.meta.date ?? '9999') || a.meta.title.localeCompare(b.meta.title) || a.id.localeCompare(b.id))
    .map((d, i) => ({
      code: `${partnershipId}${i + 1}`,
      docId: d.id,
      title: d.meta.title,
      ...(d.meta.date ? { date: d.meta.date } : {}),
      url: d.meta.sourceUrls?.[0] ?? d.meta.sourceUrl ?? d.path,
      ...(d.meta.sourceUrls && d.meta.sourceUrls.length > 1 ? { urls: d.meta.sourceUrls } : {}),
    }));
}

/** The labels that count for a passage: an analyst's decision where there is one. */
export type Override = (p: TaggedPassage) => { objectives: ObjectiveTag[]; reviewed: boolean } | undefined;

export interface Aggregate {
  profiles: Profile[];
  matrix: Matrix;
  asOf: string;
}

export function aggregate(docs: Doc[], registry: Registry, scope: Scope, override?: Override): Aggregate {
  const usable = docs.filter((d) => d.text && !d.messages.some((m) => m.severity === 'error'));
  const scoped = usable.filter((d) => inScope(d, scope));
  // "Age" is measured to the newest statement, not to the clock, so outputs are reproducible.
  const asOf = usable.reduce((m, d) => (d.meta.date && d.meta.date > m ? d.meta.date : m), '1970-01-01');
  const ids = [...new Set(usable.flatMap((d) => d.partnerships))].sort();
  const profiles: Profile[] = [];
  const rows: Matrix['rows'] = [];
  for (const id of ids) {
    const p: Partnership | undefined = registry.byId.get(id);
    const cites = citations(scoped, id);
    const citeOf = new Map(cites.map((c) => [c.docId, c.code]));
    const pdocs = scoped.filter((d) => d.partnerships.includes(id));
    const objectives = Object.fromEntries(OBJECTIVES.map((o) => [o, { found: false, passages: 0, reviewed: false, bySubcategory: {} }])) as Profile['objectives'];
    const governance: Profile['governance'] = [];
    for (const d of pdocs) {
      for (const passage of d.passages) {
        if (scope.domain && !passage.tags.domains.includes(scope.domain)) continue;
        const ov = override?.(passage);
        const tags = ov?.objectives ?? passage.tags.objectives;
        if (passage.tags.governance) governance.push({ text: passage.text, ...(passage.tags.governanceGrade ? { grade: passage.tags.governanceGrade } : {}), cite: citeOf.get(d.id)! });
        for (const t of tags) {
          const cell = objectives[t.objective];
          cell.found = true;
          cell.passages++;
          cell.strongest = strongerGrade(cell.strongest, t.grade);
          if (ov?.reviewed) cell.reviewed = true;
          const item: EvidenceItem = {
            passageId: passage.id,
            text: passage.text,
            heading: passage.headings,
            subcategories: t.subcategories,
            grade: t.grade,
            gradeReason: t.gradeReason,
            concreteness: t.concreteness,
            listMention: t.listMention,
            domains: passage.tags.domains,
            cite: citeOf.get(d.id)!,
            reviewed: !!ov?.reviewed,
            rules: [...new Set(t.evidence.map((e) => e.ruleId))],
          };
          const sub = t.subcategories[0] ?? 'other';
          (cell.bySubcategory[sub] ??= []).push(item);
        }
      }
    }
    for (const o of OBJECTIVES) {
      for (const list of Object.values(objectives[o].bySubcategory)) {
        // Strongest and most concrete first; bare list mentions last.
        list.sort((a, b) => Number(a.listMention) - Number(b.listMention) || gradeRank(b.grade) - gradeRank(a.grade) || b.concreteness.length - a.concreteness.length || a.cite.localeCompare(b.cite, 'en', { numeric: true }));
      }
      objectives[o].bySubcategory = Object.fromEntries(Object.entries(objectives[o].bySubcategory).sort(([a], [b]) => a.localeCompare(b)));
    }
    const milestones: Profile['milestones'] = [];
    if (p?.launched) milestones.push({ date: p.launched, event: `${p.name} launched` });
    for (const c of cites) if (c.date) milestones.push({ date: c.date, event: c.title, cite: c.code });
    milestones.sort((a, b) => a.date.localeCompare(b.date));
    profiles.push({
      id,
      name: p?.name ?? id,
      parties: p?.parties ?? [],
      ...(p?.launched ? { launched: p.launched, ageYears: yearsBetween(p.launched, asOf) } : {}),
      ...(p?.parent ? { parent: p.parent } : {}),
      documents: cites,
      governance,
      milestones,
      objectives,
    });
    if (cites.length) {
      rows.push({
        id,
        name: p?.name ?? id,
        documents: cites.length,
        cells: Object.fromEntries(OBJECTIVES.map((o) => [o, { grade: objectives[o].strongest ?? null, passages: objectives[o].passages, reviewed: objectives[o].reviewed }])) as Record<Objective, MatrixCell>,
      });
    }
  }
  return { profiles, matrix: { scope, rows }, asOf };
}

