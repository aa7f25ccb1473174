import { sha256 } from '../core/hash.js';

/**
 * Locating canonical passage text in the raw source file.
 *
 * Labels in test/gold point at a statement by file name and character offsets of the
 * raw file, so they never carry the statement's words. Extraction rewrites the text
 * (line wrapping, markup, entities, curly quotes), so passages are found in the raw
 * file through a projection both sides share: the lower-cased letters and digits,
 * each remembering where it stood in the raw file.
 */
export interface RawIndex {
  /** Lower-cased letters and digits of the raw text, in order. */
  chars: string;
  /** pos[i] is the raw offset of chars[i]. */
  pos: number[];
}

const ALNUM = /[\p{L}\p{N}]/u;

export function projection(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

export function rawIndex(raw: string): RawIndex {
  const lower = raw.toLowerCase();
  let chars = '';
  const pos: number[] = [];
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]!;
    // Markup that extraction drops: tags, entities, link addresses.
    const skip = c === '<' ? /^<\/?[a-z][^<>]*>/.exec(lower.slice(i, i + 400)) : c === '&' ? /^&#?\w{1,10};/.exec(lower.slice(i, i + 12)) : c === ']' ? /^\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)/.exec(lower.slice(i, i + 1000)) : null;
    if (skip) {
      i += skip[0].length - 1;
      continue;
    }
    if (ALNUM.test(c)) {
      chars += c;
      pos.push(i);
    }
  }
  return { chars, pos };
}

export interface Span {
  start: number;
  end: number;
}

/** Where 'text' stands in the raw file (searching from raw offset 'from'), or undefined. */
export function locate(index: RawIndex, text: string, from = 0): Span | undefined {
  const norm = projection(text);
  if (!norm) return undefined;
  const startAt = lowerBound(index.pos, from);
  const toSpan = (i: number, j: number): Span => ({ start: index.pos[i]!, end: index.pos[j - 1]! + 1 });
  const exact = index.chars.indexOf(norm, startAt);
  if (exact >= 0) return toSpan(exact, exact + norm.length);
  // Extraction dropped something in the middle (a link address, a tag name):
  // anchor on the opening and closing words instead.
  const k = Math.min(24, Math.floor(norm.length / 2));
  if (k < 8) return undefined;
  const head = index.chars.indexOf(norm.slice(0, k), startAt);
  if (head < 0) return undefined;
  const tail = index.chars.indexOf(norm.slice(-k), head + k);
  if (tail < 0 || tail + k - head > norm.length * 2 + 200) return undefined;
  return toSpan(head, tail + k);
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A short fingerprint of a raw span, so a label notices when the statement it points at changed. */
export function spanCheck(raw: string, span: Span): string {
  return sha256(projection(raw.slice(span.start, span.end))).slice(0, 12);
}
