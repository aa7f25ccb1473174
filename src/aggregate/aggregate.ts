import { createHash } from 'node:crypto';
import type { ConcretenessSignal, Domain, Grade, Objective } from '../core/taxonomy.js';
import { CONCRETENESS_SIGNALS, DOMAINS, DOMAIN_INFO, GRADES, OBJECTIVES, OBJECTIVE_INFO, SUBCATEGORIES } from '../core/taxonomy.js';
import type { Registry } from '../rules/registry.js';
import type { DocSummary, ObjectiveSummary, PassageSummary } from './summary.js';
import type { GovernanceFacts, Level, Rhythm } from './governance.js';
import { LEVELS, RHYTHMS } from './governance.js';
import type { EventKind } from './events.js';
import { normalizeSentence } from './normalize.js';
import * as measures from './measures.js';
import type { Cell, DCommitment, DDoc, DOcc, DPartnership, Dataset, Filter, Row, Selected } from './measures.js';

/** Append to the list under a key. */
function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}


export type { Cell, Dataset, Filter, Row } from './measures.js';

export interface Scope {
  domain: Domain | null;
  from: string | null;
  until: string | null;
}

/** A statement as a profile cites it. */
export interface Citation {
  code: string;
  docId: string;
  title: string;
  date?: string;
  url: string;
  /** Every address the statement was found at, when more than one. */
  urls?: string[];
}

/** Where a quoted passage is: the statement (by code and id), the passage and its offsets in the canonical text. */
export interface SourceCite {
  code: string;
  docId: string;
  passage: number;
  start: number;
  end: number;
  date?: string;
  /** The passage's own words, when they differ from the quote (spacing, quotes, case). */
  text?: string;
}

export interface EvidenceItem {
  /** Key of the normalised sentence: one item per distinct commitment. */
  key: string;
  text: string;
  heading: string[];
  subcategories: string[];
  grade: Grade;
  gradeReason: string;
  concreteness: ConcretenessSignal[];
  listMention: boolean;
  domains: Domain[];
  reviewed: boolean;
  rules: string[];
  points: number;
  /** Every statement in scope that carries it, the strongest instance first. */
  sources: SourceCite[];
}

export interface ObjectiveProfile extends Cell {
  found: boolean;
  bySubcategory: Record<string, EvidenceItem[]>;
}

export interface GovernanceSummary {
  bodies: Array<{ name: string; status: 'established' | 'planned'; first?: string; cites: SourceCite[] }>;
  /** Who chairs or leads; `of`: the body they chair, when the passage names one. */
  chairs: Array<{ who: string; of?: string; cites: SourceCite[] }>;
  levels: Array<{ level: Level; cites: SourceCite[] }>;
  rhythm: Array<{ rhythm: Rhythm; cites: SourceCite[] }>;
  /** The passages the summary was read from. */
  passages: Array<{ text: string; cites: SourceCite[] }>;
}

export interface Milestone {
  date: string;
  kind: EventKind;
  what: string;
  planned: boolean;
  /** "text": the date is written in the statement; "statement": the statement's own date; "registry": the registry's launch date. */
  dated: 'text' | 'statement' | 'registry';
  cites: SourceCite[];
}

export interface Profile {
  id: string;
  name: string;
  parties: string[];
  kind?: string;
  launched?: string;
  ageYears?: number;
  parent?: string;
  children: string[];
  /** The partnership's own statements, with their codes. */
  documents: Citation[];
  /** Statements of other partnerships that carry evidence for this one (they name it). */
  alsoCited: Citation[];
  /** Statements of other partnerships that name it without evidence for it. */
  namedIn: Citation[];
  governance: GovernanceSummary;
  milestones: Milestone[];
  objectives: Record<Objective, ObjectiveProfile>;
  meetings: Array<{ date: string; codes: string[]; counts: Record<string, number> }>;
}

export interface Matrix {
  scope: Scope;
  rows: Row[];
}

export interface RegistryCoverage {
  partnerships: number;
  withDocuments: string[];
  /** Registry partnerships without a statement of their own; `evidence` when other statements carry evidence for them. */
  withoutDocuments: Array<{ id: string; name: string; namedInPassages: number; evidence: boolean }>;
}

