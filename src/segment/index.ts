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
export function segment(doc: SegmentInput): Passage[] {
  const passages: Passage[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  const seen = new Map<string, number>();

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
      source: block.source,
    });
  };

  for (const block of doc.blocks) {
    if (block.kind === 'heading') {
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
    if (block.kind === 'item' && block.end - start <= MAX_ITEM_CHARS) {
      push('item', start, block.end, headings, block);
      continue;
    }
    for (const [s, e] of splitSentences(doc.text.slice(start, block.end))) {
      push(block.kind === 'item' ? 'item' : 'sentence', start + s, start + e, headings, block);
    }
  }
  return passages;
}
