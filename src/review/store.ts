import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Grade, Objective, Domain } from '../core/taxonomy.js';

/** The labels an analyst can set on a passage. */
export interface Labels {
  objectives: Array<{ objective: Objective; grade: Grade; subcategories?: string[] }>;
  domains: Domain[];
  governance: boolean;
}

export type Action = 'accept' | 'correct' | 'reject' | 'undo';

export interface Decision {
  seq: number;
  docKey: string;
  docHash: string;
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
}

export interface NewDecision {
  docKey: string;
  docHash: string;
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

interface Row {
  seq: number;
  doc_key: string;
  doc_hash: string;
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
}

function toDecision(r: Row): Decision {
  return {
    seq: r.seq,
    docKey: r.doc_key,
    docHash: r.doc_hash,
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
  };
}

/**
 * Review decisions in SQLite, append-only: a decision is never updated or
 * deleted; undo is a decision of its own that names the one it undoes. Every
 * write is a committed transaction with synchronous=FULL in WAL mode, so an
 * acknowledged decision survives the process being killed.
 */
export class ReviewStore {
  readonly db: Database.Database;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  add(d: NewDecision): Decision {
    const info = this.db
      .prepare(
        `INSERT INTO decisions (doc_key, doc_hash, passage_key, passage_id, text, heading, reviewer, at, action, before_json, after_json, note, rules_json)
         VALUES (@docKey, @docHash, @passageKey, @passageId, @text, @heading, @reviewer, @at, @action, @before, @after, @note, @rules)`,
      )
      .run({
        ...d,
        heading: d.heading ?? '',
        at: d.at ?? new Date().toISOString(),
        before: JSON.stringify(d.before),
        after: d.action === 'reject' ? JSON.stringify({ objectives: [], domains: d.before.domains, governance: false }) : JSON.stringify(d.after ?? d.before),
        note: d.note ?? null,
        rules: JSON.stringify(d.rules ?? []),
      });
    return this.get(Number(info.lastInsertRowid))!;
  }

  /** Undo the passage's current decision (the latest one not already undone). */
  undo(docKey: string, passageKey: string, reviewer: string): Decision | undefined {
    return this.db.transaction(() => {
      const current = this.current(docKey, passageKey);
      if (!current) return undefined;
      const info = this.db
        .prepare(
          `INSERT INTO decisions (doc_key, doc_hash, passage_key, passage_id, text, heading, reviewer, at, action, before_json, after_json, note, undoes, rules_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'undo', ?, NULL, NULL, ?, '[]')`,
        )
        .run(current.docKey, current.docHash, current.passageKey, current.passageId, current.text, current.heading, reviewer, new Date().toISOString(), JSON.stringify(current.after ?? current.before), current.seq);
      return this.get(Number(info.lastInsertRowid));
    })();
  }

  get(seq: number): Decision | undefined {
    const r = this.db.prepare('SELECT * FROM decisions WHERE seq = ?').get(seq) as Row | undefined;
    return r ? toDecision(r) : undefined;
  }

  history(docKey?: string, passageKey?: string): Decision[] {
    const rows = (docKey
      ? this.db.prepare('SELECT * FROM decisions WHERE doc_key = ? AND passage_key = ? ORDER BY seq').all(docKey, passageKey)
      : this.db.prepare('SELECT * FROM decisions ORDER BY seq').all()) as Row[];
    return rows.map(toDecision);
  }

  /** The decision in force for each passage: the latest one that is not an undo and was not undone. */
  effective(): Map<string, Decision> {
    const all = this.history();
    const undone = new Set(all.filter((d) => d.action === 'undo' && d.undoes !== null).map((d) => d.undoes!));
    const out = new Map<string, Decision>();
    for (const d of all) {
      const key = `${d.docKey}\u0000${d.passageKey}`;
      if (d.action === 'undo' || undone.has(d.seq)) continue;
      out.set(key, d);
    }
    // A passage whose latest decision was undone falls back to the one before it.
    return out;
  }

  current(docKey: string, passageKey: string): Decision | undefined {
    return this.effective().get(`${docKey}\u0000${passageKey}`);
  }

  /** Changes whenever a decision is added: part of the outputs' fingerprint. */
  version(): string {
    const r = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS m FROM decisions').get() as { n: number; m: number };
    return `${r.n}:${r.m}`;
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
    db = new Database(file, { readonly: true, fileMustExist: true });
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