export interface Aggregate {
  scope: Scope;
  /** The newest statement's date: ages are measured to it, not to the clock, so outputs are reproducible. */
  asOf: string;
  dataset: Dataset;
  matrix: Matrix;
  analysis: ReturnType<typeof measures.analysisOf>;
  profiles: Profile[];
  /** Citation codes of every statement, by document id: fixed by the whole corpus, never by the scope. */
  codes: Record<string, string[]>;
  registry: RegistryCoverage;
  /**
   * What each partnership's files are made from, as a digest by partnership id (see
   * partnershipInputs; its profile and page add the age they show: profileInputs),
   * when every summary carries its digest.
   */
  inputs?: Record<string, string>;
}

const byDateTitle = (a: DocSummary, b: DocSummary) =>
  cmp(a.date ?? '9999', b.date ?? '9999') || cmp(a.title, b.title) || cmp(a.id, b.id);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function yearsBetween(from: string, to: string): number {
  const a = new Date(from.length === 4 ? `${from}-01-01` : from.length === 7 ? `${from}-01` : from);
  const b = new Date(to);
  return Math.max(0, Math.round(((b.getTime() - a.getTime()) / (365.25 * 864e5)) * 10) / 10);
}

/**
 * Citation codes in the study's style: partnership id and a number in date
 * order, over the whole corpus (never the scoped part of it), so a code means
 * the same statement in every run on the same corpus. A statement of two
 * partnerships has a code in each; its first is its primary code. Statements
 * attributed to none are numbered as NA1, NA2, ...
 */
export function citationCodes(summaries: DocSummary[]): Map<string, string[]> {
  const usable = summaries.filter((s) => !s.failed).sort(byDateTitle);
  const next = new Map<string, number>();
  const codes = new Map<string, string[]>();
  for (const s of usable) {
    const own = s.partnerships.length ? s.partnerships : ['NA'];
    codes.set(
      s.id,
      own.map((p) => {
        const n = (next.get(p) ?? 0) + 1;
        next.set(p, n);
        return `${p}${n}`;
      }),
    );
  }
  return codes;
}

/** The same statement summarised twice (found at two addresses) is one statement cited with both. */
function mergeDuplicate(a: DocSummary, b: DocSummary): DocSummary {
  const [first, second] = cmp(a.path, b.path) <= 0 ? [a, b] : [b, a];
  return {
    ...first,
    urls: [...new Set([...first.urls, ...second.urls])],
    partnerships: [...new Set([...first.partnerships, ...second.partnerships])],
  };
}

/**
 * Aggregation, one document summary at a time: `add` them in any order (as
 * workers finish; `share` a summary's strings as it arrives when it is added
 * later), then `result`, once, for a scope. The result depends only on the set of
 * summaries, never on the order they arrived in.
 */
export class Aggregator {
  private readonly docs = new Map<string, DocSummary>();
  /** One copy of each word, label and reason the summaries repeat (see shareStrings). */
  private readonly strings = new Map<string, string>();

  /** Summaries whose strings are shared already (see share). */
  private readonly shared = new WeakSet<DocSummary>();
  private done = false;

  constructor(private readonly registry: Registry) {}

  /**
   * Share the strings of a summary that will be added later, as soon as it arrives:
   * a run holds every statement's summary until all are there, a quarter smaller so.
   */
  share(summary: DocSummary): void {
    if (this.done) throw new Error('a summary was shared after the aggregate was made');
    if (this.shared.has(summary)) return;
    shareStrings(summary, this.strings);
    this.shared.add(summary);
  }

  add(summary: DocSummary): void {
    if (this.done) throw new Error('a summary was added after the aggregate was made');
    if (!this.shared.has(summary)) shareStrings(summary, this.strings);
    const prev = this.docs.get(summary.id);
    this.docs.set(summary.id, prev ? mergeDuplicate(prev, summary) : summary);
  }

