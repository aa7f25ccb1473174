import type { Evidence, ObjectiveTag, PassageTags } from '../core/doc.js';
import { GRADES, type Grade } from '../core/taxonomy.js';
import type { TagLayer } from '../tag/index.js';
import { evidenceOf } from '../tag/index.js';
import type { ActiveRule, Hit } from '../rules/compile.js';
import { gradeContext, gradeSpan, type GradeContext, type GradeResult } from './cues.js';

// When an objective has evidence in several clauses, the first piece of
// evidence that has a governing cue sets the grade: the first mention is
// usually the main clause; later ones sit in "including ..." and "building
// upon ..." tails that report context rather than what is agreed.
function gradeHits(ctx: ReturnType<typeof gradeContext>, hits: Hit<ActiveRule>[]): GradeResult | undefined {
  // Several clauses about one objective: the passage's grade for it is the strongest
  // one (taxonomy section 3).
  let best: GradeResult | undefined;
  for (const h of hits) {
    const g = gradeSpan(ctx, h.start, h.end);
    if (g && (!best || GRADES.indexOf(g.grade) > GRADES.indexOf(best.grade))) best = { ...g, reason: `${g.reason}, for "${h.text}"` };
  }
  return best;
}

const DEFAULT_GRADE: Grade = 'commit';

// Keyed by the lead-in's hits, which the tag stage caches per rule set and lead-in,
// so a grade never outlives the rules it was read with.
const introGrades = new WeakMap<Hit<ActiveRule>[], GradeContext['intro'] | null>();

function gradeIntro(text: string, hits: Hit<ActiveRule>[], report: boolean): GradeContext['intro'] {
  let g = introGrades.get(hits);
  if (g === undefined) {
    const at = Math.max(0, text.length - 1);
    const r = gradeSpan(gradeContext(text, hits), at, at + 1);
    const cue = r && hits.find((h) => h.item.rule.id === r.ruleId);
    g = r ? { grade: r.grade, word: cue?.text ?? r.ruleId, ruleId: r.ruleId, report } : report ? { grade: 'underway', word: 'the lead-in', ruleId: 'report', report } : null;
    introGrades.set(hits, g);
  }
  return g ?? undefined;
}

/** The grade stage: give every tag of a tag layer its grade and concreteness. */
export function gradeLayer(layer: TagLayer): PassageTags {
  // A list's lead-in is graded like any passage, at its closing colon.
  const intro = layer.intro ? gradeIntro(layer.intro.text, layer.intro.hits, layer.intro.report) : undefined;
  // Cues, clauses and sentences are read only for a passage with something to grade (most have nothing).
  const ctx = layer.objectives.length || layer.governance.length ? gradeContext(layer.text, layer.gradeHits, layer.imperative, intro, layer.deliverable) : undefined;
  const version = layer.version;
  const objectives: ObjectiveTag[] = [];
  const evidence: Evidence[] = [...layer.domainEvidence, ...layer.signalEvidence];
  // A passage naming four or more technology fields is a list of areas (taxonomy
  // section 1, borderline cases): profiles rank its evidence below passages that say how.
  const listMention = layer.domains.length >= 4;
  for (const o of layer.objectives) {
    const g = gradeHits(ctx!, o.hits);
    // Cooperation words without any cue ("Cooperation on X", "the two countries
    // partner on X"): statements of this kind are read as "we will" (taxonomy
    // section 3), and commit, the middle grade, is never more than one step from
    // a plan or a report. The review queue shows these first.
    const grade: Grade = g?.grade ?? DEFAULT_GRADE;
    const ev = o.hits.map((h) => evidenceOf(h, 'text', version));
    if (g) {
      const cue = ctx!.cues.find((c) => c.item.rule.id === g.ruleId);
      if (cue) ev.push(evidenceOf(cue, 'text', version));
    }
    evidence.push(...ev);
    objectives.push({
      objective: o.objective,
      subcategories: o.subcategories,
      grade,
      gradeReason: g?.reason ?? `no grade cue: cooperation language only, read as ${DEFAULT_GRADE}`,
      concreteness: layer.signals,
      evidence: ev,
      listMention,
    });
  }
  let governanceGrade: Grade | undefined;
  if (layer.governance.length) {
    governanceGrade = gradeHits(ctx!, layer.governance)?.grade ?? 'underway';
    evidence.push(...layer.governance.map((h) => evidenceOf(h, 'text', version)));
  }
  return {
    objectives,
    domains: layer.domains,
    governance: layer.governance.length > 0,
    ...(governanceGrade ? { governanceGrade } : {}),
    concreteness: layer.signals,
    evidence,
    cooperation: layer.cooperation,
    ...(layer.candidates.length ? { candidates: layer.candidates } : {}),
  };
}
