import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder and its src/, wherever this code runs from: src/ itself
 * (through tsx), or a build of it in .accords/build/ (see bin/build.mjs). Files
 * the code reads beside it (the report's scripts and styles) are found from here,
 * never from the running module's own place.
 */
function projectRoot(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'src', 'cli.ts'))) return d;
    if (dirname(d) === d) throw new Error(`accords: cannot find the project folder (package.json beside src/cli.ts) above ${from}`);
  }
}

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = projectRoot(here);
export const SRC = join(ROOT, 'src');
/** The folder of the build this code runs from (the one holding its 'complete' mark); undefined when it runs from src/ itself. */
export const BUILD = here === SRC || here.startsWith(SRC + sep) ? undefined : buildRoot(here);

function buildRoot(from: string): string {
  for (let d = from; d.length > ROOT.length; d = dirname(d)) if (existsSync(join(d, 'complete'))) return d;
  return from;
}

/** A file under src/, by its path there ("web/client.js"). */
export const srcFile = (path: string) => join(SRC, path);
