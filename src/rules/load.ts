import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readYamlFile, type YamlIssue } from './yaml.js';

export { parseYamlWithLines, readYamlFile } from './yaml.js';
import { UserError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { ruleFileSchema, ALLOWED_LABELS, type RuleDef, type VocabularyDef } from './schema.js';
import { compilePattern, PatternError, type CompiledPattern } from './pattern.js';
import { nounPattern, verbPattern } from './inflect.js';

/** One entry of a term list as its author wrote it, and the pattern it compiles from. */
export interface Term {
  /** As written: "share information", "collaborat*", or "@vocabulary" for a reference. */
  authored: string;
  /** How it was written: in the pattern language, as a verb lemma or a noun lemma. */
  form: 'pattern' | 'verb' | 'noun';
  /** The pattern after inflection. */
  pattern: string;
  /** Where it was written (a rule or a vocabulary), for errors and coverage reports. */
  file: string;
  line: number;
  /** The vocabulary it came from, if any. */
  vocabulary?: string;
  /** A stable key: the same authored entry in the same place is the same term. */
  key: string;
}

export interface LoadedRule extends RuleDef {
  file: string;
  line: number;
  /** The rule file's declared version. */
  version: string;
  /** Term lists with vocabularies brought in and lemmas inflected. */
  terms: { patterns: Term[]; with: Term[]; unless: Term[] };
}

export interface Vocabulary extends VocabularyDef {
  name: string;
  file: string;
  line: number;
  terms: Term[];
}

/** Files in rules/ that are not tagging rules. */
export const NON_TAGGING_FILES = new Set(['partnerships.yaml']);

function describeIssue(issue: YamlIssue): string | undefined {
  if (issue.path[issue.path.length - 1] === 'label') return `${issue.path.join('.')}: ${issue.message} (see README "Rules")`;
  return undefined;
}

interface ParsedFile {
  file: string;
  version: string;
  hash: string;
  rules: Array<{ def: RuleDef; line: number; lineOf: (sub: PropertyKey[]) => number | undefined }>;
  vocabularies: Vocabulary[];
}

async function parseRuleFile(file: string): Promise<ParsedFile> {
  const { data, lineOf, text } = await readYamlFile(file, ruleFileSchema, {
    missing: 'rule file not found',
    hint: 'each rule needs id, kind, label (or vetoes), patterns and examples; see README "Rules"',
    allowed: 'version, description, vocabularies, rules',
    describe: describeIssue,
  });
  const vocabularies: Vocabulary[] = [];
  for (const [name, v] of Object.entries(data.vocabularies ?? {})) {
    const terms: Term[] = [];
    for (const form of ['patterns', 'verbs', 'nouns'] as const) {
      (v[form] ?? []).forEach((authored, j) => {
        const line = lineOf(['vocabularies', name, form, j]) ?? 0;
        if (authored.startsWith('@')) throw new UserError(`vocabularies.${name}.${form}.${j}: a vocabulary cannot bring in another ("${authored}")`, file, line, 'list its words here, or use both vocabularies in the rule');
        terms.push(makeTerm(authored, form === 'patterns' ? 'pattern' : form === 'verbs' ? 'verb' : 'noun', file, line, name, `vocab:${name}:${authored}`, `vocabularies.${name}.${form}.${j}`));
      });
    }
    vocabularies.push({ ...v, name, file, line: lineOf(['vocabularies', name]) ?? 0, terms });
  }
  return {
    file,
    version: data.version,
    hash: sha256(text),
    rules: (data.rules ?? []).map((def, i) => ({ def, line: lineOf(['rules', i]) ?? 0, lineOf: (sub: PropertyKey[]) => lineOf(['rules', i, ...sub]) })),
    vocabularies,
  };
}

/** Terms' patterns as compiled when they were loaded: the matcher is built from them without compiling them again. */
const compiledTerms = new WeakMap<Term, CompiledPattern>();

/** A term's compiled pattern, compiled once. */
export function compiledTerm(term: Term): CompiledPattern {
  let c = compiledTerms.get(term);
  if (!c) compiledTerms.set(term, (c = compilePattern(term.pattern)));
  return c;
}

function makeTerm(authored: string, form: Term['form'], file: string, line: number, vocabulary: string | undefined, key: string, where: string): Term {
  const pattern = form === 'verb' ? verbPattern(authored) : form === 'noun' ? nounPattern(authored) : authored;
  let compiled: CompiledPattern;
  try {
    compiled = compilePattern(pattern);
  } catch (err) {
    if (err instanceof PatternError) throw new UserError(`${where}: ${err.message}`, file, line, 'see README "Rules" for the pattern language');
    throw err;
  }
  const term: Term = { authored, form, pattern, file, line, ...(vocabulary ? { vocabulary } : {}), key };
  compiledTerms.set(term, compiled);
  return term;
}

export interface RuleSet {
  rules: LoadedRule[];
  vocabularies: Map<string, Vocabulary>;
  /** Combined version of all rule files, recorded on every tag. */
  version: string;
  files: string[];
}

/** Load one rule file on its own (its vocabulary references must be defined in it). */
export async function loadRuleFile(file: string): Promise<{ rules: LoadedRule[]; version: string; hash: string }> {
  const parsed = await parseRuleFile(file);
  const vocab = new Map(parsed.vocabularies.map((v) => [v.name, v]));
  return { rules: resolveRules(parsed, vocab), version: parsed.version, hash: parsed.hash };
}

function resolveRules(parsed: ParsedFile, vocab: Map<string, Vocabulary>): LoadedRule[] {
  const out: LoadedRule[] = [];
  for (const { def, line, lineOf } of parsed.rules) {
    const list = (key: 'patterns' | 'with' | 'unless'): Term[] => {
      const terms: Term[] = [];
      const forms: Array<['patterns' | 'verbs' | 'nouns' | 'with' | 'unless', Term['form']]> = key === 'patterns' ? [['patterns', 'pattern'], ['verbs', 'verb'], ['nouns', 'noun']] : [[key, 'pattern']];
      for (const [field, form] of forms) {
        (def[field] ?? []).forEach((authored, j) => {
          const at = lineOf([field, j]) ?? line;
          if (authored.startsWith('@')) {
            const v = vocab.get(authored.slice(1));
            if (!v) throw new UserError(`rules.${def.id}.${field}.${j}: unknown vocabulary "${authored}" (known: ${[...vocab.keys()].sort().join(', ') || 'none'})`, parsed.file, at, 'define it under `vocabularies:` in a file of the rules folder');
            terms.push(...v.terms);
          } else terms.push(makeTerm(authored, form, parsed.file, at, undefined, `rule:${def.id}:${field}:${authored}`, `rules.${def.id}.${field}.${j}`));
        });
      }
      return terms;
    };
    out.push({ ...def, file: parsed.file, line, version: parsed.version, terms: { patterns: list('patterns'), with: list('with'), unless: list('unless') } });
  }
  return out;
}

/** The rule files of a folder and its sub-folders, in a stable order. */
export async function ruleFileNames(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((n) => /\.ya?ml$/.test(n) && !NON_TAGGING_FILES.has(n)).sort();
}

/** Load every rule file in a folder; rule ids and vocabulary names must be unique across files. */
export async function loadRules(dir: string): Promise<RuleSet> {
  let names: string[];
  try {
    names = await ruleFileNames(dir);
  } catch {
    throw new UserError('rules folder not found', dir, undefined, 'set `rules` in pipeline.config.ts to the folder holding the rule files');
  }
  if (!names.length) throw new UserError('no rule files (*.yaml) in the rules folder', dir);
  const parsed: ParsedFile[] = [];
  for (const name of names) parsed.push(await parseRuleFile(join(dir, name)));
  const vocab = new Map<string, Vocabulary>();
  for (const p of parsed)
    for (const v of p.vocabularies) {
      const prev = vocab.get(v.name);
      if (prev) throw new UserError(`duplicate vocabulary "${v.name}" (also at ${prev.file}:${prev.line})`, v.file, v.line, 'give each vocabulary a unique name');
      vocab.set(v.name, v);
    }
  const rules: LoadedRule[] = [];
  const seen = new Map<string, LoadedRule>();
  for (const p of parsed) {
    for (const r of resolveRules(p, vocab)) {
      const prev = seen.get(r.id);
      if (prev) throw new UserError(`duplicate rule id "${r.id}" (also at ${prev.file}:${prev.line})`, r.file, r.line, 'give each rule a unique id');
      seen.set(r.id, r);
      rules.push(r);
    }
  }
  if (!rules.length) throw new UserError('no rules in the rules folder (only vocabularies)', dir);
  const hashes = parsed.map((p, i) => `${names[i]}@${p.version}:${p.hash.slice(0, 8)}`);
  return { rules, vocabularies: vocab, version: sha256(hashes.join('|')).slice(0, 12), files: names };
}

export { ALLOWED_LABELS };
