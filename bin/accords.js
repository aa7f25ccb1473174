#!/usr/bin/env node
// The CLI is written in TypeScript. It runs from a build of src/ that is made
// again whenever src/ changes (bin/build.mjs), and from src/ through tsx when no
// build can be had: either way there is no build step between editing a rule or
// the code and running it.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtCode, builtCodeHash, builtVerdictHash } from './build.mjs';

async function load() {
  // Set below only for the build this process runs; src/ through tsx reads its own files.
  delete process.env.ACCORDS_CODE_HASH;
  delete process.env.ACCORDS_VERDICT_HASH;
  const dir = await builtCode(fileURLToPath(new URL('..', import.meta.url)));
  if (dir) {
    try {
      // Stack traces of the build name the lines of src/.
      process.setSourceMapsEnabled(true);
      // The hash of the code the build was made from (its threads inherit it): src/ is not read again.
      process.env.ACCORDS_CODE_HASH = builtCodeHash();
      process.env.ACCORDS_VERDICT_HASH = builtVerdictHash();
      return await import(pathToFileURL(join(dir, 'cli.js')).href);
    } catch {
      // A build that cannot be loaded: src/ through tsx, which reports any error in the code itself.
      delete process.env.ACCORDS_CODE_HASH;
      delete process.env.ACCORDS_VERDICT_HASH;
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli.ts');
}

const { main } = await load();
process.exitCode = await main(process.argv.slice(2));
