import type { ConcretenessSignal, Domain, Grade, Objective, Subcategory } from '../core/taxonomy.js';
import { CONCRETENESS_SIGNALS, DOMAINS, OBJECTIVES } from '../core/taxonomy.js';
import type { Candidate, Evidence, PassageKind } from '../core/doc.js';
import { scan, toHit, type CompiledRules, type Hit, type RuleHit } from '../rules/compile.js';
import type { LoadedRule } from '../rules/load.js';
import { imperativeGrade } from './imperative.js';
import { units, unitOf, type Units } from './units.js';

export { imperativeGrade } from './imperative.js';

export interface TagInput {
  text: string;
  /** Heading path, outermost first. */
  headings?: string[];
  /** Document title, for domain inheritance from single-topic documents. */
  title?: string;
  kind?: PassageKind;
  /** For a list item, the sentence introducing the list: its verb governs the items. */
  listIntro?: string;
}

export interface ObjectiveHits {
  objective: Objective;
  subcategories: Subcategory[];
  hits: Hit[];
}

/** What the tagger found; the grade stage turns it into graded tags. */
export interface TagLayer {
  text: string;
  objectives: ObjectiveHits[];
  domains: Domain[];
  domainEvidence: Evidence[];
  governance: Hit[];
  signals: ConcretenessSignal[];
  signalEvidence: Evidence[];
  /** Grade cues, negations, futures and conditions of the passage. */
  gradeHits: Hit[];
  imperative?: { grade: Grade; word: string; ruleId: string };
  /** The bullet opens with a finished deliverable ("Signing ...", "Released ..."): read so under a lead-in that reports. */
  deliverable?: boolean;
  /** For a list item: the sentence introducing the list and its cues, graded by the grade stage. */
  intro?: { text: string; hits: Hit[]; report: boolean };
  /** Why objectives were withheld, when they were. */
  withheld?: string;
  /** Cooperation or commitment language was found (headings are never read for it). */
  cooperation: boolean;
  /** Every tag the rules proposed, kept or dropped, with the reason. */
  candidates: Candidate[];
  version: string;
}

export function evidenceOf(h: Hit, scope: Evidence['scope'], version: string): Evidence {
  return { ruleId: h.item.rule.id, label: h.item.rule.label ?? h.item.rule.kind, match: h.text, start: h.start, end: h.end, scope, rulesVersion: version };
}

const isGradeCue = (label: string | undefined) => !!label?.startsWith('grade/');
const GRADE_FAMILY = new Set(['negation', 'future', 'conditional']);

/** What each rule's label says, by rule index, read once per rule set rather than for every hit. */
interface RuleFacts {
  /** A grade cue ("grade/..."). */
  gradeCue: boolean[];
  /** A grade cue, or a negation, future or condition: what the grade stage reads. */
  gradeHit: boolean[];
  /** Opens a bullet ("imperative", "imperative/<grade>"). */
  opener: boolean[];
  label: Array<string | undefined>;
  /** Tags an objective ("objective/subcategory"): the two parts. */
  objective: Array<[Objective, Subcategory] | undefined>;
  /** Each rule's scopes. */
  scopes: Array<Set<string>>;
  /** What a tag rule's label names after its prefix, by prefix: "domain/ai" is `ai` under `domain/`. */
  tagOf: Record<TagPrefix, Array<string | undefined>>;
}

type TagPrefix = 'domain/' | 'signal/';
const factsCache = new WeakMap<CompiledRules, RuleFacts>();
function factsOf(rules: CompiledRules): RuleFacts {
  let f = factsCache.get(rules);
  if (!f) {
    const labels = rules.rules.map((r) => r.label);
    f = {
      gradeCue: labels.map(isGradeCue),
      gradeHit: labels.map((l) => isGradeCue(l) || GRADE_FAMILY.has(l!)),
      opener: labels.map((l) => !!l?.startsWith('imperative')),
      label: labels,
      objective: labels.map((l) => (l && (OBJECTIVES as readonly string[]).includes(l.split('/')[0]!) ? (l.split('/') as [Objective, Subcategory]) : undefined)),
      scopes: rules.rules.map((r) => new Set(r.scope ?? [])),
      tagOf: {
        'domain/': labels.map((l) => (l?.startsWith('domain/') ? l.slice('domain/'.length) : undefined)),
        'signal/': labels.map((l) => (l?.startsWith('signal/') ? l.slice('signal/'.length) : undefined)),
      },
    };
    factsCache.set(rules, f);
  }
  return f;
}

