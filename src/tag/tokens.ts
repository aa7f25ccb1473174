/**
 * Words of a passage, found once and shared by every rule: the matcher walks these
 * tokens, never the characters again.
 *
 * A token is a run of letters and digits ("semiconductors", "2024", "5G"), an
 * abbreviation with inner periods ("U.S."), a word with an inner "&" or apostrophe
 * ("R&D", "don't"), a number with separators ("1,200.5"), or a currency sign. Hyphens
 * and other punctuation separate tokens, so "co-production" is "co" "production"; a
 * possessive "'s" is dropped ("Korea's" is "Korea"), and an abbreviation's closing
 * period is punctuation ("U.S." is "U.S"). `norm` is the lower-cased form; `flags`
 * mark numbers, years and capitalised words for the pattern language's token classes.
 *
 * Written as a loop over character codes rather than a regular expression with
 * Unicode classes: this runs for every passage and is several times faster.
 */
export interface Tokens {
  text: string;
  /**
   * The text lower-cased and followed by four NULs, when lower-casing keeps every
   * character in its place (it does not for a few letters, such as "İ"); otherwise
   * empty, and `norm` is made token by token.
   */
  lower: string;
  start: Int32Array;
  end: Int32Array;
  /** The token as written (sliced from the text when asked for: most are never needed). */
  raw(i: number): string;
  /** Lower-cased tokens with ’ read as ' (made when first asked for: the matcher reads `lower`). */
  readonly norm: string[];
  flags: Uint8Array;
  length: number;
  /** Whether some token holds ’ (it may be true when none does, never false when one does). */
  curly: boolean;
}

export const NUM = 1;
export const YEAR = 2;
export const CAP = 4;
/** A word ending in -ing (a gerund or participle: "expanding"), or in -ed ("expanded"). */
export const ING = 8;
export const ED = 16;

const LETTER = /\p{L}|\p{N}/u;
// ASCII characters by what they are to the tokenizer: a bit for a word character
// (letter or digit), one for a letter.
const WORD = 1;
const ALPHA = 2;
const ASCII = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII[c] = WORD;
for (let c = 65; c <= 90; c++) ASCII[c] = WORD | ALPHA;
for (let c = 97; c <= 122; c++) ASCII[c] = WORD | ALPHA;

function wordCode(c: number): boolean {
  if (c < 128) return (ASCII[c]! & WORD) !== 0;
  // Typographic marks are not letters; anything else outside ASCII is asked of Unicode.
  if (c === 0x2019 || c === 0x2018 || c === 0x201c || c === 0x201d || c === 0x2013 || c === 0x2014 || c === 0xa0) return false;
  return LETTER.test(String.fromCharCode(c));
}
const isDigit = (c: number) => c >= 48 && c <= 57;
const isAsciiLetter = (c: number) => c < 128 && (ASCII[c]! & ALPHA) !== 0;
/** $ € £ ¥ ₩: a token of their own. */
const isCurrency = (c: number) => c === 0x24 || (c >= 0xa3 && (c === 0xa3 || c === 0xa5 || c === 0x20ac || c === 0x20a9));

const PAD = '\u0000\u0000\u0000\u0000';

// A text of n characters holds at most n tokens.
let scratchStart = new Int32Array(4096);
let scratchEnd = new Int32Array(4096);
let scratchFlags = new Uint8Array(4096);

/** The tokens of a passage; `norm` is made on first use. */
class TokenList implements Tokens {
  private normCache: string[] | undefined;
  constructor(
    readonly text: string,
    readonly lower: string,
    readonly start: Int32Array,
    readonly end: Int32Array,
    readonly flags: Uint8Array,
    readonly length: number,
    /** The lower-cased tokens, when `lower` could not be used. */
    lowered: string[] | undefined,
    readonly curly: boolean,
  ) {
    this.normCache = lowered;
  }

  raw(i: number): string {
    return this.text.slice(this.start[i]!, this.end[i]!);
  }

  get norm(): string[] {
    if (!this.normCache) {
      const out: string[] = new Array(this.length);
      for (let i = 0; i < this.length; i++) {
        const w = this.lower.slice(this.start[i]!, this.end[i]!);
        out[i] = w.includes('’') ? w.replace(/’/g, "'") : w;
      }
      this.normCache = out;
    }
    return this.normCache;
  }
}

/**
 * Flags of the token [s, e): `w` is the text (or the token) lower-cased and `ws`
 * where the token starts in it. Read from character codes: no string is made.
 */
function flagsOf(text: string, s: number, e: number, w: string, ws: number, l: number): number {
  const c0 = text.charCodeAt(s);
  let fl = 0;
  if (isDigit(c0)) {
    fl |= NUM;
    if (e - s === 4) {
      const c1 = w.charCodeAt(ws + 1);
      if (c0 === (c1 === 57 ? 49 : 50) && (c1 === 57 || c1 === 48) && isDigit(w.charCodeAt(ws + 2)) && isDigit(w.charCodeAt(ws + 3))) fl |= YEAR;
    }
  } else {
    if (c0 !== w.charCodeAt(ws)) fl |= CAP;
    const z = ws + l;
    if (l > 5 && w.charCodeAt(z - 1) === 103 && w.charCodeAt(z - 2) === 110 && w.charCodeAt(z - 3) === 105) fl |= ING;
    else if (l > 4 && w.charCodeAt(z - 1) === 100 && w.charCodeAt(z - 2) === 101) fl |= ED;
  }
  return fl;
}

