import { hash } from 'node:crypto';

/** One call, not a hash object per text: twice as fast for the short texts hashed by the thousand (passage ids, keys). */
export function sha256(text: string | Buffer): string {
  return hash('sha256', text, 'hex');
}

/** A short id, long enough to be unique within any realistic corpus. */
export function shortHash(text: string | Buffer, length = 12): string {
  return sha256(text).slice(0, length);
}
