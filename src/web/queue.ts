import { z } from 'zod';
import type { Doc, TaggedPassage } from '../core/doc.js';
import { DOMAINS, GRADES, OBJECTIVES, type Objective } from '../core/taxonomy.js';
import {
  attach,
  docKeyOf,
  passageKeyOf,
  labelsOf,
  labelsAfter,
  keyOf,
  isDisputed,
  labelsSignature,
  type Decision,
  type Labels,
  type ReviewStore,
} from '../review/index.js';

export type Status = 'unreviewed' | 'accepted' | 'corrected' | 'stale';

/** One passage of the queue, as the server keeps it. */
export interface Entry {
  /** Position in document order. */
  order: number;
  id: string;
  key: string;
  docKey: string;
  passageKey: string;
  /** Index into the queue's documents; -1 for a stale decision. */
  doc: number;
  passage: TaggedPassage | null;
  kind: string;
  text: string;
  auto: Labels;
  /** The labels in force: the decision's, else the automatic ones. */
  labels: Labels;
  status: Status;
  decision: Decision | undefined;
  reviews: Decision[];
  disputed: boolean;
  adjudicated: boolean;
  /** Rules whose hits stand behind the automatic labels (objective, domain and governance rules). */
  rules: string[];
  tagged: boolean;
  cooperation: boolean;
  uncertainty: number;
  why: string[];
  search: string;
  /** A stale decision that was undone: nothing left to show. */
  gone: boolean;
}

export interface DocInfo {
  id: string;
  key: string;
  title: string;
  date: string | null;
  partnerships: string[];
  path: string;
  source: string | null;
  /** Entries of this document, in order. */
  entries: Entry[];
}

const STATUSES = ['unreviewed', 'accepted', 'corrected', 'stale', 'disputed', 'adjudicated', 'reviewed', 'mine', 'not-mine'] as const;
export const TAG_FILTERS = ['tagged', 'none', 'none-cooperation'] as const;

export const filtersSchema = z
  .object({
    partnership: z.string().max(200).optional(),
    objective: z.enum(OBJECTIVES).optional(),
    domain: z.enum(DOMAINS).optional(),
    grade: z.enum(GRADES).optional(),
    status: z.enum(STATUSES).optional(),
    tags: z.enum(TAG_FILTERS).optional(),
    rule: z.string().max(200).optional(),
    q: z.string().max(500).optional(),
    /** Whose decisions "mine" and "not-mine" mean. */
    reviewer: z.string().max(200).optional(),
    order: z.enum(['document', 'uncertain']).optional(),
    /** Accepted for old links; every passage is in the queue now. */
    all: z.string().max(5).optional(),
  })
  .strict();
export type Filters = z.infer<typeof filtersSchema>;

/** Only http(s) addresses become links; anything else (javascript:, file:) is shown as text or not at all. */
export function safeUrl(u: unknown): string | null {
  if (typeof u !== 'string') return null;
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
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
  if (!t.objectives.length && t.cooperation && p.kind !== 'heading') {
    score += 1;
    why.push('cooperation language but no objective (a missed commitment?)');
  }
  return { score, why: [...new Set(why)] };
}

/** Accepted when the labels in force are the automatic ones; corrected otherwise. */
function statusOf(auto: Labels, d: Decision | undefined): Status {
  if (!d) return 'unreviewed';
  if (d.action === 'reject') return 'corrected';
  if (d.action === 'accept') return 'accepted';
  return labelsSignature(labelsAfter(d)) === labelsSignature(auto) ? 'accepted' : 'corrected';
}

const RULE_FAMILY = (label: string) => !label.startsWith('grade/') && !label.startsWith('signal/') && label !== 'cooperation' && !label.startsWith('imperative') && label !== 'negation' && label !== 'future' && label !== 'conditional';

/**
 * The review queue: every passage of every document (tagged or not), plus
 * decisions whose passage no longer occurs (stale). It is built once; a decision
 * updates only the entries of its passage.
 */
