import type { Doc, ObjectiveTag, PassageKind, TaggedPassage } from '../core/doc.js';
import type { ConcretenessSignal, Domain, Grade, Objective, Subcategory } from '../core/taxonomy.js';
import type { Registry } from '../rules/registry.js';
import { governanceFacts, type GovernanceFacts } from './governance.js';
import { findEvents, type TextEvent } from './events.js';
import { sentenceKey } from './normalize.js';
import { sha256 } from '../core/hash.js';

/**
 * The per-document summary aggregation works from: the document's metadata and
 * its passages reduced to what profiles, the matrix and the report need. A
 * summary is plain JSON (it can be cached, or sent from a worker thread) and
 * depends on nothing but its own document, the registry and the analysts'
 * decisions, so documents can be summarised one at a time, in any order.
 */
export interface DocSummary {
  id: string;
  path: string;
  title: string;
  date?: string;
  docType?: string;
  publisher?: string;
  /** Every address the statement was found at (first is the one cited). */
  urls: string[];
  /** The partnerships the document belongs to (front matter, or title and opening text). */
  partnerships: string[];
  /** Registry partnerships named in the text beyond the document's own, with how many passages name them. */
  named: Record<string, number>;
  failed: boolean;
  /** How many passages the document has in all. */
  passageCount: number;
  /** Only passages that carry evidence, governance facts or events. */
  passages: PassageSummary[];
  /**
   * What the summary was read from, as a digest (set by the run, never part of the
   * summary's own JSON): two summaries with the same digest and path are the same.
   */
  digest?: string;
}

export interface ObjectiveSummary {
  objective: Objective;
  subcategories: Subcategory[];
  grade: Grade;
  gradeReason: string;
  concreteness: ConcretenessSignal[];
  listMention: boolean;
  rules: string[];
}

export interface PassageSummary {
  index: number;
  id: string;
  kind: PassageKind;
  /** Offsets into the document's canonical text; `text` is exactly that slice. */
  start: number;
  end: number;
  text: string;
  headings: string[];
  /** The normalised sentence's key: the same key in two statements is the same commitment. */
  key: string;
  /** Partnerships this passage is evidence for beyond the document's own (named in it, with their parents). */
  named: string[];
  domains: Domain[];
  reviewed: boolean;
  objectives: ObjectiveSummary[];
  governance?: GovernanceFacts;
  events?: TextEvent[];
}

/** The labels that count for a passage: an analyst's decision where there is one. */
export type Override = (p: TaggedPassage) => { objectives: ObjectiveTag[]; reviewed: boolean; domains?: Domain[]; governance?: boolean } | undefined;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');

/**
 * Which partnerships a passage is evidence for beyond its document's own: those
 * it names (by id, name or alias) together with their parents. Naming the
 * document's own partnership or one of its parents adds nothing: a dialogue's
 * statement that says "U.S.-Singapore" is still the dialogue's, not evidence
 * for the broader relationship.
 */
export function namedPartnerships(text: string, own: string[], registry: Registry): string[] {
  const skip = new Set([...own, ...own.flatMap((id) => registry.ancestors(id))]);
  const out = new Set<string>();
  for (const m of registry.mentions(text)) {
    if (skip.has(m.id)) continue;
    for (const id of [m.id, ...registry.ancestors(m.id)]) if (!skip.has(id)) out.add(id);
  }
  return [...out].sort();
}

function namesPattern(ids: string[], registry: Registry): RegExp | undefined {
  const names = ids.flatMap((id) => {
    const p = registry.byId.get(id);
    return p ? [p.id, p.name, ...p.aliases] : [];
  });
  return names.length ? new RegExp(`(?<![A-Za-z0-9])(?:${names.map(escapeRe).join('|')})(?![A-Za-z0-9])`, 'i') : undefined;
}

/**
 * What a document's passages say whatever the rules tag in them, by passage: the
 * partnerships each names (namedPartnerships), the events each reports (dated
 * against the statement's date), for a passage summarized, its sentence key, and
 * for a passage tagged governance, the bodies, chairs, levels and rhythm its words
 * give. A run works them out once and keeps them with the document; tagging the
 * same document again with other rules reads them back (the named partnerships
 * and the governance facts, which read the names of the partnerships, only while
 * the registry is the same).
 */
