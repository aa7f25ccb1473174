#!/usr/bin/env node
// The CLI is written in TypeScript. It runs from a build of src/ that is made
// again whenever src/ changes (bin/build.mjs), and from src/ through tsx when no
// build can be had: either way there is no build step between editing a rule or
// the code and running it.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HASH_VARIABLES, builtCode, builtHashes } from './build.mjs';

async function load() {
  // Set below only for the build this process runs; src/ through tsx reads its own files.
  for (const v of HASH_VARIABLES) delete process.env[v];
  const dir = await builtCode(fileURLToPath(new URL('..', import.meta.url)));
  if (dir) {
    try {
      // Stack traces of the build name the lines of src/.
      process.setSourceMapsEnabled(true);
      // The hashes of the code the build was made from (its threads inherit them): src/ is not read again.
      Object.assign(process.env, builtHashes());
      return await import(pathToFileURL(join(dir, 'cli.js')).href);
    } catch {
      // A build that cannot be loaded: src/ through tsx, which reports any error in the code itself.
      for (const v of HASH_VARIABLES) delete process.env[v];
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli.ts');
}

const { main } = await load();
process.exitCode = await main(process.argv.slice(2));
