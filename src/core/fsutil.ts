import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Write a file so that readers see either the old or the new content, never a
 * half-written one: write a sibling temp file, then rename over the target.
 */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Replace a whole output directory at once: build it in a staging directory
 * next to it, then swap. An interrupted run leaves the previous outputs intact.
 */
export async function replaceDirAtomic(target: string, build: (staging: string) => Promise<void>): Promise<void> {
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = `${target}.staging-${randomBytes(4).toString('hex')}`;
  const old = `${target}.old-${randomBytes(4).toString('hex')}`;
  await mkdir(staging, { recursive: true });
  try {
    await build(staging);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  let moved = false;
  try {
    await rename(target, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(staging, target);
  if (moved) await rm(old, { recursive: true, force: true });
}
