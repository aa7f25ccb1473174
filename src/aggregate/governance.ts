/**
 * What a governance passage says about how the partnership runs: its bodies
 * (working groups, task forces, committees, sub-dialogues), who chairs or leads
 * them, at what level the governments meet, and how often.
 *
 * The tagger decides which passages are about governance (rules/governance.yaml);
 * this only reads their structure out of them, so a profile can summarise it
 * instead of listing raw sentences. The word lists live here rather than in
 * rules/ because they summarise, they do not tag: no label in the outputs comes
 * from them, and each fact keeps the passage it was read from.
 *
 * A passage contributes nothing when it is negated ("have not yet established"),
 * or when the bodies it names belong to someone else (a World Bank meeting, the
 * Task Force on Climate-related Financial Disclosures): a body counts when the
 * passage has the governments create, convene, chair or work through it, or
 * when its name marks it as theirs (bilateral, trilateral, a country pair, the
 * partnership's own name).
 */

import { OTHER_ORG, abbreviationDot, splitSentences } from './text.js';

export interface GovernanceFacts {
  bodies: Array<{ name: string; planned: boolean }>;
  /** Who chairs or leads, and of what when the sentence names one body. */
  chairs: Array<{ who: string; of?: string }>;
  levels: Level[];
  rhythm: Rhythm[];
}

export const LEVELS = ['leaders', 'ministers', 'vice-ministers', 'national security advisers', 'senior officials', 'working level'] as const;
export type Level = (typeof LEVELS)[number];

export const RHYTHMS = ['several times a year', 'twice a year', 'annually', 'every two years or more', 'regularly'] as const;
export type Rhythm = (typeof RHYTHMS)[number];

const HEADS = '(?:Working Groups?|Task Forces?|Sub-?[Cc]ommittees?|Steering (?:Committees?|Groups?|Boards?)|Secretariat|Expert(?:s)? Groups?|Committees?|Commission|Councils?|Dialogues?|Forums?|Mechanisms?|Consultations)';
const NAME_WORD = "(?:[A-Z][\\w.&'\u2019-]*|\\([A-Za-z][\\w.&-]*\\)|\\d[\\d.]*|of|and|on|for|the|in|&)";
// "the U.S.-Mexico Supply Chains Working Group", "Working Group on Critical Minerals"
const NAMED_BODY = new RegExp(
  `(?<![\\w-])((?:[A-Z][\\w.&'\u2019()-]*\\s+)?(?:${NAME_WORD}\\s+){0,9}?${HEADS}(?:\\s+(?:on|for)\\s+(?:[A-Z][\\w.-]*|and|of|the)(?:\\s+(?:[A-Z][\\w.-]*|and|of|the|[a-z]+-related)){0,6})?)(?![\\w-])`,
  'g',
);
// "a new trilateral working group on cyber threats", "a bilateral labor dialogue"
const LOWER_BODY = /\b(?:an?|the|new|our|its|their|two|three|focused)\s+((?:(?!(?:of|an?|the|this|that|these|those|its|our|their|establishment|creation|launch|to|and|in|for|on|with)\b)[a-z][\w-]*\s+){0,4}?(?:[a-z]+-)?(?:working groups?|task forces?|sub-?committees?|steering (?:committees?|groups?)|secretariat|expert groups?|joint committees?|coordination mechanisms?|dialogues?)(?:\s+(?:on|for)\s+(?!our\b|their\b|its\b|the\b|an?\b|how\b|what\b|ways?\b|whether\b)(?:[a-z][\w-]*)(?:\s+(?!to\b|that\b|which\b|and\b|with\b|in\b|by\b|our\b|their\b|the\b)[a-z][\w-]*){0,4})?)\b/g;

