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

/**
 * Share of the most common English function words among the first 3,000 words.
 * English statements sit around 0.3; other languages well under 0.1.
 */
export function englishScore(text: string): number {
  const words = text.slice(0, 20000).toLowerCase().match(/[a-z\u00C0-\u024F\u0400-\u04FF\u3040-\u30FF\u4E00-\u9FFF]+/g) ?? [];
  if (words.length < 30) return 1;
  let hits = 0;
  const sample = words.slice(0, 3000);
  for (const w of sample) if (ENGLISH.has(w)) hits++;
  return hits / sample.length;
}
