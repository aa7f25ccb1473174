/**
 * Aggregate stage: attribution of documents and passages to partnerships,
 * per-document summaries, citation codes, distinct commitments, profiles, the
 * matrix and the study's measures.
 *
 * Aggregation reads per-document summaries, never whole documents:
 *   summarize(doc, registry, override) -> DocSummary        (one document at a time)
 *   aggregate(summaries, registry, scope) -> Aggregate      (any order, same result)
 * or incrementally with `new Aggregator(registry)`, `add(summary)`, then `result(scope)` once.
 */
export { attribute } from './attribute.js';
export { summarize, withDigest, namedPartnerships, type DocSummary, type PassageSummary, type ObjectiveSummary, type Override, type PassageFacts } from './summary.js';
export {
  aggregate,
  Aggregator,
  citationCodes,
  profileInputs,
  type Aggregate,
  type Scope,
  type Citation,
  type SourceCite,
  type EvidenceItem,
  type ObjectiveProfile,
  type GovernanceSummary,
  type Milestone,
  type Profile,
  type Matrix,
  type RegistryCoverage,
  type Cell,
  type Dataset,
  type Filter,
  type Row,
} from './aggregate.js';
export { normalizeSentence, sentenceKey } from './normalize.js';
export { governanceFacts, type GovernanceFacts, type Level, LEVELS, RHYTHMS } from './governance.js';
export { findEvents, type TextEvent, EVENT_KINDS } from './events.js';
export { findDates } from './dates.js';
export * as measures from './measures.js';
