import type Database from 'better-sqlite3';
import { sqlite } from '../core/lazy.js';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { shortHash } from '../core/hash.js';
import type { Grade, Objective, Domain, Subcategory } from '../core/taxonomy.js';

/** The labels an analyst can set on a passage. */
export interface ObjectiveLabel {
  objective: Objective;
  grade: Grade;
  /** Absent in decisions made before subcategories could be edited: the automatic ones then stand. */
  subcategories?: Subcategory[];
}

export interface Labels {
  objectives: ObjectiveLabel[];
  domains: Domain[];
  governance: boolean;
  /** The grade of a governance passage; absent in older decisions (the automatic grade then stands). */
  governanceGrade?: Grade | null;
}

export type Action = 'accept' | 'correct' | 'reject' | 'undo';

/** One piece of the evidence behind the automatic labels: which rule matched which words. */
export interface EvidenceRef {
  rule: string;
  label: string;
  match: string;
  start: number;
  end: number;
  scope: 'text' | 'heading' | 'title';
}

export interface Decision {
  seq: number;
  docKey: string;
  docHash: string;
  /** The statement's file as the run named it (for label export); '' in older decisions. */
  docFile: string;
  passageKey: string;
  passageId: string;
  text: string;
  heading: string;
  reviewer: string;
  at: string;
  action: Action;
  before: Labels;
  after: Labels | null;
  note: string | null;
  undoes: number | null;
  /** Rules whose evidence stood behind the automatic labels. */
  rules: string[];
  /** The evidence itself, with offsets into the text; [] in older decisions. */
  evidence: EvidenceRef[];
  /** Decisions made by one bulk action share this id, so they can be undone together. */
  batch: string | null;
  /** An adjudication: the final decision on a passage that reviewers disagreed on. */
  final: boolean;
}

