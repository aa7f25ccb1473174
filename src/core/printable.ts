/**
 * Text from outside (file names, addresses, titles) as a terminal may show it:
 * control characters (escape sequences, carriage returns, new lines, NUL, DEL,
 * C1 controls) and the invisible characters that reorder a line (bidirectional
 * overrides) are written as \uXXXX escapes, so a file name can neither move
 * the cursor, recolour the terminal, fake another line nor hide its end.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Like printable, but keeps line breaks and tabs: for multi-line text whose lines are the program's own. */
export function printableLines(text: string): string {
  return text
    .split('\n')
    .map((l) => printable(l.replace(/\t/g, '    ')))
    .join('\n');
}
