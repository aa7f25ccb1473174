import type { Message } from '../core/messages.js';
import { problem } from '../core/errors.js';
import { looksLikeHeading, type RawBlock } from './blocks.js';
import { parseFrontMatter } from './frontmatter.js';

export interface MarkdownResult {
  frontMatter: Record<string, unknown>;
  blocks: RawBlock[];
  messages: Message[];
}

const BULLET = /^(\s*)(?:[-*+•▪◦]|\d{1,3}[.)]|[a-z][.)]|\([a-z0-9]{1,3}\))\s+(.*)$/;
const ATX = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
// A paragraph that is nothing but bold text: "**Semiconductors:**" or "**Quantum: **".
const BOLD_ONLY = /^\s*(?:\*\*|__)([^*_]+?)(?:\*\*|__)\s*$/;
// Two bold runs side by side ("**Unleashing** **Civil Nuclear Energy**") read as one.
const joinBold = (line: string) => line.replace(/(\*\*|__)\s+(\*\*|__)/g, ' ');
// A bold title on a line of its own, closed by a hard line break ("**Research Security**  "),
// with the text it heads on the next lines.
const BOLD_TITLE_LINE = /^\s*(?:[-*+•▪◦]\s+)?(?:\*\*|__)([^*_]{2,120}?)(?:\*\*|__)(?: {2,}|\\)$/;
// The same in HTML emphasis, possibly inside Markdown emphasis: "***<u>Announcing the Corridor</u>***  ".
const TAG_TITLE_LINE = /^\s*(?:[-*+•▪◦]\s+)?[*_]{0,3}(?:<(?:u|b|strong|em)>)+([^<>*_]{2,120}?)(?:<\/(?:u|b|strong|em)>)+[*_]{0,3}(?: {2,}|\\)$/;
const titleOf = (line: string): string | undefined => (BOLD_TITLE_LINE.exec(joinBold(line)) ?? TAG_TITLE_LINE.exec(line))?.[1]?.trim();

function splitFrontMatter(src: string, file: string, messages: Message[]): { fm: Record<string, unknown>; body: string; bodyLine: number } {
  const m = /^(?:\uFEFF)?---\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)\s*(?:\r?\n|$)/.exec(src);
  if (!m) return { fm: {}, body: src, bodyLine: 1 };
  const bodyLine = m[0].split('\n').length;
  try {
    const fm = parseFrontMatter(m[1]!);
    if (fm && typeof fm === 'object' && !Array.isArray(fm)) return { fm: fm as Record<string, unknown>, body: src.slice(m[0].length), bodyLine };
    messages.push(problem('meta/bad-front-matter', file, 'it is not a mapping of fields', 1));
  } catch (err) {
    messages.push(problem('meta/bad-front-matter', file, (err as Error).message.split('\n')[0], 1));
  }
  return { fm: {}, body: src.slice(m[0].length), bodyLine };
}

/**
 * Markdown (and plain text) to blocks. Handles what the real statements hold:
 * hard-wrapped paragraphs, whitespace-only separator lines, ATX and setext
 * headings, bold-only lines used as headings, nested bullet lists with
 * continuation lines, and numbered lists.
 */
