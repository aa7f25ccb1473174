import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ReviewStore, agreement, krippendorffNominal, learn, proposeException, type Labels, type NewDecision, type Hit, type EvidenceRef } from '../src/review/index.js';
import { krippendorffOrdinal } from '../src/eval/alpha.js';
import { tmp } from './helpers.js';

// Invented passages: none of these sentences comes from a real statement.
const none: Labels = { objectives: [], domains: [], governance: false, governanceGrade: null };
const research = (grade: Labels['objectives'][number]['grade'] = 'commit', subcategories: Labels['objectives'][number]['subcategories'] = ['funding']): Labels => ({
  objectives: [{ objective: 'research', grade, subcategories }],
  domains: ['quantum'],
  governance: false,
  governanceGrade: null,
});

let n = 0;
function decision(over: Partial<NewDecision> & Pick<NewDecision, 'reviewer' | 'action'>): NewDecision {
  return { docKey: 'doc-a.md', docHash: 'h', passageKey: 'p1', passageId: 'id1', text: 'The partners will fund joint quantum research.', before: research(), ...over, at: over.at ?? `2026-01-01T00:00:${String(n++ % 60).padStart(2, '0')}.000Z` };
}

describe('the review store', () => {
  it('opens a database written before evidence, batches and adjudication existed, and keeps its decisions', () => {
    const file = join(tmp('db'), 'old.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc_key TEXT NOT NULL, doc_hash TEXT NOT NULL, passage_key TEXT NOT NULL, passage_id TEXT NOT NULL, text TEXT NOT NULL, heading TEXT NOT NULL DEFAULT '', reviewer TEXT NOT NULL, at TEXT NOT NULL, action TEXT NOT NULL CHECK (action IN ('accept', 'correct', 'reject', 'undo')), before_json TEXT NOT NULL, after_json TEXT, note TEXT, undoes INTEGER REFERENCES decisions(seq), rules_json TEXT NOT NULL DEFAULT '[]');`);
    old.prepare(`INSERT INTO decisions (doc_key, doc_hash, passage_key, passage_id, text, reviewer, at, action, before_json, after_json, rules_json) VALUES ('d', 'h', 'p', 'i', 'Some words.', 'ana', '2025-01-01T00:00:00Z', 'correct', ?, ?, '["research.funding"]')`).run(
      JSON.stringify({ objectives: [{ objective: 'research', grade: 'commit' }], domains: [], governance: false }),
      JSON.stringify({ objectives: [{ objective: 'workforce', grade: 'explore' }], domains: [], governance: false }),
    );
    old.close();
    const store = new ReviewStore(file);
    const [d] = store.history();
    expect(d).toMatchObject({ reviewer: 'ana', action: 'correct', evidence: [], batch: null, final: false, docFile: '', rules: ['research.funding'] });
    expect(d!.after!.objectives[0]).toEqual({ objective: 'workforce', grade: 'explore' });
    store.add(decision({ reviewer: 'ben', action: 'accept', batch: 'b1', evidence: [{ rule: 'research.funding', label: 'research/funding', match: 'fund', start: 17, end: 21, scope: 'text' }] }));
    expect(store.history()[1]).toMatchObject({ batch: 'b1', evidence: [{ rule: 'research.funding' }] });
    store.close();
  });

  it('keeps each reviewer apart: undo takes back only your own decision', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const a = store.add(decision({ reviewer: 'ana', action: 'accept' }));
    const b = store.add(decision({ reviewer: 'ben', action: 'reject' }));
    expect(store.current('doc-a.md', 'p1')?.seq).toBe(b.seq);
    expect(store.reviews('doc-a.md', 'p1').map((d) => d.reviewer)).toEqual(['ana', 'ben']);
    expect(store.undo('doc-a.md', 'p1', 'cleo')).toBeUndefined();
    store.undo('doc-a.md', 'p1', 'ana');
    expect(store.reviews('doc-a.md', 'p1').map((d) => d.reviewer)).toEqual(['ben']);
    expect(store.current('doc-a.md', 'p1')?.seq).toBe(b.seq);
    store.undo('doc-a.md', 'p1', 'ben');
    expect(store.current('doc-a.md', 'p1')).toBeUndefined();
    expect(store.history().map((d) => d.action)).toEqual(['accept', 'reject', 'undo', 'undo']);
    expect(store.history()[2]!.undoes).toBe(a.seq);
    store.close();
  });

  it('an adjudication settles a passage whatever is decided after it, until it is undone', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    store.add(decision({ reviewer: 'ana', action: 'accept' }));
    store.add(decision({ reviewer: 'ben', action: 'reject' }));
    const fin = store.add(decision({ reviewer: 'cleo', action: 'correct', after: research('intend'), final: true }));
    store.add(decision({ reviewer: 'ben', action: 'reject' }));
    expect(store.current('doc-a.md', 'p1')?.seq).toBe(fin.seq);
    expect(store.isAdjudicated('doc-a.md\u0000p1')).toBe(true);
    expect(store.reviews('doc-a.md', 'p1').map((d) => d.reviewer)).toEqual(['ana', 'ben']);
    store.undo('doc-a.md', 'p1', 'cleo');
    expect(store.current('doc-a.md', 'p1')?.reviewer).toBe('ben');
    store.close();
  });

  it('a bulk action is saved whole and undone whole, and the undo is recorded', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const made = store.addMany([1, 2, 3].map((i) => decision({ reviewer: 'ana', action: 'reject', passageKey: `p${i}`, batch: 'bulk-1' })));
    expect(made.map((d) => d.batch)).toEqual(['bulk-1', 'bulk-1', 'bulk-1']);
    expect(store.effective().size).toBe(3);
    // One of them was decided again by hand afterwards: undoing the batch leaves that one.
    const own = store.add(decision({ reviewer: 'ana', action: 'accept', passageKey: 'p2' }));
    const undone = store.undoBatch('bulk-1', 'ana');
    expect(undone).toHaveLength(3);
    expect(store.effective().size).toBe(1);
    expect(store.current('doc-a.md', 'p2')?.seq).toBe(own.seq);
    expect(store.undoBatch('bulk-1', 'ana')).toHaveLength(0);
    expect(store.batch('bulk-1').filter((d) => d.action === 'undo')).toHaveLength(3);
    store.close();
  });

  it('sees decisions another process writes to the same file', () => {
    const file = join(tmp('db'), 'shared.sqlite');
    const one = new ReviewStore(file);
    const two = new ReviewStore(file);
    const seen = one.latestSeq;
    two.add(decision({ reviewer: 'ben', action: 'accept', passageKey: 'p9' }));
    const changed = one.changedSince(seen);
    expect([...changed.keys]).toEqual(['doc-a.md\u0000p9']);
    expect(one.current('doc-a.md', 'p9')?.reviewer).toBe('ben');
    one.close();
    two.close();
  });

  it('an insert that breaks a constraint leaves a bulk action out entirely', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    expect(() => store.addMany([decision({ reviewer: 'ana', action: 'accept', passageKey: 'q1' }), { ...decision({ reviewer: 'ana', action: 'accept' }), action: 'bogus' as never }])).toThrow();
    expect(store.history()).toHaveLength(0);
    store.close();
  });
});