/** Hits of one scan, sorted out by what their rules do. */
interface Sorted {
  text: string;
  rules: CompiledRules;
  /** Pattern hits of term and cooccur rules, before any exception. */
  proposals: RuleHit[];
  partners: ReadonlyMap<number, RuleHit[]>;
  unless: ReadonlyMap<number, RuleHit[]>;
  exceptions: RuleHit[];
  guards: RuleHit[];
  guardOverrides: ReadonlyMap<number, RuleHit[]>;
  cues: RuleHit[];
  /** Words of the in-scope vocabulary (technology and the economy). */
  inScope: RuleHit[];
}

function sortHits(rules: CompiledRules, text: string, hits: RuleHit[]): Sorted {
  const s: Sorted = { text, rules, proposals: [], partners: NONE, unless: NONE, exceptions: [], guards: [], guardOverrides: NONE, cues: [], inScope: [] };
  for (const h of hits) {
    if (h.rule < 0) {
      s.inScope.push(h);
      continue;
    }
    const kind = rules.rules[h.rule]!.kind;
    if (h.role === 'unless') s.unless = pushTo(s.unless, h);
    else if (kind === 'guard') {
      if (h.role === 'with') s.guardOverrides = pushTo(s.guardOverrides, h);
      else s.guards.push(h);
    } else if (h.role === 'with') s.partners = pushTo(s.partners, h);
    else if (kind === 'cue') s.cues.push(h);
    else if (kind === 'exception') s.exceptions.push(h);
    else s.proposals.push(h);
  }
  return s;
}

// Most passages have no partner, exception or override words: they share one empty map.
const NONE: ReadonlyMap<number, RuleHit[]> = new Map();

/** The map with the hit added under its rule (a map of its own the first time). */
function pushTo(m: ReadonlyMap<number, RuleHit[]>, h: RuleHit): Map<number, RuleHit[]> {
  const own = m === NONE ? new Map<number, RuleHit[]>() : (m as Map<number, RuleHit[]>);
  const l = own.get(h.rule);
  if (l) l.push(h);
  else own.set(h.rule, [h]);
  return own;
}

// What String.prototype.localeCompare does, without making a collator for every comparison.
const collator = new Intl.Collator();

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/** The rule's own exception words ("unless") overlapping the hit, if any. */
function ownException(s: Sorted, h: RuleHit): RuleHit | undefined {
  return s.unless.get(h.rule)?.find((u) => overlaps(u, h));
}

function vetoes(rule: LoadedRule, label: string): boolean {
  const v = rule.vetoes ?? [];
  const objective = label.split('/')[0]!;
  return v.includes(label) || v.includes(objective) || ((OBJECTIVES as readonly string[]).includes(objective) && v.includes('objectives'));
}

/** A cue hit that is not cancelled by its own exception words. */
function liveCues(s: Sorted): RuleHit[] {
  return s.cues.filter((h) => !ownException(s, h));
}

// Headings, titles and lead-ins repeat for every passage under them: read each once per rule set.
const contextCache = new WeakMap<CompiledRules, Map<string, Sorted>>();
function sortedContext(rules: CompiledRules, text: string): Sorted {
  let cache = contextCache.get(rules);
  if (!cache) contextCache.set(rules, (cache = new Map()));
  let s = cache.get(text);
  if (!s) {
    s = sortHits(rules, text, scan(rules, text, true).hits);
    if (cache.size > 5000) cache.clear();
    cache.set(text, s);
  }
  return s;
}