  /**
   * The aggregate of the summaries added, made once: the aggregator lets them go,
   * so that a run holds only the aggregate while it writes its outputs (at 1,000
   * statements the summaries held apart from it were 18 MB of a 103 MB heap).
   */
  result(scope: Scope): Aggregate {
    if (this.done) throw new Error('the aggregate was made already');
    this.done = true;
    const docs = [...this.docs.values()];
    this.docs.clear();
    this.strings.clear();
    return build(docs, this.registry, scope);
  }
}

/**
 * Summaries arrive one by one, each from its own message or cache record, and
 * every string in them is a copy of its own: the headings every passage under
 * them repeats, the grade reasons, rule ids and labels of every tag. A run
 * holds all of them until the aggregate is made; one copy of each repeated
 * string, shared, makes a summary a quarter smaller in memory.
 * The passages' own texts and ids are left as they are (they do not repeat).
 * A string is a value: sharing it changes nothing else.
 */
function shareStrings(s: DocSummary, table: Map<string, string>): void {
  const one = (x: string): string => {
    const kept = table.get(x);
    if (kept !== undefined) return kept;
    table.set(x, x);
    return x;
  };
  const all = <T extends string>(xs: T[]) => {
    for (let i = 0; i < xs.length; i++) xs[i] = one(xs[i]!) as T;
  };
  all(s.partnerships);
  if (s.docType !== undefined) s.docType = one(s.docType);
  if (s.publisher !== undefined) s.publisher = one(s.publisher);
  if (s.date !== undefined) s.date = one(s.date);
  for (const p of s.passages) {
    p.kind = one(p.kind) as PassageSummary['kind'];
    all(p.headings);
    all(p.named);
    all(p.domains);
    for (const o of p.objectives) {
      o.objective = one(o.objective) as Objective;
      all(o.subcategories);
      o.grade = one(o.grade) as Grade;
      o.gradeReason = one(o.gradeReason);
      all(o.concreteness);
      all(o.rules);
    }
    const g = p.governance;
    if (g) {
      for (const b of g.bodies) b.name = one(b.name);
      for (const c of g.chairs) {
        c.who = one(c.who);
        if (c.of !== undefined) c.of = one(c.of);
      }
      all(g.levels);
      all(g.rhythm);
    }
    for (const e of p.events ?? []) {
      e.kind = one(e.kind) as EventKind;
      e.what = one(e.what);
      e.date = one(e.date);
      e.dated = one(e.dated) as typeof e.dated;
    }
  }
}

/** Aggregate document summaries for a scope (see Aggregator). */
export function aggregate(summaries: Iterable<DocSummary>, registry: Registry, scope: Scope): Aggregate {
  const agg = new Aggregator(registry);
  for (const s of summaries) agg.add(s);
  return agg.result(scope);
}

interface Instance {
  doc: number;
  passage: PassageSummary;
}

