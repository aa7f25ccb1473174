import { splitSentences } from '../segment/sentences.js';
import { tokenAt, type Tokens } from './tokens.js';

/**
 * The sentences and clauses of a passage, as ends in character offsets, so a rule's
 * scope ("the same clause") is a comparison of two indices. Clauses end at a
 * semicolon, a colon or a spaced dash; sentences where the sentence splitter ends them.
 */
export interface Units {
  sentenceEnds: number[];
  clauseEnds: number[];
  wordsBetween(from: number, to: number): number;
}

const CLAUSE = /[;:](?=\s)|\s[–—]\s/g;

export function units(text: string, tokens: Tokens): Units {
  const sentenceEnds = splitSentences(text).map(([, e]) => e);
  if (!sentenceEnds.length || sentenceEnds[sentenceEnds.length - 1]! < text.length) sentenceEnds.push(text.length);
  const clauseEnds: number[] = [];
  CLAUSE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CLAUSE.exec(text))) clauseEnds.push(m.index);
  // A sentence end is a clause end too.
  const all = [...new Set([...clauseEnds, ...sentenceEnds])].sort((a, b) => a - b);
  return {
    sentenceEnds,
    clauseEnds: all,
    wordsBetween: (from, to) => Math.max(0, tokenAt(tokens, to) - tokenAt(tokens, from)),
  };
}

/** The index of the sentence or clause holding character `pos`. */
export function unitOf(u: Units, unit: 'clause' | 'sentence', pos: number): number {
  const ends = unit === 'clause' ? u.clauseEnds : u.sentenceEnds;
  let lo = 0;
  let hi = ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid]! <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