/** Domain and other tag hits of a text that survive their own and shared exceptions. */
function tagHits(s: Sorted, prefix: TagPrefix, where: 'text' | 'heading' | 'title'): RuleHit[] {
  const facts = factsOf(s.rules);
  const tagged = facts.tagOf[prefix];
  const out: RuleHit[] = [];
  for (const h of s.proposals) {
    if (tagged[h.rule] === undefined) continue;
    if (where !== 'text' && !facts.scopes[h.rule]!.has(where)) continue;
    if (s.unless !== NONE && ownException(s, h)) continue;
    if (s.exceptions.length && s.exceptions.some((e) => overlaps(e, h) && vetoes(s.rules.rules[e.rule]!, facts.label[h.rule]!))) continue;
    out.push(h);
  }
  return out;
}

interface Found {
  domains: Set<Domain>;
  evidence: Evidence[];
}

function findDomains(s: Sorted, where: 'text' | 'heading' | 'title'): Found {
  const found = new Set<Domain>();
  const evidence: Evidence[] = [];
  const named = factsOf(s.rules).tagOf['domain/'];
  for (const h of tagHits(s, 'domain/', where)) {
    const d = named[h.rule] as Domain;
    if (!found.has(d)) evidence.push(evidenceOf(toHit(s.rules, h, s.text), where, s.rules.version));
    found.add(d);
  }
  return { domains: found, evidence };
}

// The domains of a heading or title (read for every passage under it), kept with its cached hits.
const contextDomains = new WeakMap<Sorted, Partial<Record<'heading' | 'title', Found>>>();

/** A passage's own domains, or a heading's or title's (each passage gets evidence objects of its own). */
function domainsIn(s: Sorted, where: 'text' | 'heading' | 'title', evidence: Evidence[]): Set<Domain> {
  if (where === 'text') {
    const f = findDomains(s, where);
    evidence.push(...f.evidence);
    return f.domains;
  }
  let kept = contextDomains.get(s);
  if (!kept) contextDomains.set(s, (kept = {}));
  const f = (kept[where] ??= findDomains(s, where));
  for (const e of f.evidence) evidence.push({ ...e });
  return f.domains;
}

function specific(ds: Set<Domain>): Domain[] {
  return DOMAINS.filter((d) => d !== 'cet-general' && ds.has(d));
}

/**
 * Domains: the passage's own specific domains; failing those, the innermost
 * heading's; failing those, a single-topic title's; and cet-general only when no
 * specific field is named anywhere in that chain.
 */
function tagDomains(input: TagInput, own: Sorted, rules: CompiledRules): { domains: Domain[]; evidence: Evidence[] } {
  const evidence: Evidence[] = [];
  const mine = domainsIn(own, 'text', evidence);
  const ownSpecific = specific(mine);
  if (ownSpecific.length) return { domains: ownSpecific, evidence: evidence.filter((e) => e.label !== 'domain/cet-general') };
  let general = mine.has('cet-general');
  const headings = input.headings ?? [];
  for (let k = headings.length - 1; k >= 0; k--) {
    const heading = headings[k]!;
    const hEv: Evidence[] = [];
    const hs = domainsIn(sortedContext(rules, heading), 'heading', hEv);
    const sp = specific(hs);
    if (sp.length) return { domains: sp, evidence: hEv.filter((e) => e.label !== 'domain/cet-general') };
    if (hs.has('cet-general') && !general) {
      general = true;
      evidence.push(...hEv);
    }
  }
  if (input.title) {
    const tEv: Evidence[] = [];
    const sp = specific(domainsIn(sortedContext(rules, input.title), 'title', tEv));
    if (sp.length === 1) return { domains: sp, evidence: tEv.filter((e) => e.label === `domain/${sp[0]}`) };
  }
  return general ? { domains: ['cet-general'], evidence } : { domains: [], evidence: [] };
}

/** The words one token-window apart: number of words strictly between two spans. */
function wordsBetween(u: Units, a: { start: number; end: number }, b: { start: number; end: number }): number {
  const [first, second] = a.start <= b.start ? [a, b] : [b, a];
  if (second.start < first.end) return 0;
  return u.wordsBetween(first.end, second.start);
}

