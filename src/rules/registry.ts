import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { readYamlFile } from './yaml.js';

const partnershipSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'ids are letters, digits and hyphens, such as JP-EU or KR-US-SCCD'),
    name: z.string().min(1),
    parties: z.array(z.string().regex(/^[A-Z][A-Z0-9]{1,4}$/, 'parties are country or bloc codes such as US, JP, EU, G7')).min(1),
    launched: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'write YYYY, YYYY-MM or YYYY-MM-DD').optional(),
    kind: z.enum(['dialogue', 'council', 'partnership', 'framework', 'initiative', 'relationship', 'group', 'agreement', 'summit']).optional(),
    parent: z.string().optional(),
    aliases: z.array(z.string().min(2)).default([]),
    notes: z.string().optional(),
  })
  .strict();

const registrySchema = z.object({ version: z.string(), partnerships: z.array(partnershipSchema).min(1) }).strict();

export type Partnership = z.infer<typeof partnershipSchema>;

export interface Registry {
  partnerships: Partnership[];
  byId: Map<string, Partnership>;
  version: string;
  /** Hash of the registry files' contents. */
  hash: string;
  /** Find partnerships named in a free-text field or in running text. */
  resolveField(value: string): { ids: string[]; unknown: string[] };
  /** Partnerships named in running text, most often named first. */
  findInText(text: string): string[];
  /** Every place a partnership is named in running text (non-overlapping, in text order). */
  mentions(text: string): Mention[];
  /** The partnership's parent, its parent's parent, ... (nearest first). */
  ancestors(id: string): string[];
}

export interface Mention {
  id: string;
  start: number;
  end: number;
  /** The words that named it. */
  match: string;
}

function normalizeName(s: string): string {
  return s.toLowerCase().replace(/[\u2010-\u2015]/g, '-').replace(/\s+/g, ' ').trim();
}

async function readRegistryFile(file: string) {
  const { data, lineOf, text } = await readYamlFile(file, registrySchema, {
    missing: 'partnership registry not found',
    missingHint: 'create rules/partnerships.yaml (see README "Partnerships")',
    hint: 'see README "Partnerships" for the fields',
  });
  return { file, lineOf, data, text };
}

/**
 * Load the registry, plus any extra registry files (a corpus folder may carry
 * a partnerships.yaml of its own for partnerships the main registry lacks).
 */
export async function loadRegistry(file: string, ...extra: string[]): Promise<Registry> {
  const { sources, hash } = await readRegistrySources([file, ...extra]);
  return registryOf(sources, hash);
}

/**
 * Registry files read and checked, one after another (the first with a problem is
 * the one reported), with their texts and the hash of their contents.
 */
export async function readRegistrySources(files: string[]) {
  const sources = [];
  for (const f of files) sources.push(await readRegistryFile(f));
  return { sources, hash: sha256(sources.map((x) => x.text).join('\u0000')).slice(0, 16) };
}

/** The partnerships of registry files as read and validated, one file after another. */
export interface RegistrySource {
  file: string;
  data: { version: string; partnerships: Partnership[] };
  /** The line of a place in the file, for messages (absent when read back from a cache: the files were valid then). */
  lineOf?: (path: PropertyKey[]) => number | undefined;
}

/** The registry of files read and validated; `hash` is the hash of their contents. */
export function registryOf(sources: RegistrySource[], hash: string): Registry {
  const byId = new Map<string, Partnership>();
  for (const src of sources) {
    src.data.partnerships.forEach((p, i) => {
      if (byId.has(p.id)) throw new UserError(`duplicate partnership id "${p.id}"`, src.file, src.lineOf?.(['partnerships', i]));
      byId.set(p.id, p);
    });
  }
  for (const src of sources) {
    for (const [i, p] of src.data.partnerships.entries()) {
      if (p.parent && !byId.has(p.parent)) throw new UserError(`parent "${p.parent}" of ${p.id} is not in the registry`, src.file, src.lineOf?.(['partnerships', i, 'parent']), `allowed: ${[...byId.keys()].join(', ')}`);
    }
  }
  const all = sources.flatMap((s) => s.data.partnerships);
  const parsed = { data: { partnerships: all, version: sources.map((s) => s.data.version).join('+') } };

  // Exact lookups for front-matter values: ids, names and aliases.
  const exact = new Map<string, string>();
  for (const p of parsed.data.partnerships) {
    for (const name of [p.id, p.name, ...p.aliases]) exact.set(normalizeName(name), p.id);
  }
  // Names in running text. Acronyms and names with inner capitals ("NALS",
  // "iCET", "SCCD") match only as written, so "nationals" does not name NALS;
  // other names match in any case. Both kinds match whole words only, and the
  // longest name wins where two overlap ("U.S.-Japan-ROK" over "U.S.-Japan").
  const textAliases = parsed.data.partnerships
    .flatMap((p) => [p.id, p.name, ...p.aliases].map((a) => ({ alias: a, id: p.id })))
    .filter((a, i, all) => all.findIndex((b) => b.alias === a.alias) === i)
    .filter((a) => a.alias.length >= 4 || /^[A-Z0-9]{2,}$/.test(a.alias))
    .sort((a, b) => b.alias.length - a.alias.length || (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  const caseSensitive = (a: string) => !/\s/.test(a) && (/^[^a-z]+$/.test(a) || /^\S*[a-z]\S*[A-Z]/.test(a));
  const source = (list: typeof textAliases) =>
    list.length ? `(?<![A-Za-z0-9])(?:${list.map((a) => `(${a.alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+').replace(/[-\u2010-\u2015]/g, '[-\u2010-\u2015]')})`).join('|')})(?![A-Za-z0-9])` : '(?!)';
  const sensitiveList = textAliases.filter((a) => caseSensitive(a.alias));
  const insensitiveList = textAliases.filter((a) => !caseSensitive(a.alias));
  const matchers = [
    { re: new RegExp(source(sensitiveList), 'g'), list: sensitiveList },
    { re: new RegExp(source(insensitiveList), 'gi'), list: insensitiveList },
  ];
  const mentions = (text: string): Mention[] => {
    const all: Mention[] = [];
    for (const { re, list } of matchers) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text))) {
        for (let g = 1; g < m.length; g++) {
          if (m[g] !== undefined) {
            all.push({ id: list[g - 1]!.id, start: m.index, end: m.index + m[0].length, match: m[0] });
            break;
          }
        }
      }
    }
    all.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Mention[] = [];
    for (const m of all) {
      const last = kept.at(-1);
      if (last && m.start < last.end) continue;
      kept.push(m);
    }
    return kept;
  };
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let p = byId.get(id)?.parent; p && !out.includes(p); p = byId.get(p)?.parent) out.push(p);
    return out;
  };

  return {
    partnerships: parsed.data.partnerships,
    byId,
    version: parsed.data.version,
    hash,
    resolveField(value) {
      const ids: string[] = [];
      const unknown: string[] = [];
      for (const part of value.split(/[;,]/).map((s) => s.trim()).filter(Boolean)) {
        const id = exact.get(normalizeName(part));
        if (id) ids.push(id);
        else unknown.push(part);
      }
      return { ids: [...new Set(ids)], unknown };
    },
    findInText(text) {
      const found = new Map<string, number>();
      for (const m of mentions(text)) found.set(m.id, (found.get(m.id) ?? 0) + 1);
      // Most often named first; ties in the order first named.
      return [...found.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    },
    mentions,
    ancestors,
  };
}