// Verbs by which governments make or work through a body.
const OWN_VERB = /\b(?:establish\w*|launch\w*|creat\w*|set(?:ting)? up|form(?:ed|ing|s)?|convene\w*|convening|inaugurat\w*|institutionali[sz]\w*|stand(?:ing)? up|stood up|hold|holds|held|holding|chair\w*|co-chair\w*|co-led|lead|leads|led|reconvene\w*|through (?:the|our|its|their)|under (?:the|our|its)|via (?:the|our)|agreed? to|will meet|met)\b/i;
// A name that says the body is the governments' own.
const OWN_NAME = /\b(?:bilateral|trilateral|joint|quad|g7|our|[A-Z][\w.]*-(?:U\.S\.|US|[A-Z][a-z]+)|(?:U\.S\.|US)-[A-Z][\w.]*)(?!\w)/i;
// A list lead-in that announces bodies: "Three working groups were set up at the inaugural meeting:".
const LIST_OF_BODIES = /\b(working groups|task forces|sub-?committees|committees|dialogues|expert groups)\b[^:]{0,80}\b(?:set up|established|launched|created|formed|will be|are|were)\b|\b(?:set up|establish\w*|launch\w*|creat\w*|form\w*)\b[^:]{0,40}\b(working groups|task forces|sub-?committees|committees|dialogues|expert groups)\b/i;

