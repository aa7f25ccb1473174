import { findDates, type TextDate } from './dates.js';
import { OTHER_ORG, splitSentences } from './text.js';

/**
 * Milestones: dated events a statement reports or announces, found in its text
 * (a launch, an establishment, a signing, a meeting), each with its date and
 * the words that name it. A profile lists them as a timeline instead of the
 * list of document titles.
 *
 * The date is the one written nearest the verb in the same sentence; failing
 * that, the statement's own date when the sentence says the event happens now
 * ("today", "we are launching") or reports it as done. Negated sentences
 * ("have not yet signed") and vague ones (an event with nothing named) give none.
 */

export const EVENT_KINDS = ['launch', 'establishment', 'signing', 'meeting'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface TextEvent {
  kind: EventKind;
  /** What happened, in the statement's own words ("Quad Vaccine Partnership"). */
  what: string;
  date: string;
  /** "text": written in the sentence; "statement": the statement's own date. */
  dated: 'text' | 'statement';
  /** Announced for later ("will launch", "look forward to the first meeting"). */
  planned: boolean;
}

const VERBS: Array<{ kind: EventKind; re: RegExp }> = [
  { kind: 'signing', re: /\b(?:sign(?:ed|ing|s)?|conclud(?:ed|ing)|conclusion of|entered into|adopt(?:ed|ion of))\b/gi },
  { kind: 'launch', re: /\b(?:launch(?:ed|es|ing)?|the launch of|inaugurat(?:ed|es|ing|ion of)|unveil(?:ed|ing)?)\b/gi },
  { kind: 'establishment', re: /\b(?:establish(?:ed|es|ing)?|establishment of|set(?:ting)? up|creat(?:ed|ing)|creation of|form(?:ed|ation of))\b/gi },
  { kind: 'meeting', re: /\b(?:met|meets?|held|hold(?:s|ing)?|convened?|convening|hosted|hosts?|first(?:-ever)? meeting|inaugural meeting)\b/gi },
];

// What an event can be about: the signing of a document, the launch of a body or programme, a meeting.
const SIGNABLE = /\b(?:Memorand(?:um|a)|MOU|MoU|MOC|MoC|Agreement|Arrangement|Accord|Declaration|Framework|Charter|Statement of Intent|Letter of Intent|Protocol|Treaty|Roadmap|Action Plan|agreement|arrangement|memorand(?:um|a)|framework|roadmap|action plan|letter of intent|statement of intent)\b/;
const MEETING_THING = /\b(?:Summit|Meeting|Dialogue|Ministerial|Council|Forum|Conference|Consultations?|Session|summit|meeting|dialogue|ministerial|consultations?|session|round)\b/;

const FUTURE = /\b(?:to-be-|will|shall|plan(?:s|ned)? to|intend(?:s|ed)? to|aim(?:s)? to|look(?:s|ed)? forward to|to be (?:held|launched|signed|hosted|convened)|upcoming|next|later this)\b/i;
const NEGATED = /\b(?:not|n't|never|no longer|yet to|has yet|have yet)\b/i;
const NOW = /\b(?:today|this week|we are (?:launching|establishing|signing|convening)|are launching|is launching|herewith|hereby)\b/i;

const TOKEN = "(?:[A-Z][\\w.&'\\u2019-]*|\\([A-Za-z][\\w.&-]*\\))";
const NAME_RUN = new RegExp(`^(?:(?:today|the|a|an|new|our|its|their|first|second|third|fourth|fifth|sixth|seventh|next|inaugural|first-ever|annual|historic|landmark|joint|bilateral|trilateral|\\d{4})\\s+){0,4}(${TOKEN}(?:\\s+(?:${TOKEN}|\\d[\\d.+]*|of|and|on|for|the|in|to|&)){0,12})(?=[\\s,;:.)]|$)`);
const LOWER_RUN = /^(?:(?:the|a|an|new|our|its|their)\s+)?((?:(?!(?:to|that|which|with|in|on|at|by|and|as|under|for|from|during|since)\b)[\w'-]+\s+){0,5}?(?:[\w'-]*(?:partnership|initiative|programme|program|dialogue|council|forum|working group|task force|mechanism|agreement|arrangement|memorandum|framework|roadmap|centre|center|network|fund|facility|summit|meeting|ministerial)s?))\b/i;

const MONTHS = '(?:January|February|March|April|May|June|July|August|September|October|November|December)';

function tidy(what: string): string {
  return what
    .replace(/\s+/g, ' ')
    // A date in front of the name ("the June 2024 Memorandum") is the event's date, not its name.
    .replace(new RegExp(`^(?:(?:${MONTHS}|\\d{1,2}(?:st|nd|rd|th)?|(?:19|20)\\d\\d),?\\s+)+`), '')
    // A date after the name ("... in 2026", "... on 10 March 2024") is the event's date, not its name.
    .replace(new RegExp(`\\s+(?:in|on|by|since|from|until|during)\\s+(?:(?:${MONTHS}|\\d{1,2}(?:st|nd|rd|th)?|(?:19|20)\\d\\d),?\\s*)+\\.?$`), '')
    .replace(/(?:[\s,;:]+|(?<!(?:^|[\s.])[A-Z])\.|\s+(?:of|and|on|for|the|in|to|&))+$/i, '')
    .trim();
}

/** The thing an event verb acts on: a name when one follows, else a short noun phrase. */
function objectAfter(s: string, from: number, kind: EventKind): string | undefined {
  const rest = s.slice(from).replace(/^\s+(?:of\s+)?/, '');
  const named = NAME_RUN.exec(rest);
  if (named && /[A-Z]/.test(named[1]!) && named[1]!.split(/\s+/).length >= 2) return tidy(named[1]!);
  if (named && /^[A-Z]{2,}/.test(named[1]!)) return tidy(named[1]!);
  const lower = LOWER_RUN.exec(rest);
  if (lower) return tidy(lower[1]!);
  void kind;
  return undefined;
}

/** A meeting's name: the meeting noun phrase nearest the verb ("the fifth Quad Leaders' Summit"). */
function meetingNear(s: string, at: number): string | undefined {
  const re = /\b((?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|inaugural|first-ever|annual|\d+(?:st|nd|rd|th))[\s-]+)?(?:in-person\s+)?(?:(?:[A-Z][\w.&'\u2019-]*|\([A-Za-z][\w.&-]*\)|of|and|on|for|the)\s+){0,8}(?:Summit|Meeting|Dialogue|Ministerial|Council|Forum|Conference|Consultations|Session|summit|meeting|dialogue|ministerial|session)s?)\b/g;
  let best: { text: string; d: number } | undefined;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const d = Math.abs(m.index - at);
    const text = tidy(m[1]!.replace(/^(?:(?:the|a|an|our|its|their|and|of|for|on)\s+)+/i, ''));
    if (OTHER_ORG.test(text)) continue;
    if (text.split(' ').length < 2 && !/[A-Z]/.test(text)) continue;
    if (!best || d < best.d) best = { text, d };
  }
  return best && best.d < 120 ? best.text : undefined;
}

function nearestDate(dates: TextDate[], at: number, sentenceStart: number, sentenceEnd: number): TextDate | undefined {
  let best: TextDate | undefined;
  for (const d of dates) {
    if (d.start < sentenceStart || d.end > sentenceEnd) continue;
    if (!best || Math.abs(d.start - at) < Math.abs(best.start - at)) best = d;
  }
  return best;
}

// Any event verb at all: a passage with none (most) has no event, and its dates are not read.
const ANY_VERB = new RegExp(VERBS.map((v) => v.re.source).join('|'), 'i');

/** The events a passage reports, dated against the statement's date. */
export function findEvents(text: string, docDate?: string): TextEvent[] {
  const out: TextEvent[] = [];
  // Sentences are pieces of the text cut between punctuation and white space, which no
  // verb pattern spans: a verb in a sentence is a verb in the text.
  if (!ANY_VERB.test(text)) return out;
  // Read once a verb has found what it acts on: on the real statements, 404 of the 1,013 passages with a verb.
  let dates: TextDate[] | undefined;
  for (const { s, at } of splitSentences(text)) {
    if (NEGATED.test(s)) continue;
    const seen = new Set<string>();
    for (const { kind, re } of VERBS) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(s))) {
        const verbAt = at + m.index;
        let what: string | undefined;
        if (kind === 'meeting') {
          what = meetingNear(s, m.index);
          // "met" needs a meeting named near it; "hosted" a visit is not a partnership event.
          if (!what) continue;
          // "The Ports Dialogue held its second meeting": name the meeting by its subject.
          if (!/[A-Z]/.test(what)) {
            const subject = /(?:^|[\s,])((?:[A-Z][\w.&'\u2019()-]*\s+)(?:(?:[A-Z][\w.&'\u2019()-]*|of|and|on|for|the|&)\s+){0,10})$/.exec(s.slice(Math.max(0, m.index - 160), m.index));
            if (subject && !/^(?:We|They|It|The (?:two|three|four) (?:sides|countries|governments))\s*$/.test(subject[1]!)) what = `${tidy(subject[1]!.replace(/^(?:The|A|An)\s+/, ''))}: ${what}`;
          }
        } else {
          // "X was launched", "X has been established": the event is about the subject.
          const passive = /(?:^|[\s,])((?:[A-Z][\w.&'\u2019()-]*\s+)(?:(?:[A-Z][\w.&'\u2019()-]*|of|and|on|for|the|&)\s+){0,10})(?:was|were|has been|have been|is being|had been)\s+$/.exec(s.slice(Math.max(0, m.index - 160), m.index));
          const participle = /(?:ed|set up)$/i.test(m[0]);
          what = passive && participle ? tidy(passive[1]!.replace(/^(?:The|A|An)\s+/, '')) : objectAfter(s, m.index + m[0].length, kind);
          // "sign" needs a document; a "launch" or "establishment" needs something named.
          if (!what) continue;
          if (kind === 'signing' && !SIGNABLE.test(what)) continue;
          if (kind !== 'signing' && !/[A-Z]/.test(what) && !MEETING_THING.test(what) && !/\b(?:partnership|initiative|programme|program|working group|task force|mechanism|centre|center|network|fund|facility)\b/i.test(what)) continue;
        }
        if (/^(?:of|and|the)$/i.test(what) || what.length < 4) continue;
        const planned = FUTURE.test(s.slice(Math.max(0, m.index - 60), m.index + m[0].length)) || /\b(?:will|to)\s+(?:\w+\s+)?$/.test(s.slice(Math.max(0, m.index - 20), m.index));
        const written = nearestDate((dates ??= findDates(text, docDate)), verbAt, at, at + s.length);
        let date: string | undefined;
        let dated: TextEvent['dated'] = 'text';
        if (written) date = written.date;
        else if (docDate && (NOW.test(s) || (!planned && /(?:ed|held|met|set up)\b/.test(m[0])))) {
          date = docDate;
          dated = 'statement';
        }
        if (!date) continue;
        const key = `${kind}\u0000${what.toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ kind, what, date, dated, planned });
      }
    }
  }
  return out;
}
