import type { ConcretenessSignal, Domain, Grade, Objective, Subcategory } from './taxonomy.js';
import type { Message } from './messages.js';

/** Where a block of canonical text came from in the source file. */
export interface SourceRef {
  /** 1-based line in a text source, or undefined for HTML/PDF. */
  line?: number;
  /** 1-based page in a PDF. */
  page?: number;
  /** A CSS-like path of the element in an HTML source. */
  element?: string;
}

export type BlockKind = 'heading' | 'paragraph' | 'item';

/** A structural unit of the canonical text. Offsets are into Doc.text. */
export interface Block {
  kind: BlockKind;
  /** Heading level (1-6) for headings; nesting depth for list items (1-based). */
  level: number;
  start: number;
  end: number;
  source: SourceRef;
  /** For paragraphs that open with a bold lead-in ("Semiconductors: ..."), the lead-in text. */
  leadIn?: string;
}

export interface DocMeta {
  title: string;
  date?: string;
  publisher?: string;
  docType?: string;
  /** Partnership as given in the source's metadata, free text. */
  partnership?: string;
  sourceUrl?: string;
  /** Every address the same statement was found at. */
  sourceUrls?: string[];
  language?: string;
  [key: string]: unknown;
}

export type PassageKind = 'sentence' | 'item' | 'heading';

export interface Passage {
  /** Stable id: hash of the document content and the passage text. */
  id: string;
  docId: string;
  /** Position in document order, 0-based. */
  index: number;
  kind: PassageKind;
  start: number;
  end: number;
  text: string;
  /** Heading path, outermost first. */
  headings: string[];
  /** For a list item: the sentence that introduces the list ("... in the following areas:"). */
  listIntro?: string;
  source: SourceRef;
}

export interface Evidence {
  ruleId: string;
  /** What the rule assigned, e.g. "objective:research/funding", "domain:ai", "grade:commit". */
  label: string;
  /** Matched words, and their offsets in the passage text (or the heading, when inherited). */
  match: string;
  start: number;
  end: number;
  /** "text", "heading" or "title": where the match was found. */
  scope: 'text' | 'heading' | 'title';
  rulesVersion: string;
}

/** A tag a rule proposed, and whether it was kept; when it was dropped, why (exception, out-of-scope guard, gate, missing partner). */
export interface Candidate {
  ruleId: string;
  label: string;
  match: string;
  start: number;
  end: number;
  kept: boolean;
  reason: string;
}

export interface ObjectiveTag {
  objective: Objective;
  subcategories: Subcategory[];
  grade: Grade;
  /** Why the grade: the cue words and the rule that decided it. */
  gradeReason: string;
  concreteness: ConcretenessSignal[];
  evidence: Evidence[];
  /** True when the passage only names the area in a list of areas. */
  listMention: boolean;
}

export interface PassageTags {
  objectives: ObjectiveTag[];
  domains: Domain[];
  governance: boolean;
  governanceGrade?: Grade;
  concreteness: ConcretenessSignal[];
  evidence: Evidence[];
  /** The passage carries cooperation or commitment language (it may still have no objective). */
  cooperation?: boolean;
  /** Every objective tag the rules proposed, kept or dropped, with the reason (absent when none). */
  candidates?: Candidate[];
}

/** Who reviewed a passage, when an analyst's decision replaced its automatic tags in the outputs. */
export interface ReviewMark {
  reviewer: string;
  at: string;
  action: string;
  /** The final decision on a passage reviewers disagreed on. */
  adjudicated: boolean;
  note: string | null;
}

export interface TaggedPassage extends Passage {
  tags: PassageTags;
  /** Set only in the outputs, on passages whose tags are an analyst's. */
  review?: ReviewMark;
}

export interface Doc {
  /** File path or URL the document was read from. */
  path: string;
  /** Short stable id: hash of the canonical text. */
  id: string;
  format: 'markdown' | 'text' | 'html' | 'pdf';
  meta: DocMeta;
  text: string;
  blocks: Block[];
  passages: TaggedPassage[];
  partnerships: string[];
  messages: Message[];
}
