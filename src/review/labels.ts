import { z } from 'zod';
import { ALL_SUBCATEGORIES, DOMAINS, GRADES, OBJECTIVES, SUBCATEGORIES, type Objective, type Subcategory } from '../core/taxonomy.js';
import type { ObjectiveTag, PassageTags } from '../core/doc.js';
import type { EvidenceRef, Labels } from './store.js';

/**
 * The labels a reviewer may set, as a schema: objectives, grades, subcategories
 * and domains are the taxonomy's ids and nothing else, and a subcategory must
 * belong to the objective it is listed under.
 */
export const objectiveLabelSchema = z
  .object({
    objective: z.enum(OBJECTIVES),
    grade: z.enum(GRADES),
    subcategories: z.array(z.enum(ALL_SUBCATEGORIES as [Subcategory, ...Subcategory[]])).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const [i, s] of (o.subcategories ?? []).entries()) {
      if (!(SUBCATEGORIES[o.objective] as readonly string[]).includes(s)) {
        ctx.addIssue({ code: 'custom', path: ['subcategories', i], message: `"${s}" is not a subcategory of ${o.objective} (allowed: ${SUBCATEGORIES[o.objective].join(', ')})` });
      }
    }
  });

export const labelsSchema = z
  .object({
    objectives: z.array(objectiveLabelSchema).max(OBJECTIVES.length),
    domains: z.array(z.enum(DOMAINS)).max(DOMAINS.length),
    governance: z.boolean(),
    governanceGrade: z.enum(GRADES).nullable().optional(),
  })
  .strict()
  .superRefine((l, ctx) => {
    const seen = new Set<string>();
    l.objectives.forEach((o, i) => {
      if (seen.has(o.objective)) ctx.addIssue({ code: 'custom', path: ['objectives', i, 'objective'], message: `${o.objective} is listed twice` });
      seen.add(o.objective);
    });
    if (new Set(l.domains).size !== l.domains.length) ctx.addIssue({ code: 'custom', path: ['domains'], message: 'a domain is listed twice' });
  });

/** `path: message` lines from a zod error, never raw JSON. */
export function issuesText(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(top level)';
      const msg = i.code === 'invalid_value' && 'values' in i ? `must be one of ${(i.values as unknown[]).join(', ')}` : i.message;
      return `${path}: ${msg}`;
    })
    .join('; ');
}

export function parseLabels(v: unknown, prefix = 'labels'): Labels {
  const r = labelsSchema.safeParse(v);
  if (!r.success) throw new Error(issuesText(r.error, prefix));
  return r.data as Labels;
}

/** The automatic labels of a passage, in the form a decision records. */
export function labelsOf(tags: PassageTags): Labels {
  return {
    objectives: tags.objectives.map((o) => ({ objective: o.objective, grade: o.grade, subcategories: [...o.subcategories] })),
    domains: [...tags.domains],
    governance: tags.governance,
    governanceGrade: tags.governance ? (tags.governanceGrade ?? null) : null,
  };
}

/** The evidence behind the automatic labels, as a decision keeps it (for learning from decisions later). */
export function evidenceOf(tags: PassageTags): EvidenceRef[] {
  return tags.evidence
    .filter((e) => !e.label.startsWith('signal/'))
    .map((e) => ({ rule: e.ruleId, label: e.label, match: e.match, start: e.start, end: e.end, scope: e.scope }));
}

/** Tags with an analyst's labels in place of the automatic ones; the tagger's evidence and reasons stay where they still apply. */
export function reviewedTags(tags: PassageTags, labels: Labels, reviewer: string): PassageTags {
  // Only the taxonomy's ids reach the outputs, whatever an older or damaged store holds.
  const known = (o: string): o is Objective => (OBJECTIVES as readonly string[]).includes(o);
  const objectives: ObjectiveTag[] = labels.objectives.filter((o) => known(o.objective)).map((o) => {
    const auto = tags.objectives.find((t) => t.objective === o.objective);
    const allowed = SUBCATEGORIES[o.objective] as readonly string[];
    return {
      objective: o.objective,
      subcategories: o.subcategories ? o.subcategories.filter((x) => allowed.includes(x)) : (auto?.subcategories ?? []),
      grade: o.grade,
      gradeReason: auto && auto.grade === o.grade ? auto.gradeReason : `set by ${reviewer}`,
      concreteness: auto?.concreteness ?? tags.concreteness,
      evidence: auto?.evidence ?? [],
      listMention: auto?.listMention ?? false,
    };
  });
  // Older decisions carry no governance grade: the automatic one stands if governance was kept.
  const governanceGrade = labels.governance ? (labels.governanceGrade !== undefined ? labels.governanceGrade : (tags.governanceGrade ?? null)) : null;
  const { governanceGrade: _omit, ...rest } = tags;
  return { ...rest, objectives, domains: labels.domains.filter((d) => (DOMAINS as readonly string[]).includes(d)), governance: labels.governance, ...(governanceGrade ? { governanceGrade } : {}) };
}
