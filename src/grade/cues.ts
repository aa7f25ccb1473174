import type { Grade } from '../core/taxonomy.js';
import { GRADES } from '../core/taxonomy.js';
import type { ActiveRule, Hit } from '../rules/compile.js';

/**
 * Grading reads the language that governs the clause carrying the evidence.
 * Cues are found once per passage; each piece of evidence then looks for its
 * governing cue in a fixed order:
 *   1. the nearest cue before it in the same clause (clauses end at ; and :)
 *   2. the nearest cue before it in the same sentence
 *   3. the passage's opening imperative (fact-sheet bullets read as "we will")
 *   4. the first cue after it in the same clause (passives: "X was launched")
 *   5. the first cue after it in the same sentence
 * A negation just before the cue lowers it; "will be" / "to be" before a
 * past-tense cue turns a report into a promise.
 */

export interface GradeContext {
  text: string;
  cues: Hit<ActiveRule>[];
  negations: Hit<ActiveRule>[];
  futures: Hit<ActiveRule>[];
  conditionals: Hit<ActiveRule>[];
  /** Grade of the opening imperative, if the passage opens with one. */
  imperative?: { grade: Grade; word: string; ruleId: string };
  /** The bullet opens with a finished deliverable ("Signing an arrangement ..."). */
  deliverable?: boolean;
  /** For a list item, the cue of the lead-in that introduces the list; `report` when it reports outcomes. */
  intro?: { grade: Grade; word: string; ruleId: string; report?: boolean };
  clauseEnds: number[];
  sentenceEnds: number[];
}

export interface GradeResult {
  grade: Grade;
  reason: string;
  ruleId: string;
}

const BASE_FORM_BEFORE = /\b(?:to|will|shall|would|could|may|might|can|must)\s+$/i;
// After "and", only a form that is both base and past ("set up", "put in place") is read as a base form.
const AND_BEFORE = /\band\s+$/i;
const BOTH_FORMS = /^(?:set|sets|put|hold)\b/i;
// "will continue to", "to maintain": what continues is running already, even after a modal.
const CONTINUING = /^(?:continu|maintain|sustain)/i;
const RELATIVE_BEFORE = /\b(?:that|which|who)\s+(?:\w+ly\s+)?$/i;

