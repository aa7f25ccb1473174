/**
 * Problems found in content are data attached to the document, never thrown:
 * one bad document must not stop a batch.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Message {
  severity: Severity;
  /** Stable id from the error catalogue, e.g. "extract/empty". */
  code: string;
  message: string;
  hint?: string;
  /** The file (or URL) the message is about. */
  file?: string;
  line?: number;
}

export function formatMessage(m: Message): string {
  const where = m.file ? `${m.file}${m.line ? `:${m.line}` : ''}: ` : '';
  const hint = m.hint ? `\n    hint: ${m.hint}` : '';
  return `${where}${m.severity} [${m.code}] ${m.message}${hint}`;
}
