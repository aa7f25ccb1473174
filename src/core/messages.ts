import { printable } from './printable.js';

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

/** One message for the terminal; names and details from outside are shown with their control characters escaped. */
export function formatMessage(m: Message): string {
  const where = m.file ? `${printable(m.file)}${m.line ? `:${m.line}` : ''}: ` : '';
  const hint = m.hint ? `\n    hint: ${printable(m.hint)}` : '';
  return `${where}${m.severity} [${m.code}] ${printable(m.message)}${hint}`;
}
