import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { UserError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { ruleFileSchema, ALLOWED_LABELS, type RuleDef } from './schema.js';
import { compilePattern, PatternError } from './pattern.js';

export interface LoadedRule extends RuleDef {
  file: string;
  line: number;
  /** The rule file's declared version. */
  version: string;
}

/** Files in rules/ that are not tagging rules. */
export const NON_TAGGING_FILES = new Set(['partnerships.yaml']);

export interface ParsedYaml {
  data: unknown;
  lineOf: (path: PropertyKey[]) => number | undefined;
}

/** Parse YAML keeping a way back from a data path to its line, for error messages. */
export function parseYamlWithLines(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new UserError(`not valid YAML: ${e.message.split('\n')[0]}`, file, line, 'fix the YAML syntax at that line');
  }
  const lineOf = (path: PropertyKey[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { data: doc.toJS(), lineOf };
}

function describeIssue(issue: { code: string; message: string; path: PropertyKey[]; keys?: string[] }): string {
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `${path ? `${path}: ` : ''}unknown key ${issue.keys?.map((k) => `"${k}"`).join(', ')}`;
  if (issue.path[issue.path.length - 1] === 'label') return `${path}: not an allowed label (allowed: objective/subcategory such as research/funding, domain/<id>, governance, grade/<grade>, signal/<signal>, cooperation, negation, future; see README "Rules")`;
  if (issue.path[issue.path.length - 1] === 'kind') return `${path}: ${issue.message}`;
  return `${path}: ${issue.message}`;
}

export async function loadRuleFile(file: string): Promise<{ rules: LoadedRule[]; version: string; hash: string }> {
  const text = await readFile(file, 'utf8');
  const { data, lineOf } = parseYamlWithLines(text, file);
  const parsed = ruleFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(describeIssue(issue as never), file, lineOf(issue.path), 'each rule needs id, label, patterns and examples; see README "Rules"');
  }
  const rules: LoadedRule[] = [];
  parsed.data.rules.forEach((r, i) => {
    for (const key of ['patterns', 'with', 'unless'] as const) {
      (r[key] ?? []).forEach((p, j) => {
        try {
          compilePattern(p);
        } catch (err) {
          if (err instanceof PatternError) throw new UserError(`rules.${i}.${key}.${j}: ${err.message}`, file, lineOf(['rules', i, key, j]), 'see README "Rules" for the pattern language');
          throw err;
        }
      });
    }
    rules.push({ ...r, file, line: lineOf(['rules', i]) ?? 0, version: parsed.data.version });
  });
  return { rules, version: parsed.data.version, hash: sha256(text) };
}

export interface RuleSet {
  rules: LoadedRule[];
  /** Combined version of all rule files, recorded on every tag. */
  version: string;
  files: string[];
}

/** Load every rule file in a folder; ids must be unique across files. */
export async function loadRules(dir: string): Promise<RuleSet> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n) && !NON_TAGGING_FILES.has(n)).sort();
  } catch {
    throw new UserError('rules folder not found', dir, undefined, 'set `rules` in pipeline.config.ts to the folder holding the rule files');
  }
  if (!names.length) throw new UserError('no rule files (*.yaml) in the rules folder', dir);
  const rules: LoadedRule[] = [];
  const hashes: string[] = [];
  const seen = new Map<string, LoadedRule>();
  for (const name of names) {
    const file = join(dir, name);
    const loaded = await loadRuleFile(file);
    for (const r of loaded.rules) {
      const prev = seen.get(r.id);
      if (prev) throw new UserError(`duplicate rule id "${r.id}" (also at ${prev.file}:${prev.line})`, file, r.line, 'give each rule a unique id');
      seen.set(r.id, r);
      rules.push(r);
    }
    hashes.push(`${name}@${loaded.version}:${loaded.hash.slice(0, 8)}`);
  }
  return { rules, version: sha256(hashes.join('|')).slice(0, 12), files: names };
}

export { ALLOWED_LABELS };
