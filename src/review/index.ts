import { basename, extname, relative, resolve, sep } from 'node:path';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { Doc, TaggedPassage } from '../core/doc.js';
import { OBJECTIVES, objectiveOf } from '../core/taxonomy.js';
import { sha256 } from '../core/hash.js';
import { UserError } from '../core/errors.js';
import type { Override } from '../aggregate/index.js';
import { rawIndex, locate, spanCheck } from '../eval/anchor.js';
import { ReviewStore, keyOf, labelsAfter, checkReviewStore, damagedStoreHint, type Decision, type Labels, type NewDecision } from './store.js';
import { labelsSchema, issuesText, labelsOf, reviewedTags } from './labels.js';
import { agreement, alphaText, isDisputed } from './agreement.js';
import { learn } from './learn.js';

export { ReviewStore, keyOf, labelsAfter, checkReviewStore, damagedStoreHint, type Decision, type Labels, type NewDecision, type Action, type EvidenceRef, type ObjectiveLabel } from './store.js';
export { labelsSchema, parseLabels, issuesText, labelsOf, evidenceOf, reviewedTags } from './labels.js';
export { agreement, krippendorffNominal, isDisputed, labelsSignature, alphaText, type Agreement } from './agreement.js';
export { learn, proposeException, type Learned, type RuleFigures, type Exception, type Hit } from './learn.js';

/**
 * Identity that survives re-runs: a document is known by its source address
 * (or file name), a passage by its own text. Re-segmentation or edits elsewhere
 * in the document leave a decision attached; a decision whose passage text no
 * longer occurs is stale, shown as such, and never applied.
 */
export function docKeyOf(doc: Pick<Doc, 'meta' | 'path'>): string {
  return doc.meta.sourceUrls?.[0] ?? doc.meta.sourceUrl ?? basename(doc.path);
}

export function passageKeyOf(text: string): string {
  return sha256(text.replace(/\s+/g, ' ').trim()).slice(0, 20);
}

export interface Attached {
  byPassage: Map<string, Decision>;
  stale: Decision[];
}

export function attach(docs: Doc[], store: ReviewStore): Attached {
  const effective = store.effective();
  const byPassage = new Map<string, Decision>();
  const used = new Set<string>();
  for (const d of docs) {
    const dk = docKeyOf(d);
    for (const p of d.passages) {
      const key = keyOf(dk, passageKeyOf(p.text));
      const dec = effective.get(key);
      if (dec) {
        byPassage.set(p.id, dec);
        used.add(key);
      }
    }
  }
  const stale = [...effective.entries()].filter(([k]) => !used.has(k)).map(([, d]) => d);
  return { byPassage, stale };
}

export interface Applied {
  /** The documents with analysts' labels in place of the automatic ones (copies: the originals keep the automatic tags). */
  docs: Doc[];
  override: Override;
  applied: number;
  stale: Decision[];
}

/**
 * Decisions over automatic tags, for the outputs: objectives with their grades and
 * subcategories, domains, governance and its grade all become the analyst's, and
 * the passage carries who reviewed it.
 */
export function applyDecisions(docs: Doc[], store: ReviewStore): Applied {
  const attached = attach(docs, store);
  const reviewed = new Set<string>();
  const out = docs.map((d) => {
    if (!d.passages.some((p) => attached.byPassage.has(p.id))) return d;
    return {
      ...d,
      passages: d.passages.map((p): TaggedPassage => {
        const dec = attached.byPassage.get(p.id);
        if (!dec) return p;
        reviewed.add(p.id);
        return { ...p, tags: reviewedTags(p.tags, labelsAfter(dec), dec.reviewer), review: { reviewer: dec.reviewer, at: dec.at, action: dec.action, adjudicated: dec.final, note: dec.note } };
      }),
    };
  });
  return {
    docs: out,
    override: (p) => (reviewed.has(p.id) ? { objectives: p.tags.objectives, domains: p.tags.domains, governance: p.tags.governance, reviewed: true } : undefined),
    applied: reviewed.size,
    stale: attached.stale,
  };
}

/**
 * Decisions applied one document at a time, as a run streams them: applying
 * them to every document in turn gives what applyDecisions gives for all at
 * once. Only documents whose key has decisions (`concerns`) need to be read.
 */
