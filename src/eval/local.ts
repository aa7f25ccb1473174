import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { Passage } from '../core/doc.js';
import { DOMAINS, GRADES, OBJECTIVES, ALL_SUBCATEGORIES } from '../core/taxonomy.js';
import { extractFile } from '../extract/index.js';
import { segment } from '../segment/index.js';
import { locate, rawIndex, spanCheck, type Span } from './anchor.js';
import type { GoldPassage } from './index.js';

/**
 * Labels kept in the project (test/gold/*.jsonl). Each points at a statement of the
 * shared corpus by file name and raw character offsets and carries a fingerprint of
 * the span, never the statement's words.
 */
export const labelSchema = z
  .object({
    file: z.string().min(1),
    start: z.number().int().nonnegative(),
    end: z.number().int().positive(),
    check: z.string().regex(/^[0-9a-f]{12}$/),
    objectives: z.array(z.enum(OBJECTIVES)),
    subcategories: z.array(z.enum(ALL_SUBCATEGORIES as [string, ...string[]])).default([]),
    grades: z.partialRecord(z.enum(OBJECTIVES), z.enum(GRADES)).default({}),
    domains: z.array(z.enum(DOMAINS)).default([]),
    governance: z.boolean().default(false),
    governance_grade: z.enum(GRADES).nullable().optional(),
  })
  .strict()
  .refine((l) => l.end > l.start, 'end must be after start')
  .refine((l) => l.objectives.every((o) => l.grades[o]), 'every objective needs a grade');
export type Label = z.infer<typeof labelSchema>;

/** The passages of one statement, as the pipeline cuts them, with their place in the raw file. */
export interface PlacedPassage extends Passage {
  title: string;
  raw?: Span;
}

export async function placedPassages(file: string): Promise<{ raw: string; passages: PlacedPassage[] }> {
  const raw = await readFile(file, 'utf8');
  const ex = await extractFile(file, { maxFileBytes: 64 * 1024 * 1024, minTextChars: 1 });
  const passages = segment(ex);
  const index = rawIndex(raw);
  let from = 0;
  const placed = passages.map((p) => {
    const span = locate(index, p.text, from) ?? locate(index, p.text, 0);
    if (span) from = span.start;
    return { ...p, title: ex.meta.title, ...(span ? { raw: span } : {}) };
  });
  return { raw, passages: placed };
}

/** A label resolved against the statement: the gold, and the pipeline's passages it covers. */
export interface ResolvedLabel {
  /** The sub-folder the label file is in ("dev", "heldout"), or "" at the top. */
  set: string;
  gold: GoldPassage;
  /** The pipeline's passages overlapping the span, with the share of each inside it. */
  covers: Array<{ passage: PlacedPassage; overlap: number }>;
}

export interface LocalGold {
  labels: ResolvedLabel[];
  /** Sub-folders holding labels, each reported apart. */
  sets: string[];
  files: number;
  /** Labels that no longer fit their statement (changed file, or nothing segmented there). */
  problems: string[];
}

export async function loadLocalGold(dir: string, corpusDir: string): Promise<LocalGold> {
  if (!existsSync(dir)) throw new UserError('folder of project labels not found', dir, undefined, 'set `localGold` in pipeline.config.ts');
  const byFile = new Map<string, Array<{ label: Label; where: string; set: string }>>();
  // first-sight.jsonl is the log of first-sight figures, and second-reader/ holds a
  // second reading of statements already in dev/ (for agreement): neither are labels to score.
  const names = (await readdir(dir, { recursive: true })).filter((n) => n.endsWith('.jsonl') && basename(n) !== 'first-sight.jsonl' && !n.startsWith('second-reader')).sort();
  for (const name of names) {
    const path = join(dir, name);
    const set = dirname(name) === '.' ? '' : dirname(name);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (err) {
        throw new UserError(`line is not valid JSON: ${(err as Error).message}`, path, i + 1);
      }
      const r = labelSchema.safeParse(json);
      if (!r.success) throw new UserError(`bad label: ${r.error.issues.map((x) => `${x.path.join('.') || 'label'}: ${x.message}`).join('; ')}`, path, i + 1, 'see test/gold/README.md for the fields');
      const list = byFile.get(r.data.file) ?? [];
      list.push({ label: r.data, where: `${path}:${i + 1}`, set });
      byFile.set(r.data.file, list);
    });
  }
  if (!byFile.size) throw new UserError('no labels (*.jsonl) in the folder', dir);
  if (!existsSync(corpusDir)) throw new UserError('the statements the labels point at are not here', corpusDir, undefined, 'set `sharedCorpus` in pipeline.config.ts');
  const out: LocalGold = { labels: [], sets: [...new Set([...byFile.values()].flat().map((l) => l.set))].sort(), files: byFile.size, problems: [] };
  for (const [file, labels] of byFile) {
    const path = join(corpusDir, file);
    if (!existsSync(path)) {
      out.problems.push(`${labels[0]!.where}: ${file} is not in ${corpusDir}`);
      continue;
    }
    const { raw, passages } = await placedPassages(path);
    for (const { label, where, set } of labels) {
      if (spanCheck(raw, label) !== label.check) {
        out.problems.push(`${where}: the words at ${file} ${label.start}-${label.end} changed since the label was made`);
        continue;
      }
      const covers = passages
        .filter((p) => p.raw && p.raw.start < label.end && p.raw.end > label.start)
        .map((p) => {
          const inside = Math.min(p.raw!.end, label.end) - Math.max(p.raw!.start, label.start);
          return { passage: p, overlap: inside / (p.raw!.end - p.raw!.start) };
        })
        .filter((c) => c.overlap >= 0.5);
      if (!covers.length) {
        out.problems.push(`${where}: no passage of ${file} found at ${label.start}-${label.end}`);
        continue;
      }
      out.labels.push({
        set,
        gold: {
          id: `${file}@${label.start}`,
          doc: file,
          heading: covers[0]!.passage.headings.join(' / '),
          text: covers.map((c) => c.passage.text).join(' '),
          objectives: label.objectives,
          subcategories: label.subcategories,
          grades: label.grades,
          domains: label.domains,
          governance: label.governance,
          governance_grade: label.governance_grade ?? null,
        },
        covers,
      });
    }
  }
  return out;
}
