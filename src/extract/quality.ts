/** Content checks shared by all formats: binary data and language. */

export function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  if (n === 0) return false;
  let bad = 0;
  let nul = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c === 0) nul++;
    if (c < 9 || (c > 13 && c < 32)) bad++;
  }
  // A stray NUL in a text file is removed with a warning; many of them mean binary data
  // (or UTF-16 without its byte-order mark).
  if (nul / n > 0.01 || bad / n > 0.05) return true;
  // Invalid UTF-8 in bulk is another sign (Latin-1 text has a few, junk has many).
  const decoded = buf.subarray(0, n).toString('utf8');
  const replacements = decoded.split('\uFFFD').length - 1;
  return replacements / n > 0.1;
}

const ENGLISH = new Set(
  'the of and to in a is that for on with as by are be this will our we from at an it have has which their its or not also both two these support including'.split(' '),
);

/** The longest of those words: a longer word is not looked up. */
const LONGEST = Math.max(...[...ENGLISH].map((w) => w.length));

/** A letter of the scripts the score counts words in (lower case): Latin, Cyrillic, kana, CJK. */
const wordUnit = (c: number) => (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x400 && c <= 0x4ff) || (c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff);

/**
 * Share of the most common English function words among the first 3,000 words
 * (of the first 20,000 characters). English statements sit around 0.3; other
 * languages well under 0.1. Read character by character: only a word short
 * enough to be one of them, in a-z, is made into a string.
 */
export function englishScore(text: string): number {
  const lower = text.slice(0, 20000).toLowerCase();
  const n = lower.length;
  let words = 0;
  let hits = 0;
  for (let i = 0; i < n && words < 3000; ) {
    let c = lower.charCodeAt(i);
    if (!wordUnit(c)) {
      i++;
      continue;
    }
    let ascii = c < 128;
    let j = i + 1;
    while (j < n && wordUnit((c = lower.charCodeAt(j)))) {
      if (c >= 128) ascii = false;
      j++;
    }
    words++;
    if (ascii && j - i <= LONGEST && ENGLISH.has(lower.slice(i, j))) hits++;
    i = j;
  }
  return words < 30 ? 1 : hits / words;
}