/** Flags of a token whose lower-cased form is not in place in the lower-cased text ("İ"). */
function flagsApart(text: string, s: number, e: number, lowered: string[]): number {
  const w = text.slice(s, e).toLowerCase().replace(/’/g, "'");
  lowered.push(w);
  return flagsOf(text, s, e, w, 0, w.length);
}

export function tokenize(text: string): Tokens {
  const n = text.length;
  // Read with a few NULs after the end: the checks ahead of a character never
  // read past the string (V8 leaves optimised code when a read falls outside it),
  // and a NUL is nothing the checks look for.
  const padded = text + PAD;
  // Lower-cased, the padded text is one flat string; the text and its padding
  // joined are two, and every character read from them goes through the pair.
  // So the loop reads the lower-cased text: what it asks of a character is the
  // same in either case but for one, the Kelvin sign, whose lower case is the
  // ASCII letter k. Only an abbreviation asks for ASCII letters, and it reads
  // them as written.
  const lower = padded.toLowerCase();
  const same = lower.length === n + PAD.length;
  const t = same ? lower : padded;
  // Scratch buffers shared by every call (the result copies out what it needs).
  if (scratchStart.length < n + 1) {
    scratchStart = new Int32Array(n + 64);
    scratchEnd = new Int32Array(n + 64);
    scratchFlags = new Uint8Array(n + 64);
  }
  const starts = scratchStart;
  const ends = scratchEnd;
  const fls = scratchFlags;
  // Lower-casing changes the length of a few strings ("İ"): then each token is lowered alone.
  const lowered: string[] | undefined = same ? undefined : [];
  // Whether a token holds ’ (between its letters: "don’t").
  let curly = false;
  let k = 0;
  let i = 0;
  while (i < n) {
    const c = t.charCodeAt(i);
    let s = i;
    let e: number;
    if (!wordCode(c)) {
      if (!isCurrency(c)) {
        i++;
        continue;
      }
      e = ++i;
    } else if (isAsciiLetter(c) && t.charCodeAt(i + 1) === 46 && isAsciiLetter(padded.charCodeAt(i)) && isAsciiLetter(padded.charCodeAt(i + 2)) && !wordCode(t.charCodeAt(i + 3) || 32)) {
      // An abbreviation: single letters joined by periods ("U.S.", "e.g."), the letters read as written.
      let j = i;
      while (isAsciiLetter(padded.charCodeAt(j)) && t.charCodeAt(j + 1) === 46 && isAsciiLetter(padded.charCodeAt(j + 2)) && !wordCode(t.charCodeAt(j + 3) || 32)) j += 2;
      e = j + 1;
      i = j + 1;
      if (t.charCodeAt(i) === 46) i++;
    } else {
      const numeric = isDigit(c);
      let j = i + 1;
      for (;;) {
        while (j < n && wordCode(t.charCodeAt(j))) j++;
        const d = t.charCodeAt(j);
        const next = t.charCodeAt(j + 1);
        // Joiners inside a word: & ' ’ between word characters; . , between digits of a number.
        if ((d === 38 || d === 39 || d === 0x2019) && j + 1 < n && wordCode(next)) {
          if (d === 0x2019) curly = true;
          j += 2;
          continue;
        }
        if (numeric && (d === 46 || d === 44) && isDigit(next)) {
          j += 2;
          continue;
        }
        break;
      }
      e = j;
      // Possessives: "Korea's", "partners’s" -> the noun.
      if (e - s > 2) {
        const p = t.charCodeAt(e - 2);
        if ((p === 39 || p === 0x2019) && (t.charCodeAt(e - 1) === 115 || t.charCodeAt(e - 1) === 83)) e -= 2;
      }
      i = j;
    }
    starts[k] = s;
    ends[k] = e;
    fls[k] = lowered ? flagsApart(text, s, e, lowered) : flagsOf(text, s, e, lower, s, e - s);
    k++;
  }
  const start = take(k);
  start.set(starts.subarray(0, k));
  const end = take(k);
  end.set(ends.subarray(0, k));
  const f = take((k + 3) >> 2);
  const flags = new Uint8Array(f.buffer, f.byteOffset, k);
  flags.set(fls.subarray(0, k));
  return new TokenList(text, same ? lower : '', start, end, flags, k, lowered, curly);
}

// Tokens' numbers are cut from shared blocks: a typed array of its own for each
// passage costs more to allocate than to fill. A block is freed with the last
// passage that holds a piece of it.
const BLOCK = 1 << 16;
let block = new Int32Array(BLOCK);
let used = 0;
function take(n: number): Int32Array {
  if (n > BLOCK >> 4) return new Int32Array(n);
  if (used + n > BLOCK) {
    block = new Int32Array(BLOCK);
    used = 0;
  }
  const a = block.subarray(used, used + n);
  used += n;
  return a;
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
