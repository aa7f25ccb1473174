import type { Doc, TaggedPassage } from '../core/doc.js';
import { GRADES, type Grade } from '../core/taxonomy.js';
import { docKeyOf, passageKeyOf, labelsOf, type Attached, type Decision, type Labels } from '../review/index.js';

export type Status = 'unreviewed' | 'accepted' | 'corrected' | 'stale';

export interface QueueItem {
  id: string;
  docKey: string;
  passageKey: string;
  docId: string;
  docTitle: string;
  docDate: string | null;
  partnerships: string[];
  heading: string[];
  previous: string | null;
  next: string | null;
  text: string;
  auto: Labels;
  details: Array<{ objective: string; grade: Grade; subcategories: string[]; reason: string; rules: string[] }>;
  highlights: Array<{ start: number; end: number; label: string; rule: string }>;
  status: Status;
  decision: { labels: Labels; reviewer: string; at: string; note: string | null; action: string; seq: number } | null;
  uncertainty: number;
  why: string[];
  order: number;
}

export interface Filters {
  partnership?: string;
  objective?: string;
  domain?: string;
  grade?: string;
  status?: string;
  order?: 'uncertain' | 'document';
  all?: boolean;
}

/** How unsure the tagger is, so the riskiest passages can be reviewed first. */
function uncertainty(p: TaggedPassage): { score: number; why: string[] } {
  const why: string[] = [];
  let score = 0;
  const t = p.tags;
  if (t.objectives.length >= 3) {
    score += 2;
    why.push('three or more objectives');
  }
  for (const o of t.objectives) {
    const rules = new Set(o.evidence.filter((e) => !e.label.startsWith('grade/')).map((e) => e.ruleId));
    const words = o.evidence.filter((e) => !e.label.startsWith('grade/')).map((e) => e.match.toLowerCase());
    if (rules.size === 1 && words.every((w) => w.split(/\s+/).length === 1)) {
      score += 1;
      why.push(`weak evidence for ${o.objective} ("${words[0]}")`);
    }
    if (o.gradeReason.startsWith('no grade cue')) {
      score += 1;
      why.push(`no grade cue for ${o.objective}`);
    }
    if (o.listMention) {
      score += 1;
      why.push('list mention');
    }
    if (/lowered|pos-tagger/.test(o.gradeReason)) {
      score += 1;
      why.push(`grade of ${o.objective} needed negation or part-of-speech reasoning`);
    }
  }
  return { score, why: [...new Set(why)] };
}

function decisionView(d: Decision | undefined): QueueItem['decision'] {
  if (!d) return null;
  return { labels: d.after ?? d.before, reviewer: d.reviewer, at: d.at, note: d.note, action: d.action, seq: d.seq };
}

function statusOf(p: TaggedPassage, d: Decision | undefined): Status {
  if (!d) return 'unreviewed';
  const same = JSON.stringify(normalize(d.after ?? d.before)) === JSON.stringify(normalize(labelsOf(p.tags)));
  return d.action === 'accept' || (d.action !== 'reject' && same) ? 'accepted' : 'corrected';
}

function normalize(l: Labels) {
  return l.objectives.map((o) => `${o.objective}:${o.grade}`).sort();
}

export function buildQueue(docs: Doc[], attached: Attached): QueueItem[] {
  const items: QueueItem[] = [];
  let order = 0;
  for (const d of docs) {
    const passages = d.passages.filter((p) => p.kind !== 'heading');
    passages.forEach((p, i) => {
      const dec = attached.byPassage.get(p.id);
      const u = uncertainty(p);
      items.push({
        id: p.id,
        docKey: docKeyOf(d),
        passageKey: passageKeyOf(p.text),
        docId: d.id,
        docTitle: d.meta.title,
        docDate: d.meta.date ?? null,
        partnerships: d.partnerships,
        heading: p.headings,
        previous: passages[i - 1]?.text ?? null,
        next: passages[i + 1]?.text ?? null,
        text: p.text,
        auto: labelsOf(p.tags),
        details: p.tags.objectives.map((o) => ({ objective: o.objective, grade: o.grade, subcategories: o.subcategories, reason: o.gradeReason, rules: [...new Set(o.evidence.map((e) => e.ruleId))] })),
        highlights: p.tags.evidence.filter((e) => e.scope === 'text').map((e) => ({ start: e.start, end: e.end, label: e.label, rule: e.ruleId })),
        status: statusOf(p, dec),
        decision: decisionView(dec),
        uncertainty: u.score,
        why: u.why,
        order: order++,
      });
    });
  }
  for (const s of attached.stale) {
    items.push({
      id: `stale-${s.seq}`,
      docKey: s.docKey,
      passageKey: s.passageKey,
      docId: s.docHash,
      docTitle: s.docKey,
      docDate: null,
      partnerships: [],
      heading: s.heading ? [s.heading] : [],
      previous: null,
      next: null,
      text: s.text,
      auto: s.before,
      details: [],
      highlights: [],
      status: 'stale',
      decision: decisionView(s),
      uncertainty: 0,
      why: ['the passage text no longer occurs in the document'],
      order: order++,
    });
  }
  return items;
}

export function filterQueue(items: QueueItem[], f: Filters): QueueItem[] {
  const labels = (i: QueueItem) => i.decision?.labels ?? i.auto;
  let out = items.filter((i) => {
    const l = labels(i);
    if (!f.all && f.status !== 'stale' && i.status === 'unreviewed' && !i.auto.objectives.length && !i.auto.governance) return false;
    if (f.partnership && !i.partnerships.includes(f.partnership)) return false;
    if (f.objective && !l.objectives.some((o) => o.objective === f.objective)) return false;
    if (f.domain && !l.domains.includes(f.domain as never)) return false;
    if (f.grade && (GRADES as readonly string[]).includes(f.grade) && !l.objectives.some((o) => o.grade === f.grade)) return false;
    if (f.status && i.status !== f.status) return false;
    return true;
  });
  if (f.order === 'uncertain') out = [...out].sort((a, b) => b.uncertainty - a.uncertainty || a.order - b.order);
  return out;
}
