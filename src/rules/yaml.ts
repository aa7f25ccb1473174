import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../core/errors.js';

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

export interface YamlIssue {
  code: string;
  message: string;
  path: PropertyKey[];
  keys?: string[];
}

/**
 * Read a YAML data file (rules, registry, sources) and validate it. The first
 * problem is reported with the file, the line and what to do; `describe` may
 * word an issue its own way, `allowed` lists the keys a file may use.
 */
export async function readYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  opts: { missing: string; missingHint?: string; hint: string; allowed?: string; describe?: (issue: YamlIssue) => string | undefined },
): Promise<{ data: z.output<S>; lineOf: ParsedYaml['lineOf']; text: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(opts.missing, file, undefined, opts.missingHint ?? opts.hint);
  }
  const { data, lineOf } = parseYamlWithLines(text, file);
  const parsed = schema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]! as YamlIssue;
    const path = issue.path.join('.') || '(top level)';
    const message =
      opts.describe?.(issue) ??
      (issue.code === 'unrecognized_keys'
        ? `${path}: unknown key ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}${opts.allowed ? ` (allowed: ${opts.allowed})` : ''}`
        : `${path}: ${issue.message}`);
    throw new UserError(message, file, lineOf(issue.path), opts.hint);
  }
  return { data: parsed.data, lineOf, text };
}
