/**
 * Words of a passage, found once and shared by every rule: the matcher walks these
 * tokens, never the characters again.
 *
 * A token is a run of letters and digits ("semiconductors", "2024", "5G"), an
 * abbreviation with inner periods ("U.S."), a pair joined by "&" ("R&D"), a number
 * with separators ("1,200.5"), or a currency sign. Hyphens and other punctuation
 * separate tokens, so "co-production" is "co" "production"; a possessive "'s" is
 * dropped ("Korea's" is "Korea"). `norm` is the lower-cased form.
 */
export interface Tokens {
  text: string;
  start: Int32Array;
  end: Int32Array;
  raw: string[];
  norm: string[];
  length: number;
}

// Abbreviations (U.S., e.g.), words (with an inner & or apostrophe), numbers, currency signs.
const TOKEN = /[A-Za-z](?:\.[A-Za-z])+\.?|[\p{L}\p{N}]+(?:[&'’][\p{L}\p{N}]+)*(?:[.,]\p{N}+)*|[$€£¥₩]/gu;

export function tokenize(text: string): Tokens {
  const start: number[] = [];
  const end: number[] = [];
  const raw: string[] = [];
  const norm: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text))) {
    let w = m[0];
    let e = m.index + w.length;
    // Possessives: "Korea's", "partners’s" -> the noun.
    const poss = /['’][sS]$/.exec(w);
    if (poss) {
      w = w.slice(0, -2);
      e -= 2;
    }
    // An abbreviation's closing period is punctuation ("U.S." is the token "U.S").
    if (w.endsWith('.')) {
      w = w.slice(0, -1);
      e -= 1;
    }
    if (!w) continue;
    start.push(m.index);
    end.push(e);
    raw.push(w);
    norm.push(w.toLowerCase().replace(/’/g, "'"));
  }
  return { text, start: Int32Array.from(start), end: Int32Array.from(end), raw, norm, length: raw.length };
}

/** The index of the first token starting at or after `pos`. */
export function tokenAt(t: Tokens, pos: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t.start[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
