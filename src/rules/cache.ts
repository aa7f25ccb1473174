import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sha256 } from '../core/hash.js';
import { sourceHash } from '../core/codehash.js';
import { removeTempFiles, writeFileAtomic } from '../core/fsutil.js';
import { loadRules, ruleFileNames, type LoadedRule, type RuleSet, type Term, type Vocabulary } from './load.js';
import { giveInflections, knownInflections } from './inflect.js';
import { compiledWith, compileRules, storeCompiled, type CompiledRules, type StoredCompiled } from './compile.js';
import { loadRegistry, readRegistrySources, registryOf, type Registry, type RegistrySource } from './registry.js';

/**
 * Rules as loaded (files parsed and checked, vocabularies brought in, lemmas
 * inflected by compromise) and compiled (the matcher's trie in numbers) kept on
 * disk, so that a process whose rules, code and compromise are unchanged reads one
 * JSON file instead of loading compromise, parsing every rule file and building
 * the matcher again (most of a second, in every process and every worker thread).
 * The key is made from the rules folder's path, its files' names and bytes, the
 * project's code and the versions of the libraries that read and inflect rules
 * (compromise, yaml, zod, re2js); the newest entry is the only one kept. A missing
 * or damaged entry is made again; rule files with errors are never cached, so their
 * messages are the same with or without the cache; a file edited while it was being
 * loaded is not cached either.
 */
const FORMAT = 2;

interface Stored {
  format: number;
  key: string;
  version: string;
  files: string[];
  /** Every term once: rules and vocabularies refer to the same term objects by index. */
  terms: Term[];
  rules: Array<Omit<LoadedRule, 'terms'> & { terms: { patterns: number[]; with: number[]; unless: number[] } }>;
  vocabularies: Array<Omit<Vocabulary, 'terms'> & { terms: number[] }>;
  compiled: StoredCompiled;
}

const LIBRARIES = ['compromise', 'yaml', 'zod', 're2js'];
let libraryVersions: string | undefined;
/** A package's version, read from its package.json without loading it (not every package exports that file). */
export function packageVersion(name: string): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(name));
    for (;;) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? '?';
      }
      const up = dirname(dir);
      if (up === dir) return '?';
      dir = up;
    }
  } catch {
    return '?';
  }
}

/** The cache key of a rules folder as it is now (undefined when its files cannot be listed or read: loading then says why). */
async function keyOf(dir: string): Promise<string | undefined> {
  try {
    const names = await ruleFileNames(dir);
    const parts = await Promise.all(names.map(async (n) => `${n}:${sha256(await readFile(join(dir, n)))}`));
    libraryVersions ??= LIBRARIES.map((n) => `${n}@${packageVersion(n)}`).join(' ');
    return sha256([FORMAT, resolve(dir), libraryVersions, await sourceHash(), ...parts].join('\n')).slice(0, 24);
  } catch {
    return undefined;
  }
}

function store(set: RuleSet, key: string): Stored {
  const index = new Map<Term, number>();
  const terms: Term[] = [];
  const ref = (t: Term) => {
    let i = index.get(t);
    if (i === undefined) {
      i = terms.length;
      index.set(t, i);
      terms.push(t);
    }
    return i;
  };
  const vocabularies = [...set.vocabularies.values()].map((v) => ({ ...v, terms: v.terms.map(ref) }));
  const rules = set.rules.map((r) => ({ ...r, terms: { patterns: r.terms.patterns.map(ref), with: r.terms.with.map(ref), unless: r.terms.unless.map(ref) } }));
  const compiled = storeCompiled(compileRules(set), ref);
  // The set just loaded is compiled from this too, rather than a second time.
  compiledWith(set, compiled, (i) => terms[i]!);
  return { format: FORMAT, key, version: set.version, files: set.files, terms, rules, vocabularies, compiled };
}

function revive(s: Stored, file: string): RuleSet {
  const at = (i: number) => {
    const t = s.terms[i];
    if (!t) throw new Error('damaged entry');
    return t;
  };
  const vocabularies = new Map<string, Vocabulary>(s.vocabularies.map((v) => [v.name, { ...v, terms: v.terms.map(at) }]));
  const rules: LoadedRule[] = s.rules.map((r) => ({ ...r, terms: { patterns: r.terms.patterns.map(at), with: r.terms.with.map(at), unless: r.terms.unless.map(at) } }));
  const set: RuleSet = { rules, vocabularies, version: s.version, files: s.files };
  // Read when the set is compiled (not every process tags: a run whose documents all
  // come from the cache does not). A stored form that cannot be read is replaced by
  // the one compiled instead, so that the next process reads it.
  const rewrite = (built: CompiledRules) => {
    const index = new Map(s.terms.map((t, i) => [t, i]));
    const compiled = storeCompiled(built, (t) => index.get(t)!);
    writeFileAtomic(file, JSON.stringify({ ...s, compiled }), { sync: false }).catch(() => {
      // A cache that cannot be written costs time, not correctness.
    });
  };
  if (s.compiled) compiledWith(set, s.compiled, at, rewrite);
  return set;
}

