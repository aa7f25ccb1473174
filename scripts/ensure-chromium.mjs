#!/usr/bin/env node
// Runs before `npm test` (npm's pretest step): the browser tests drive Debian's
// Chromium, never a downloaded browser. When it is missing, it is installed with
// apt-get if this user may (root, or sudo without a password); otherwise the
// message says what to run. Plain JavaScript, so it runs with Node alone.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The first executable called `name` on PATH, or undefined. */
export function which(name, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Make sure the Chromium the browser tests use is there. Everything the
 * decision depends on comes in `env`, so that each case can be tried:
 * { chromium, custom, uid, which(name), run(cmd, args) -> exit code, exists(path), log(line) }.
 * Returns the exit code for npm (0: go on with the tests).
 */
export function ensureChromium(env) {
  const { chromium, custom, uid, log } = env;
  if (env.exists(chromium)) return 0;
  if (custom) {
    log(`accords: ACCORDS_CHROMIUM is ${chromium}, which does not exist: point it at a Chromium binary, or unset it to use Debian's ${DEFAULT_CHROMIUM}`);
    return 1;
  }
  const apt = env.which('apt-get');
  if (!apt) {
    log(`accords: the browser tests need Chromium at ${DEFAULT_CHROMIUM}, and this machine has no apt-get to install it.`);
    log('  Install Chromium with your system\'s package manager and set ACCORDS_CHROMIUM to its path, then run npm test again.');
    return 1;
  }
  let prefix = [];
  if (uid !== 0) {
    const sudo = env.which('sudo');
    if (!sudo || env.run(sudo, ['-n', 'true']) !== 0) {
      log(`accords: the browser tests need Debian's Chromium (${DEFAULT_CHROMIUM}), which is not installed.`);
      log('  Install it once with:  sudo apt-get install chromium');
      log('  then run npm test again. (It is installed automatically when npm test runs as root or with password-less sudo.)');
      return 1;
    }
    prefix = [sudo, '-n'];
  }
  const cmd = (args) => (prefix.length ? [prefix[0], [...prefix.slice(1), apt, ...args]] : [apt, args]);
  log(`accords: the browser tests need Debian's Chromium; installing it now (apt-get install chromium, a minute or two)...`);
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
    const [c, a] = cmd(args);
    const code = env.run(c, a);
    if (code !== 0) {
      log(`accords: \`${[c, ...a].join(' ')}\` failed (exit code ${code}); install Chromium by hand (apt-get install chromium) and run npm test again.`);
      return 1;
    }
  }
  if (!env.exists(chromium)) {
    log(`accords: apt-get installed chromium, but ${chromium} is still missing; set ACCORDS_CHROMIUM to the Chromium binary and run npm test again.`);
    return 1;
  }
  log(`accords: Chromium installed at ${chromium}.`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = ensureChromium({
    chromium: process.env.ACCORDS_CHROMIUM || DEFAULT_CHROMIUM,
    custom: !!process.env.ACCORDS_CHROMIUM,
    uid: process.getuid?.(),
    which,
    exists: existsSync,
    // apt's progress is kept back; on failure its last lines are shown.
    run: (c, a) => {
      const r = spawnSync(c, a, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.status !== 0) process.stderr.write(`${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n')}\n`);
      return r.status ?? 1;
    },
    log: (l) => process.stderr.write(`${l}\n`),
  });
}
