import type { Message, Severity } from './messages.js';
import { printable, printableLines } from './printable.js';

/**
 * The catalogue of user-facing problems: a stable name, a message and a hint on
 * what to do. Code raises them by name so wording lives in one place.
 */
export const CATALOGUE = {
  'extract/empty': { severity: 'error', message: 'the file has no text', hint: 'remove the file from the corpus or fill it with the statement text' },
  'extract/binary': { severity: 'error', message: 'the file looks like binary data, not a statement', hint: 'use markdown, text, HTML or PDF; rename the file if its extension is wrong' },
  'extract/pdf-broken': { severity: 'error', message: 'the PDF could not be read (truncated or damaged)', hint: 'download the PDF again or save the statement as text' },
  'extract/pdf-no-text': { severity: 'error', message: 'the PDF has no text layer (scanned pages?)', hint: 'run OCR on it first or use the HTML version of the statement' },
  'extract/too-large': { severity: 'error', message: 'the file is larger than the configured limit', hint: 'raise limits.maxFileBytes in pipeline.config.ts if the file is a real statement' },
  'extract/unsupported': { severity: 'error', message: 'the file type is not supported', hint: 'use .md, .txt, .html or .pdf' },
  'extract/too-little-text': { severity: 'warning', message: 'very little text was extracted', hint: 'check that the file holds the full statement' },
  'extract/non-english': { severity: 'warning', message: 'the document does not look like English; the rules are English-only and will tag little', hint: 'add an English version of the statement if one exists' },
  'meta/unknown-field': { severity: 'warning', message: 'unknown front-matter field', hint: 'known fields: title, date, publisher, doc_type, partnership, source_url, language, found_in, complete, citation' },
  'meta/bad-front-matter': { severity: 'warning', message: 'the front matter could not be parsed; it was ignored', hint: 'check the YAML between the --- lines' },
  'meta/no-title': { severity: 'info', message: 'no title in the metadata; the first heading or line is used', hint: 'add a title: field to the front matter' },
  'meta/bad-date': { severity: 'warning', message: 'the date is not a real date written YYYY-MM-DD; it was ignored', hint: 'write dates as YYYY-MM-DD (2024-05-01)' },
  'attribute/none': { severity: 'warning', message: 'the document could not be attributed to any partnership', hint: 'add partnership: <id> to its front matter, or an alias to rules/partnerships.yaml' },
  'attribute/unknown-id': { severity: 'warning', message: 'the front-matter partnership is not in the registry', hint: 'add it (or an alias) to rules/partnerships.yaml' },
  'extract/unreadable': { severity: 'error', message: 'the file could not be read', hint: 'check its permissions, or whether it is a real file; the rest of the corpus was read' },
  'extract/utf16': { severity: 'info', message: 'the file is UTF-16 (it starts with a byte-order mark); it was read as such', hint: 'nothing to do; UTF-8 is the usual encoding for statements' },
  'extract/latin1': { severity: 'warning', message: 'the file is not valid UTF-8; it was read as Windows-1252 (Latin-1)', hint: 'check its accented letters in the outputs, or save the file as UTF-8' },
  'extract/replaced-bytes': { severity: 'warning', message: 'some bytes are not valid UTF-8 and were replaced with \uFFFD', hint: 'the file is damaged or mixes encodings: save it again as UTF-8' },
  'extract/control-chars': { severity: 'warning', message: 'the text holds NUL or other control characters; they were removed', hint: 'the file may be damaged or not plain text: check it' },
  'meta/bad-field': { severity: 'warning', message: 'a front-matter field has a value of the wrong kind; it was ignored', hint: 'write text fields as text (quote them if needed), source_urls as a list of addresses' },
  'meta/bad-url': { severity: 'warning', message: 'source_url is not an http(s) address; it is kept as text but never linked', hint: 'write the full address of the statement, starting with https://' },
  'corpus/unreadable-folder': { severity: 'warning', message: 'a folder of the corpus could not be read; its statements were skipped', hint: 'check its permissions; the rest of the corpus was read' },
  'pipeline/crash': { severity: 'error', message: 'processing the document failed', hint: 'this is a bug in accords; the rest of the batch went on' },
} as const satisfies Record<string, { severity: Severity; message: string; hint: string }>;

export type ProblemCode = keyof typeof CATALOGUE;

export function problem(code: ProblemCode, file?: string, detail?: string, line?: number): Message {
  const entry = CATALOGUE[code];
  return {
    severity: entry.severity,
    code,
    message: detail ? `${entry.message}: ${detail}` : entry.message,
    hint: entry.hint,
    ...(file !== undefined ? { file } : {}),
    ...(line !== undefined ? { line } : {}),
  };
}

/** An error a user must fix before anything can run (bad config, broken rule file). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }

  format(): string {
    const where = this.file ? `${printable(this.file)}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${where}${printableLines(this.message)}${this.hint ? `\n  hint: ${printableLines(this.hint)}` : ''}`;
  }
}