/** Load the rules of a folder, from `cacheDir` when they were loaded before with the same files and code. */
export async function loadRulesCached(dir: string, cacheDir: string | undefined): Promise<RuleSet> {
  const key = cacheDir ? await keyOf(dir) : undefined;
  if (!cacheDir || !key) return loadRules(dir);
  const file = join(cacheDir, `${key}.json`);
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as Stored;
    if (s.format === FORMAT && s.key === key) return revive(s, file);
  } catch {
    // Not cached yet, or damaged: loaded from the files.
  }
  const inflections = await inflectionsFile(cacheDir);
  const kept = await readInflections(inflections);
  const before = knownInflections().worked;
  const set = await loadRules(dir);
  try {
    // A rule file edited while it was read: what was loaded may not be what the key says.
    if ((await keyOf(dir)) !== key) return set;
    await writeOnlyEntry(cacheDir, key, JSON.stringify(store(set, key)));
    const known = knownInflections();
    // Written when forms were worked out, or when none could be read (this process may know them all from an earlier load).
    if (known.worked > before || !kept) {
      const text = JSON.stringify(known.inflections);
      await writeOnlyEntry(dirname(inflections), basename(inflections, '.json'), JSON.stringify({ sum: sha256(text), inflections: text }));
    }
  } catch {
    // A cache that cannot be written costs time, not correctness.
  }
  return set;
}

/**
 * The lemmas' inflections (see inflect.ts) kept beside the rules' entry, for the
 * code and compromise as they are: after a rule file is edited, loading the rules
 * inflects only lemmas never inflected before (compromise, most of the time of
 * loading them, is then not loaded at all). Kept for every rules folder together,
 * whatever was removed from the rules: a word's forms never change.
 */
async function inflectionsFile(cacheDir: string): Promise<string> {
  return join(cacheDir, 'inflections', `${sha256(JSON.stringify([await sourceHash(), packageVersion('compromise')])).slice(0, 16)}.json`);
}

/** A file of kept inflections larger than this is not what a run writes (the rules of this repository take 16 KB): it is ignored and made again. */
const INFLECTIONS_BYTES_MAX = 8 * 1024 * 1024;

/**
 * Give the kept inflections to the inflector. False when there are none to give:
 * the file is missing, too large, or was changed after it was written (they are
 * worked out again).
 */
async function readInflections(file: string): Promise<boolean> {
  try {
    if ((await stat(file)).size > INFLECTIONS_BYTES_MAX) return false;
    const kept = JSON.parse(await readFile(file, 'utf8')) as { sum?: unknown; inflections?: unknown };
    if (typeof kept.inflections !== 'string' || kept.sum !== sha256(kept.inflections)) return false;
    giveInflections(JSON.parse(kept.inflections));
    return true;
  } catch {
    return false;
  }
}

/**
 * Write the entry `key` into a cache folder that keeps only its newest entry, and
 * remove the others and any temporary file of a write cut short (one younger than a
 * minute may be another process's write in progress: there is no lock here).
 */
async function writeOnlyEntry(cacheDir: string, key: string, text: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  await writeFileAtomic(join(cacheDir, `${key}.json`), text, { sync: false });
  for (const name of await readdir(cacheDir)) if (name.endsWith('.json') && name !== `${key}.json`) await rm(join(cacheDir, name), { force: true });
  await removeTempFiles(cacheDir, false, 60_000);
}

/** Where a configuration keeps its compiled rules. */
export function rulesCacheDir(config: { root: string; cacheDir: string }): string {
  return resolve(config.root, config.cacheDir, 'rules');
}

/**
 * The partnership registry, kept on disk the same way: a process whose registry
 * files and code are unchanged reads their checked contents instead of parsing the
 * YAML and checking it again (most of a tenth of a second, in every process and
 * thread that reads it). Files with errors are never cached, so their messages are
 * the same with or without the cache; the newest entry is the only one kept.
 */
const REGISTRY_FORMAT = 1;

interface StoredRegistry {
  format: number;
  key: string;
  hash: string;
  sources: RegistrySource[];
}

/** Load the registry from `files` (the main one first), from `cacheDir` when they were loaded before with the same bytes and code. */
export async function loadRegistryCached(files: string[], cacheDir: string | undefined): Promise<Registry> {
  let texts: Buffer[];
  try {
    texts = await Promise.all(files.map((f) => readFile(f)));
  } catch {
    // A missing file: reported as loading it reports it.
    return loadRegistry(files[0]!, ...files.slice(1));
  }
  if (!cacheDir) return loadRegistry(files[0]!, ...files.slice(1));
  libraryVersions ??= LIBRARIES.map((n) => `${n}@${packageVersion(n)}`).join(' ');
  const key = sha256([REGISTRY_FORMAT, libraryVersions, await sourceHash(), ...files.map((f, i) => `${resolve(f)}:${sha256(texts[i]!)}`)].join('\n')).slice(0, 24);
  const file = join(cacheDir, `${key}.json`);
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as StoredRegistry;
    if (s.format === REGISTRY_FORMAT && s.key === key && typeof s.hash === 'string' && Array.isArray(s.sources)) return registryOf(s.sources, s.hash);
  } catch {
    // Not cached yet, or damaged: loaded from the files.
  }
  const { sources, hash } = await readRegistrySources(files);
  const registry = registryOf(sources, hash);
  try {
    // A file edited while it was read: what was loaded may not be what the key says.
    if (sources.some((s, i) => s.text !== texts[i]!.toString('utf8'))) return registry;
    const stored: StoredRegistry = { format: REGISTRY_FORMAT, key, hash: registry.hash, sources: sources.map((s) => ({ file: s.file, data: s.data })) };
    await writeOnlyEntry(cacheDir, key, JSON.stringify(stored));
  } catch {
    // A cache that cannot be written costs time, not correctness.
  }
  return registry;
}

/** Where a configuration keeps its checked registry. */
export function registryCacheDir(config: { root: string; cacheDir: string }): string {
  return resolve(config.root, config.cacheDir, 'registry');
}
