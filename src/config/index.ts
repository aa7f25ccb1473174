import { existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { UserError } from '../core/errors.js';
import { BUILD } from '../core/paths.js';
import { configSchema, type Config, type UserConfig } from './schema.js';

export { configSchema, DEFAULTS, NAMED_KEYS, type Config, type UserConfig, type KeyBindings } from './schema.js';

/** Typed helper for pipeline.config.ts; validation happens when the file is loaded. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

export interface LoadedConfig extends Config {
  /** Directory paths in the config are relative to this. */
  root: string;
  file?: string;
}

/** Turn zod issues into `path: message (allowed: ...)` lines, never raw JSON. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.') || '(top level)';
      let msg = issue.message;
      if (issue.code === 'unrecognized_keys') {
        msg = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
        const allowed = allowedKeysAt(issue.path);
        if (allowed) msg += ` (allowed: ${allowed.join(', ')})`;
      } else if (issue.code === 'invalid_value' && 'values' in issue) {
        msg = `must be one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      }
      return `${path}: ${msg}`;
    })
    .join('\n');
}

function allowedKeysAt(path: PropertyKey[]): string[] | undefined {
  let schema: unknown = configSchema;
  for (const key of path) {
    const shape = shapeOf(schema);
    if (!shape) return undefined;
    schema = shape[String(key)];
  }
  const shape = shapeOf(schema);
  return shape ? Object.keys(shape) : undefined;
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as { shape?: Record<string, unknown>; def?: { innerType?: unknown } } | undefined;
  // Unwrap .default() / .nullable() wrappers.
  for (let i = 0; i < 4 && s && !s.shape && s.def?.innerType; i++) s = s.def.innerType as typeof s;
  return s?.shape;
}

export function parseConfig(input: unknown, file?: string): Config {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new UserError(`invalid configuration\n${indent(formatIssues(result.error))}`, file, undefined, 'fix the keys above in the config file; see README "Configuration"');
  }
  return result.data;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

let tsxRegistered: Promise<void> | undefined;

/**
 * Import the config file. Built code (see bin/build.mjs) runs without tsx: a config
 * written in TypeScript that stands alone is compiled first (see compiled.ts), a
 * runtime error in it read through its source map so that the message names the
 * config's line; any other is loaded through tsx, registered then.
 */
async function importConfig(path: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(path).href;
  if (!BUILD || !/\.[mc]?ts$/.test(path)) return (await import(url)) as { default?: unknown };
  const { compiledConfig } = await import('./compiled.js');
  const compiled = await compiledConfig(path);
  if (!compiled) {
    tsxRegistered ??= import('tsx/esm/api').then((m) => void m.register());
    await tsxRegistered;
    return (await import(url)) as { default?: unknown };
  }
  const mapped = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(true);
  try {
    return (await import(pathToFileURL(compiled).href)) as { default?: unknown };
  } catch (err) {
    // The stack is written when first read: read while source maps apply.
    void (err as Error)?.stack;
    throw err;
  } finally {
    process.setSourceMapsEnabled(mapped);
  }
}

/**
 * Load pipeline.config.ts (or the file given). A missing default config is fine:
 * defaults apply. A config that fails to import or validate is a UserError.
 */
export async function loadConfig(file?: string, cwd = process.cwd()): Promise<LoadedConfig> {
  const path = resolve(cwd, file ?? 'pipeline.config.ts');
  if (!existsSync(path)) {
    if (file) throw new UserError('config file not found', path, undefined, 'pass an existing file to --config, or omit it to use pipeline.config.ts');
    return { ...parseConfig({}), root: cwd };
  }
  let mod: { default?: unknown };
  try {
    mod = await importConfig(path);
  } catch (err) {
    const { message, line } = loadError(err as Error, path);
    throw new UserError(`the config file could not be loaded: ${message}`, path, line, 'fix the line named above; the file must `export default defineConfig({...})` (outside this project, name it *.mts)');
  }
  return { ...parseConfig(mod.default, path), root: dirname(path), file: path };
}

// tsx names a *.mts file *.ts in its errors: file names are compared without their endings too.
const stem = (p: string) => p.replace(/\.[cm]?[jt]sx?$/, '');

/**
 * The real reason a config file failed to load, and its line: a syntax error
 * comes from the TypeScript transform as "Transform failed with 1 error:" with
 * the details on the next lines ("file:5:2: ERROR: Expected ..."); a runtime
 * error (a name that is not defined) names the line in its stack.
 */
export function loadError(err: Error, path: string): { message: string; line?: number } {
  const text = String(err?.message ?? err);
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const located = lines
    .map((l) => /^(.*?):(\d+):(\d+):\s*(?:ERROR:\s*)?(.*)$/.exec(l))
    .find((m) => m && [m[1]!, stem(m[1]!)].some((f) => f === path || f === stem(path) || path.endsWith(f) || stem(path).endsWith(f) || f.endsWith(path.split('/').pop()!)));
  if (located) return { message: `${located[4]} (column ${located[3]})`, line: Number(located[2]) };
  const detail = lines.filter((l) => !/^Transform failed with \d+ errors?:$/.test(l)).slice(0, 3).join('; ') || text;
  const frame = new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`).exec(err?.stack ?? '');
  return frame ? { message: detail, line: Number(frame[1]) } : { message: detail };
}
