import type { Message } from '../core/messages.js';
import { problem } from '../core/errors.js';

/**
 * Bytes of a local statement to text, saying what had to be guessed or
 * repaired: UTF-16 is recognised by its byte-order mark; a file that is not
 * valid UTF-8 is read as Windows-1252 (Latin-1) when it holds no UTF-8
 * sequence at all, and otherwise has its bad bytes replaced (with a warning
 * naming the file); NUL and other control characters are removed.
 */
export function decodeBytes(buf: Buffer, file: string, messages: Message[]): string {
  let text: string;
  if (buf[0] === 0xff && buf[1] === 0xfe) {
    text = new TextDecoder('utf-16le').decode(buf.subarray(2));
    messages.push(problem('extract/utf16', file, 'little-endian'));
  } else if (buf[0] === 0xfe && buf[1] === 0xff) {
    text = new TextDecoder('utf-16be').decode(buf.subarray(2));
    messages.push(problem('extract/utf16', file, 'big-endian'));
  } else {
    const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      const lenient = new TextDecoder('utf-8').decode(body);
      let replaced = 0;
      let multibyte = 0;
      for (const ch of lenient) {
        if (ch === '\uFFFD') replaced++;
        else if (ch.charCodeAt(0) >= 0x80) multibyte++;
      }
      if (multibyte === 0) {
        text = new TextDecoder('windows-1252').decode(body);
        messages.push(problem('extract/latin1', file));
      } else {
        text = lenient;
        messages.push(problem('extract/replaced-bytes', file, `${replaced} place${replaced === 1 ? '' : 's'}`));
      }
    }
  }
  return removeControls(text, file, messages);
}

// Everything below U+0020 but tab, line feed, form feed and carriage return; and DEL.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g;

export function removeControls(text: string, file: string, messages: Message[]): string {
  let n = 0;
  const clean = text.replace(CONTROLS, () => {
    n++;
    return '';
  });
  if (n) messages.push(problem('extract/control-chars', file, `${n} removed`));
  return clean;
}
