import type { Block, BlockKind, SourceRef } from '../core/doc.js';
import { cleanInline } from './inline.js';

export interface RawBlock {
  kind: BlockKind;
  level: number;
  /** Text with inline markup still in it; cleaned here. */
  raw: string;
  source: SourceRef;
}

// A bold (or underlined) lead-in at the start of a paragraph: "**Semiconductors:** The two sides ..."
const LEAD_IN = /^\s*(?:\*\*|__|<(?:strong|b|u)>)\s*([^*<]{2,120}?)\s*(?:\*\*|__|<\/(?:strong|b|u)>)\s*(?=\S)/i;

const PLAIN_LEAD_IN = /^([A-Z][^:.;!?]{0,88}):\s+(?=["“(]?[A-Z])/;
const CAPS_LEAD_IN = /^((?:[A-Z0-9&'’,-]{2,} ){1,9}[A-Z0-9&'’-]{3,}):?\s+(?=[A-Z][a-z])/;

/**
 * Join cleaned blocks into the canonical text (blocks separated by a blank line)
 * and record each block's offsets. Empty blocks are dropped.
 */
export function assemble(raw: RawBlock[]): { text: string; blocks: Block[] } {
  const parts: string[] = [];
  const blocks: Block[] = [];
  let offset = 0;
  for (const rb of raw) {
    let leadIn: string | undefined;
    const m = rb.kind === 'paragraph' || rb.kind === 'item' ? LEAD_IN.exec(rb.raw) : null;
    if (m) {
      const candidate = cleanInline(m[1]!).replace(/[:.\-–—]\s*$/, '').trim();
      // Only a heading-like phrase counts: short, and ending its own sentence or a colon.
      if (candidate && candidate.split(' ').length <= 12 && /[:.\-–—]\s*(?:\*\*|__|<\/)/.test(m[0]) ) leadIn = candidate;
    }
    const text = cleanInline(rb.raw);
    if (!text) continue;
    // A plain title before a colon opens many fact-sheet bullets:
    // "Expanding Cooperation in Biotechnology: The two sides are ...".
    if (!leadIn && (rb.kind === 'paragraph' || rb.kind === 'item')) {
      const plain = PLAIN_LEAD_IN.exec(text);
      if (plain && looksLikeHeading(plain[1]!)) leadIn = plain[1]!.trim();
      // A section title in capitals run into its first sentence: "ECONOMIC COOPERATION The two ...".
      const caps = CAPS_LEAD_IN.exec(text);
      if (!leadIn && caps && caps[1]!.replace(/[^A-Z]/g, '').length >= 10) leadIn = caps[1]!.trim();
    }
    if (parts.length) offset += 2;
    blocks.push({ kind: rb.kind, level: rb.level, start: offset, end: offset + text.length, source: rb.source, ...(leadIn ? { leadIn } : {}) });
    parts.push(text);
    offset += text.length;
  }
  return { text: parts.join('\n\n'), blocks };
}

/** A heading-like line: short, no sentence punctuation at the end, mostly capitalized words. */
export function looksLikeHeading(text: string): boolean {
  const t = text.trim().replace(/:$/, '');
  if (!t || t.length > 90 || /[.;,!?]$/.test(t)) return false;
  const words = t.split(/\s+/);
  if (words.length > 10) return false;
  const small = new Set(['and', 'of', 'the', 'for', 'in', 'on', 'to', 'a', 'an', 'with', 'by', '&']);
  const caps = words.filter((w) => /^[A-Z0-9("'“]/.test(w)).length;
  const lower = words.filter((w) => !/^[A-Z0-9("'“]/.test(w) && !small.has(w.toLowerCase())).length;
  return caps >= 1 && lower === 0;
}
