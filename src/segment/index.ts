import type { Block, Passage, PassageKind } from '../core/doc.js';
import { shortHash } from '../core/hash.js';
import { splitSentences } from './sentences.js';

export { splitSentences } from './sentences.js';

// Very long list items are split into sentences like paragraphs, so that one
// passage stays a unit an analyst can judge.
const MAX_ITEM_CHARS = 1200;

export interface SegmentInput {
  id: string;
  text: string;
  blocks: Block[];
}

/**
 * Cut a document into passages: headings, list items and sentences, each with
 * its heading path and offsets into the canonical text.
 */
function lastSentence(text: string): string {
  const sentences = splitSentences(text);
  const last = sentences[sentences.length - 1];
  return last ? text.slice(last[0], last[1]).trim() : text.trim();
}

export function segment(doc: SegmentInput): Passage[] {
  const passages: Passage[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  const seen = new Map<string, number>();

  // Sentences ending in a colon that introduce the list items after them, with
  // the depth they stand at (0 for a paragraph, the item's depth for an item).
  let intros: Array<{ level: number; text: string }> = [];
  let intro: string | undefined;
  const push = (kind: PassageKind, start: number, end: number, headings: string[], block: Block) => {
    const text = doc.text.slice(start, end);
    // Paragraph numbers and separators ("38.", "***") carry no words.
    if (!/\p{L}/u.test(text)) return;
    const n = seen.get(text) ?? 0;
    seen.set(text, n + 1);
    passages.push({
      id: shortHash(`${doc.id}\u0000${text}\u0000${n}`),
      docId: doc.id,
      index: passages.length,
      kind,
      start,
      end,
      text,
      headings,
      ...(kind === 'item' && intro ? { listIntro: intro } : {}),
      source: block.source,
    });
  };

  for (const block of doc.blocks) {
    // An item at or above the depth of the item that introduced a sub-list ends that sub-list.
    if (block.kind === 'item') {
      intros = intros.filter((i) => i.level < block.level);
      intro = intros[intros.length - 1]?.text;
    }
    if (block.kind === 'heading') {
      // A list's lead-in governs its items through any sub-headings under it, until
      // the next sentence of running text (taxonomy section 3).
      while (stack.length && stack[stack.length - 1]!.level >= block.level) stack.pop();
      push('heading', block.start, block.end, stack.map((h) => h.text), block);
      stack.push({ level: block.level, text: doc.text.slice(block.start, block.end) });
      continue;
    }
    let start = block.start;
    // A bold lead-in ("Quantum: ...") is a sibling of bold-line headings: it
    // ends the scope of the bold heading before it.
    if (block.leadIn) while (stack.length && stack[stack.length - 1]!.level >= 7) stack.pop();
    const headings = stack.map((h) => h.text);
    if (block.leadIn) {
      headings.push(block.leadIn);
      // Skip the lead-in words themselves ("Semiconductors:"), they are the heading.
      const body = doc.text.slice(block.start, block.end);
      const idx = body.indexOf(block.leadIn);
      if (idx >= 0) {
        let s = idx + block.leadIn.length;
        while (s < body.length && /[\s:.\-–—]/.test(body[s]!)) s++;
        if (s < body.length) start = block.start + s;
      }
    }
    if (block.kind === 'item' && block.end - block.start <= MAX_ITEM_CHARS) {
      push('item', start, block.end, headings, block);
      if (doc.text.slice(start, block.end).trim().endsWith(':')) intros.push({ level: block.level, text: lastSentence(doc.text.slice(start, block.end)) });
      continue;
    }
    const sentences = splitSentences(doc.text.slice(start, block.end));
    for (const [s, e] of sentences) {
      push(block.kind === 'item' ? 'item' : 'sentence', start + s, start + e, headings, block);
    }
    const last = sentences[sentences.length - 1];
    const text = last ? doc.text.slice(start + last[0], start + last[1]).trim() : '';
    if (block.kind === 'item') {
      if (text.endsWith(':')) intros.push({ level: block.level, text });
    } else intros = text.endsWith(':') ? [{ level: 0, text }] : [];
  }
  return passages;
}