export interface NewDecision {
  docKey: string;
  docHash: string;
  docFile?: string;
  passageKey: string;
  passageId: string;
  text: string;
  heading?: string;
  reviewer: string;
  action: Exclude<Action, 'undo'>;
  before: Labels;
  after?: Labels;
  note?: string;
  rules?: string[];
  evidence?: EvidenceRef[];
  batch?: string;
  final?: boolean;
  at?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS decisions (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  doc_key     TEXT NOT NULL,
  doc_hash    TEXT NOT NULL,
  passage_key TEXT NOT NULL,
  passage_id  TEXT NOT NULL,
  text        TEXT NOT NULL,
  heading     TEXT NOT NULL DEFAULT '',
  reviewer    TEXT NOT NULL,
  at          TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('accept', 'correct', 'reject', 'undo')),
  before_json TEXT NOT NULL,
  after_json  TEXT,
  note        TEXT,
  undoes      INTEGER REFERENCES decisions(seq),
  rules_json  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS decisions_passage ON decisions (doc_key, passage_key, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

// Columns added after the first release. A database written by an older version
// gets them on open (ALTER TABLE ... ADD COLUMN keeps every existing row).
const ADDED_COLUMNS: Array<[string, string]> = [
  ['doc_file', `TEXT NOT NULL DEFAULT ''`],
  ['evidence_json', `TEXT NOT NULL DEFAULT '[]'`],
  ['batch', 'TEXT'],
  ['final', 'INTEGER NOT NULL DEFAULT 0'],
];

interface Row {
  seq: number;
  doc_key: string;
  doc_hash: string;
  doc_file: string;
  passage_key: string;
  passage_id: string;
  text: string;
  heading: string;
  reviewer: string;
  at: string;
  action: Action;
  before_json: string;
  after_json: string | null;
  note: string | null;
  undoes: number | null;
  rules_json: string;
  evidence_json: string;
  batch: string | null;
  final: number;
}

function toDecision(r: Row): Decision {
  return {
    seq: r.seq,
    docKey: r.doc_key,
    docHash: r.doc_hash,
    docFile: r.doc_file,
    passageKey: r.passage_key,
    passageId: r.passage_id,
    text: r.text,
    heading: r.heading,
    reviewer: r.reviewer,
    at: r.at,
    action: r.action,
    before: JSON.parse(r.before_json) as Labels,
    after: r.after_json ? (JSON.parse(r.after_json) as Labels) : null,
    note: r.note,
    undoes: r.undoes,
    rules: JSON.parse(r.rules_json) as string[],
    evidence: JSON.parse(r.evidence_json) as EvidenceRef[],
    batch: r.batch,
    final: r.final === 1,
  };
}

export const keyOf = (docKey: string, passageKey: string): string => `${docKey}\u0000${passageKey}`;

/** What a passage's decisions add up to. */
interface PassageState {
  /** Decisions other than undos, oldest first. */
  decisions: Decision[];
  undone: Set<number>;
}

/** The labels a decision leaves on its passage. */
export function labelsAfter(d: Decision): Labels {
  return d.after ?? d.before;
}

/**
 * Review decisions in SQLite, append-only: a decision is never updated or
 * deleted; undo is a decision of its own that names the one it undoes. Every
 * write is a committed transaction with synchronous=FULL in WAL mode, so an
 * acknowledged decision survives the process being killed.
 *
 * Several reviewers may decide on the same passage. Each reviewer's latest
 * decision that was not undone is theirs; an adjudication (final) settles the
 * passage; otherwise the latest decision by anyone is the one in force.
 *
 * The store keeps what the decisions add up to in memory and reads only rows it
 * has not seen, so it stays current when another process writes to the same file.
 */
export class ReviewStore {
  readonly db: Database.Database;
  private state = new Map<string, PassageState>();
  private bySeq = new Map<number, Decision>();
  private lastSeq = 0;
  private count = 0;
  private readonly newRows: Database.Statement;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new (sqlite())(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const have = new Set((this.db.prepare('PRAGMA table_info(decisions)').all() as Array<{ name: string }>).map((c) => c.name));
    this.db.transaction(() => {
      for (const [name, type] of ADDED_COLUMNS) if (!have.has(name)) this.db.exec(`ALTER TABLE decisions ADD COLUMN ${name} ${type}`);
    })();
    this.db.exec('CREATE INDEX IF NOT EXISTS decisions_batch ON decisions (batch)');
    this.newRows = this.db.prepare('SELECT * FROM decisions WHERE seq > ? ORDER BY seq');
    this.sync();
  }

  private insertStmt?: Database.Statement;
  private undoStmt?: Database.Statement;

  private insert(d: NewDecision): number {
    this.insertStmt ??= this.db.prepare(
      `INSERT INTO decisions (doc_key, doc_hash, doc_file, passage_key, passage_id, text, heading, reviewer, at, action, before_json, after_json, note, rules_json, evidence_json, batch, final)
         VALUES (@docKey, @docHash, @docFile, @passageKey, @passageId, @text, @heading, @reviewer, @at, @action, @before, @after, @note, @rules, @evidence, @batch, @final)`,
    );
    const info = this.insertStmt.run({
      docKey: d.docKey,
      docHash: d.docHash,
      docFile: d.docFile ?? '',
      passageKey: d.passageKey,
      passageId: d.passageId,
      text: d.text,
      heading: d.heading ?? '',
      reviewer: d.reviewer,
      at: d.at ?? new Date().toISOString(),
      action: d.action,
      before: JSON.stringify(d.before),
      // Rejecting removes every objective and the governance mark; the domains stay (they say what the passage is about).
      after: d.action === 'reject' ? JSON.stringify({ objectives: [], domains: d.before.domains, governance: false, governanceGrade: null } satisfies Labels) : JSON.stringify(d.after ?? d.before),
      note: d.note ?? null,
      rules: JSON.stringify(d.rules ?? []),
      evidence: JSON.stringify(d.evidence ?? []),
      batch: d.batch ?? null,
      final: d.final ? 1 : 0,
    });
    return Number(info.lastInsertRowid);
  }

  add(d: NewDecision): Decision {
    const seq = this.insert(d);
    this.sync();
    return this.bySeq.get(seq)!;
  }

  /** Several decisions in one transaction (a bulk action): all are saved or none. */
  addMany(list: NewDecision[]): Decision[] {
    const seqs = this.db.transaction(() => list.map((d) => this.insert(d)))();
    this.sync();
    return seqs.map((s) => this.bySeq.get(s)!);
  }

  /** Undo the reviewer's own decision in force on the passage (the latest one not already undone). */
  undo(docKey: string, passageKey: string, reviewer: string): Decision | undefined {
    const seq = this.db.transaction(() => {
      this.sync();
      const target = this.inForce(keyOf(docKey, passageKey)).filter((d) => d.reviewer === reviewer).at(-1);
      return target ? this.insertUndo(target, reviewer, null) : undefined;
    })();
    this.sync();
    return seq === undefined ? undefined : this.bySeq.get(seq);
  }

  /** Undo every decision of a bulk action that is still in force. */
  undoBatch(batch: string, reviewer: string): Decision[] {
    const seqs = this.db.transaction(() => {
      this.sync();
      const rows = this.db.prepare(`SELECT seq FROM decisions WHERE batch = ? AND action != 'undo' ORDER BY seq`).all(batch) as Array<{ seq: number }>;
      const out: number[] = [];
      for (const { seq } of rows) {
        const d = this.bySeq.get(seq)!;
        if (this.state.get(keyOf(d.docKey, d.passageKey))?.undone.has(seq)) continue;
        out.push(this.insertUndo(d, reviewer, batch));
      }
      return out;
    })();
    this.sync();
    return seqs.map((s) => this.bySeq.get(s)!);
  }

  private insertUndo(target: Decision, reviewer: string, batch: string | null): number {
    this.undoStmt ??= this.db.prepare(
      `INSERT INTO decisions (doc_key, doc_hash, doc_file, passage_key, passage_id, text, heading, reviewer, at, action, before_json, after_json, note, undoes, rules_json, batch, final)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'undo', ?, NULL, NULL, ?, '[]', ?, 0)`,
    );
    const info = this.undoStmt.run(target.docKey, target.docHash, target.docFile, target.passageKey, target.passageId, target.text, target.heading, reviewer, new Date().toISOString(), JSON.stringify(labelsAfter(target)), target.seq, batch);
    return Number(info.lastInsertRowid);
  }

  /** Read the rows written since the last look (by this process or another). Returns the passages they touch. */
  sync(): Set<string> {
    const rows = this.newRows.all(this.lastSeq) as Row[];
    const touched = new Set<string>();
    for (const r of rows) {
      const d = toDecision(r);
      const key = keyOf(d.docKey, d.passageKey);
      let st = this.state.get(key);
      if (!st) this.state.set(key, (st = { decisions: [], undone: new Set() }));
      if (d.action === 'undo') {
        if (d.undoes !== null) st.undone.add(d.undoes);
      } else st.decisions.push(d);
      this.bySeq.set(d.seq, d);
      this.lastSeq = d.seq;
      this.count++;
      touched.add(key);
    }
    return touched;
  }

  /** The passages touched by decisions after seq, and the newest seq. */
  changedSince(seq: number): { keys: Set<string>; seq: number } {
    this.sync();
    const keys = new Set<string>();
    for (let s = seq + 1; s <= this.lastSeq; s++) {
      const d = this.bySeq.get(s);
      if (d) keys.add(keyOf(d.docKey, d.passageKey));
    }
    return { keys, seq: this.lastSeq };
  }

  /** How many decisions the history holds (undos included). */
  size(): number {
    this.sync();
    return this.count;
  }

  /** Every passage (by key) that has decisions. */
  keys(): string[] {
    this.sync();
    return [...this.state.keys()];
  }

  get latestSeq(): number {
    return this.lastSeq;
  }

  private inForce(key: string): Decision[] {
    const st = this.state.get(key);
    return st ? st.decisions.filter((d) => !st.undone.has(d.seq)) : [];
  }

  /** Each reviewer's decision in force on the passage (adjudications apart), in order of decision. */
  reviews(docKey: string, passageKey: string): Decision[] {
    this.sync();
    return this.reviewsOf(keyOf(docKey, passageKey));
  }

  private reviewsOf(key: string): Decision[] {
    const latest = new Map<string, Decision>();
    for (const d of this.inForce(key)) if (!d.final) latest.set(d.reviewer, d);
    return [...latest.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The adjudication in force on the passage, if any. */
  adjudication(docKey: string, passageKey: string): Decision | undefined {
    this.sync();
    return this.inForce(keyOf(docKey, passageKey)).filter((d) => d.final).at(-1);
  }

  /** Whether the passage (by its key) has an adjudication in force. */
  isAdjudicated(key: string): boolean {
    this.sync();
    return this.inForce(key).some((d) => d.final);
  }

  private effectiveOf(key: string): Decision | undefined {
    const live = this.inForce(key);
    return live.filter((d) => d.final).at(-1) ?? live.at(-1);
  }

  get(seq: number): Decision | undefined {
    this.sync();
    return this.bySeq.get(seq);
  }

  history(docKey?: string, passageKey?: string): Decision[] {
    this.sync();
    const all = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return docKey === undefined ? all : all.filter((d) => d.docKey === docKey && d.passageKey === passageKey);
  }

  /** Every decision of a bulk action (undos included). */
  batch(id: string): Decision[] {
    return this.history().filter((d) => d.batch === id);
  }

  /** The decision in force for each passage: an adjudication, else the latest decision not undone. */
  effective(): Map<string, Decision> {
    this.sync();
    const out = new Map<string, Decision>();
    for (const key of [...this.state.keys()].sort()) {
      const d = this.effectiveOf(key);
      if (d) out.set(key, d);
    }
    return out;
  }

  /** For each passage, every reviewer's decision in force (for agreement figures). */
  allReviews(): Map<string, Decision[]> {
    this.sync();
    const out = new Map<string, Decision[]>();
    for (const key of [...this.state.keys()].sort()) {
      const r = this.reviewsOf(key);
      if (r.length) out.set(key, r);
    }
    return out;
  }

  current(docKey: string, passageKey: string): Decision | undefined {
    this.sync();
    return this.effectiveOf(keyOf(docKey, passageKey));
  }

  /**
   * Changes whenever a decision is added, and differs between two stores: part of the
   * outputs' fingerprint. The count and the newest sequence number alone were the same
   * for two stores of one decision each; the store's file and its newest decision tell
   * them apart.
   */
  version(): string {
    this.sync();
    const newest = this.bySeq.get(this.lastSeq);
    return `${this.count}:${this.lastSeq}:${shortHash(`${resolve(this.file)}\u0000${newest ? JSON.stringify(newest) : ''}`, 16)}`;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Whether the review store at `file` is sound, checked read-only (the file is
 * never written by the check): SQLite's `PRAGMA quick_check` over every page.
 * Returns undefined when it is sound (or does not exist yet), otherwise what is
 * wrong, in a line.
 */
export function checkReviewStore(file: string): string | undefined {
  if (file === ':memory:' || !existsSync(file)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new (sqlite())(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    const result = rows.map((r) => r.quick_check).join('\n');
    if (result === 'ok') return undefined;
    const lines = result.split('\n').filter((l) => l && !l.startsWith('***'));
    return `${lines.length} problem${lines.length === 1 ? '' : 's'} found by SQLite's integrity check, the first: ${lines[0] ?? result}`;
  } catch (err) {
    return (err as Error).message;
  } finally {
    db?.close();
  }
}

/** What to tell the user about a damaged store: it is kept as it is; how to save what can be saved. */
export function damagedStoreHint(file: string): string {
  return `accords leaves ${file} untouched. Keep a copy, then recover what is readable with the sqlite3 program (apt-get install sqlite3): \`sqlite3 ${file} .recover | sqlite3 recovered.sqlite\`, and use it with --db recovered.sqlite (or set review.db), or restore a backup`;
}
