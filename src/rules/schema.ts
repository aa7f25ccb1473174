import { z } from 'zod';
import { CONCRETENESS_SIGNALS, DOMAINS, GRADES, OBJECTIVES, SUBCATEGORIES } from '../core/taxonomy.js';

/**
 * What a rule may assign. Written as a short string in rule files:
 *   research/funding   an objective and one of its subcategories
 *   domain/ai          a technology domain
 *   governance         the partnership-governance label
 *   grade/commit       a commitment-grade cue
 *   signal/money       a concreteness signal
 *   cooperation        words that show the governments act together
 *   negation           words that lower the grade of the cue they precede
 *   future             words that turn a past-tense cue into a promise ("will be established")
 *   conditional        words that make a promise conditional ("as appropriate"): commit becomes intend
 *   imperative         verbs that, opening a passage, read as "we will ..." (fact-sheet bullets)
 *   imperative/<grade> openings of a bullet that set another grade ("Concluding ...": completed)
 */
export const ALLOWED_LABELS: string[] = [
  ...OBJECTIVES.flatMap((o) => SUBCATEGORIES[o].map((s) => `${o}/${s}`)),
  ...DOMAINS.map((d) => `domain/${d}`),
  'governance',
  ...GRADES.map((g) => `grade/${g}`),
  ...CONCRETENESS_SIGNALS.map((s) => `signal/${s}`),
  'cooperation',
  'negation',
  'future',
  'conditional',
  'imperative',
  ...GRADES.filter((g) => g !== 'commit').map((g) => `imperative/${g}`),
];

/** The closed set of rule kinds. Adding a kind is a code change with tests. */
export const RULE_KINDS = ['phrase', 'near'] as const;

const example = z.union([
  z.object({ match: z.string().min(1), why: z.string().optional(), heading: z.string().optional() }).strict(),
  z.object({ nomatch: z.string().min(1), why: z.string().optional(), heading: z.string().optional() }).strict(),
]);

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9./-]*$/, 'must be lowercase words joined by . / or -'),
    kind: z.enum(RULE_KINDS).default('phrase'),
    label: z.enum(ALLOWED_LABELS as [string, ...string[]]),
    description: z.string().optional(),
    patterns: z.array(z.string().min(1)).min(1),
    /** kind near: a second list, one of which must occur within `window` words. */
    with: z.array(z.string().min(1)).optional(),
    window: z.number().int().positive().max(200).optional(),
    /** The match does not count when one of these matches the same passage. */
    unless: z.array(z.string().min(1)).optional(),
    examples: z.array(example).min(1, 'every rule needs at least one example (match or nomatch)'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.kind === 'near' && !r.with?.length) ctx.addIssue({ code: 'custom', path: ['with'], message: 'kind "near" needs a non-empty `with` list' });
    if (r.kind !== 'near' && r.with) ctx.addIssue({ code: 'custom', path: ['with'], message: '`with` is only allowed with kind "near"' });
  });

export const ruleFileSchema = z
  .object({
    version: z.string().min(1),
    description: z.string().optional(),
    rules: z.array(ruleSchema).min(1),
  })
  .strict();

export type RuleDef = z.infer<typeof ruleSchema>;
export type RuleFile = z.infer<typeof ruleFileSchema>;