describe("Krippendorff's alpha", () => {
  // The reliability data of Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
  // four observers, twelve units, values 1-5 (here 0-4), missing values as null.
  const units = [
    [0, 0, null, 0],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [2, 2, 2, 2],
    [1, 1, 1, 1],
    [0, 1, 2, 3],
    [3, 3, 3, 3],
    [0, 0, 1, 0],
    [1, 1, 1, 1],
    [null, 4, 4, 4],
    [null, null, 0, 0],
    [null, 2, null, null],
  ];
  it('nominal alpha is 0.743 on the published example', () => {
    expect(krippendorffNominal(units, 5)).toBeCloseTo(0.743, 3);
  });
  it('ordinal alpha (src/eval) is 0.815 on the same data', () => {
    expect(krippendorffOrdinal(units, 5)).toBeCloseTo(0.815, 3);
  });
  it('is 1 for perfect agreement and NaN when there is nothing to agree on', () => {
    expect(krippendorffNominal([[0, 0], [1, 1], [1, 1]], 2)).toBe(1);
    expect(krippendorffNominal([[1, 1], [1, 1]], 2)).toBeNaN();
    expect(krippendorffNominal([[1], [0]], 2)).toBeNaN();
  });

  it('per objective, from two reviewers decisions in force', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    const plan: Array<[string, Labels, Labels]> = [
      ['p1', research('commit'), research('commit')],
      ['p2', research('commit'), none],
      ['p3', none, none],
      ['p4', research('explore'), research('intend')],
      ['p5', none, research('commit')],
      ['p6', research('underway'), research('underway')],
    ];
    for (const [key, a, b] of plan) {
      store.add(decision({ reviewer: 'ana', action: 'correct', passageKey: key, after: a }));
      store.add(decision({ reviewer: 'ben', action: 'correct', passageKey: key, after: b }));
    }
    const ag = agreement(store.allReviews(), (k) => store.isAdjudicated(k));
    expect(ag.units).toBe(6);
    expect(ag.reviewers).toEqual(['ana', 'ben']);
    // research applies: ana 1,1,0,1,0,1 and ben 1,0,0,1,1,1 -> two disagreements in six.
    // By hand: o11 = 6, o00 = 2, o01 = o10 = 2, n1 = 8, n0 = 4; alpha = 1 - 11 * 4 / (2 * 8 * 4) = 0.3125.
    expect(ag.objectives.research.disagreements).toBe(2);
    expect(ag.objectives.research.alpha).toBeCloseTo(krippendorffNominal([[1, 1], [1, 0], [0, 0], [1, 1], [0, 1], [1, 1]], 2), 10);
    expect(ag.objectives.research.alpha).toBeCloseTo(0.3125, 10);
    expect(ag.objectives.research.gradeUnits).toBe(3);
    expect(ag.objectives.policy.alpha).toBeNaN();
    expect(ag.disputed).toBe(3);
    store.close();
  });
});