export class Queue {
  readonly entries: Entry[] = [];
  readonly docs: DocInfo[] = [];
  private byId = new Map<string, Entry>();
  private byKey = new Map<string, Entry[]>();
  private seenSeq = 0;

  constructor(
    docs: Doc[],
    private store: ReviewStore,
  ) {
    const attached = attach(docs, store);
    let order = 0;
    for (const d of docs) {
      const info: DocInfo = {
        id: d.id,
        key: docKeyOf(d),
        title: d.meta.title,
        date: d.meta.date ?? null,
        partnerships: d.partnerships,
        path: d.path,
        source: safeUrl(d.meta.sourceUrls?.[0] ?? d.meta.sourceUrl),
        entries: [],
      };
      const di = this.docs.push(info) - 1;
      for (const p of d.passages) {
        const auto = labelsOf(p.tags);
        const u = uncertainty(p);
        const e: Entry = {
          order: order++,
          id: p.id,
          key: keyOf(info.key, passageKeyOf(p.text)),
          docKey: info.key,
          passageKey: passageKeyOf(p.text),
          doc: di,
          passage: p,
          kind: p.kind,
          text: p.text,
          auto,
          labels: auto,
          status: 'unreviewed',
          decision: undefined,
          reviews: [],
          disputed: false,
          adjudicated: false,
          rules: [...new Set(p.tags.evidence.filter((x) => RULE_FAMILY(x.label)).map((x) => x.ruleId))].sort(),
          tagged: auto.objectives.length > 0 || auto.governance,
          cooperation: !!p.tags.cooperation,
          uncertainty: u.score,
          why: u.why,
          search: `${p.text}\n${p.headings.join('\n')}`.toLowerCase(),
          gone: false,
        };
        info.entries.push(e);
        this.add(e);
      }
    }
    for (const s of attached.stale) this.addStale(s, order++);
    this.seenSeq = store.latestSeq;
    for (const key of store.keys()) this.refreshKey(key);
  }

  private add(e: Entry): void {
    this.entries.push(e);
    // The same text twice in a statement is one passage for decisions; the first id is the one looked up.
    if (!this.byId.has(e.id)) this.byId.set(e.id, e);
    const list = this.byKey.get(e.key) ?? [];
    list.push(e);
    this.byKey.set(e.key, list);
  }

  private addStale(s: Decision, order: number): void {
    this.add({
      order,
      id: `stale-${s.seq}`,
      key: keyOf(s.docKey, s.passageKey),
      docKey: s.docKey,
      passageKey: s.passageKey,
      doc: -1,
      passage: null,
      kind: 'stale',
      text: s.text,
      auto: s.before,
      labels: labelsAfter(s),
      status: 'stale',
      decision: s,
      reviews: [],
      disputed: false,
      adjudicated: false,
      rules: [...s.rules].sort(),
      tagged: s.before.objectives.length > 0 || s.before.governance,
      cooperation: false,
      uncertainty: 0,
      why: ['the passage text no longer occurs in the document'],
      search: `${s.text}\n${s.heading}`.toLowerCase(),
      gone: false,
    });
  }

  private refreshKey(key: string): void {
    const list = this.byKey.get(key);
    if (!list) return;
    const [docKey, passageKey] = key.split('\u0000') as [string, string];
    const d = this.store.current(docKey, passageKey);
    const reviews = this.store.reviews(docKey, passageKey);
    const adjudicated = d?.final ?? false;
    for (const e of list) {
      e.decision = d;
      e.reviews = reviews;
      e.adjudicated = adjudicated;
      e.disputed = isDisputed(reviews) && !adjudicated;
      if (e.passage) {
        e.labels = d ? labelsAfter(d) : e.auto;
        e.status = statusOf(e.auto, d);
      } else {
        e.gone = !d;
        if (d) e.labels = labelsAfter(d);
      }
    }
  }

