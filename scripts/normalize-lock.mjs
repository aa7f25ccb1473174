#!/usr/bin/env node
// Writes package-lock.json in the form that every npm a Node 20 user may have leaves
// unchanged: npm 10 (Node 20's own) drops the "libc" constraints that npm 11 writes,
// so the file is kept without them (and without registry addresses, see .npmrc).
// Run it after adding or upgrading a dependency: node scripts/normalize-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
const text = readFileSync(file, 'utf8');
const lock = JSON.parse(text);
let removed = 0;
for (const entry of Object.values(lock.packages ?? {})) {
  for (const key of ['libc', 'resolved']) {
    if (key === 'resolved' && String(entry[key]).startsWith('file:')) continue; // the bundled stand-in for natural's drivers
    if (key in entry) {
      delete entry[key];
      removed++;
    }
  }
}
const out = `${JSON.stringify(lock, null, 2)}\n`;
if (out !== text) writeFileSync(file, out);
process.stdout.write(`package-lock.json: ${removed} field(s) removed${out === text ? ', already normalised' : ''}\n`);