export class DecisionApplier {
  private readonly effective: Map<string, Decision>;
  private readonly docKeys: Set<string>;
  private readonly used = new Set<string>();
  private readonly reviewed = new Set<string>();

  constructor(store: ReviewStore) {
    this.effective = store.effective();
    this.docKeys = new Set([...this.effective.values()].map((d) => d.docKey));
  }

  concerns(doc: Pick<Doc, 'meta' | 'path'>): boolean {
    return this.docKeys.has(docKeyOf(doc));
  }

  /** The document with analysts' labels in place of the automatic ones (a copy; the same document when none applies). */
  apply(d: Doc): Doc {
    if (!this.concerns(d)) return d;
    const dk = docKeyOf(d);
    const byPassage = new Map<string, Decision>();
    for (const p of d.passages) {
      const key = keyOf(dk, passageKeyOf(p.text));
      const dec = this.effective.get(key);
      if (dec) {
        byPassage.set(p.id, dec);
        this.used.add(key);
      }
    }
    if (!byPassage.size) return d;
    return {
      ...d,
      passages: d.passages.map((p): TaggedPassage => {
        const dec = byPassage.get(p.id);
        if (!dec) return p;
        this.reviewed.add(p.id);
        return { ...p, tags: reviewedTags(p.tags, labelsAfter(dec), dec.reviewer), review: { reviewer: dec.reviewer, at: dec.at, action: dec.action, adjudicated: dec.final, note: dec.note } };
      }),
    };
  }

  readonly override: Override = (p) => (this.reviewed.has(p.id) ? { objectives: p.tags.objectives, domains: p.tags.domains, governance: p.tags.governance, reviewed: true } : undefined);

  get applied(): number {
    return this.reviewed.size;
  }

  /** Decisions whose passage occurred in none of the documents given to `apply`. */
  stale(): Decision[] {
    return [...this.effective.entries()].filter(([k]) => !this.used.has(k)).map(([, d]) => d);
  }
}

export async function openReviews(file: string): Promise<ReviewStore> {
  const damaged = checkReviewStore(file);
  if (damaged) throw new UserError(`the review database is damaged: ${damaged}`, file, undefined, damagedStoreHint(file));
  try {
    return new ReviewStore(file);
  } catch (err) {
    throw new UserError(`the review database could not be opened: ${(err as Error).message}`, file, undefined, 'check the path in review.db of pipeline.config.ts, or pass --db FILE');
  }
}

function goldFields(l: Labels) {
  return {
    objectives: l.objectives.map((o) => o.objective),
    subcategories: l.objectives.flatMap((o) => o.subcategories ?? []),
    grades: Object.fromEntries(l.objectives.map((o) => [o.objective, o.grade])),
    domains: l.domains,
    governance: l.governance,
    governance_grade: l.governance ? (l.governanceGrade ?? null) : null,
  };
}

/**
 * Decisions as gold JSONL, in the form of ../shared/gold/doc_*.jsonl (usable by
 * `accords eval --gold FILE`): one line per passage with the labels in force (the
 * adjudication where reviewers disagreed), each reviewer's own labels beside them,
 * and the full labels for `accords reviews import`.
 */