  /** Bring in decisions written since the last look (by this server or another process on the same file). */
  refresh(): void {
    const { keys, seq } = this.store.changedSince(this.seenSeq);
    this.seenSeq = seq;
    for (const key of keys) {
      if (!this.byKey.has(key)) {
        const [docKey, passageKey] = key.split('\u0000') as [string, string];
        const d = this.store.current(docKey, passageKey);
        if (d) this.addStale(d, this.entries.length);
      }
      this.refreshKey(key);
    }
  }

  get(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  forKey(key: string): Entry[] {
    return this.byKey.get(key) ?? [];
  }

  filter(f: Filters): Entry[] {
    const terms = (f.q ?? '').toLowerCase().match(/"[^"]+"|\S+/g)?.map((t) => t.replace(/^"|"$/g, '')).filter(Boolean) ?? [];
    const me = (f.reviewer ?? '').trim();
    let out = this.entries.filter((e) => {
      if (e.gone) return false;
      const l = e.labels;
      if (f.partnership && !(this.docs[e.doc]?.partnerships ?? []).includes(f.partnership)) return false;
      if (f.objective && !l.objectives.some((o) => o.objective === f.objective)) return false;
      if (f.domain && !l.domains.includes(f.domain)) return false;
      if (f.grade && !l.objectives.some((o) => o.grade === f.grade)) return false;
      if (f.tags === 'tagged' && !e.tagged) return false;
      if (f.tags === 'none' && e.tagged) return false;
      if (f.tags === 'none-cooperation' && (e.tagged || !e.cooperation)) return false;
      if (f.rule && !e.rules.includes(f.rule)) return false;
      switch (f.status) {
        case undefined:
          break;
        case 'disputed':
          if (!e.disputed) return false;
          break;
        case 'adjudicated':
          if (!e.adjudicated) return false;
          break;
        case 'reviewed':
          if (!e.decision || e.status === 'stale') return false;
          break;
        case 'mine':
          if (!e.reviews.some((r) => r.reviewer === me) && e.decision?.reviewer !== me) return false;
          break;
        case 'not-mine':
          if (e.status === 'stale' || e.reviews.some((r) => r.reviewer === me)) return false;
          break;
        default:
          if (e.status !== f.status) return false;
      }
      if (terms.length && !terms.every((t) => e.search.includes(t))) return false;
      return true;
    });
    if (f.order === 'uncertain') out = [...out].sort((a, b) => b.uncertainty - a.uncertainty || a.order - b.order);
    return out;
  }

  /** Counts over the whole queue, straight from the entries the store keeps current. */
  counts() {
    const c = { passages: 0, unreviewed: 0, accepted: 0, corrected: 0, stale: 0, disputed: 0, adjudicated: 0, untagged: 0, decisions: this.store.size() };
    for (const e of this.entries) {
      if (e.gone) continue;
      if (e.status !== 'stale') c.passages++;
      c[e.status]++;
      if (e.disputed) c.disputed++;
      if (e.adjudicated) c.adjudicated++;
      if (!e.tagged && e.status !== 'stale') c.untagged++;
    }
    return c;
  }

  /** The rules behind the passages of a list, with how many passages each fired on (for bulk actions). */
  ruleFacets(list: Entry[]): Array<{ rule: string; label: string; passages: number }> {
    const m = new Map<string, { label: string; passages: number }>();
    for (const e of list) {
      for (const r of e.rules) {
        const s = m.get(r) ?? { label: '', passages: 0 };
        s.passages++;
        if (!s.label && e.passage) s.label = e.passage.tags.evidence.find((x) => x.ruleId === r)?.label ?? '';
        m.set(r, s);
      }
    }
    return [...m.entries()].map(([rule, s]) => ({ rule, ...s })).sort((a, b) => b.passages - a.passages || a.rule.localeCompare(b.rule));
  }

  /** The compact form of an entry for the list. */
  row(e: Entry) {
    return {
      id: e.id,
      kind: e.kind,
      text: e.text,
      status: e.status,
      doc: e.doc,
      objectives: e.labels.objectives.map((o) => [o.objective, o.grade] as [Objective, string]),
      governance: e.labels.governance,
      disputed: e.disputed,
      adjudicated: e.adjudicated,
      reviewers: e.reviews.map((r) => r.reviewer),
    };
  }

  /** Everything the page shows about one passage. */
  detail(e: Entry) {
    const doc = this.docs[e.doc];
    const p = e.passage;
    const i = doc ? doc.entries.indexOf(e) : -1;
    const around = (from: number, to: number) => (doc ? doc.entries.slice(Math.max(0, from), Math.max(0, to)).map((x) => ({ id: x.id, kind: x.kind, text: x.text })) : []);
    const view = (d: Decision) => ({ seq: d.seq, reviewer: d.reviewer, at: d.at, action: d.action, note: d.note, final: d.final, batch: d.batch, labels: labelsAfter(d) });
    return {
      id: e.id,
      kind: e.kind,
      text: e.text,
      status: e.status,
      docTitle: doc?.title ?? e.docKey,
      docDate: doc?.date ?? null,
      partnerships: doc?.partnerships ?? [],
      source: doc ? { url: doc.source, file: doc.path, line: p?.source.line ?? null, page: p?.source.page ?? null, element: p?.source.element ?? null } : null,
      heading: p ? p.headings : e.decision?.heading ? [e.decision.heading] : [],
      listIntro: p?.listIntro ?? null,
      before: around(i - 2, i),
      after: i >= 0 ? around(i + 1, i + 3) : [],
      previous: i > 0 ? doc!.entries[i - 1]!.text : null,
      next: i >= 0 && doc && i + 1 < doc.entries.length ? doc.entries[i + 1]!.text : null,
      auto: e.auto,
      labels: e.labels,
      details: p
        ? p.tags.objectives.map((o) => ({ objective: o.objective, grade: o.grade, subcategories: o.subcategories, reason: o.gradeReason, rules: [...new Set(o.evidence.filter((x) => !x.label.startsWith('grade/')).map((x) => x.ruleId))], listMention: o.listMention }))
        : [],
      domainRules: p ? [...new Set(p.tags.evidence.filter((x) => x.label.startsWith('domain/')).map((x) => `${x.label.slice(7)}: ${x.ruleId}${x.scope !== 'text' ? ` (from the ${x.scope})` : ''}`))] : [],
      governanceRules: p ? [...new Set(p.tags.evidence.filter((x) => x.label === 'governance').map((x) => x.ruleId))] : [],
      cooperation: e.cooperation,
      // Tags the rules proposed and dropped, with the reason: where a missed commitment usually shows.
      dropped: p ? (p.tags.candidates ?? []).filter((c) => !c.kept).map((c) => ({ rule: c.ruleId, label: c.label, match: c.match, reason: c.reason })) : [],
      highlights: p ? p.tags.evidence.filter((x) => x.scope === 'text').map((x) => ({ start: x.start, end: x.end, label: x.label, rule: x.ruleId })) : [],
      decision: e.decision ? view(e.decision) : null,
      reviews: e.reviews.map(view),
      disputed: e.disputed,
      adjudicated: e.adjudicated,
      uncertainty: e.uncertainty,
      why: e.why,
    };
  }

  /** A statement as the pipeline cut it, for reading a passage in its document. */
  document(e: Entry) {
    const doc = this.docs[e.doc];
    if (!doc) return null;
    return {
      title: doc.title,
      date: doc.date,
      partnerships: doc.partnerships,
      source: doc.source,
      file: doc.path,
      passages: doc.entries.map((x) => ({ id: x.id, kind: x.kind, text: x.text, listIntro: x.passage?.listIntro ?? null, status: x.status, objectives: x.labels.objectives.length })),
    };
  }
}
