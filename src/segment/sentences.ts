/**
 * A regex sentence splitter with an abbreviation list. It is much faster than
 * NLP tokenizers on statement prose and, unlike them, keeps "U.S." and "No. 3"
 * in one sentence. Returns [start, end) offsets into the input.
 */
const ABBREVIATIONS = new Set(
  [
    'u.s', 'u.k', 'u.n', 'e.u', 'p.r.c', 'r.o.k', 'd.c', 'e.g', 'i.e', 'etc', 'vs', 'cf', 'al', 'approx',
    'no', 'nos', 'art', 'para', 'sec', 'fig', 'vol', 'p', 'pp', 'ch',
    'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'gen', 'gov', 'sen', 'rep', 'amb', 'adm', 'lt', 'col', 'hon', 'pres',
    'inc', 'ltd', 'co', 'corp', 'plc', 'dept', 'min', 'est',
    'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  ],
);

// Candidate boundary: terminal punctuation, optional closing quotes/brackets, white space.
const BOUNDARY = /([.!?…]+)(["')\]]*)(\s+)(?=["'(\[]?[A-Z0-9•])/g;

export function splitSentences(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  BOUNDARY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BOUNDARY.exec(text))) {
    const punctEnd = m.index + m[1]!.length + m[2]!.length;
    if (m[1] === '.' && !m[2]) {
      // The word before the period decides: abbreviations and initials do not end sentences.
      const before = text.slice(Math.max(start, m.index - 12), m.index);
      const word = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase() ?? '';
      if (ABBREVIATIONS.has(word) || /^(?:[a-z]\.)+[a-z]$/.test(word) || /^[a-z]$/.test(word)) continue;
    }
    if (punctEnd - start > 1) out.push([start, punctEnd]);
    start = m.index + m[0].length;
  }
  if (start < text.length && text.slice(start).trim()) out.push([start, text.length]);
  return trimSpans(text, out);
}

function trimSpans(text: string, spans: Array<[number, number]>): Array<[number, number]> {
  const res: Array<[number, number]> = [];
  for (let [s, e] of spans) {
    while (s < e && /\s/.test(text[s]!)) s++;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    if (e > s) res.push([s, e]);
  }
  return res;
}
