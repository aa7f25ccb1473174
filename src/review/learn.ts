import { isDomain, isObjective, OBJECTIVES, type Objective } from '../core/taxonomy.js';
import { labelsAfter, type Decision, type EvidenceRef, type Labels } from './store.js';

/**
 * What reviewers' decisions say about the rules. A rule's hit on a reviewed passage
 * produced a label (an objective, a domain, governance); the reviewer kept it or
 * removed it. Precision per rule is kept / (kept + removed), counted per passage.
 * For the rules reviewers reject, the words around their rejected hits suggest an
 * exception (an `unless` phrase of the rule file) that would cancel those hits and
 * none of the kept ones.
 */

export interface Hit {
  docKey: string;
  passageKey: string;
  text: string;
  heading: string;
  reviewer: string;
  at: string;
  note: string | null;
  /** The words the rule matched in this passage (text scope), with offsets. */
  matches: Array<{ match: string; start: number; end: number }>;
}

export interface Exception {
  /** The phrase to add to the rule's `unless` list. */
  phrase: string;
  /** Rejected hits it would cancel, of how many; kept hits it would cancel (0 when proposed). */
  rejected: number;
  ofRejected: number;
  kept: number;
  ofKept: number;
}

export interface RuleFigures {
  rule: string;
  /** The label the rule gives (objective/subcategory, domain/x, governance). */
  label: string;
  /** Reviewed passages where the rule's hit produced a label, and what reviewers did with it. */
  fired: number;
  kept: number;
  rejected: number;
  precision: number | null;
  rejectedHits: Hit[];
  /** Words near the rejected hits, most frequent first, with how often each is near a kept hit. */
  nearby: Array<{ word: string; rejected: number; kept: number }>;
  exception: Exception | null;
  /** Why no exception is proposed, when none is. */
  noException?: string;
}

export interface Learned {
  /** Passages with a decision in force. */
  reviewed: number;
  rules: RuleFigures[];
}

type Verdict = 'kept' | 'rejected' | null;

/** Which part of the labels a rule's label stands for, and whether the reviewer kept it. */
function verdict(label: string, rule: string, before: Labels, after: Labels): Verdict {
  let has: (l: Labels) => boolean;
  if (label === 'governance') has = (l) => l.governance;
  else if (label.startsWith('domain/')) {
    const d = label.slice(7);
    if (!isDomain(d)) return null;
    has = (l) => l.domains.includes(d);
  } else {
    const o = label.split('/')[0] ?? '';
    // Decisions saved before evidence was kept have only rule ids: objective rules are named <objective>.<...>.
    const objective = isObjective(o) ? o : OBJECTIVES.find((x) => rule.startsWith(`${x}.`));
    if (!objective) return null;
    has = (l) => l.objectives.some((x) => x.objective === objective);
  }
  // A hit that produced nothing (no cooperation language, say) is not the rule's doing.
  if (!has(before)) return null;
  return has(after) ? 'kept' : 'rejected';
}

const STOP = new Set(
  'a an the and or of to in on for with by at as from into over under between among this that these those its their our his her it is are was were be been being will would shall should can could may might must has have had do does did not no nor both each all any such other than then also so very which who whom whose what when where while per via including include includes two sides side new'.split(' '),
);
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’]*/gu;

interface Token {
  w: string;
  start: number;
  end: number;
}

function tokens(text: string): Token[] {
  return [...text.matchAll(WORD)].map((m) => ({ w: m[0].toLowerCase().replace(/’/g, "'"), start: m.index, end: m.index + m[0].length }));
}

/** Phrases an `unless` entry could hold for one hit: the matched words with one or two neighbours before or after. */
function around(toks: Token[], start: number, end: number): { phrases: Set<string>; near: Set<string> } {
  const phrases = new Set<string>();
  const near = new Set<string>();
  const i0 = toks.findIndex((t) => t.end > start);
  if (i0 < 0) return { phrases, near };
  let i1 = i0;
  while (i1 + 1 < toks.length && toks[i1 + 1]!.start < end) i1++;
  const core = toks.slice(i0, i1 + 1).map((t) => t.w);
  const content = (ws: string[]) => ws.some((w) => !STOP.has(w) && !/^\d+$/.test(w));
  for (const n of [1, 2]) {
    const left = toks.slice(Math.max(0, i0 - n), i0).map((t) => t.w);
    if (left.length === n && content(left)) phrases.add([...left, ...core].join(' '));
    const right = toks.slice(i1 + 1, i1 + 1 + n).map((t) => t.w);
    if (right.length === n && content(right)) phrases.add([...core, ...right].join(' '));
  }
  for (const t of [...toks.slice(Math.max(0, i0 - 5), i0), ...toks.slice(i1 + 1, i1 + 6)]) if (!STOP.has(t.w) && !/^\d+$/.test(t.w)) near.add(t.w);
  return { phrases, near };
}