function sameSentence(text: string, a: number, b: number): boolean {
  return !/[.!?]\s+["'(]?[A-Z]/.test(text.slice(a, b));
}

function boundaries(text: string, re: RegExp): number[] {
  const ends: number[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) ends.push(m.index);
  ends.push(text.length);
  return ends;
}

export function gradeContext(text: string, hits: Hit<ActiveRule>[], imperative?: GradeContext['imperative'], intro?: GradeContext['intro'], deliverable?: boolean): GradeContext {
  const cues: Hit<ActiveRule>[] = [];
  const negations: Hit<ActiveRule>[] = [];
  const futures: Hit<ActiveRule>[] = [];
  const conditionals: Hit<ActiveRule>[] = [];
  for (const h of hits) {
    const label = h.item.rule.label!;
    if (label === 'negation') negations.push(h);
    else if (label === 'future') futures.push(h);
    else if (label === 'conditional') conditionals.push(h);
    // "set up", "put in place" after "to" or a modal are base forms, not reports:
    // "intend to set up" is governed by "intend", "will set up" by "will".
    // ("will continue to", "to maintain" stay reports of what is running: the ongoing cues keep their grade.)
    else if ((label === 'grade/underway' || label === 'grade/completed') && !CONTINUING.test(h.text) && (BASE_FORM_BEFORE.test(text.slice(Math.max(0, h.start - 12), h.start)) || (AND_BEFORE.test(text.slice(Math.max(0, h.start - 6), h.start)) && BOTH_FORMS.test(h.text)))) continue;
    // The opening imperative decides for a cue that is the passage's first word ("Set up ...").
    else if (imperative && h.start <= 2 && imperative.ruleId !== h.item.rule.id && (label === 'grade/underway' || label === 'grade/completed') && imperative.grade === 'commit') continue;
    // "... the center that will enhance links": a modal or aim inside a relative
    // clause says what a thing will do, not what the governments promise; the
    // sentence's own verb before it governs.
    else if (RELATIVE_BEFORE.test(text.slice(Math.max(0, h.start - 24), h.start)) && cues.length && sameSentence(text, cues[cues.length - 1]!.start, h.start)) continue;
    else cues.push(h);
  }
  // A cue inside a longer one is part of it: "announced plans to" commits; its "plans to" does not speak alone.
  const longest = cues.filter((c) => !cues.some((o) => o !== c && o.start <= c.start && o.end >= c.end && o.end - o.start > c.end - c.start));
  return {
    text,
    cues: longest,
    negations,
    futures,
    conditionals,
    ...(imperative ? { imperative } : {}),
    ...(intro ? { intro } : {}),
    ...(deliverable ? { deliverable } : {}),
    clauseEnds: boundaries(text, /[;:](?=\s)|\s[–—]\s/g),
    sentenceEnds: boundaries(text, /[.!?](?=\s+["'(]?[A-Z])/g),
  };
}

function spanOf(ends: number[], pos: number): [number, number] {
  let start = 0;
  for (const e of ends) {
    if (pos < e) return [start, e];
    start = e + 1;
  }
  return [start, Number.MAX_SAFE_INTEGER];
}

function cueGrade(h: Hit<ActiveRule>): Grade {
  return h.item.rule.label!.slice('grade/'.length) as Grade;
}

function lower(g: Grade): Grade {
  if (g === 'explore') return 'explore';
  if (g === 'intend') return 'explore';
  return 'intend';
}

function adjust(ctx: GradeContext, cue: Hit<ActiveRule>, how: string): GradeResult {
  let grade = cueGrade(cue);
  let reason = `${how} "${cue.text}" (${grade})`;
  const neg = ctx.negations.find((n) => n.end <= cue.start && cue.start - n.end <= 12);
  // "will, as appropriate, share" / "Where necessary, the partners will ...": a promise with a condition.
  const cond = grade === 'commit' ? ctx.conditionals.find((c) => (c.start >= cue.end && c.start - cue.end <= 30) || (c.end <= cue.start && cue.start - c.end <= 60 && !/[.;:!?]/.test(ctx.text.slice(c.end, cue.start)))) : undefined;
  if (neg) {
    grade = lower(grade);
    reason += `, lowered to ${grade} by negation "${neg.text}"`;
  } else if (cond) {
    grade = 'intend';
    reason += `, made conditional (intend) by "${cond.text}"`;
  } else if (grade === 'underway' || grade === 'completed') {
    const fut = ctx.futures.find((f) => f.end <= cue.start && cue.start - f.end <= 3);
    if (fut) {
      grade = 'commit';
      reason += `, read as a promise (commit) after "${fut.text}"`;
    }
  }
  return { grade, reason, ruleId: cue.item.rule.id };
}

function lastIncluding(text: string, from: number, to: number): number {
  const at = text.slice(from, to).search(/\bincluding\b(?![\s\S]*\bincluding\b)/i);
  return at < 0 ? -1 : from + at;
}

export function gradeSpan(ctx: GradeContext, start: number, end: number): GradeResult | undefined {
  const [cs, ce] = spanOf(ctx.clauseEnds, start);
  const [ss, se] = spanOf(ctx.sentenceEnds, start);
  // A cue may overlap the evidence ("launch a forum"), so compare starts.
  let before = ctx.cues.filter((c) => c.start < start || (c.start === start && c.end < end));
  // Evidence in an "including ..." tail is an example of what the head of the
  // sentence does: "Enhance cooperation on X, including implementing the MOU"
  // is governed by "Enhance", not by "implementing". So cues inside the tail give
  // way to a cue before it (or to the bullet's opening).
  const tail = lastIncluding(ctx.text, ss, start);
  if (tail >= 0) {
    const head = before.filter((c) => c.start < tail);
    if (head.length || ctx.imperative) before = head;
  }
  const after = ctx.cues.filter((c) => c.start >= end);
  const nearestBefore = (lo: number) => {
    let best: Hit<ActiveRule> | undefined;
    for (const c of before) if (c.start >= lo && (!best || c.start > best.start)) best = c;
    return best;
  };
  const firstAfter = (hi: number) => after.find((c) => c.end <= hi);

  const inClause = nearestBefore(cs);
  if (inClause) return adjust(ctx, inClause, 'governed by');
  const inSentence = nearestBefore(ss);
  if (inSentence) return adjust(ctx, inSentence, 'governed by');
  // A list whose lead-in reports outcomes ("launched the following initiatives:")
  // makes its bullets reports too, even those opening with a gerund or an
  // imperative: underway, or completed for a finished deliverable (taxonomy section 3).
  // An opening that is itself a weaker cue ("Exploring ...") keeps its grade.
  if (ctx.intro?.report) {
    const own = ctx.imperative && ctx.imperative.ruleId.startsWith('grade.') && (ctx.imperative.grade === 'explore' || ctx.imperative.grade === 'intend') ? ctx.imperative : undefined;
    if (own) return { grade: own.grade, reason: `the bullet opening "${own.word}" (${own.grade}), under a lead-in that reports`, ruleId: own.ruleId };
    const grade: Grade = ctx.deliverable || ctx.imperative?.grade === 'completed' ? 'completed' : 'underway';
    return { grade, reason: `reported by the list's lead-in "${ctx.intro.word}" (${grade}${ctx.deliverable ? ': the bullet names a finished deliverable' : ''})`, ruleId: ctx.intro.ruleId };
  }
  // A list whose lead-in only wishes or explores ("are intended to include:",
  // "will explore the following:") passes that grade to items that do not set
  // their own; otherwise bullets read as "we will" (taxonomy section 3).
  const weakIntro = ctx.intro && (ctx.intro.grade === 'explore' || ctx.intro.grade === 'intend') ? ctx.intro : undefined;
  if (weakIntro && (!ctx.imperative || (ctx.imperative.grade === 'commit' && !ctx.imperative.ruleId.startsWith('grade.')))) {
    return { grade: weakIntro.grade, reason: `governed by the list's lead-in "${weakIntro.word}" (${weakIntro.grade})`, ruleId: weakIntro.ruleId };
  }
  // A bullet that only names an area ("Joint research on sensors.") takes the
  // grade of the verb that governs the list, whatever it is.
  if (ctx.intro && !ctx.imperative) {
    return { grade: ctx.intro.grade, reason: `governed by the list's lead-in "${ctx.intro.word}" (${ctx.intro.grade})`, ruleId: ctx.intro.ruleId };
  }
  if (ctx.imperative) {
    const w = ctx.imperative.word;
    const reading = /ing$/i.test(w) ? `the bullet opening "${w}" read as "we will ..."` : `opening imperative "${w}" read as "we will ${w.toLowerCase()}"`;
    return { grade: ctx.imperative.grade, reason: `${reading} (${ctx.imperative.grade})`, ruleId: ctx.imperative.ruleId };
  }
  const afterClause = firstAfter(ce);
  if (afterClause) return adjust(ctx, afterClause, 'reported by');
  const afterSentence = firstAfter(se);
  if (afterSentence) return adjust(ctx, afterSentence, 'reported by');
  return undefined;
}

export function isGradeLabel(label: string): boolean {
  return label.startsWith('grade/') && (GRADES as readonly string[]).includes(label.slice(6));
}