function build(all: DocSummary[], registry: Registry, scope: Scope): Aggregate {
  const usable = all.filter((s) => !s.failed).sort(byDateTitle);
  const codes = citationCodes(usable);
  const asOf = usable.reduce((m, d) => (d.date && d.date > m ? d.date : m), '1970-01-01');

  // Partnerships: every one with a statement of its own or with passages that count for it.
  const own = new Map<string, number[]>();
  const counted = new Map<string, Instance[]>();
  usable.forEach((s, d) => {
    for (const p of s.partnerships) push(own, p, d);
    for (const passage of s.passages) {
      for (const p of new Set([...s.partnerships, ...passage.named])) push(counted, p, { doc: d, passage });
    }
  });
  const ids = [...new Set([...own.keys(), ...counted.keys()])].sort(cmp);
  const pIndex = new Map(ids.map((id, i) => [id, i]));

  const texts: string[] = [];
  const textIndex = new Map<string, number>();
  const textOf = (t: string) => {
    let i = textIndex.get(t);
    if (i === undefined) {
      i = texts.length;
      texts.push(t);
      textIndex.set(t, i);
    }
    return i;
  };

  const docs: DDoc[] = usable.map((s) => {
    const c = codes.get(s.id)!;
    const url = s.urls[0] ?? null;
    return {
      id: s.id,
      code: c[0] ?? null,
      codes: Object.fromEntries(s.partnerships.map((p, i) => [p, c[i]!])),
      title: s.title,
      date: s.date ?? null,
      url: url && /^https?:\/\//i.test(url) ? url : null,
      page: `documents/${s.id}.html`,
    };
  });

  const partnerships: DPartnership[] = ids.map((id) => {
    const p = registry.byId.get(id);
    return {
      id,
      name: p?.name ?? id,
      parties: p?.parties ?? [],
      kind: p?.kind ?? null,
      parent: p?.parent ?? null,
      launched: p?.launched ?? null,
      docs: own.get(id) ?? [],
    };
  });

  // Distinct commitments: one per partnership, objective and normalised sentence.
  // When an analyst reviewed the sentence in any statement, that decision stands
  // for every statement repeating it.
  const commitments: DCommitment[] = [];
  for (const id of ids) {
    const groups = new Map<string, Instance[]>();
    for (const inst of counted.get(id) ?? []) {
      if (!inst.passage.objectives.length && !inst.passage.reviewed) continue;
      push(groups, inst.passage.key, inst);
    }
    for (const [key, insts] of [...groups.entries()].sort(([a], [b]) => cmp(a, b))) {
      insts.sort((a, b) => a.doc - b.doc || a.passage.index - b.passage.index);
      const reviewed = insts.filter((i) => i.passage.reviewed);
      const labelled = reviewed.length ? reviewed : insts;
      const isLabelled = reviewed.length ? new Set(reviewed) : undefined;
      for (const o of OBJECTIVES) {
        const donor = labelled.find((i) => i.passage.objectives.some((t) => t.objective === o));
        if (!donor) continue;
        const occ: DOcc[] = insts.map((i) => {
          const tag: ObjectiveSummary = (!isLabelled || isLabelled.has(i) ? i.passage.objectives.find((t) => t.objective === o) : undefined) ?? donor.passage.objectives.find((t) => t.objective === o)!;
          return {
            d: i.doc,
            i: i.passage.index,
            s: i.passage.start,
            e: i.passage.end,
            g: tag.grade,
            c: tag.concreteness,
            l: tag.listMention,
            sub: tag.subcategories,
            dom: i.passage.domains,
            r: reviewed.length > 0,
            ru: tag.rules,
            why: tag.gradeReason,
            h: i.passage.headings,
            t: textOf(i.passage.text),
          };
        });
        commitments.push({ p: pIndex.get(id)!, o, k: key, occ });
      }
    }
  }

  const filter: Filter = { domain: scope.domain, from: scope.from, until: scope.until, group: '', reviewedOnly: false };
  const dataset: Dataset = {
    objectives: [...OBJECTIVES],
    objectiveLabels: Object.fromEntries(OBJECTIVES.map((o) => [o, OBJECTIVE_INFO[o].label])),
    grades: [...GRADES],
    signals: [...CONCRETENESS_SIGNALS],
    subcategories: Object.fromEntries(OBJECTIVES.map((o) => [o, [...SUBCATEGORIES[o]]])),
    domains: [...DOMAINS],
    domainLabels: Object.fromEntries(DOMAINS.map((d) => [d, DOMAIN_INFO[d].label])),
    partnerships,
    docs,
    commitments,
    texts,
    scope: filter,
  };

  const matrix: Matrix = { scope, rows: measures.matrixOf(dataset, filter).rows };
  const analysis = measures.analysisOf(dataset, filter);
  const selected = measures.selected(dataset, filter);

  const citeOf = (pid: string, d: number): string => {
    const doc = dataset.docs[d]!;
    return doc.codes[pid] ?? doc.code ?? doc.id;
  };
  const citation = (pid: string, d: number): Citation => {
    const s = usable[d]!;
    return {
      code: citeOf(pid, d),
      docId: s.id,
      title: s.title,
      ...(s.date ? { date: s.date } : {}),
      url: s.urls[0] ?? s.path,
      ...(s.urls.length > 1 ? { urls: s.urls } : {}),
    };
  };
  const sourceOf = (pid: string, o: DOcc, quote: string): SourceCite => {
    const own = texts[o.t]!;
    return {
      code: citeOf(pid, o.d),
      docId: usable[o.d]!.id,
      passage: o.i,
      start: o.s,
      end: o.e,
      ...(usable[o.d]!.date ? { date: usable[o.d]!.date } : {}),
      ...(own !== quote ? { text: own } : {}),
    };
  };
  const inDates = (d: number) => measures.docInDates(dataset.docs[d]!, filter);

  const byPartnership = new Map<number, Selected[]>();
  for (const s of selected) push(byPartnership, s.c.p, s);
  // The selected commitments by partnership and objective, in the matrix's order.
  const cells = measures.cellsOf(dataset, filter);
  const profiles: Profile[] = ids.map((id, p) => {
    const reg = registry.byId.get(id);
    const mine = byPartnership.get(p) ?? [];
    const objectives = Object.fromEntries(
      OBJECTIVES.map((o) => {
        const list = cells.get(p)?.[o] ?? [];
        const cell = measures.cellOf(dataset, list);
        const bySubcategory: Record<string, EvidenceItem[]> = {};
        for (const s of list) (bySubcategory[s.best.sub[0] ?? 'other'] ??= []).push(evidenceItem(id, s));
        const order = [...SUBCATEGORIES[o], 'other'] as string[];
        return [o, { ...cell, found: list.length > 0, bySubcategory: Object.fromEntries(Object.entries(bySubcategory).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))) }];
      }),
    ) as Record<Objective, ObjectiveProfile>;

    const insts = (counted.get(id) ?? []).filter((i) => inDates(i.doc)).sort((a, b) => a.doc - b.doc || a.passage.index - b.passage.index);
    const evidenceDocs = new Set(mine.flatMap((s) => s.occs.map((o) => o.d)));
    for (const i of insts) if (i.passage.governance || i.passage.events) evidenceDocs.add(i.doc);
    const ownDocs = (own.get(id) ?? []).filter(inDates);
    const isOwn = new Set(ownDocs);
    const namedIn = usable.map((s, d) => ({ s, d })).filter(({ s, d }) => (s.named[id] ?? 0) > 0 && !isOwn.has(d) && !evidenceDocs.has(d) && inDates(d));
    const over = analysis.overTime.find((x) => x.id === id);
    return {
      id,
      name: reg?.name ?? id,
      parties: reg?.parties ?? [],
      ...(reg?.kind ? { kind: reg.kind } : {}),
      ...(reg?.launched ? { launched: reg.launched, ageYears: yearsBetween(reg.launched, asOf) } : {}),
      ...(reg?.parent ? { parent: reg.parent } : {}),
      children: registry.partnerships.filter((x) => x.parent === id).map((x) => x.id).sort(cmp),
      documents: ownDocs.map((d) => citation(id, d)),
      alsoCited: [...evidenceDocs].filter((d) => !isOwn.has(d)).sort((a, b) => a - b).map((d) => citation(id, d)),
      namedIn: namedIn.map(({ d }) => citation(id, d)),
      governance: governanceOf(id, insts),
      milestones: milestonesOf(id, insts, reg?.launched),
      objectives,
      meetings: (over?.meetings ?? []).map((m) => ({ date: m.date, codes: m.docs.map((d) => citeOf(id, d)), counts: m.counts })),
    };
  });

  function evidenceItem(pid: string, s: Selected): EvidenceItem {
    const b = s.best;
    const quote = texts[b.t]!;
    return {
      key: s.c.k,
      text: quote,
      heading: b.h,
      subcategories: b.sub,
      grade: b.g as Grade,
      gradeReason: b.why,
      concreteness: b.c as ConcretenessSignal[],
      listMention: b.l,
      domains: b.dom as Domain[],
      reviewed: b.r,
      rules: b.ru,
      points: s.points,
      sources: s.occs.map((o) => sourceOf(pid, o, quote)),
    };
  }

  /** Citations of passages; `quote`, when given, is the text shown, and a passage whose own words differ carries them. */
  function cites(pid: string, list: Instance[], quote?: string): SourceCite[] {
    const seen = new Set<string>();
    const out: SourceCite[] = [];
    for (const i of list) {
      const k = `${i.doc}:${i.passage.index}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const date = usable[i.doc]!.date;
      out.push({ code: citeOf(pid, i.doc), docId: usable[i.doc]!.id, passage: i.passage.index, start: i.passage.start, end: i.passage.end, ...(date ? { date } : {}), ...(quote !== undefined && i.passage.text !== quote ? { text: i.passage.text } : {}) });
    }
    return out;
  }

  // The words of a partnership's own names: a "body" named only with them is the partnership itself.
  function nameWords(pid: string): Set<string> {
    const p = registry.byId.get(pid);
    return new Set((p ? [p.id, p.name, ...p.aliases] : [pid]).flatMap((n) => normalizeSentence(n).split(' ')));
  }

  function governanceOf(pid: string, insts: Instance[]): GovernanceSummary {
    const own = nameWords(pid);
    const isSelf = (name: string) => normalizeSentence(name).split(' ').every((w) => own.has(w));
    const withFacts = insts.filter((i) => i.passage.governance);
    const bodies = new Map<string, { name: string; planned: boolean; insts: Instance[] }>();
    const chairs = new Map<string, { who: string; of?: string; insts: Instance[] }>();
    const levels = new Map<Level, Instance[]>();
    const rhythm = new Map<Rhythm, Instance[]>();
    const passages = new Map<string, Instance[]>();
    for (const i of withFacts) {
      const f = i.passage.governance as GovernanceFacts;
      for (const b of f.bodies) {
        if (isSelf(b.name)) continue;
        const k = normalizeSentence(b.name);
        const e = bodies.get(k) ?? { name: b.name, planned: true, insts: [] };
        e.planned &&= b.planned;
        e.insts.push(i);
        bodies.set(k, e);
      }
      for (const c of f.chairs) {
        const of = c.of && !isSelf(c.of) ? c.of : undefined;
        const k = normalizeSentence(`${c.who} ${of ?? ''}`);
        const e = chairs.get(k) ?? { who: c.who, ...(of ? { of } : {}), insts: [] };
        e.insts.push(i);
        chairs.set(k, e);
      }
      for (const l of f.levels) push(levels, l, i);
      for (const r of f.rhythm) push(rhythm, r, i);
      push(passages, i.passage.key, i);
    }
    return {
      bodies: [...bodies.values()]
        .map((b) => ({ name: b.name, status: (b.planned ? 'planned' : 'established') as 'planned' | 'established', ...(usable[b.insts[0]!.doc]!.date ? { first: usable[b.insts[0]!.doc]!.date! } : {}), cites: cites(pid, b.insts) }))
        .sort((a, b) => cmp(a.first ?? '9999', b.first ?? '9999') || cmp(a.name.toLowerCase(), b.name.toLowerCase())),
      chairs: [...chairs.values()].map((c) => ({ who: c.who, ...(c.of ? { of: c.of } : {}), cites: cites(pid, c.insts) })).sort((a, b) => cmp(a.cites[0]!.code, b.cites[0]!.code) || cmp(a.who, b.who)),
      levels: LEVELS.filter((l) => levels.has(l)).map((l) => ({ level: l, cites: cites(pid, levels.get(l)!) })),
      rhythm: RHYTHMS.filter((r) => rhythm.has(r)).map((r) => ({ rhythm: r, cites: cites(pid, rhythm.get(r)!) })),
      passages: [...passages.values()].map((list) => ({ text: list[0]!.passage.text, cites: cites(pid, list, list[0]!.passage.text) })),
    };
  }

  function milestonesOf(pid: string, insts: Instance[], launched?: string): Milestone[] {
    const found = new Map<string, { m: Omit<Milestone, 'cites'>; insts: Instance[] }>();
    for (const i of insts) {
      for (const e of i.passage.events ?? []) {
        const k = `${e.date}\u0000${e.kind}\u0000${normalizeSentence(e.what)}`;
        const prev = found.get(k);
        if (prev) {
          prev.insts.push(i);
          prev.m.planned &&= e.planned;
          if (e.dated === 'text') prev.m.dated = 'text';
        } else found.set(k, { m: { date: e.date, kind: e.kind, what: e.what, planned: e.planned, dated: e.dated }, insts: [i] });
      }
    }
    const out: Milestone[] = [...found.values()].map(({ m, insts: list }) => ({ ...m, cites: cites(pid, list) }));
    // The registry's launch date, unless the statements themselves report a launch that day.
    if (launched && !out.some((m) => m.date === launched && (m.kind === 'launch' || m.kind === 'establishment')) && (!filter.from || launched >= filter.from.slice(0, launched.length)) && (!filter.until || launched <= filter.until)) {
      out.push({ date: launched, kind: 'launch', what: `${registry.byId.get(pid)?.name ?? pid} launched (registry)`, planned: false, dated: 'registry', cites: [] });
    }
    return out.sort((a, b) => cmp(a.date, b.date) || cmp(a.kind, b.kind) || cmp(a.what.toLowerCase(), b.what.toLowerCase()));
  }

  const withEvidence = new Set(commitments.map((c) => c.p));
  const namedCount = new Map<string, number>();
  for (const s of usable) for (const [id, n] of Object.entries(s.named)) namedCount.set(id, (namedCount.get(id) ?? 0) + n);
  const registryCoverage: RegistryCoverage = {
    partnerships: registry.partnerships.length,
    withDocuments: registry.partnerships.filter((p) => own.has(p.id)).map((p) => p.id).sort(cmp),
    withoutDocuments: registry.partnerships
      .filter((p) => !own.has(p.id))
      .map((p) => ({ id: p.id, name: p.name, namedInPassages: namedCount.get(p.id) ?? 0, evidence: withEvidence.has(pIndex.get(p.id)!) }))
      .sort((a, b) => cmp(a.id, b.id)),
  };

  // Not the newest statement's date: a profile and a page show only the age measured to it (see profileInputs).
  const inputs = partnershipInputs(usable, ids, own, counted, codes, [scope]);
  return {
    scope,
    asOf,
    dataset,
    matrix,
    analysis,
    profiles,
    codes: Object.fromEntries([...codes.entries()].sort(([a], [b]) => cmp(a, b))),
    registry: registryCoverage,
    ...(inputs ? { inputs } : {}),
  };
}

/**
 * What a partnership's profile is made from, as a digest: the statements that
 * count for it (its own, those with passages that are evidence for it, those that
 * name it), each by its summary's digest, path, addresses, partnerships and codes,
 * in corpus order; and what comes from the corpus as a whole (`common`: the scope;
 * the partnerships with profiles, which the pages link). The newest statement's
 * date is not in it: a profile shows the age measured to it, which its files add
 * (profileInputs), and the evidence table shows neither. Everything else a profile
 * shows comes from the registry, the rules and the code, which the run adds.
 * Undefined when a summary has no digest.
 */
function partnershipInputs(usable: DocSummary[], ids: string[], own: Map<string, number[]>, counted: Map<string, Instance[]>, codes: Map<string, string[]>, common: unknown[]): Record<string, string> | undefined {
  if (usable.some((s) => !s.digest)) return undefined;
  const docLine = usable.map((s) => JSON.stringify([s.digest, s.id, s.path, s.urls, s.partnerships, codes.get(s.id) ?? []]));
  const naming = new Map<string, number[]>();
  usable.forEach((s, d) => {
    for (const id of Object.keys(s.named)) if ((s.named[id] ?? 0) > 0) push(naming, id, d);
  });
  const head = JSON.stringify([...common, ids]);
  const out: Record<string, string> = {};
  for (const id of ids) {
    const docs = new Set([...(own.get(id) ?? []), ...(counted.get(id) ?? []).map((i) => i.doc), ...(naming.get(id) ?? [])]);
    const h = createHash('sha256').update(head);
    for (const d of [...docs].sort((a, b) => a - b)) h.update('\n').update(docLine[d]!);
    out[id] = h.digest('hex');
  }
  return out;
}

/**
 * What a partnership's profile (in JSON) and its report page are made from: its
 * inputs (see partnershipInputs) and the age it shows, which is measured to the
 * newest statement. A statement newer than all others changes a profile only when
 * the age it shows changes. Undefined when the aggregate has no inputs.
 */
export function profileInputs(agg: Aggregate, p: Profile): string | undefined {
  const inputs = agg.inputs?.[p.id];
  return inputs === undefined ? undefined : `${inputs}\u0000${p.ageYears ?? ''}`;
}