export interface PassageFacts {
  named: string[][];
  events: TextEvent[][];
  /** null where the passage was not summarized (no key was needed). */
  keys: Array<string | null>;
  /**
   * What governanceFacts read from a passage tagged governance, under these rules
   * or earlier ones with the same registry (kept when the passage is no longer
   * tagged so); false where the words gave nothing, null where they were never read.
   */
  governance: Array<GovernanceFacts | false | null>;
}

/** A summary with its digest (see DocSummary.digest) made from its own JSON: for a summary not read from a cache record. */
export function withDigest(summary: DocSummary): DocSummary {
  summary.digest = sha256(JSON.stringify(summary));
  return summary;
}

/**
 * Reduce a processed document to its summary. `known`: facts of its passages
 * already worked out (any of them); `learned`, when given, receives every
 * passage's facts as this summary used them.
 */
export function summarize(doc: Doc, registry: Registry, override?: Override, known?: Partial<PassageFacts>, learned?: PassageFacts): DocSummary {
  const failed = !doc.text || doc.messages.some((m) => m.severity === 'error');
  const urls = doc.meta.sourceUrls?.length ? [...doc.meta.sourceUrls] : doc.meta.sourceUrl ? [doc.meta.sourceUrl] : [];
  const named: Record<string, number> = {};
  const passages: PassageSummary[] = [];
  const patterns = new Map<string, RegExp | undefined>();
  if (!failed) {
    for (const [i, p] of doc.passages.entries()) {
      const extra = known?.named?.[i] ?? namedPartnerships(p.text, doc.partnerships, registry);
      for (const id of extra) named[id] = (named[id] ?? 0) + 1;
      const ov = override?.(p);
      const tags = ov?.objectives ?? p.tags.objectives;
      const governance = ov?.governance ?? p.tags.governance;
      const domains = ov?.domains ?? p.tags.domains;
      const objectives: ObjectiveSummary[] = tags.map((t) => ({
        objective: t.objective,
        subcategories: [...t.subcategories],
        grade: t.grade,
        gradeReason: t.gradeReason,
        concreteness: [...t.concreteness],
        listMention: t.listMention,
        rules: [...new Set(t.evidence.map((e) => e.ruleId))].sort(),
      }));
      let read = known?.governance?.[i] ?? null;
      if (governance && read === null) {
        const ids = [...doc.partnerships, ...extra];
        if (!patterns.has(ids.join())) patterns.set(ids.join(), namesPattern(ids, registry));
        read = governanceFacts(p.text, patterns.get(ids.join()), p.listIntro) ?? false;
      }
      let facts: GovernanceFacts | undefined = governance && read ? read : undefined;
      // An analyst's governance mark stands even when no body, chair, level or rhythm can be read from the words.
      if (governance && !facts && ov?.reviewed) facts = { bodies: [], chairs: [], levels: [], rhythm: [] };
      const events = known?.events?.[i] ?? findEvents(p.text, doc.meta.date);
      if (learned) {
        learned.named[i] = extra;
        learned.events[i] = events;
        learned.keys[i] = known?.keys?.[i] ?? null;
        learned.governance[i] = read;
      }
      if (!objectives.length && !facts && !events.length) continue;
      const key = known?.keys?.[i] ?? sentenceKey(p.text);
      if (learned) learned.keys[i] = key;
      passages.push({
        index: p.index,
        id: p.id,
        kind: p.kind,
        start: p.start,
        end: p.end,
        text: p.text,
        headings: [...p.headings],
        key,
        named: extra,
        domains: [...domains],
        reviewed: !!ov?.reviewed,
        objectives,
        ...(facts ? { governance: facts } : {}),
        ...(events.length ? { events } : {}),
      });
    }
  }
  return {
    id: doc.id,
    path: doc.path,
    title: doc.meta.title,
    ...(doc.meta.date ? { date: doc.meta.date } : {}),
    ...(typeof doc.meta.docType === 'string' ? { docType: doc.meta.docType } : {}),
    ...(typeof doc.meta.publisher === 'string' ? { publisher: doc.meta.publisher } : {}),
    urls,
    partnerships: [...doc.partnerships],
    named: Object.fromEntries(Object.entries(named).sort(([a], [b]) => (a < b ? -1 : 1))),
    failed,
    passageCount: doc.passages.length,
    passages,
  };
}