function hitOf(d: Decision, rule: string): Hit {
  const matches = d.evidence.filter((e) => e.rule === rule && e.scope === 'text').map((e) => ({ match: e.match, start: e.start, end: e.end }));
  return { docKey: d.docKey, passageKey: d.passageKey, text: d.text, heading: d.heading, reviewer: d.reviewer, at: d.at, note: d.note, matches };
}

function contextOf(h: Hit): { phrases: Set<string>; near: Set<string> } {
  const toks = tokens(h.text);
  const phrases = new Set<string>();
  const near = new Set<string>();
  for (const m of h.matches) {
    const a = around(toks, m.start, m.end);
    a.phrases.forEach((p) => phrases.add(p));
    a.near.forEach((w) => near.add(w));
  }
  return { phrases, near };
}

/** The phrase that cancels the most rejected hits and no kept one (at least two rejected hits). */
export function proposeException(rejected: Hit[], kept: Hit[]): { exception: Exception | null; nearby: RuleFigures['nearby']; why?: string } {
  const rej = rejected.filter((h) => h.matches.length).map(contextOf);
  const kep = kept.filter((h) => h.matches.length).map(contextOf);
  const count = (list: Array<{ phrases: Set<string>; near: Set<string> }>, field: 'phrases' | 'near') => {
    const m = new Map<string, number>();
    for (const c of list) for (const p of c[field]) m.set(p, (m.get(p) ?? 0) + 1);
    return m;
  };
  const nearR = count(rej, 'near');
  const nearK = count(kep, 'near');
  const nearby = [...nearR.entries()]
    .map(([word, r]) => ({ word, rejected: r, kept: nearK.get(word) ?? 0 }))
    .sort((a, b) => b.rejected - b.kept - (a.rejected - a.kept) || b.rejected - a.rejected || a.word.localeCompare(b.word))
    .slice(0, 8);
  if (!rej.length) return { exception: null, nearby, why: 'the rejected decisions were saved without the matched words' };
  const phrR = count(rej, 'phrases');
  const phrK = count(kep, 'phrases');
  const best = [...phrR.entries()]
    .filter(([p, r]) => r >= 2 && !phrK.has(p))
    .sort(([a, ra], [b, rb]) => rb - ra || a.split(' ').length - b.split(' ').length || a.localeCompare(b))[0];
  if (!best) return { exception: null, nearby, why: rej.length < 2 ? 'one rejected hit is too few to propose an exception' : 'no phrase around the rejected hits recurs without also occurring around kept hits' };
  return { exception: { phrase: best[0], rejected: best[1], ofRejected: rej.length, kept: 0, ofKept: kep.length }, nearby };
}

/** Per-rule figures from the decisions in force (an adjudication where there is one). */
export function learn(effective: Iterable<Decision>): Learned {
  const byRule = new Map<string, { label: string; kept: Hit[]; rejected: Hit[] }>();
  let reviewed = 0;
  for (const d of effective) {
    reviewed++;
    const after = labelsAfter(d);
    // One verdict per rule and label on a passage, however many times the rule matched there.
    const pairs = new Map<string, { rule: string; label: string }>();
    const evidence: Array<Pick<EvidenceRef, 'rule' | 'label'>> = d.evidence.length
      ? d.evidence
      : d.rules.map((rule) => ({ rule, label: rule.startsWith('domain.') ? `domain/${rule.slice(7)}` : rule.startsWith('governance.') ? 'governance' : '' }));
    for (const e of evidence) pairs.set(`${e.rule}\u0000${e.label}`, { rule: e.rule, label: e.label });
    for (const { rule, label } of pairs.values()) {
      const v = verdict(label, rule, d.before, after);
      if (!v) continue;
      const s = byRule.get(rule) ?? { label: label || rule, kept: [], rejected: [] };
      s[v].push(hitOf(d, rule));
      byRule.set(rule, s);
    }
  }
  const rules: RuleFigures[] = [...byRule.entries()].map(([rule, s]) => {
    const fired = s.kept.length + s.rejected.length;
    const p = s.rejected.length ? proposeException(s.rejected, s.kept) : { exception: null, nearby: [] };
    return {
      rule,
      label: s.label,
      fired,
      kept: s.kept.length,
      rejected: s.rejected.length,
      precision: fired ? s.kept.length / fired : null,
      rejectedHits: s.rejected,
      nearby: p.nearby,
      exception: p.exception,
      ...('why' in p && p.why ? { noException: p.why } : {}),
    };
  });
  // Most rejected first; among equals the least precise.
  rules.sort((a, b) => b.rejected - a.rejected || (a.precision ?? 1) - (b.precision ?? 1) || b.fired - a.fired || a.rule.localeCompare(b.rule));
  return { reviewed, rules };
}

/** The objective a rule's label names, if it is an objective rule. */
export function objectiveOfLabel(label: string): Objective | undefined {
  const o = label.split('/')[0] ?? '';
  return isObjective(o) ? o : undefined;
}
