import { compromise } from '../core/lazy.js';
import type { Grade } from '../core/taxonomy.js';
import type { CompiledRules, Hit } from '../rules/compile.js';

/**
 * Fact-sheet bullets are bare imperatives under a lead-in ("Launch a joint
 * programme in 2024"); the taxonomy reads them as "we will ...": commit,
 * unless the opening verb itself is a cue of another grade ("Explore ...").
 *
 * The verbs listed in rules (label `imperative`) decide first. For an opening
 * word the rules do not list, compromise's part-of-speech tagger decides
 * whether it is a verb in its base form, reading it with the words after it.
 * The answer is cached per opening word and those words, so it never depends on
 * which passage was read first (the same in every order, every worker thread).
 */
const posCache = new Map<string, boolean>();
const gerundCache = new Map<string, boolean>();
/** Enough for every distinct list-item opening of a large corpus; past it a cache starts again. */
const CACHE_MAX = 200_000;

/**
 * A verdict, as kept between runs: bit 1 when the base-verb verdict is known and
 * bit 2 when it is yes; bits 4 and 8 the same for the gerund verdict.
 */
export type Verdict = [key: string, bits: number];

// Verdicts reached since they were last taken: recorded only in a run's threads (those given kept verdicts).
let fresh: Verdict[] | undefined;

/**
 * The verdicts reached since the last call. A run keeps them on disk, so that
 * the next one (after a change of rules, say) does not ask the tagger again about
 * the same words: a verdict depends only on them, compromise's version and the code
 * that asks and reads it (core/codehash.ts, VERDICT_FILES).
 */
export function takeVerdicts(): Verdict[] {
  if (!fresh?.length) return [];
  const out = fresh;
  fresh = [];
  return out;
}

/** Verdicts kept from earlier runs. */
export function giveVerdicts(verdicts: Verdict[]): void {
  fresh ??= [];
  for (const [key, bits] of verdicts) {
    if (bits & 1 && posCache.size < CACHE_MAX) posCache.set(key, !!(bits & 2));
    if (bits & 4 && gerundCache.size < CACHE_MAX) gerundCache.set(key, !!(bits & 8));
  }
}

// Words that open sentences but are never imperatives; saves a tagger call.
const NOT_VERBS = new Set([
  'the', 'a', 'an', 'this', 'these', 'those', 'that', 'both', 'our', 'we', 'they', 'it', 'in', 'on', 'at', 'as', 'by', 'for', 'from',
  'with', 'to', 'today', 'together', 'through', 'under', 'during', 'since', 'while', 'each', 'all', 'and', 'additionally', 'also',
  'further', 'furthermore', 'moreover', 'finally', 'recognizing', 'recognising', 'building', 'noting', 'acknowledging', 'affirming', 'expressing',
  'highlighting', 'underscoring', 'appreciating', 'according', 'following', 'including', 'regarding', 'concerning', 'during', 'president', 'prime', 'secretary', 'minister',
]);

function isBaseVerb(word: string, rest: string): boolean {
  const lower = word.toLowerCase();
  if (NOT_VERBS.has(lower) || /(?:ing|ed|ly)$/.test(lower) || !/^[a-z]+$/.test(lower)) return false;
  const key = `${word} ${rest}`;
  const cached = posCache.get(key);
  if (cached !== undefined) return cached;
  const doc = compromise()(`${word} ${rest}`);
  const first = doc.terms().first();
  const verdict = first.has('#Verb') && !first.has('#PastTense') && !first.has('#Gerund') && !first.has('#Noun');
  if (posCache.size >= CACHE_MAX) posCache.clear();
  posCache.set(key, verdict);
  if (fresh && fresh.length < CACHE_MAX) fresh.push([key, verdict ? 3 : 1]);
  return verdict;
}

export function imperativeGrade(text: string, _rules: CompiledRules, gradeHits: Hit[], openerHits: Hit[], kind?: string): { grade: Grade; word: string; ruleId: string } | undefined {
  // List items may open in lower case ("The three governments will:" / "set up a ...").
  const m = /^[\s"'(•\-–*]*([A-Za-z][a-z]+)\b/.exec(text);
  if (!m) return undefined;
  const word = m[1]!;
  const at = m.index + m[0].length - word.length;
  // "State Department ...", "Energy Secretary ...": a name, not an imperative.
  const next = /^\s+([A-Z][a-z]+)/.exec(text.slice(at + word.length, at + word.length + 30))?.[1];
  if (next && /^[A-Z]/.test(word) && !/ing$/.test(word) && !/^(?:The|A|An|Our|Their|New|Joint|U)$/.test(next)) return undefined;
  // A cue that opens the passage ("Explore ...", "Continue ...") sets its own grade.
  const opening = gradeHits.find((h) => h.start === at && h.item.rule.label?.startsWith('grade/'));
  const openers = openerHits.filter((h) => h.start === at);
  // An opening that names its own grade ("Concluding ...", "Working toward ...") decides in a bullet.
  const graded = kind === 'sentence' ? undefined : openers.find((h) => h.item.rule.label!.startsWith('imperative/'));
  if (graded) return { grade: graded.item.rule.label!.slice('imperative/'.length) as Grade, word: graded.text, ruleId: graded.item.rule.id };
  const listed = openers.find((h) => h.item.rule.label === 'imperative');
  if (opening) {
    const grade = opening.item.rule.label!.slice(6) as Grade;
    // "Set up ..." opening a bullet is the base form, not a report that it was set up.
    if ((grade === 'underway' || grade === 'completed') && listed && listed.end >= opening.end - opening.start && opening.item.rule.id !== 'grade.underway.ongoing') {
      return { grade: 'commit', word: opening.text, ruleId: listed.item.rule.id };
    }
    return { grade, word: opening.text, ruleId: opening.item.rule.id };
  }
  if (listed) return { grade: 'commit', word, ruleId: listed.item.rule.id };
  // The tagger is asked only about list items (and text of unknown kind, as
  // in accords tag): bare imperatives are how fact-sheet bullets are written,
  // and running sentences rarely open with one.
  if (kind === 'sentence') return undefined;
  const rest = text.slice(at + word.length, at + word.length + 40).split(/\s+/).slice(0, 4).join(' ');
  if (isBaseVerb(word, rest)) return { grade: 'commit', word, ruleId: 'imperative.pos-tagger' };
  // Bullets also open with a gerund ("Expanding collaboration between ..."): the same promise.
  if (isGerund(word, rest)) return { grade: 'commit', word, ruleId: 'imperative.gerund' };
  return undefined;
}

function isGerund(word: string, rest: string): boolean {
  const lower = word.toLowerCase();
  if (NOT_VERBS.has(lower) || !/^[a-z]+ing$/.test(lower) || lower.length < 6) return false;
  const key = `${word} ${rest}`;
  const cached = gerundCache.get(key);
  if (cached !== undefined) return cached;
  const first = compromise()(`${word} ${rest}`).terms().first();
  // "Expanding joint research ..." is tagged as an adjective ("an expanding
  // universe"); opening a bullet, an -ing word is the action unless it is a noun.
  const verdict = first.has('#Gerund') || !first.has('#Noun');
  if (gerundCache.size >= CACHE_MAX) gerundCache.clear();
  gerundCache.set(key, verdict);
  if (fresh && fresh.length < CACHE_MAX) fresh.push([key, verdict ? 12 : 4]);
  return verdict;
}
