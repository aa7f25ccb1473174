#!/usr/bin/env node
// The CLI is written in TypeScript and run through tsx, so there is no build step
// between editing a rule or the code and running it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