export function exportGold(store: ReviewStore): string {
  const lines: string[] = [];
  const reviews = store.allReviews();
  for (const d of [...store.effective().values()].sort((a, b) => a.seq - b.seq)) {
    const l = labelsAfter(d);
    const byReviewer = reviews.get(keyOf(d.docKey, d.passageKey)) ?? [];
    lines.push(
      JSON.stringify({
        id: `review-${d.seq}`,
        doc: d.docKey,
        doc_key: d.docKey,
        passage_key: d.passageKey,
        ...(d.docFile ? { file: d.docFile } : {}),
        heading: d.heading,
        text: d.text,
        ...goldFields(l),
        labels: l,
        reviewer: d.reviewer,
        at: d.at,
        action: d.action,
        note: d.note,
        adjudicated: d.final,
        disputed: isDisputed(byReviewer),
        ...(byReviewer.length > 1 || d.final
          ? { reviewers: Object.fromEntries(byReviewer.map((r) => [r.reviewer, { ...goldFields(labelsAfter(r)), labels: labelsAfter(r), action: r.action, at: r.at, note: r.note }])) }
          : {}),
        before: d.before,
        rules: d.rules,
      }),
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Labels from an exported line: the full `labels` when present, else the flat gold fields. */
function labelsFromLine(r: Record<string, unknown>, where: string): Labels {
  if (r['labels'] !== undefined) {
    const p = labelsSchema.safeParse(r['labels']);
    if (!p.success) throw new Error(`${where}${issuesText(p.error, 'labels')}`);
    return p.data as Labels;
  }
  const objectives = r['objectives'];
  if (!Array.isArray(objectives)) throw new Error(`${where}"objectives" must be a list of objective ids`);
  const grades = (r['grades'] ?? {}) as Record<string, string>;
  const subs = Array.isArray(r['subcategories']) ? (r['subcategories'] as unknown[]).map(String) : [];
  const candidate = {
    objectives: objectives.map((o) => ({ objective: o, grade: grades[String(o)] ?? 'commit', subcategories: subs.filter((s) => objectiveOf(s) === o) })),
    domains: Array.isArray(r['domains']) ? r['domains'] : [],
    governance: r['governance'] === true,
    governanceGrade: r['governance'] === true ? (r['governance_grade'] ?? null) : null,
  };
  const p = labelsSchema.safeParse(candidate);
  if (!p.success) throw new Error(`${where}${issuesText(p.error)}`);
  return p.data as Labels;
}

/**
 * Read exported decisions back: each reviewer's decision and the adjudication.
 * Decisions already present (same passage, time and reviewer) are skipped. A bad
 * line stops the import with its line number and nothing is added.
 */
export async function importGold(store: ReviewStore, file: string): Promise<{ added: number; skipped: number }> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UserError('file not found', file);
  });
  const existing = new Set(store.history().map((d) => `${d.docKey}\u0000${d.passageKey}\u0000${d.at}\u0000${d.reviewer}`));
  const todo: NewDecision[] = [];
  let skipped = 0;
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new UserError('not valid JSON', file, i + 1);
    }
    if (!r || typeof r !== 'object' || typeof r['text'] !== 'string') throw new UserError('each line needs "text" and "objectives" (ids of the taxonomy)', file, i + 1);
    const docKey = String(r['doc_key'] ?? r['doc'] ?? 'imported');
    const passageKey = String(r['passage_key'] ?? passageKeyOf(r['text'] as string));
    let labels: Labels;
    try {
      labels = labelsFromLine(r, '');
    } catch (err) {
      throw new UserError(`each line needs "text" and "objectives" (ids of the taxonomy): ${(err as Error).message}`, file, i + 1);
    }
    const base = { docKey, docHash: '', docFile: typeof r['file'] === 'string' ? r['file'] : '', passageKey, passageId: '', text: r['text'] as string, heading: String(r['heading'] ?? ''), rules: Array.isArray(r['rules']) ? (r['rules'] as unknown[]).map(String) : [] };
    const before = r['before'] ? (labelsSchema.safeParse(r['before']).success ? (r['before'] as Labels) : labels) : labels;
    const push = (reviewer: string, at: string, l: Labels, action: unknown, note: unknown, final: boolean) => {
      if (existing.has(`${docKey}\u0000${passageKey}\u0000${at}\u0000${reviewer}`)) {
        skipped++;
        return;
      }
      existing.add(`${docKey}\u0000${passageKey}\u0000${at}\u0000${reviewer}`);
      // A rejection keeps its action (its labels are the rejection's); anything else not an acceptance is a correction.
      const act = action === 'accept' || action === 'reject' ? action : 'correct';
      todo.push({ ...base, reviewer, at, action: act, before: act === 'reject' ? { ...before, domains: l.domains } : before, after: l, ...(typeof note === 'string' ? { note } : {}), ...(final ? { final } : {}) });
    };
    const reviewers = r['reviewers'] && typeof r['reviewers'] === 'object' ? Object.entries(r['reviewers'] as Record<string, Record<string, unknown>>) : [];
    for (const [name, rv] of reviewers) {
      let l: Labels;
      try {
        l = labelsFromLine(rv, `reviewers.${name}: `);
      } catch (err) {
        throw new UserError((err as Error).message, file, i + 1);
      }
      push(name, String(rv['at'] ?? r['at'] ?? new Date().toISOString()), l, rv['action'], rv['note'], false);
    }
    const reviewer = String(r['reviewer'] ?? 'import');
    const at = String(r['at'] ?? new Date().toISOString());
    // The line's own labels are the adjudication, or the one reviewer's decision (already added when listed under reviewers).
    if (r['adjudicated'] === true || !reviewers.some(([name]) => name === reviewer)) push(reviewer, at, labels, r['action'], r['note'], r['adjudicated'] === true);
  });
  const added = todo.length ? store.addMany(todo).length : 0;
  return { added, skipped };
}

