/**
 * Dates written in statement text ("on March 12, 2021", "in May 2021", "last
 * October", "today"), resolved against the statement's own date. A date is
 * YYYY, YYYY-MM or YYYY-MM-DD: as precise as the text, never more.
 */

export interface TextDate {
  date: string;
  start: number;
  end: number;
  /** True when the text gave no year and it was taken from the statement's date ("today", "last October"). */
  relative: boolean;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH = '(January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.|Feb\\.|Mar\\.|Apr\\.|Jun\\.|Jul\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\.)';
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';
const YEAR = '((?:19|20)\\d\\d)';

// Ordered: the most precise form first; a later pattern never claims text an earlier one took.
const PATTERNS: Array<{ re: RegExp; read: (m: RegExpExecArray, docDate?: string) => { date: string; relative: boolean } | undefined }> = [
  // March 12, 2021 / May 19-21, 2023 (the first day of a range)
  { re: new RegExp(`\\b${MONTH}\\s+${DAY}(?:\\s*[-\u2013]\\s*\\d{1,2})?,?\\s+${YEAR}\\b`, 'g'), read: (m) => ymd(m[3]!, m[1]!, m[2]!) },
  // 12 March 2021 / 3-5 March 2021
  { re: new RegExp(`\\b${DAY}(?:\\s*[-\u2013]\\s*\\d{1,2})?\\s+${MONTH},?\\s+${YEAR}\\b`, 'g'), read: (m) => ymd(m[3]!, m[2]!, m[1]!) },
  // May 2021
  { re: new RegExp(`\\b${MONTH},?\\s+${YEAR}\\b`, 'g'), read: (m) => ym(m[2]!, m[1]!) },
  // on March 12 (the statement's year)
  { re: new RegExp(`\\b${MONTH}\\s+${DAY}\\b(?!,?\\s*\\d)`, 'g'), read: (m, doc) => (doc ? rel(ymd(doc.slice(0, 4), m[1]!, m[2]!)) : undefined) },
  // last October / this March / in July (the most recent such month up to the statement)
  { re: new RegExp(`\\b(last|this|in|since|earlier this|later this)\\s+${MONTH}\\b(?!\\s+\\d)`, 'g'), read: (m, doc) => monthNear(m[1]!.toLowerCase(), m[2]!, doc) },
  // in 2021, since 2019, by 2030, the 2023 summit
  { re: new RegExp(`\\b(?:in|since|during|by|from|of|until|through|early|late|mid-?|the|its)\\s+${YEAR}\\b(?!\\s*[-\u2013]\\s*\\d)`, 'gi'), read: (m) => ({ date: m[1]!, relative: false }) },
  // today, this week, this year, last year, next year
  { re: /\b(today|earlier today|this week|this month|this year|last year|next year|later this year|last month)\b/gi, read: (m, doc) => relativeWord(m[1]!.toLowerCase(), doc) },
];

function monthIndex(name: string): number {
  const n = name.toLowerCase().replace(/\.$/, '');
  return MONTHS.findIndex((m) => m.startsWith(n.slice(0, 3)));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function ymd(year: string, month: string, day: string): { date: string; relative: boolean } | undefined {
  const mi = monthIndex(month);
  const d = Number(day);
  if (mi < 0 || d < 1 || d > 31) return undefined;
  // A day that does not exist in that month (June 31) is not a date.
  const check = new Date(Date.UTC(Number(year), mi, d));
  if (check.getUTCMonth() !== mi) return undefined;
  return { date: `${year}-${pad(mi + 1)}-${pad(d)}`, relative: false };
}

function ym(year: string, month: string): { date: string; relative: boolean } | undefined {
  const mi = monthIndex(month);
  return mi < 0 ? undefined : { date: `${year}-${pad(mi + 1)}`, relative: false };
}

function rel(x: { date: string; relative: boolean } | undefined) {
  return x ? { ...x, relative: true } : undefined;
}

function monthNear(word: string, month: string, doc?: string): { date: string; relative: boolean } | undefined {
  if (!doc || doc.length < 7) return undefined;
  const mi = monthIndex(month) + 1;
  const year = Number(doc.slice(0, 4));
  const docMonth = Number(doc.slice(5, 7));
  if (mi < 1) return undefined;
  // "later this October" or "this October" is the statement's year; "last October" or "in
  // October" is the most recent October up to the statement.
  const y = word === 'later this' || word === 'this' ? year : mi <= docMonth ? year : year - 1;
  return { date: `${y}-${pad(mi)}`, relative: true };
}

function relativeWord(word: string, doc?: string): { date: string; relative: boolean } | undefined {
  if (!doc) return undefined;
  const year = Number(doc.slice(0, 4));
  switch (word) {
    case 'today':
    case 'earlier today':
    case 'this week':
      return { date: doc, relative: true };
    case 'this month':
      return { date: doc.slice(0, 7), relative: true };
    case 'last month': {
      if (doc.length < 7) return undefined;
      const m = Number(doc.slice(5, 7));
      return { date: m === 1 ? `${year - 1}-12` : `${year}-${pad(m - 1)}`, relative: true };
    }
    case 'this year':
    case 'later this year':
      return { date: String(year), relative: true };
    case 'last year':
      return { date: String(year - 1), relative: true };
    case 'next year':
      return { date: String(year + 1), relative: true };
    default:
      return undefined;
  }
}

/** Every date in the text, in text order, none overlapping another. */
export function findDates(text: string, docDate?: string): TextDate[] {
  const found: TextDate[] = [];
  const taken = (s: number, e: number) => found.some((f) => s < f.end && e > f.start);
  for (const { re, read } of PATTERNS) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const start = m.index;
      const end = start + m[0].length;
      if (taken(start, end)) continue;
      const r = read(m, docDate);
      if (r) found.push({ ...r, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
