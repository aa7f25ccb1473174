import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readYamlFile, type YamlIssue } from './yaml.js';

export { parseYamlWithLines, readYamlFile } from './yaml.js';
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

function describeIssue(issue: YamlIssue): string | undefined {
  if (issue.path[issue.path.length - 1] === 'label') return `${issue.path.join('.')}: not an allowed label (allowed: objective/subcategory such as research/funding, domain/<id>, governance, grade/<grade>, signal/<signal>, cooperation, negation, future, conditional, imperative, imperative/<grade>; see README "Rules")`;
  return undefined;
}

export async function loadRuleFile(file: string): Promise<{ rules: LoadedRule[]; version: string; hash: string }> {
  const { data, lineOf, text } = await readYamlFile(file, ruleFileSchema, {
    missing: 'rule file not found',
    hint: 'each rule needs id, label, patterns and examples; see README "Rules"',
    describe: describeIssue,
  });
  const rules: LoadedRule[] = [];
  data.rules.forEach((r, i) => {
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
    rules.push({ ...r, file, line: lineOf(['rules', i]) ?? 0, version: data.version });
  });
  return { rules, version: data.version, hash: sha256(text) };
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