// Government offices whose names end like a body's ("National Security Council"): they chair, they are not bodies.
const DOMESTIC = /\b(?:National Security Councils?|National Economic Council|Council of Economic Advisers|Council on Environmental Quality|Trade and Development Agency)\b/i;
// Negation of the governance statement itself.
const NEGATED = /\b(?:not|n't|never|no longer|yet to|has yet|have yet|without)\b/i;
const PLANNED = /\b(?:will|shall|intend\w*|plan\w*|aim\w*|seek\w*|agree\w* to|decid\w* to|commit\w* to|look\w* forward to|propos\w*|explor\w*|to be|would)\b/i;

const LEVEL_CUES: Array<[Level, RegExp]> = [
  ['leaders', /\b(?:leaders?['\u2019]?(?:-level)?|leader-level|heads of (?:state|government))\b/gi],
  ['vice-ministers', /\b(?:vice[- ]minister\w*|deputy (?:minister|secretar)\w*)\b/gi],
  ['ministers', /\b(?:(?<!(?:vice|prime|deputy)[- ])minister(?:s|ial)?|ministerial-level|(?<!(?:deputy|assistant|under) )secretar(?:y|ies) of|cabinet-level)\b/gi],
  ['national security advisers', /\bnational security advis[eo]rs?\b/gi],
  ['senior officials', /\b(?:senior officials|senior-level|high-level|senior representatives|sherpas?)\b/gi],
  ['working level', /\b(?:working-level|working level|technical[- ]level|expert-level|experts? level)\b/gi],
];
const MEETING_WORD = /\b(?:meet|meets|met|meeting|meetings|summits?|dialogues?|convene\w*|consultations?|sessions?|ministerials?|talks|council|committee)\b/i;
const RHYTHM_CUES: Array<[Rhythm, RegExp]> = [
  ['several times a year', /\b(?:quarterly|monthly|three times a year|every (?:three|four|six) months)\b/i],
  ['twice a year', /\b(?:biannual(?:ly)?|semi-?annual(?:ly)?|twice (?:a|per|each) year|every six months)\b/i],
  ['annually', /\b(?:annual(?:ly)?|every year|once (?:a|per|each) year|yearly)\b/i],
  ['every two years or more', /\b(?:every (?:two|three|other|2|3) years?|biennial(?:ly)?)\b/i],
  ['regularly', /\b(?:regular(?:ly)?|periodic(?:ally)?|on a regular basis)\b/i],
];
const PLANNED_BEFORE = /\b(?:will|shall|to|intend\w*|plan\w*|aim\w*|seek\w*|look\w* forward to|toward\w*|propos\w*|explore)\b(?:\s+[\w-]+){0,3}\s+(?:establish\w*|launch\w*|creat\w*|set(?:ting)? up|form\w*|convene\w*|convening|hold\w*|institutionali[sz]\w*|initiat\w*|stand\w* up|the (?:establishment|creation|launch) of)?\s*(?:an?|the|new|our)?\s*$/i;

/** A person or office named after "chaired by" / before "chaired the": up to the end of its phrase. */
function phrase(text: string, from: number, to = text.length): string {
  let out = '';
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (c === '(') depth++;
    if (c === ')') depth = Math.max(0, depth - 1);
    // A comma ends the phrase unless a list of offices goes on ("X, Y, and Z").
    if (depth === 0 && c === ',' && /^\s*(?:and\s+)?(?:the\s+)?[A-Z]/.test(text.slice(i + 1, i + 12)) && out.length < 200) {
      out += c;
      continue;
    }
    if (depth === 0 && /[,;:!?]/.test(c)) break;
    // A full stop ends the phrase unless it closes an abbreviation (U.S., D.C.).
    if (depth === 0 && c === '.' && !abbreviationDot(text, i)) break;
    out += c;
  }
  out = out.replace(/\s+(?:to|which|that|who|will|in order to|and will|in partnership with|with the aim)\b.*$/i, '').trim();
  // Items of a list of offices are names; an item with other words in it ("the DSTCG aims") ended the list.
  const items = out.split(/,\s+/);
  let keep = 1;
  while (keep < items.length && !/(?:^|\s)(?!(?:of|and|for|the|on|in|at|de|del|da|von|van)\b)[a-z]/.test(items[keep]!)) keep++;
  return items.slice(0, keep).join(', ');
}

function clean(name: string): string {
  return name
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:(?:the|a|an|new|our|its|their|first|second|third|fourth|fifth|next|inaugural|first-ever|of|and|on|for|in|&)\s+)+/i, '')
    .replace(/(?:[\s,;:]+|(?<!(?:^|[\s.])[A-Z])\.|\s+(?:of|and|on|for|the|in|&))+$/i, '')
    .trim();
}

/** The clause (between ; or sentence boundaries) that holds an offset, and where it starts. */
function clauseAround(text: string, at: number): { clause: string; start: number } {
  let s = at;
  while (s > 0 && !/[;!?]/.test(text[s - 1]!) && !(text[s - 1] === '.' && !abbreviationDot(text, s - 1))) s--;
  let e = at;
  while (e < text.length && !/[;!?]/.test(text[e]!) && !(text[e] === '.' && !abbreviationDot(text, e) && /\s|$/.test(text[e + 1] ?? ''))) e++;
  return { clause: text.slice(s, e), start: s };
}

function bodiesIn(text: string, partnershipNames: RegExp | undefined): GovernanceFacts['bodies'] {
  const out: GovernanceFacts['bodies'] = [];
  const seen = new Set<string>();
  const consider = (raw: string, at: number, named: boolean) => {
    const name = clean(raw);
    if ((name.split(' ').length < 2 && !/^secretariat$/i.test(name)) || name.length > 120) return;
    if (OTHER_ORG.test(name) || DOMESTIC.test(name)) return;
    const { clause, start } = clauseAround(text, at);
    const before = text.slice(start, at);
    const own = OWN_NAME.test(name) || (partnershipNames?.test(name) ?? false) || OWN_VERB.test(before) || /\b(?:our|its|their|bilateral|trilateral|joint)\s*$/i.test(text.slice(Math.max(0, at - 16), at));
    // "welcomed the establishment of X" reports someone else's act unless X is marked as theirs.
    const reported = /\bwelcom\w*\s+(?:the\s+)?(?:establishment|creation|launch|formation|inauguration|appointment)\s+of\s+(?:the\s+|an?\s+)?$/i.test(before);
    if (!own || (reported && !OWN_NAME.test(name) && !(partnershipNames?.test(name) ?? false))) return;
    // Another organisation named in the same clause as the verb owns the body ("support the WHO's ...").
    if (OTHER_ORG.test(clause) && !OWN_NAME.test(name) && !(partnershipNames?.test(name) ?? false)) return;
    const key = name.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    // Planned when a promise governs the verb that makes it ("will establish a ...",
    // "look forward to launching the ...", "a Council that will be established").
    const lead = text.slice(Math.max(0, at - 90), at);
    const after = text.slice(at + raw.length, at + raw.length + 40);
    const planned = (PLANNED_BEFORE.test(lead) && PLANNED.test(lead)) || /^\W*(?:(?:that|which) )?(?:will|is to|are to) be (?:established|launched|created|set up|formed|convened|held)\b/i.test(after);
    out.push({ name, planned });
  };
  NAMED_BODY.lastIndex = 0;
  let m: RegExpExecArray | null;
  const covered: Array<[number, number]> = [];
  while ((m = NAMED_BODY.exec(text))) {
    // A capitalised sentence opener ("Establish a ...") is not part of a name.
    let raw = m[1]!;
    let at = m.index;
    const lead = /^(?:Establish|Launch|Create|Convene|Hold|Support|Build|Expand|Promote|Continue|Strengthen|Through|Under|Via|With|At|In|The|A|An|We|They|Both|Our|Its|Their|Today|This|These|Leaders|President|Prime)\b\s*/;
    while (lead.test(raw)) {
      const cut = raw.match(lead)![0].length;
      raw = raw.slice(cut);
      at += cut;
    }
    if (!new RegExp(`^${HEADS}$`).test(raw.trim())) {
      consider(raw, at, true);
      covered.push([at, at + raw.length]);
    }
  }
  LOWER_BODY.lastIndex = 0;
  while ((m = LOWER_BODY.exec(text))) {
    const at = m.index + m[0].indexOf(m[1]!);
    if (covered.some(([s, e]) => at < e && at + m![1]!.length > s)) continue;
    let raw = m[1]!;
    // A bare "working group" says nothing a reader can use: it needs a qualifier,
    // a topic or a purpose ("a working group to develop an action plan on ...").
    // A secretariat is a structure of its own, named or not ("its secretariat will sit in ...").
    if (/^secretariat$/i.test(raw.trim()) && /\b(?:its|our|their|a|the)\s+(?:small\s+|joint\s+|permanent\s+)?$/i.test(text.slice(Math.max(0, at - 24), at))) {
      consider(raw, at, false);
      continue;
    }
    if (/^(?:working groups?|task forces?|dialogues?|mechanisms?|secretariat|expert groups?)$/i.test(raw.trim())) {
      const purpose = /^\s+(?:of [\w-]+(?: [\w-]+)? )?(?:to|that will|focused on|dedicated to)\s+(?:(?!and\b)[\w'-]+\s*){1,8}/.exec(text.slice(at + raw.length));
      if (!purpose) continue;
      raw = `${raw}${purpose[0].replace(/\s+$/, '')}`;
    }
    consider(raw, at, false);
  }
  return out;
}

function chairsIn(text: string): string[] {
  const out: string[] = [];
  const by = /\b(?:co-?chaired|chaired|co-led|led|headed|overseen) by\s+/g;
  let m: RegExpExecArray | null;
  while ((m = by.exec(text))) out.push(clean(phrase(text, m.index + m[0].length)).slice(0, 160));
  const the = /\s(?:co-?chaired|chaired|co-led|co-hosted)\s+the\b/g;
  while ((m = the.exec(text))) {
    // The subject: back to the start of the clause ("Today, X and Y chaired the ...").
    let s = m.index;
    while (s > 0 && !/[;:]/.test(text[s - 1]!) && !(text[s - 1] === '.' && !abbreviationDot(text, s - 1))) s--;
    let who = text.slice(s, m.index).trim().replace(/^(?:Today|Yesterday|This week|On [A-Z][a-z]+ \d{1,2}(?:, \d{4})?|In [A-Z][\w ]+?),\s*/, '');
    if (who.includes(',') && !/\band\b/.test(who.slice(who.lastIndexOf(',')))) who = who.slice(who.lastIndexOf(',') + 1);
    who = clean(who);
    if (who && who.split(' ').length <= 30 && /[A-Z]/.test(who) && !/^(?:we|they|it|the (?:two|three) sides)$/i.test(who)) out.push(who);
  }
  return [...new Set(out.filter((c) => c.length >= 3 && !OTHER_ORG.test(c) && /[A-Za-z]{2}/.test(c)))];
}

function near(text: string, re: RegExp, at: number, span: number): boolean {
  return re.test(text.slice(Math.max(0, at - span), at + span));
}

/**
 * The governance facts of one passage, or undefined when it says nothing about
 * how the partnership runs (a remark, a negation, another organisation's body).
 * `partnershipNames` matches the names of the partnerships the passage belongs to.
 */
export function governanceFacts(text: string, partnershipNames?: RegExp, listIntro?: string): GovernanceFacts | undefined {
  const facts: GovernanceFacts = { bodies: [], chairs: [], levels: [], rhythm: [] };
  // A list item under "Three working groups were set up:" names a body by its opening words
  // ("Supply Chain Security, co-chaired by ...").
  const head = listIntro && !NEGATED.test(listIntro) ? LIST_OF_BODIES.exec(listIntro) : null;
  const opening = head ? /^([A-Z][\w'\u2019&-]*(?:\s+(?:[A-Z][\w'\u2019&-]*|and|of|for|on|the|&)){0,8})\s*(?:[,;:(]|$)/.exec(text.trim()) : null;
  if (head && opening) facts.bodies.push({ name: `${clean(opening[1]!)} ${(head[1] ?? head[2]!).toLowerCase().replace(/s$/, '')}`, planned: PLANNED.test(listIntro!) && !/\b(?:were|was|have been|has been)\b/i.test(listIntro!) });
  for (const { s: sentence } of splitSentences(text)) {
    // A negated sentence ("have not yet established") says nothing about what exists.
    if (NEGATED.test(sentence.replace(/\bnot only\b/gi, ''))) continue;
    const bodies = bodiesIn(sentence, partnershipNames);
    const otherOrgOnly = OTHER_ORG.test(sentence) && !bodies.length && !(partnershipNames?.test(sentence) ?? false);
    if (otherOrgOnly) continue;
    const chairs = chairsIn(sentence);
    for (const b of bodies) if (!facts.bodies.some((x) => x.name.toLowerCase() === b.name.toLowerCase())) facts.bodies.push(b);
    const only = facts.bodies.length === 1 ? facts.bodies[0]!.name : undefined;
    for (const c of chairs) if (!facts.chairs.some((x) => x.who === c)) facts.chairs.push({ who: c, ...(only ? { of: only } : {}) });
    // A level counts when it is the level of a meeting or body: one within a few words.
    for (const [level, re] of LEVEL_CUES) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(sentence))) {
        if (near(sentence, MEETING_WORD, m.index, 80) && !facts.levels.includes(level)) facts.levels.push(level);
        if (facts.levels.includes(level)) break;
      }
    }
    for (const [r, re] of RHYTHM_CUES) {
      const m = re.exec(sentence);
      if (m && (near(sentence, MEETING_WORD, m.index, 60) || bodies.length) && !facts.rhythm.includes(r)) {
        facts.rhythm.push(r);
        break;
      }
    }
  }
  facts.levels.sort((a, b) => LEVELS.indexOf(a) - LEVELS.indexOf(b));
  if (!facts.bodies.length && !facts.chairs.length && !facts.rhythm.length && !facts.levels.length) return undefined;
  return facts;
}
