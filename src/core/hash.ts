import { createHash } from 'node:crypto';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A short id, long enough to be unique within any realistic corpus. */
export function shortHash(text: string | Buffer, length = 12): string {
  return sha256(text).slice(0, length);
}
