import type { ConcretenessSignal, Domain, Grade, Objective, Subcategory } from '../core/taxonomy.js';
import { CONCRETENESS_SIGNALS, DOMAINS, OBJECTIVES } from '../core/taxonomy.js';
import type { Evidence, PassageKind } from '../core/doc.js';
import type { Hit } from '../rules/matcher.js';
import type { ActiveRule, CompiledRules } from '../rules/compile.js';
import { imperativeGrade } from './imperative.js';

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
  hits: Hit<ActiveRule>[];
}

/** What the tagger found; the grade stage turns it into graded tags. */
export interface TagLayer {
  text: string;
  objectives: ObjectiveHits[];
  domains: Domain[];
  domainEvidence: Evidence[];
  governance: Hit<ActiveRule>[];
  signals: ConcretenessSignal[];
  signalEvidence: Evidence[];
  gradeHits: Hit<ActiveRule>[];
  imperative?: { grade: Grade; word: string; ruleId: string };
  /** For a list item: the sentence introducing the list and its grade cues, graded by the grade stage. */
  intro?: { text: string; hits: Hit<ActiveRule>[] };
  /** Why objectives were withheld, when they were. */
  withheld?: string;
  /** Cooperation or commitment language was found (headings are never read for it). */
  cooperation: boolean;
  version: string;
}

export function evidenceOf(h: Hit<ActiveRule>, scope: Evidence['scope'], version: string): Evidence {
  return { ruleId: h.item.rule.id, label: h.item.rule.label, match: h.text, start: h.start, end: h.end, scope, rulesVersion: version };
}

/**
 * Apply a rule's side conditions. `unless`: the hit does not count when an
 * exception phrase overlaps it ("Ministry of Science and ICT" is not telecom).
 * `with`: a partner phrase must occur within `window` words (or anywhere in the
 * passage when no window is set).
 */
export function accept(h: Hit<ActiveRule>, text: string): boolean {
  const { rule } = h.item;
  if (h.item.unless) {
    const lo = Math.max(0, h.start - 80);
    const around = text.slice(lo, h.end + 80);
    for (const u of h.item.unless.match(around)) {
      if (u.start + lo < h.end && u.end + lo > h.start) return false;
    }
  }
  if (h.item.with) {
    if (!rule.window) return h.item.with.test(text);
    const left = text.slice(0, h.start).split(/\s+/);
    const right = text.slice(h.end).split(/\s+/);
    const around = `${left.slice(Math.max(0, left.length - rule.window)).join(' ')} ${h.text} ${right.slice(0, rule.window).join(' ')}`;
    return h.item.with.test(around);
  }
  return true;
}

function domainsIn(text: string, rules: CompiledRules, scope: Evidence['scope'], evidence: Evidence[], lower?: string): Set<Domain> {
  const found = new Set<Domain>();
  for (const h of rules.matchers.domain.match(text, lower)) {
    if (!accept(h, text)) continue;
    const d = h.item.rule.label.slice('domain/'.length) as Domain;
    if (!found.has(d)) evidence.push(evidenceOf(h, scope, rules.version));
    found.add(d);
  }
  return found;
}

// Headings and titles repeat for every passage under them: match each once.
const contextCache = new WeakMap<CompiledRules, Map<string, { found: Set<Domain>; evidence: Evidence[] }>>();

function domainsInContext(text: string, rules: CompiledRules, scope: 'heading' | 'title', evidence: Evidence[]): Set<Domain> {
  let cache = contextCache.get(rules);
  if (!cache) contextCache.set(rules, (cache = new Map()));
  const key = `${scope}\u0000${text}`;
  let entry = cache.get(key);
  if (!entry) {
    const ev: Evidence[] = [];
    entry = { found: domainsIn(text, rules, scope, ev), evidence: ev };
    if (cache.size > 5000) cache.clear();
    cache.set(key, entry);
  }
  evidence.push(...entry.evidence);
  return entry.found;
}

function specific(ds: Set<Domain>): Domain[] {
  return DOMAINS.filter((d) => d !== 'cet-general' && ds.has(d));
}

/**
 * Domains: the passage's own specific domains; failing those, the innermost
 * heading's; failing those, a single-topic title's; and cet-general only when
 * no specific field is named anywhere in that chain.
 */