interface Proposal {
  rule: LoadedRule;
  anchor: RuleHit;
  partner?: RuleHit;
  start: number;
  end: number;
}

/** Term hits propose as they are; cooccur hits only with a partner in reach. `wanted` picks the rules, by index. */
function proposals(s: Sorted, units: () => Units, wanted: (rule: number) => boolean): { kept: Proposal[]; dropped: Candidate[] } {
  const kept: Proposal[] = [];
  const dropped: Candidate[] = [];
  const drop = (rule: LoadedRule, h: RuleHit, reason: string) =>
    dropped.push({ ruleId: rule.id, label: rule.label!, match: s.text.slice(h.start, h.end), start: h.start, end: h.end, kept: false, reason });
  for (const h of s.proposals) {
    if (!wanted(h.rule)) continue;
    const rule = s.rules.rules[h.rule]!;
    const own = ownException(s, h);
    if (own) {
      drop(rule, h, `exception "${s.text.slice(own.start, own.end)}" of rule ${rule.id}`);
      continue;
    }
    if (rule.kind === 'term') {
      kept.push({ rule, anchor: h, start: h.start, end: h.end });
      continue;
    }
    // cooccur: a partner from `with` within the window, the order and the unit the rule asks for.
    const window = rule.window ?? 12;
    const order = rule.order ?? 'any';
    const unit = unitScope(rule, 'clause');
    let best: RuleHit | undefined;
    for (const p of s.partners.get(h.rule) ?? []) {
      if (ownException(s, p) || overlaps(p, h)) continue;
      if (order === 'after' && p.start < h.end) continue;
      if (order === 'before' && p.end > h.start) continue;
      const u = units();
      if (unit !== 'passage' && unitOf(u, unit, h.start) !== unitOf(u, unit, p.start)) continue;
      if (wordsBetween(u, h, p) > window) continue;
      if (!best || Math.abs(p.start - h.start) < Math.abs(best.start - h.start)) best = p;
    }
    if (!best) {
      drop(rule, h, `no word of its \`with\` list within ${window} words in the same ${unit}`);
      continue;
    }
    kept.push({ rule, anchor: h, partner: best, start: Math.min(h.start, best.start), end: Math.max(h.end, best.end) });
  }
  return { kept, dropped };
}

function unitScope(rule: LoadedRule, fallback: 'clause' | 'sentence' | 'passage'): 'clause' | 'sentence' | 'passage' {
  const sc = rule.scope ?? [];
  if (sc.includes('clause')) return 'clause';
  if (sc.includes('sentence')) return 'sentence';
  if (sc.includes('passage')) return 'passage';
  return fallback;
}

// Lead-ins repeat for every item under them: their cues are read once per rule set.
const introCache = new WeakMap<CompiledRules, Map<string, TagLayer['intro'] | null>>();
function introOf(rules: CompiledRules, intro: string): TagLayer['intro'] {
  let cache = introCache.get(rules);
  if (!cache) introCache.set(rules, (cache = new Map()));
  let r = cache.get(intro);
  if (r === undefined) {
    r = readIntro(rules, intro) ?? null;
    if (cache.size > 5000) cache.clear();
    cache.set(intro, r);
  }
  return r ?? undefined;
}

function readIntro(rules: CompiledRules, intro: string): TagLayer['intro'] {
  const s = sortedContext(rules, intro);
  const facts = factsOf(rules);
  const cues = liveCues(s);
  const hits = cues.filter((h) => facts.gradeHit[h.rule]);
  const report = cues.some((h) => facts.label[h.rule] === 'report');
  if (!hits.some((h) => facts.gradeCue[h.rule]) && !report) return undefined;
  return { text: intro, hits: hits.map((h) => toHit(rules, h, intro)), report };
}

