import { basename } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Doc, ObjectiveTag, PassageTags, TaggedPassage } from '../core/doc.js';
import { OBJECTIVES, SUBCATEGORIES, type Objective, isObjective, isGrade, isDomain } from '../core/taxonomy.js';
import { sha256 } from '../core/hash.js';
import { UserError } from '../core/errors.js';
import type { Override } from '../aggregate/index.js';
import { ReviewStore, checkReviewStore, damagedStoreHint, type Decision, type Labels } from './store.js';

export { ReviewStore, checkReviewStore, damagedStoreHint, type Decision, type Labels, type NewDecision, type Action } from './store.js';

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

export function labelsOf(tags: PassageTags): Labels {
  return {
    objectives: tags.objectives.map((o) => ({ objective: o.objective, grade: o.grade, subcategories: o.subcategories })),
    domains: tags.domains,
    governance: tags.governance,
  };
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
      const key = `${dk}\u0000${passageKeyOf(p.text)}`;
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

/** Aggregation takes an analyst's labels over the automatic ones. */
export function overrideFrom(attached: Attached): Override {
  return (p: TaggedPassage) => {
    const d = attached.byPassage.get(p.id);
    if (!d) return undefined;
    const labels = d.after ?? d.before;
    const objectives: ObjectiveTag[] = labels.objectives.map((o) => {
      const auto = p.tags.objectives.find((t) => t.objective === o.objective);
      // Only the taxonomy's subcategories of this objective reach the outputs, whatever the store holds.
      const known = SUBCATEGORIES[o.objective] as readonly string[] | undefined;
      const subs = o.subcategories ? (o.subcategories.filter((x) => known?.includes(x)) as ObjectiveTag['subcategories']) : undefined;
      return {
        objective: o.objective,
        subcategories: subs ?? auto?.subcategories ?? [],
        grade: o.grade,
        gradeReason: auto && auto.grade === o.grade ? auto.gradeReason : `set by ${d.reviewer}`,
        concreteness: p.tags.concreteness,
        evidence: auto?.evidence ?? [],
        listMention: auto?.listMention ?? false,
      };
    });
    return { objectives, reviewed: true };
  };
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

/** Decisions as gold JSONL, in the form of ../shared/gold/doc_*.jsonl (usable by accords eval). */
export function exportGold(store: ReviewStore): string {
  const lines: string[] = [];
  for (const d of [...store.effective().values()].sort((a, b) => a.seq - b.seq)) {
    const l = d.after ?? d.before;
    lines.push(
      JSON.stringify({
        id: `review-${d.seq}`,
        doc: d.docKey,
        doc_key: d.docKey,
        passage_key: d.passageKey,
        heading: d.heading,
        text: d.text,
        objectives: l.objectives.map((o) => o.objective),
        subcategories: l.objectives.flatMap((o) => o.subcategories ?? []),
        grades: Object.fromEntries(l.objectives.map((o) => [o.objective, o.grade])),
        domains: l.domains,
        governance: l.governance,
        reviewer: d.reviewer,
        at: d.at,
        action: d.action,
        note: d.note,
        before: d.before,
        rules: d.rules,
      }),
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Read exported decisions back. Lines already present (same passage, time and reviewer) are skipped. */
export async function importGold(store: ReviewStore, file: string): Promise<{ added: number; skipped: number }> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UserError('file not found', file);
  });
  const existing = new Set(store.history().map((d) => `${d.docKey}\u0000${d.passageKey}\u0000${d.at}\u0000${d.reviewer}`));
  let added = 0;
  let skipped = 0;
  const rows = text.split('\n').filter((l) => l.trim());
  store.db.transaction(() => {
    rows.forEach((line, i) => {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new UserError('not valid JSON', file, i + 1);
      }
      const objectives = (r['objectives'] as unknown[] | undefined) ?? [];
      const grades = (r['grades'] as Record<string, string> | undefined) ?? {};
      if (typeof r['text'] !== 'string' || !Array.isArray(objectives) || !objectives.every((o) => typeof o === 'string' && isObjective(o))) {
        throw new UserError('each line needs "text" and "objectives" (ids of the taxonomy)', file, i + 1);
      }
      const docKey = String(r['doc_key'] ?? r['doc'] ?? 'imported');
      const passageKey = String(r['passage_key'] ?? passageKeyOf(r['text'] as string));
      const reviewer = String(r['reviewer'] ?? 'import');
      const at = String(r['at'] ?? new Date().toISOString());
      if (existing.has(`${docKey}\u0000${passageKey}\u0000${at}\u0000${reviewer}`)) {
        skipped++;
        return;
      }
      const labels: Labels = {
        objectives: (objectives as Objective[]).map((o) => ({ objective: o, grade: isGrade(grades[o] ?? '') ? (grades[o] as Labels['objectives'][number]['grade']) : 'commit' })),
        domains: ((r['domains'] as string[] | undefined) ?? []).filter(isDomain),
        governance: r['governance'] === true,
      };
      store.add({
        docKey,
        docHash: '',
        passageKey,
        passageId: '',
        text: r['text'] as string,
        heading: String(r['heading'] ?? ''),
        reviewer,
        at,
        action: r['action'] === 'accept' ? 'accept' : 'correct',
        before: (r['before'] as Labels | undefined) ?? labels,
        after: labels,
        ...(typeof r['note'] === 'string' ? { note: r['note'] } : {}),
        rules: (r['rules'] as string[] | undefined) ?? [],
      });
      added++;
    });
  })();
  return { added, skipped };
}

/** Reviewer-vs-tagger agreement per objective and the rules analysts reject most. */
export function reviewStats(store: ReviewStore): string {
  const decisions = [...store.effective().values()];
  if (!decisions.length) return 'no review decisions yet';
  const lines = [`${decisions.length} reviewed passages (${store.history().length} decisions in the history)`, '', 'objective      tagger  reviewer  agreed  precision  recall'];
  for (const o of OBJECTIVES) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const d of decisions) {
      const auto = d.before.objectives.some((x) => x.objective === o);
      const human = (d.after ?? d.before).objectives.some((x) => x.objective === o);
      if (auto && human) tp++;
      else if (auto) fp++;
      else if (human) fn++;
    }
    const p = tp + fp ? tp / (tp + fp) : 1;
    const r = tp + fn ? tp / (tp + fn) : 1;
    lines.push(`${o.padEnd(14)} ${String(tp + fp).padStart(6)} ${String(tp + fn).padStart(9)} ${String(tp).padStart(7)} ${p.toFixed(3).padStart(10)} ${r.toFixed(3).padStart(7)}`);
  }
  const rules = new Map<string, { fired: number; rejected: number }>();
  for (const d of decisions) {
    const after = new Set((d.after ?? d.before).objectives.map((x) => x.objective));
    const removed = d.before.objectives.filter((x) => !after.has(x.objective)).map((x) => x.objective);
    for (const rule of d.rules) {
      const s = rules.get(rule) ?? { fired: 0, rejected: 0 };
      s.fired++;
      if (removed.some((o) => rule.startsWith(`${o}.`))) s.rejected++;
      rules.set(rule, s);
    }
  }
  const ranked = [...rules.entries()].filter(([, s]) => s.rejected > 0).sort((a, b) => b[1].rejected / b[1].fired - a[1].rejected / a[1].fired || b[1].fired - a[1].fired);
  lines.push('', 'rules analysts reject most (rejected / fired):');
  if (!ranked.length) lines.push('  none rejected');
  for (const [rule, s] of ranked.slice(0, 15)) lines.push(`  ${rule.padEnd(40)} ${s.rejected}/${s.fired}`);
  return lines.join('\n');
}