function tagDomains(input: TagInput, rules: CompiledRules, lower: string): { domains: Domain[]; evidence: Evidence[] } {
  const evidence: Evidence[] = [];
  const own = domainsIn(input.text, rules, 'text', evidence, lower);
  const ownSpecific = specific(own);
  if (ownSpecific.length) return { domains: ownSpecific, evidence: evidence.filter((e) => e.label !== 'domain/cet-general') };
  let general = own.has('cet-general');
  for (const heading of [...(input.headings ?? [])].reverse()) {
    const hEv: Evidence[] = [];
    const hs = domainsInContext(heading, rules, 'heading', hEv);
    const sp = specific(hs);
    if (sp.length) return { domains: sp, evidence: hEv.filter((e) => e.label !== 'domain/cet-general') };
    if (hs.has('cet-general') && !general) {
      general = true;
      evidence.push(...hEv);
    }
  }
  if (input.title) {
    const tEv: Evidence[] = [];
    const sp = specific(domainsInContext(input.title, rules, 'title', tEv));
    if (sp.length === 1) return { domains: sp, evidence: tEv.filter((e) => e.label === `domain/${sp[0]}`) };
  }
  return general ? { domains: ['cet-general'], evidence } : { domains: [], evidence: [] };
}

// Lead-ins repeat for every item under them: match each once.
const introCache = new WeakMap<CompiledRules, Map<string, Hit<ActiveRule>[]>>();

/** The grade cues (and negations, futures) of a list's lead-in ("... are intended to include:"). */
function introHits(intro: string, rules: CompiledRules): Hit<ActiveRule>[] {
  let cache = introCache.get(rules);
  if (!cache) introCache.set(rules, (cache = new Map()));
  let hits = cache.get(intro);
  if (!hits) {
    hits = rules.matchers.grade.match(intro).filter((h) => accept(h, intro));
    if (cache.size > 5000) cache.clear();
    cache.set(intro, hits);
  }
  return hits;
}

export function tagPassage(input: TagInput, rules: CompiledRules): TagLayer {
  const { text } = input;
  const version = rules.version;
  const lower = text.toLowerCase();
  const { domains, evidence: domainEvidence } = tagDomains(input, rules, lower);

  const signalEvidence: Evidence[] = [];
  const signals = new Set<ConcretenessSignal>();
  for (const h of rules.matchers.signal.match(text, lower)) {
    if (!accept(h, text)) continue;
    const s = h.item.rule.label.slice('signal/'.length) as ConcretenessSignal;
    if (!signals.has(s)) signalEvidence.push(evidenceOf(h, 'text', version));
    signals.add(s);
  }

  const base: TagLayer = {
    text,
    objectives: [],
    domains,
    domainEvidence,
    governance: [],
    signals: CONCRETENESS_SIGNALS.filter((s) => signals.has(s)),
    signalEvidence,
    gradeHits: [],
    cooperation: false,
    version,
  };
  // Headings name a topic; they state nothing the governments do.
  if (input.kind === 'heading') return base;

  const gradeHits = rules.matchers.grade.match(text, lower).filter((h) => accept(h, text));
  const imperative = imperativeGrade(text, rules, gradeHits, input.kind);
  base.gradeHits = gradeHits;
  if (imperative) base.imperative = imperative;
  base.governance = rules.matchers.governance.match(text, lower).filter((h) => accept(h, text));

  const isCue = (h: Hit<ActiveRule>) => h.item.rule.label.startsWith('grade/');
  if (input.kind === 'item' && input.listIntro) {
    const hits = introHits(input.listIntro, rules);
    if (hits.some(isCue)) base.intro = { text: input.listIntro, hits };
  }
  const cooperative = gradeHits.some(isCue) || !!imperative || !!base.intro || rules.matchers.cooperation.test(text, lower);
  // Without cooperation or commitment language the passage describes the world
  // and gets no objective, so its topic words are not even looked for.
  base.cooperation = cooperative;
  if (!cooperative) {
    base.withheld = 'no cooperation or commitment language: the passage describes, it does not agree';
    return base;
  }
  const objectiveHits = rules.matchers.objective.match(text, lower).filter((h) => accept(h, text));
  const byObjective = new Map<Objective, ObjectiveHits>();
  for (const h of objectiveHits) {
    const [objective, sub] = h.item.rule.label.split('/') as [Objective, Subcategory];
    let entry = byObjective.get(objective);
    if (!entry) byObjective.set(objective, (entry = { objective, subcategories: [], hits: [] }));
    if (!entry.subcategories.includes(sub)) entry.subcategories.push(sub);
    entry.hits.push(h);
  }
  base.objectives = OBJECTIVES.filter((o) => byObjective.has(o)).map((o) => byObjective.get(o)!);
  return base;
}
