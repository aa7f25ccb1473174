import { sha256 } from '../core/hash.js';

// In text of ASCII only, once lower-cased, letters and digits are a-z and 0-9
// (matching the Unicode classes costs four times as much).
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The form in which two passages count as the same sentence: the same words in
 * the same order, whatever their case, quotes, dashes, punctuation, bullets or
 * spacing. A fact sheet and a joint statement often repeat a sentence with only
 * such differences, and it is one commitment, not two.
 */
export function normalizeSentence(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/^\s*(?:[-*\u2022\u00b7]|\(?\d{1,2}[.)]|\([a-z]\))\s+/, '')
    // "U.S." and "US", "Japan's" and "Japans": dots and apostrophes join, they do not split.
    .replace(/[.'\u2018\u2019\u02bc]/g, '')
    .replace(ASCII.test(text) ? /[^a-z0-9]+/g : /[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A short key for a normalised sentence. */
export function sentenceKey(text: string): string {
  return sha256(normalizeSentence(text)).slice(0, 16);
}
