/**
 * Writing untrusted text (statement text, titles, addresses) into Markdown and
 * CSV safely: Markdown never turns it into markup or links, CSV follows RFC
 * 4180 and never lets a spreadsheet read a cell as a formula.
 */

/** A file's text: whole, or in pieces written one after another (pages of hundreds of megabytes are never held whole). */
export type FileText = string | Iterable<string>;

/**
 * An output file, made when asked for. `inputs`, when present, names everything the
 * file is made from (a digest) but the rules, the code and the settings: a run that
 * finds the same inputs recorded for the file it wrote before, under the same rules,
 * code and settings, can keep that file instead of making it again.
 */
export interface OutputFile {
  name: string;
  make: () => FileText;
  inputs?: string;
  /**
   * For a file that is its parts one after another (make's text is theirs): the
   * parts, each with its inputs when it has them, so that a run can copy a part
   * from the file it wrote before when the part's inputs are the same.
   */
  parts?: () => Iterable<OutputPart>;
}

/** A part of an OutputFile: `key` names it in the file (unique there), `inputs` as a file's. */
export interface OutputPart {
  key: string;
  make: () => FileText;
  inputs?: string;
}

/** A file's text as pieces (a whole text is one piece). */
export function piecesOf(text: FileText): Iterable<string> {
  return typeof text === 'string' ? [text] : text;
}

/** A file's text as one string. */
export function fileText(text: FileText): string {
  if (typeof text === 'string') return text;
  let all = '';
  for (const piece of text) all += piece;
  return all;
}

/** Files made one at a time, each as one string (for callers that want them all at once). */
export function textFiles(files: Iterable<[string, FileText]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, text] of files) out.set(name, fileText(text));
  return out;
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** An http(s) address, or undefined: nothing else becomes a link. */
export function safeUrl(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const u = url.trim();
  return /^https?:\/\/[^\s<>"'`]+$/i.test(u) ? u : undefined;
}

/**
 * Text as Markdown shows it literally: one line, the characters that make
 * emphasis, code, links, HTML and table cells escaped with a backslash, and "&"
 * escaped where it would start an entity, so neither "<script>" nor "**" nor
 * "[x](javascript:...)" becomes markup.
 */
export function md(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|~]/g, '\\$&')
    .replace(/^[#+-]/, '\\$&')
    .replace(/&(?=#?[a-zA-Z0-9]+;)/g, '&amp;');
}

/** A link when the address is http(s), otherwise the text and the address as plain text. */
export function mdLink(text: string, url: string | undefined): string {
  const safe = safeUrl(url);
  if (safe) return `[${md(text)}](<${safe.replace(/[<>\s]/g, encodeURIComponent)}>)`;
  return url ? `${md(text)} (${md(url)})` : md(text);
}

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, a quote or a line
 * break, quotes doubled. A text starting with = + - @ (or a tab or carriage
 * return) is prefixed with an apostrophe so that spreadsheet programs show it
 * as text instead of running it as a formula. Numbers and booleans are
 * written as they are.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let t = value;
  if (/^[=+\-@\t\r]/.test(t)) t = `'${t}`;
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * A whole CSV file: a header and rows, CRLF line ends as RFC 4180 has them,
 * and a UTF-8 byte-order mark so spreadsheet programs read accents and
 * curly quotes as UTF-8.
 */
export function csv(header: string[], rows: Array<Array<string | number | boolean | null | undefined>>): string {
  return fileText(csvPieces(header, rows));
}

/** The same text as csv(), a line at a time (a large table is written as it is made). */
export function* csvPieces(header: string[], rows: Iterable<Array<string | number | boolean | null | undefined>>): Generator<string> {
  yield csvHeader(header);
  yield* csvRows(rows);
}

/** The first line of a CSV file made by csvPieces: the byte-order mark and the header. */
export function csvHeader(header: string[]): string {
  return `\uFEFF${header.map(csvField).join(',')}\r\n`;
}

/** The lines after the header in a CSV file made by csvPieces. */
export function* csvRows(rows: Iterable<Array<string | number | boolean | null | undefined>>): Generator<string> {
  for (const r of rows) yield `${r.map(csvField).join(',')}\r\n`;
}
