import { z } from 'zod';
import { CONCRETENESS_SIGNALS, DOMAINS, GRADES, OBJECTIVES, SUBCATEGORIES, ALL_SUBCATEGORIES } from '../core/taxonomy.js';

/**
 * Rule files (rules/*.yaml). Each rule picks one of a closed set of kinds, which the
 * engine dispatches on (as Vale's `extends`); adding a rule is a data change, adding
 * a kind is a code change with tests.
 *
 *   term       words that, found in the passage, propose a tag (an objective with a
 *              subcategory, a domain, governance, a concreteness signal)
 *   cooccur    a tag proposed when one list's words and another's (`with`) occur
 *              together within `window` words in the rule's scope: what a predicate
 *              acts on ("share information" ... "support measures")
 *   cue        language the grader and the gates read: grade cues, negation,
 *              futurity, conditions, bullet-opening imperatives, cooperation
 *   exception  words that cancel the tags of `vetoes` they overlap ("subsidiary")
 *   guard      an out-of-scope topic (taxonomy section 1): objective tags in the same
 *              scope are dropped unless an `unless` word is there too
 *
 * Term lists are written in the pattern language (`patterns`), as verb lemmas
 * (`verbs`: the compiler conjugates the first word) or noun lemmas (`nouns`: it
 * pluralises the last word). `@name` in a list brings in a named vocabulary.
 */
export const RULE_KINDS = ['term', 'cooccur', 'cue', 'exception', 'guard'] as const;
export const REQUIREMENTS = ['cooperation', 'commitment', 'technology', 'none'] as const;
/** The vocabulary that says a sentence is about technology or the economy (for `requires: technology`). */
export const IN_SCOPE_VOCABULARY = 'in-scope';
export type RuleKind = (typeof RULE_KINDS)[number];

/** Where a rule looks and where its gate is checked. */
export const SCOPES = ['clause', 'sentence', 'item', 'passage', 'heading', 'title'] as const;
export type Scope = (typeof SCOPES)[number];

export const TAG_LABELS: string[] = [
  ...OBJECTIVES.flatMap((o) => SUBCATEGORIES[o].map((s) => `${o}/${s}`)),
  ...DOMAINS.map((d) => `domain/${d}`),
  'governance',
  ...CONCRETENESS_SIGNALS.map((s) => `signal/${s}`),
];

/**
 * Cue labels:
 *   grade/<grade>       a commitment-grade cue
 *   negation            lowers the grade of the cue it precedes
 *   future              turns a past-tense cue into a promise ("will be established")
 *   conditional         a promise on a condition ("as appropriate"): commit becomes intend
 *   imperative          verbs that, opening a bullet, read as "we will ..."
 *   imperative/<grade>  bullet openings that set another grade ("Concluding ...": completed)
 *   report              a list lead-in that reports outcomes ("launched the following:")
 *   report/completed    a bullet opening that, under such a lead-in, reports a finished
 *                       deliverable ("Signing an arrangement", "Released a guide")
 *   cooperation         words that show the governments act together
 */
export const CUE_LABELS: string[] = [
  ...GRADES.map((g) => `grade/${g}`),
  'negation',
  'future',
  'conditional',
  'imperative',
  ...GRADES.filter((g) => g !== 'commit').map((g) => `imperative/${g}`),
  'report',
  'report/completed',
  'cooperation',
];

/** What an exception or a guard may veto: an objective, a subcategory label, a domain label, governance, or `objectives` (all five). */
export const VETO_TARGETS: string[] = ['objectives', ...OBJECTIVES, ...TAG_LABELS];

export const ALLOWED_LABELS: string[] = [...TAG_LABELS, ...CUE_LABELS];

const termList = z.array(z.string().min(1));
const gradeOrAny = z.union([z.enum(GRADES), z.literal('any')]);

/** An example is run through the whole tagger; the fields it gives are what the tagger must output. */
const example = z
  .object({
    text: z.string().min(1),
    heading: z.string().optional(),
    title: z.string().optional(),
    lead_in: z.string().optional(),
    /** Kind of passage: a list item ("item") or a running sentence ("sentence", the default). */
    kind: z.enum(['sentence', 'item']).optional(),
    /** Exactly these objectives, each with its grade ("any" when the grade does not matter here). */
    objectives: z.partialRecord(z.enum(OBJECTIVES), gradeOrAny).optional(),
    /** Subcategories that must be among the tags. */
    subcategories: z.array(z.enum(ALL_SUBCATEGORIES as [string, ...string[]])).optional(),
    /** Exactly these domains. */
    domains: z.array(z.enum(DOMAINS)).optional(),
    /** Governance: false, true, or the grade it must have. */
    governance: z.union([z.boolean(), z.enum(GRADES)]).optional(),
    /** Exactly these concreteness signals. */
    concreteness: z.array(z.enum(CONCRETENESS_SIGNALS)).optional(),
    why: z.string().optional(),
  })
  .strict()
  .refine((e) => e.objectives || e.subcategories || e.domains || e.governance !== undefined || e.concreteness, 'an example states what the tagger must output: objectives, subcategories, domains, governance or concreteness');