export function tagPassage(input: TagInput, rules: CompiledRules): TagLayer {
  const { text } = input;
  const version = rules.version;
  const sc = scan(rules, text, true);
  const s = sortHits(rules, text, sc.hits);
  const { domains, evidence: domainEvidence } = tagDomains(input, s, rules);

  const signalEvidence: Evidence[] = [];
  const signals = new Set<ConcretenessSignal>();
  const signalOf = factsOf(rules).tagOf['signal/'];
  for (const h of tagHits(s, 'signal/', 'text')) {
    const sig = signalOf[h.rule] as ConcretenessSignal;
    if (!signals.has(sig)) signalEvidence.push(evidenceOf(toHit(rules, h, text), 'text', version));
    signals.add(sig);
  }

  const base: TagLayer = {
    text,
    objectives: [],
    domains,
    domainEvidence,
    governance: [],
    signals: CONCRETENESS_SIGNALS.filter((x) => signals.has(x)),
    signalEvidence,
    gradeHits: [],
    cooperation: false,
    candidates: [],
    version,
  };
  // Headings name a topic; they state nothing the governments do. A short line
  // ending in a colon ("Export Control Cooperation:") is a heading cut as a sentence.
  if (input.kind === 'heading' || (sc.tokens.length <= 8 && /:\s*$/.test(text))) return base;

  // Sentences and clauses are found only when a rule needs them (most passages propose nothing).
  let unitsOf: Units | undefined;
  const lazyUnits = () => (unitsOf ??= units(text, sc.tokens));
  const facts = factsOf(rules);
  const cues = liveCues(s);
  const gradeHits = cues.filter((h) => facts.gradeHit[h.rule]);
  base.gradeHits = gradeHits.map((h) => toHit(rules, h, text));
  // The opening imperative is read only when something needs it: a gate a lead-in does
  // not already open, the cooperation flag of a passage without cues, or the grade of a
  // tag. Reading it may ask the part-of-speech tagger, the costliest step of a passage.
  let imperative: TagLayer['imperative'] | null = null;
  const imperativeOf = () => {
    if (imperative === null) {
      const openers = cues.filter((h) => facts.opener[h.rule]);
      imperative = imperativeGrade(text, rules, base.gradeHits, openers.map((h) => toHit(rules, h, text)), input.kind);
    }
    return imperative;
  };
  const first = /^[\s"'(•\-–*]*[A-Za-z]/.exec(text);
  if (first && cues.some((h) => h.start === first[0].length - 1 && facts.label[h.rule] === 'report/completed')) base.deliverable = true;
  if (input.kind === 'item' && input.listIntro) {
    const intro = introOf(rules, input.listIntro);
    if (intro) base.intro = intro;
  }

  // Governance: its own rules, with the shared exceptions.
  const gov = proposals(s, lazyUnits, (r) => facts.label[r] === 'governance');
  base.governance = gov.kept.filter((p) => !s.exceptions.some((e) => overlaps(e, p.anchor) && vetoes(rules.rules[e.rule]!, 'governance'))).map((p) => toHit(rules, p.anchor, text));

  // Commitment: a grade cue, an opening imperative, a governing lead-in; cooperation adds
  // the words that show the governments act together.
  const commitmentAt = (pos: number, unit: 'clause' | 'sentence' | 'passage') => gradeHits.some((c) => facts.gradeCue[c.rule] && (unit === 'passage' || unitOf(lazyUnits(), unit, c.start) === unitOf(lazyUnits(), unit, pos)));
  const cooperationAt = (pos: number, unit: 'clause' | 'sentence' | 'passage') => cues.some((c) => facts.label[c.rule] === 'cooperation' && (unit === 'passage' || unitOf(lazyUnits(), unit, c.start) === unitOf(lazyUnits(), unit, pos)));
  const governing = () => !!base.intro || !!imperativeOf();
  const inScopeAt = (pos: number) => s.inScope.some((h) => unitOf(lazyUnits(), 'sentence', h.start) === unitOf(lazyUnits(), 'sentence', pos));
  base.cooperation = gradeHits.some((c) => facts.gradeCue[c.rule]) || cues.some((c) => facts.label[c.rule] === 'cooperation') || governing();

  const { kept, dropped } = proposals(s, lazyUnits, (r) => facts.objective[r] !== undefined);
  const candidates: Candidate[] = [...dropped];
  const byObjective = new Map<Objective, ObjectiveHits>();
  for (const p of kept) {
    const u = lazyUnits();
    const label = p.rule.label!;
    const cand: Candidate = { ruleId: p.rule.id, label, match: text.slice(p.start, p.end), start: p.start, end: p.end, kept: false, reason: '' };
    candidates.push(cand);
    // Shared exceptions ("subsidiary" is not a subsidy).
    const ex = s.exceptions.find((e) => (overlaps(e, p.anchor) || (p.partner && overlaps(e, p.partner))) && vetoes(rules.rules[e.rule]!, label));
    if (ex) {
      cand.reason = `exception "${text.slice(ex.start, ex.end)}" (rule ${rules.rules[ex.rule]!.id})`;
      continue;
    }
    // Out-of-scope guards (taxonomy section 1) apply before any objective.
    // A guard word vetoes the tags it stands near (within its window, in its unit):
    // "training of naval officers", not a list that also names health.
    const guard = s.guards.find((g) => {
      const gr = rules.rules[g.rule]!;
      if (!vetoes(gr, label) || ownException(s, g)) return false;
      const unit = unitScope(gr, 'clause');
      if (unit !== 'passage' && unitOf(u, unit, g.start) !== unitOf(u, unit, p.start)) return false;
      if (gr.window !== undefined && wordsBetween(u, g, p.anchor) > gr.window && (!p.partner || wordsBetween(u, g, p.partner) > gr.window)) return false;
      const keep = (s.guardOverrides.get(g.rule) ?? []).some((o) => !ownException(s, o) && (unit === 'passage' || unitOf(u, unit, o.start) === unitOf(u, unit, p.start)));
      return !keep;
    });
    if (guard) {
      cand.reason = `out of scope: "${text.slice(guard.start, guard.end)}" (guard ${rules.rules[guard.rule]!.id})`;
      continue;
    }
    // The gate: what the sentence (or clause) must also say for the tag to stand.
    const req = p.rule.requires ?? 'cooperation';
    const requires = new Set(Array.isArray(req) ? req : [req]);
    const unit = unitScope(p.rule, 'sentence');
    const lead = !p.rule.scope || p.rule.scope.includes('item');
    let missing = '';
    if (requires.has('commitment') && !(lead && governing()) && !commitmentAt(p.start, unit)) missing = `no commitment language in its ${unit}`;
    else if (requires.has('cooperation') && !(lead && governing()) && !commitmentAt(p.start, unit) && !cooperationAt(p.start, unit)) missing = `no cooperation or commitment language in its ${unit}`;
    else if (requires.has('technology') && !domains.length && !inScopeAt(p.start)) missing = 'not about technology or the economy: no domain and no word of the in-scope vocabulary in its sentence';
    if (missing) {
      cand.reason = missing;
      continue;
    }
    cand.kept = true;
    cand.reason = 'kept';
    const [objective, sub] = facts.objective[p.anchor.rule]!;
    let entry = byObjective.get(objective);
    if (!entry) byObjective.set(objective, (entry = { objective, subcategories: [], hits: [] }));
    if (!entry.subcategories.includes(sub)) entry.subcategories.push(sub);
    entry.hits.push(toHit(rules, p.anchor, text));
    if (p.partner) entry.hits.push(toHit(rules, p.partner, text));
  }
  base.candidates = candidates.sort((a, b) => a.start - b.start || collator.compare(a.ruleId, b.ruleId));
  base.objectives = OBJECTIVES.filter((o) => byObjective.has(o)).map((o) => byObjective.get(o)!);
  // The grade stage reads the imperative for a passage with tags to grade.
  if (base.objectives.length || base.governance.length) {
    const imp = imperativeOf();
    if (imp) base.imperative = imp;
  }
  if (!base.objectives.length && !base.cooperation) base.withheld = 'no cooperation or commitment language: the passage describes, it does not agree';
  return base;
}