export function parseMarkdown(src: string, file: string): MarkdownResult {
  const messages: Message[] = [];
  const { fm, body, bodyLine } = splitFrontMatter(src.replace(/\r\n?/g, '\n'), file, messages);
  const lines = body.split('\n');
  const blocks: RawBlock[] = [];

  let buf: string[] = [];
  let bufKind: 'paragraph' | 'item' = 'paragraph';
  let bufLevel = 1;
  let bufLine = 0;
  let bufIndent = 0;
  // The buffer's first line is a bold title closed by a hard line break.
  let bufTitle: string | undefined;
  // Indents of open list levels, to turn indentation into nesting depth.
  let listIndents: number[] = [];

  const flush = () => {
    if (!buf.length) return;
    // A titled block: a paragraph's title heads its section; an item's title is its lead-in.
    if (bufTitle && buf.length > 1) {
      if (bufKind === 'paragraph') {
        blocks.push({ kind: 'heading', level: 7, raw: bufTitle.replace(/:$/, ''), source: { line: bufLine } });
        buf = buf.slice(1);
      } else buf[0] = `**${bufTitle.replace(/:$/, '')}:**`;
    }
    bufTitle = undefined;
    const raw = joinBold(buf.join(' '));
    // Emphasis written as HTML tags ("***<u>Title</u>***") reads as Markdown emphasis here.
    const tagless = raw.replace(/<\/?(?:u|b|strong|em|i)>/gi, '');
    const bold = BOLD_ONLY.exec(/^\s*\*{3}[^*]+\*{3}\s*$/.test(tagless) ? tagless.replace(/^\s*\*/, '').replace(/\*\s*$/, '') : tagless);
    if (bufKind === 'paragraph' && bold) {
      blocks.push({ kind: 'heading', level: 7, raw: bold[1]!.trim().replace(/:$/, ''), source: { line: bufLine } });
    } else if (bufKind === 'paragraph' && buf.length === 1 && looksLikeHeading(tagless.replace(/[*_]/g, '')) && !/^\s*>/.test(raw)) {
      blocks.push({ kind: 'heading', level: 7, raw: tagless.replace(/[*_]/g, '').replace(/:\s*$/, ''), source: { line: bufLine } });
    } else {
      blocks.push({ kind: bufKind, level: bufLevel, raw: raw.replace(/^\s*>\s?/, ''), source: { line: bufLine } });
    }
    buf = [];
  };

  let blankSinceItem = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = bodyLine + i;
    if (!line.trim()) {
      blankSinceItem = true;
      // A blank line ends a paragraph; inside a list item the item may continue
      // on an indented line after it, so only flush paragraphs here.
      if (bufKind === 'paragraph') flush();
      else {
        const next = lines.slice(i + 1).find((l) => l.trim());
        if (!next || !(next.length - next.trimStart().length > bufIndent) || BULLET.test(next)) flush();
      }
      continue;
    }
    const atx = ATX.exec(line);
    if (atx) {
      flush();
      listIndents = [];
      blocks.push({ kind: 'heading', level: atx[1]!.length, raw: atx[2]!, source: { line: lineNo } });
      continue;
    }
    // Setext heading: a line of === or --- under a paragraph line.
    if (/^\s{0,3}(=+|-{3,})\s*$/.test(line) && buf.length === 1 && bufKind === 'paragraph') {
      const level = line.trim().startsWith('=') ? 1 : 2;
      blocks.push({ kind: 'heading', level, raw: buf[0]!, source: { line: bufLine } });
      buf = [];
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      continue; // thematic break
    }
    const bullet = BULLET.exec(line);
    if (bullet && !(buf.length && bufKind === 'paragraph' && /^\s*\d/.test(line) && !/^\s*\d{1,3}[.)]\s/.test(line))) {
      flush();
      const indent = bullet[1]!.length;
      while (listIndents.length && listIndents[listIndents.length - 1]! > indent) listIndents.pop();
      if (!listIndents.length || listIndents[listIndents.length - 1]! < indent) listIndents.push(indent);
      bufKind = 'item';
      bufLevel = listIndents.length;
      bufIndent = indent;
      bufLine = lineNo;
      buf = [bullet[2]!];
      bufTitle = titleOf(line);
      blankSinceItem = false;
      continue;
    }
    // A line right after an item line (no blank line between) continues the
    // item whatever its indent: numbered paragraphs ("41. We also ...") are
    // hard-wrapped at the left margin.
    if (buf.length && bufKind === 'item' && !blankSinceItem) {
      buf.push(line.trim());
      continue;
    }
    if (buf.length && bufKind === 'item' && line.length - line.trimStart().length <= bufIndent && listIndents.length) {
      // A line at the list's own indent that is not a bullet ends the list.
      flush();
      listIndents = [];
    }
    if (!buf.length) {
      bufKind = line.length - line.trimStart().length >= 2 && listIndents.length ? 'item' : 'paragraph';
      if (bufKind === 'paragraph') listIndents = [];
      bufLevel = 1;
      bufLine = lineNo;
      bufTitle = titleOf(line);
    }
    buf.push(line.trim());
  }
  flush();
  return { frontMatter: fm, blocks, messages };
}