export const vocabularySchema = z
  .object({
    description: z.string().optional(),
    patterns: termList.optional(),
    verbs: termList.optional(),
    nouns: termList.optional(),
  })
  .strict()
  .refine((v) => (v.patterns?.length ?? 0) + (v.verbs?.length ?? 0) + (v.nouns?.length ?? 0) > 0, 'a vocabulary needs patterns, verbs or nouns');

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9./-]*$/, 'must be lowercase words joined by . / or -'),
    kind: z.enum(RULE_KINDS),
    label: z.string().optional(),
    vetoes: z.array(z.string()).optional(),
    description: z.string().optional(),
    patterns: termList.optional(),
    verbs: termList.optional(),
    nouns: termList.optional(),
    /** cooccur: the second list; guard: words that keep the objective in scope after all. */
    with: termList.optional(),
    /** cooccur: at most this many words between the two; guard: between the out-of-scope word and the tag. */
    window: z.number().int().positive().max(60).optional(),
    /** cooccur: where the `with` words stand relative to the rule's own words. */
    order: z.enum(['any', 'after', 'before']).optional(),
    /** The match does not count when one of these overlaps it. */
    unless: termList.optional(),
    scope: z.array(z.enum(SCOPES)).min(1).optional(),
    /**
     * term/cooccur objective rules: what the sentence must also say for the tag to stand.
     * cooperation (the default): a grade cue or cooperation words; commitment: a grade
     * cue; technology: the passage is about technology or the economy (it has a
     * domain, or a word of the `in-scope` vocabulary in the same sentence); none.
     */
    requires: z.union([z.enum(REQUIREMENTS), z.array(z.enum(REQUIREMENTS)).min(1)]).optional(),
    examples: z.array(example).min(1, 'every rule needs at least one example'),
  })
  .strict()
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const terms = (r.patterns?.length ?? 0) + (r.verbs?.length ?? 0) + (r.nouns?.length ?? 0);
    if (!terms) issue('patterns', 'a rule needs patterns, verbs or nouns');
    if (r.kind === 'term' || r.kind === 'cooccur') {
      if (!r.label || !TAG_LABELS.includes(r.label)) issue('label', `kind "${r.kind}" needs a tag label (allowed: objective/subcategory such as research/funding, domain/<id>, governance, signal/<signal>)`);
    }
    if (r.kind === 'cue' && (!r.label || !CUE_LABELS.includes(r.label))) issue('label', `kind "cue" needs a cue label (allowed: ${CUE_LABELS.join(', ')})`);
    if (r.kind === 'exception' || r.kind === 'guard') {
      if (r.label) issue('label', `kind "${r.kind}" has no label; it names what it cancels in \`vetoes\``);
      if (!r.vetoes?.length) issue('vetoes', `kind "${r.kind}" needs \`vetoes\` (allowed: ${VETO_TARGETS.slice(0, 8).join(', ')}, ... any tag label)`);
      for (const v of r.vetoes ?? []) if (!VETO_TARGETS.includes(v)) issue('vetoes', `"${v}" is not a tag label or objective (allowed: objectives, an objective id, or a tag label such as policy/subsidies)`);
    }
    if (r.kind === 'cooccur' && !r.with?.length) issue('with', 'kind "cooccur" needs a non-empty `with` list');
    if (r.kind !== 'cooccur' && r.kind !== 'guard' && r.with) issue('with', '`with` is only allowed with kinds "cooccur" and "guard"');
    if (r.kind !== 'cooccur' && r.order) issue('order', '`order` belongs to kind "cooccur"');
    if (r.kind !== 'cooccur' && r.kind !== 'guard' && r.window) issue('window', '`window` belongs to kinds "cooccur" and "guard"');
    if (r.requires && !(r.kind === 'term' || r.kind === 'cooccur')) issue('requires', '`requires` belongs to kinds "term" and "cooccur"');
  });

export const ruleFileSchema = z
  .object({
    version: z.string().min(1),
    description: z.string().optional(),
    vocabularies: z.record(z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'vocabulary names are lowercase words joined by . or -'), vocabularySchema).optional(),
    rules: z.array(ruleSchema).optional(),
  })
  .strict()
  .refine((f) => f.rules?.length || Object.keys(f.vocabularies ?? {}).length, 'a rule file holds rules, vocabularies or both');

export type RuleDef = z.infer<typeof ruleSchema>;
export type RuleExample = RuleDef['examples'][number];
export type VocabularyDef = z.infer<typeof vocabularySchema>;
export type RuleFile = z.infer<typeof ruleFileSchema>;