/**
 * Decisions as label files of the project's own gold (test/gold): file name, raw
 * offsets and a fingerprint per passage, never the words. These are what
 * `scripts/label.ts admit` scores into the first-sight log. Statements whose raw
 * file cannot be read as text (PDF) or where a passage cannot be placed are named.
 */
export async function exportLabels(docs: Doc[], store: ReviewStore, corpusDir?: string): Promise<{ files: Map<string, string[]>; problems: string[] }> {
  const attached = attach(docs, store);
  const files = new Map<string, string[]>();
  const problems: string[] = [];
  for (const d of docs) {
    const decided = d.passages.filter((p) => attached.byPassage.has(p.id));
    if (!decided.length) continue;
    const path = resolve(d.path);
    if (extname(path).toLowerCase() === '.pdf' || !existsSync(path)) {
      problems.push(`${d.path}: ${decided.length} decisions not exported as labels (${existsSync(path) ? 'labels point into text files, not PDF' : 'file not found'})`);
      continue;
    }
    const raw = await readFile(path, 'utf8');
    const index = rawIndex(raw);
    const lines: string[] = [];
    let from = 0;
    for (const p of decided) {
      const span = locate(index, p.text, from) ?? locate(index, p.text, 0);
      if (!span) {
        problems.push(`${d.path}: passage ${p.index} could not be placed in the raw file`);
        continue;
      }
      from = span.start;
      const l = labelsAfter(attached.byPassage.get(p.id)!);
      lines.push(
        JSON.stringify({
          // Labels name a statement by its place in the corpus folder (its file name, for a flat folder).
          file: corpusDir ? relative(resolve(corpusDir), path).split(sep).join('/') : basename(d.path),
          start: span.start,
          end: span.end,
          check: spanCheck(raw, span),
          ...goldFields(l),
          governance_grade: l.governance ? (l.governanceGrade ?? p.tags.governanceGrade ?? null) : null,
        }),
      );
    }
    if (lines.length) files.set(basename(d.path).replace(/\.\w+$/, '.jsonl'), lines);
  }
  return { files, problems };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const pct = (x: number | null) => (x === null ? '   –' : x.toFixed(3));
const clip = (s: string, n: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

/**
 * The decisions that say what a passage's labels are: the adjudication where
 * there is one, else the reviewers' decision when they agree (or only one
 * decided). Passages reviewers disagree on count only once adjudicated.
 */
export function settledDecisions(store: ReviewStore): { decisions: Decision[]; disputed: number } {
  const reviews = store.allReviews();
  const decisions: Decision[] = [];
  let disputed = 0;
  for (const [key, d] of store.effective()) {
    if (!d.final && isDisputed(reviews.get(key) ?? [])) {
      disputed++;
      continue;
    }
    decisions.push(d);
  }
  return { decisions, disputed };
}

/** Reviewer-vs-tagger figures per objective, agreement between reviewers, and per-rule precision with the rules analysts reject most. */
export function reviewStats(store: ReviewStore, opts: { examples?: number } = {}): string {
  const effective = store.effective();
  if (!effective.size) return 'no review decisions yet';
  const { decisions, disputed } = settledDecisions(store);
  const reviews = store.allReviews();
  const names = new Set([...reviews.values()].flat().map((d) => d.reviewer));
  const lines = [
    `${plural(effective.size, 'reviewed passage')} (${plural(store.size(), 'decision')} in the history), ${plural(names.size, 'reviewer')}${disputed ? `; ${disputed} passage${disputed === 1 ? ' the reviewers disagree on is' : 's the reviewers disagree on are'} left out of the figures below until adjudicated` : ''}`,
    '',
    'reviewer vs tagger, per objective:',
    'objective      tagger  reviewer  agreed  precision  recall',
  ];
  for (const o of OBJECTIVES) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const d of decisions) {
      const auto = d.before.objectives.some((x) => x.objective === o);
      const human = labelsAfter(d).objectives.some((x) => x.objective === o);
      if (auto && human) tp++;
      else if (auto) fp++;
      else if (human) fn++;
    }
    const p = tp + fp ? tp / (tp + fp) : 1;
    const r = tp + fn ? tp / (tp + fn) : 1;
    lines.push(`${o.padEnd(14)} ${String(tp + fp).padStart(6)} ${String(tp + fn).padStart(9)} ${String(tp).padStart(7)} ${p.toFixed(3).padStart(10)} ${r.toFixed(3).padStart(7)}`);
  }

  const ag = agreement(reviews, (k) => store.isAdjudicated(k));
  if (!ag.units) lines.push('', `agreement between reviewers: no passage has decisions by two reviewers yet (${ag.reviewers.length === 1 ? `only ${ag.reviewers[0]} has decided` : `reviewers: ${ag.reviewers.join(', ')}`})`);
  else {
    lines.push('', `agreement between reviewers (Krippendorff's alpha over ${plural(ag.units, 'passage')} decided by two or more of ${ag.reviewers.join(', ')}):`);
    lines.push('objective      passages  disagree  alpha (applies)  graded  alpha (grade, ordinal)');
    const row = (name: string, a: { units: number; disagreements: number; alpha: number }, g?: { n: number; alpha: number }) =>
      `${name.padEnd(14)} ${String(a.units).padStart(8)} ${String(a.disagreements).padStart(9)} ${alphaText(a.alpha).padStart(16)}${g ? `${String(g.n).padStart(8)} ${alphaText(g.alpha).padStart(22)}` : ''}`;
    for (const o of OBJECTIVES) lines.push(row(o, ag.objectives[o], { n: ag.objectives[o].gradeUnits, alpha: ag.objectives[o].gradeAlpha }));
    lines.push(row('governance', ag.governance));
    lines.push(`  disputed passages ${ag.disputed}, adjudicated ${ag.adjudicated}`);
  }

  const learned = learn(decisions);
  lines.push('', 'per-rule precision from reviewers\' decisions (a rule\'s label kept or removed, per passage):', 'rule                                    label                               fired  kept  rejected  precision');
  const byPrecision = [...learned.rules].sort((a, b) => (a.precision ?? 1) - (b.precision ?? 1) || b.fired - a.fired || a.rule.localeCompare(b.rule));
  for (const r of byPrecision) lines.push(`${r.rule.padEnd(39)} ${r.label.padEnd(34)} ${String(r.fired).padStart(6)} ${String(r.kept).padStart(5)} ${String(r.rejected).padStart(9)} ${pct(r.precision).padStart(10)}`);

  const rejected = learned.rules.filter((r) => r.rejected > 0);
  lines.push('', 'rules analysts reject most (rejected / fired), with their rejected passages:');
  if (!rejected.length) lines.push('  none rejected');
  const n = opts.examples ?? 3;
  for (const r of rejected.slice(0, 15)) {
    lines.push(`  ${r.rule.padEnd(40)} ${r.rejected}/${r.fired}`);
    for (const h of r.rejectedHits.slice(0, n)) lines.push(`    - "${clip(h.text, 110)}" (${h.reviewer}${h.note ? `: ${clip(h.note, 60)}` : ''}${h.matches.length ? `; matched "${h.matches.map((m) => m.match).join('", "')}"` : ''})`);
    if (r.rejectedHits.length > n) lines.push(`    … and ${r.rejectedHits.length - n} more`);
    if (r.nearby.length) lines.push(`    words near rejected hits: ${r.nearby.slice(0, 5).map((w) => `${w.word} (${w.rejected}, near kept hits ${w.kept})`).join(', ')}`);
    if (r.exception) lines.push(`    proposed exception: add unless: ["${r.exception.phrase}"] to ${r.rule}; it cancels ${r.exception.rejected} of ${r.exception.ofRejected} rejected hits and ${r.exception.kept} of ${r.exception.ofKept} kept ones`);
    else if (r.noException) lines.push(`    no exception proposed: ${r.noException}`);
  }
  return lines.join('\n');
}