describe('learning from decisions', () => {
  const ev = (text: string, word: string, rule = 'workforce.skills-training', label = 'workforce/skills-training'): EvidenceRef[] => {
    const start = text.toLowerCase().indexOf(word);
    return [{ rule, label, match: text.slice(start, start + word.length), start, end: start + word.length, scope: 'text' }];
  };
  const workforce: Labels = { objectives: [{ objective: 'workforce', grade: 'commit', subcategories: ['skills-training'] }], domains: [], governance: false, governanceGrade: null };
  const kept = ['The ministries will expand training for chip technicians.', 'Both sides will fund training of battery engineers.', 'They will offer training to young data scientists.'];
  const rejected = ['The navies held joint military training off the coast.', 'Troops completed military training in the desert.', 'Officers attended military training at the academy.', 'Pilots began flight training near the border.'];

  it('gives per-rule precision with counts, most rejected first, and proposes the exception around rejected hits', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    kept.forEach((text, i) => store.add(decision({ reviewer: 'ana', action: 'accept', passageKey: `k${i}`, text, before: workforce, evidence: ev(text, 'training') })));
    rejected.forEach((text, i) => store.add(decision({ reviewer: 'ana', action: 'reject', passageKey: `r${i}`, text, before: workforce, evidence: ev(text, 'training'), note: 'troops, not a workforce' })));
    // A domain rule kept everywhere it fired.
    store.add(decision({ reviewer: 'ana', action: 'accept', passageKey: 'd1', text: 'The partners will build quantum computers.', before: research(), evidence: [...ev('The partners will build quantum computers.', 'quantum', 'domain.quantum', 'domain/quantum')] }));
    const learned = learn(store.effective().values());
    expect(learned.reviewed).toBe(8);
    const [top, ...rest] = learned.rules;
    expect(top).toMatchObject({ rule: 'workforce.skills-training', fired: 7, kept: 3, rejected: 4 });
    expect(top!.precision).toBeCloseTo(3 / 7, 10);
    expect(top!.rejectedHits.map((h) => h.text)).toEqual(rejected);
    expect(top!.exception).toMatchObject({ phrase: 'military training', rejected: 3, ofRejected: 4, kept: 0, ofKept: 3 });
    expect(top!.nearby[0]!.word).toBe('military');
    expect(rest.find((r) => r.rule === 'domain.quantum')).toMatchObject({ fired: 1, kept: 1, rejected: 0, precision: 1 });
    store.close();
  });

  it('proposes nothing from a single rejection, or when every candidate also surrounds kept hits', () => {
    const hit = (text: string): Hit => {
      const start = text.indexOf('training');
      return { docKey: 'd', passageKey: text, text, heading: '', reviewer: 'ana', at: '', note: null, matches: [{ match: 'training', start, end: start + 8 }] };
    };
    expect(proposeException([hit(rejected[0]!)], kept.map(hit)).exception).toBeNull();
    const r = proposeException([hit('Hospitals will fund training of nurses.'), hit('They will fund training of nurses.')], [hit('They will fund training of staff.')]);
    expect(r.exception).toMatchObject({ phrase: 'training of nurses' });
    const s = proposeException([hit('They will fund training of staff.'), hit('They will fund training of staff.')], [hit('They will fund training of staff.')]);
    expect(s.exception).toBeNull();
    expect(s.why).toMatch(/kept hits/);
  });

  it('reads decisions saved before evidence was kept by their rule ids', () => {
    const store = new ReviewStore(join(tmp('db'), 'r.sqlite'));
    store.add(decision({ reviewer: 'ana', action: 'reject', rules: ['research.funding', 'domain.quantum', 'grade.commit'] }));
    const l = learn(store.effective().values());
    expect(l.rules.map((r) => [r.rule, r.rejected, r.kept])).toEqual([
      ['research.funding', 1, 0],
      ['domain.quantum', 0, 1],
    ]);
    store.close();
  });
});
