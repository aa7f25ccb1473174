// @ts-check
/**
 * The matrix, the strength score and the study's measures, computed from the
 * commitments of a dataset under a filter (domain, dates, partnership group,
 * reviewed only).
 *
 * This file is plain JavaScript with no imports on purpose: the pipeline runs
 * it to write matrix.md/csv/json and the analysis tables, and the static report
 * inlines the very same source so that its filters recompute exactly the same
 * figures in the browser. One implementation, two places; a test checks they
 * agree.
 *
 * Everything here is deterministic: no clock, no locale, no hash order. Ties
 * are broken by explicit keys.
 */

/**
 * @typedef {{ id: string, name: string, parties: string[], kind: string|null, parent: string|null, launched: string|null, docs: number[] }} DPartnership
 * @typedef {{ id: string, code: string|null, codes: Record<string, string>, title: string, date: string|null, url: string|null, page: string }} DDoc
 *   A statement: its primary citation code and its code in each partnership it belongs to.
 * @typedef {{ d: number, i: number, s: number, e: number, g: string, c: string[], l: boolean, sub: string[], dom: string[], r: boolean, ru: string[], why: string, h: string[], t: number }} DOcc
 *   One statement's instance of a commitment: document index, passage index, offsets into the
 *   document's canonical text, grade, concreteness signals, list mention, subcategories, domains,
 *   reviewed, rule ids, grade reason, heading path, text index.
 * @typedef {{ p: number, o: string, k: string, occ: DOcc[] }} DCommitment
 *   A distinct commitment: one normalised sentence, for one partnership and one objective,
 *   with every statement that carries it.
 * @typedef {{ domain: string|null, from: string|null, until: string|null, group: string, reviewedOnly: boolean }} Filter
 * @typedef {{ objectives: string[], objectiveLabels: Record<string,string>, grades: string[], signals: string[], subcategories: Record<string,string[]>, domains: string[], domainLabels: Record<string,string>, partnerships: DPartnership[], docs: DDoc[], commitments: DCommitment[], texts: string[], scope: Filter }} Dataset
 * @typedef {{ c: DCommitment, best: DOcc, occs: DOcc[], points: number }} Selected
 * @typedef {{ grade: string|null, commitments: number, concrete: number, listOnly: boolean, strength: number, reviewed: boolean, sources: number }} Cell
 * @typedef {{ id: string, name: string, documents: number, commitments: number, cells: Record<string, Cell> }} Row
 */

/**
 * The element at an index that the caller knows exists (noUncheckedIndexedAccess).
 * @template T @param {readonly T[]} a @param {number} i @returns {T}
 */
function at(a, i) {
  return /** @type {T} */ (a[i]);
}

/**
 * The value under a key that the caller knows exists.
 * @template T @param {Record<string, T>} r @param {string} k @returns {T}
 */
function get(r, k) {
  return /** @type {T} */ (r[k]);
}

/**
 * Append to the list under a key.
 * @template K, V @param {Map<K, V[]>} m @param {K} k @param {V} v
 */
function push(m, k, v) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * Points of one commitment: how far the governments went, plus how concrete
 * they were. Grade: explore 1, intend 2, commit 3, underway 4, completed 5;
 * plus 1 for each concreteness signal (actor, timeframe, money, mechanism,
 * deliverable); halved when the passage only names the area in a list. So a
 * bare list mention of a promise scores 1.5 and a completed deliverable with a
 * named agency, a date and an amount scores 8.
 */
export const GRADE_POINTS = { explore: 1, intend: 2, commit: 3, underway: 4, completed: 5 };

/** @param {{ g: string, c: string[], l: boolean }} o */
export function pointsOf(o) {
  const base = (/** @type {Record<string, number>} */ (GRADE_POINTS))[o.g] ?? 0;
  return (base + o.c.length) * (o.l ? 0.5 : 1);
}

/**
 * The strength score of a cell: its commitments' points, strongest first, the
 * first counted in full, the second half, the third a third, and so on
 * (p1 + p2/2 + p3/3 + ...). The best evidence decides most of the score; more
 * evidence adds to it with diminishing weight, so a partnership with one
 * completed, concrete deliverable outranks one with three bare list mentions,
 * and two hundred repetitive sentences do not outrank twenty concrete ones
 * by ten to one. 0 means no commitment.
 * @param {number[]} points sorted strongest first
 */
export function strengthOf(points) {
  let s = 0;
  for (let i = 0; i < points.length; i++) s += at(points, i) / (i + 1);
  return Math.round(s * 10) / 10;
}

/** Heat bands of the strength score, for the heatmap and its legend (upper bounds). */
export const BANDS = [0, 4, 8, 12, 18, 26, Infinity];

/** @param {number} strength */
export function bandOf(strength) {
  if (strength <= 0) return 0;
  for (let b = 1; b < BANDS.length; b++) if (strength <= at(BANDS, b)) return b;
  return BANDS.length - 1;
}

/** @param {Dataset} data @param {string} g */
function gradeRank(data, g) {
  return data.grades.indexOf(g);
}

/**
 * Does a partnership belong to the group chosen in the filter? Groups: "" all,
 * "party:XX" every partnership XX takes part in, "size:2" bilateral, "size:3"
 * trilateral, "size:4+" larger groups, "level:top" partnerships without a
 * parent, "level:sub" dialogues and initiatives under a broader partnership.
 * @param {DPartnership} p @param {string} group
 */
export function inGroup(p, group) {
  if (!group) return true;
  const [k, v] = group.split(':');
  const n = p.parties.length;
  if (k === 'party') return p.parties.includes(v ?? '');
  if (k === 'size') return v === '2' ? n === 2 : v === '3' ? n === 3 : n >= 4 || n === 1;
  if (k === 'level') return v === 'sub' ? !!p.parent : !p.parent;
  return true;
}

/** @param {DDoc} doc @param {Filter} f */
export function docInDates(doc, f) {
  if (f.from && (!doc.date || doc.date < f.from)) return false;
  if (f.until && (!doc.date || doc.date > f.until)) return false;
  return true;
}

/** @param {Dataset} data @param {Filter} f @param {DOcc} o */
function occInScope(data, f, o) {
  if (!docInDates(at(data.docs, o.d), f)) return false;
  if (f.domain && !o.dom.includes(f.domain)) return false;
  if (f.reviewedOnly && !o.r) return false;
  return true;
}

/**
 * Order of evidence: most points first; then the stronger grade, a passage
 * that says how over a list mention, and finally statement order (date, then
 * passage), so the "strongest evidence" of a cell is always the same one.
 * @param {Dataset} data @param {DOcc} a @param {DOcc} b
 */
export function compareOcc(data, a, b) {
  return compareRanked(data, a, pointsOf(a), b, pointsOf(b));
}

/**
 * compareOcc of two instances whose points are known.
 * @param {Dataset} data @param {DOcc} a @param {number} pa @param {DOcc} b @param {number} pb
 */
function compareRanked(data, a, pa, b, pb) {
  return pb - pa || gradeRank(data, b.g) - gradeRank(data, a.g) || Number(a.l) - Number(b.l) || a.d - b.d || a.i - b.i;
}

/**
 * The commitments in scope, each with its best statement instance in scope.
 * @param {Dataset} data @param {Filter} f
 * @returns {Selected[]}
 */
export function select(data, f) {
  /** @type {Selected[]} */
  const out = [];
  for (const c of data.commitments) {
    if (!inGroup(at(data.partnerships, c.p), f.group)) continue;
    const occs = c.occ.filter((o) => occInScope(data, f, o));
    if (!occs.length) continue;
    occs.sort((a, b) => compareOcc(data, a, b));
    out.push({ c, best: at(occs, 0), occs, points: pointsOf(at(occs, 0)) });
  }
  return out;
}

/**
 * What was worked out for the last filter asked of each dataset: a run, the report's
 * views and its partnership pages ask for the same selection several times, and the
 * report's page asks again for each cell opened. A dataset is not changed once made,
 * and nothing here changes what it returns.
 * @type {WeakMap<Dataset, { key: string, sel?: Selected[], cells?: Map<number, Record<string, Selected[]>>, matrix?: { rows: Row[] }, analysis?: ReturnType<typeof analysisFor> }>}
 */
const worked = new WeakMap();

/** @param {Dataset} data @param {Filter} f */
function workedFor(data, f) {
  const key = JSON.stringify([f.domain, f.from, f.until, f.group, f.reviewedOnly]);
  let w = worked.get(data);
  if (!w || w.key !== key) worked.set(data, (w = { key }));
  return w;
}

/**
 * select(data, f), worked out once per dataset and filter.
 * @param {Dataset} data @param {Filter} f
 * @returns {Selected[]}
 */
export function selected(data, f) {
  const w = workedFor(data, f);
  return (w.sel ??= select(data, f));
}

/**
 * byCell(data, select(data, f)), worked out once per dataset and filter.
 * @param {Dataset} data @param {Filter} f
 * @returns {Map<number, Record<string, Selected[]>>}
 */
export function cellsOf(data, f) {
  const w = workedFor(data, f);
  return (w.cells ??= byCell(data, selected(data, f)));
}

/**
 * compareOcc of the commitments' best instances (whose points each carries), then their keys.
 * @param {Dataset} data @param {Selected} a @param {Selected} b
 */
export function compareSelected(data, a, b) {
  return compareRanked(data, a.best, a.points, b.best, b.points) || (a.c.k < b.c.k ? -1 : a.c.k > b.c.k ? 1 : 0);
}

/**
 * Lists of byCell, sorted by compareSelected already: cellOf need not sort them again
 * (a stable sort of a sorted list leaves it as it is).
 * @type {WeakSet<Selected[]>}
 */
const sortedLists = new WeakSet();

/**
 * One cell of the matrix from its commitments.
 * @param {Dataset} data @param {Selected[]} list
 * @returns {Cell}
 */
export function cellOf(data, list) {
  // A list of byCell is asked for by the matrix and by its partnership's profile: its cell is worked out once.
  if (!sortedLists.has(list)) return cellFor(data, [...list].sort((a, b) => compareSelected(data, a, b)));
  let cell = cellsMade.get(list);
  // Frozen: the matrix and the profiles hold the same cell.
  if (!cell) cellsMade.set(list, (cell = Object.freeze(cellFor(data, list))));
  return cell;
}

/**
 * The cells made from byCell's lists (each list is of one dataset).
 * @type {WeakMap<Selected[], Cell>}
 */
const cellsMade = new WeakMap();

/**
 * The cell of commitments sorted by compareSelected.
 * @param {Dataset} data @param {Selected[]} sorted
 * @returns {Cell}
 */
function cellFor(data, sorted) {
  let grade = null;
  for (const s of sorted) if (grade === null || gradeRank(data, s.best.g) > gradeRank(data, grade)) grade = s.best.g;
  const docs = new Set();
  for (const s of sorted) for (const o of s.occs) docs.add(o.d);
  return {
    grade,
    commitments: sorted.length,
    concrete: sorted.filter((s) => s.best.c.length > 0).length,
    listOnly: sorted.length > 0 && sorted.every((s) => s.best.l),
    strength: strengthOf(sorted.map((s) => s.points)),
    // Reviewed only when the evidence that leads the cell was reviewed.
    reviewed: sorted.length > 0 && at(sorted, 0).best.r,
    sources: docs.size,
  };
}

/**
 * Selected commitments by partnership index and objective.
 * @param {Dataset} data @param {Selected[]} sel
 * @returns {Map<number, Record<string, Selected[]>>}
 */
export function byCell(data, sel) {
  /** @type {Map<number, Record<string, Selected[]>>} */
  const m = new Map();
  for (const s of sel) {
    let row = m.get(s.c.p);
    if (!row) {
      row = Object.fromEntries(data.objectives.map((o) => [o, /** @type {Selected[]} */ ([])]));
      m.set(s.c.p, row);
    }
    get(row, s.c.o).push(s);
  }
  // Frozen once sorted: cellOf takes them as they are.
  for (const row of m.values()) {
    for (const o of data.objectives) {
      const list = get(row, o).sort((a, b) => compareSelected(data, a, b));
      Object.freeze(list);
      sortedLists.add(list);
    }
  }
  return m;
}

/**
 * The partnerships shown: those in the group with a statement of their own in
 * the date range, or with evidence in scope. Ordered by id.
 * @param {Dataset} data @param {Filter} f @param {Map<number, Record<string, Selected[]>>} cells
 * @returns {number[]}
 */
export function rowsShown(data, f, cells) {
  const out = [];
  for (let p = 0; p < data.partnerships.length; p++) {
    const P = at(data.partnerships, p);
    if (!inGroup(P, f.group)) continue;
    const own = P.docs.filter((d) => docInDates(at(data.docs, d), f)).length;
    if (own || cells.has(p)) out.push(p);
  }
  return out.sort((a, b) => (at(data.partnerships, a).id < at(data.partnerships, b).id ? -1 : 1));
}

/**
 * The partnership x objective matrix.
 * @param {Dataset} data @param {Filter} f
 * @returns {{ rows: Row[] }}
 */
export function matrixOf(data, f) {
  const w = workedFor(data, f);
  return (w.matrix ??= matrixFor(data, f));
}

/** @param {Dataset} data @param {Filter} f @returns {{ rows: Row[] }} */
function matrixFor(data, f) {
  const cells = cellsOf(data, f);
  const rows = rowsShown(data, f, cells).map((p) => {
    const P = at(data.partnerships, p);
    const byObj = cells.get(p);
    const keys = new Set();
    if (byObj) for (const o of data.objectives) for (const s of get(byObj, o)) keys.add(s.c.k);
    return {
      id: P.id,
      name: P.name,
      documents: P.docs.filter((d) => docInDates(at(data.docs, d), f)).length,
      commitments: keys.size,
      cells: Object.fromEntries(data.objectives.map((o) => [o, cellOf(data, byObj ? get(byObj, o) : [])])),
    };
  });
  return { rows };
}

/**
 * The study's questions, answered for the partnerships in scope.
 * - breadth: how many objectives and subcategories each partnership addresses;
 * - concreteness: the share of its distinct commitments carrying each signal, and its grades;
 * - similarity: cosine similarity of partnerships' subcategory profiles (shared priorities);
 * - countries: one country's priorities with its different partners;
 * - overTime: which objectives each meeting's statements addressed, per partnership;
 * - gaps: objectives and subcategories few partnerships address.
 * @param {Dataset} data @param {Filter} f
 */
export function analysisOf(data, f) {
  const w = workedFor(data, f);
  return (w.analysis ??= analysisFor(data, f));
}

/** @param {Dataset} data @param {Filter} f */
function analysisFor(data, f) {
  const cells = cellsOf(data, f);
  const rows = rowsShown(data, f, cells);
  const allSubs = data.objectives.flatMap((o) => get(data.subcategories, o).map((s) => `${o}/${s}`));
  // "objective/subcategory", made once per pair rather than for every commitment.
  /** @type {Map<string, Map<string, string>>} */
  const subKeys = new Map();
  /** @param {string} o @param {string} sub */
  const subKey = (o, sub) => {
    let m = subKeys.get(o);
    if (!m) subKeys.set(o, (m = new Map()));
    let k = m.get(sub);
    if (k === undefined) m.set(sub, (k = `${o}/${sub}`));
    return k;
  };

  const breadth = rows.map((p) => {
    const byObj = cells.get(p);
    const subs = new Set();
    const keys = new Set();
    const listOnlyKeys = new Set();
    const objectives = [];
    for (const o of data.objectives) {
      const list = byObj ? get(byObj, o) : [];
      if (list.length) objectives.push(o);
      for (const s of list) {
        keys.add(s.c.k);
        if (s.best.l) listOnlyKeys.add(s.c.k);
        for (const sub of s.best.sub) subs.add(subKey(o, sub));
      }
    }
    for (const o of data.objectives) for (const s of byObj ? get(byObj, o) : []) if (!s.best.l) listOnlyKeys.delete(s.c.k);
    return {
      id: at(data.partnerships, p).id,
      objectives: objectives.length,
      objectiveIds: objectives,
      subcategories: subs.size,
      subcategoryIds: [...subs].sort((a, b) => allSubs.indexOf(a) - allSubs.indexOf(b)),
      commitments: keys.size,
      listOnly: listOnlyKeys.size,
    };
  });

  const concreteness = rows.map((p) => {
    const byObj = cells.get(p);
    /** @type {Map<string, { signals: Set<string>, grade: string }>} */
    const sentences = new Map();
    const grades = Object.fromEntries(data.grades.map((g) => [g, 0]));
    for (const o of data.objectives) {
      for (const s of byObj ? get(byObj, o) : []) {
        grades[s.best.g] = (grades[s.best.g] ?? 0) + 1;
        const prev = sentences.get(s.c.k);
        if (!prev) {
          sentences.set(s.c.k, { signals: new Set(s.best.c), grade: s.best.g });
          continue;
        }
        for (const sig of s.best.c) prev.signals.add(sig);
        if (gradeRank(data, prev.grade) <= gradeRank(data, s.best.g)) prev.grade = s.best.g;
      }
    }
    const n = sentences.size;
    const share = (/** @type {(x: { signals: Set<string> }) => boolean} */ test) => (n ? Math.round((1000 * [...sentences.values()].filter(test).length) / n) / 10 : 0);
    return {
      id: at(data.partnerships, p).id,
      commitments: n,
      signals: Object.fromEntries(data.signals.map((sig) => [sig, share((x) => x.signals.has(sig))])),
      any: share((x) => x.signals.size > 0),
      grades,
    };
  });

  // Subcategory profiles: distinct commitments per objective/subcategory ("other" when none was named).
  const vectors = rows.map((p) => {
    /** @type {Record<string, number>} */
    const v = {};
    const byObj = cells.get(p);
    for (const o of data.objectives) {
      for (const s of byObj ? get(byObj, o) : []) {
        const subs = s.best.sub.length ? s.best.sub : ['other'];
        for (const sub of subs) {
          const k = subKey(o, sub);
          v[k] = (v[k] ?? 0) + 1;
        }
      }
    }
    return v;
  });
  /** @param {Record<string, number>} a @param {Record<string, number>} b */
  const cosine = (a, b) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (const [k, x] of Object.entries(a)) {
      na += x * x;
      dot += x * (b[k] ?? 0);
    }
    for (const y of Object.values(b)) nb += y * y;
    return na && nb ? Math.round((100 * dot) / Math.sqrt(na * nb)) / 100 : 0;
  };
  const ids = rows.map((p) => at(data.partnerships, p).id);
  const similarity = { ids, values: vectors.map((a) => vectors.map((b) => cosine(a, b))) };
  const shared = allSubs
    .map((sub) => ({ subcategory: sub, partnerships: ids.filter((_, i) => (at(vectors, i)[sub] ?? 0) > 0) }))
    .filter((x) => x.partnerships.length > 0)
    .sort((a, b) => b.partnerships.length - a.partnerships.length || allSubs.indexOf(a.subcategory) - allSubs.indexOf(b.subcategory));

  // One country's priorities with each of its partners: the share of the partnership's commitments per objective.
  /** @type {Map<string, number[]>} */
  const parties = new Map();
  for (const p of rows) for (const party of at(data.partnerships, p).parties) push(parties, party, p);
  const countries = [...parties.entries()]
    .filter(([, ps]) => ps.length >= 2)
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .map(([party, ps]) => ({
      party,
      partnerships: ps.map((/** @type {number} */ p) => {
        const byObj = cells.get(p);
        const total = data.objectives.reduce((n, o) => n + (byObj ? get(byObj, o).length : 0), 0);
        return {
          id: at(data.partnerships, p).id,
          commitments: total,
          shares: Object.fromEntries(data.objectives.map((o) => [o, total && byObj ? Math.round((1000 * get(byObj, o).length) / total) / 10 : 0])),
        };
      }),
    }));

  // Change over time: statements of the same date are one meeting.
  const overTime = rows.map((p) => {
    /** @type {Map<string, { date: string, docs: Set<number>, counts: Record<string, Set<string>> }>} */
    const meetings = new Map();
    const P = at(data.partnerships, p);
    for (const d of P.docs) {
      const doc = at(data.docs, d);
      if (!doc.date || !docInDates(doc, f)) continue;
      if (!meetings.has(doc.date)) meetings.set(doc.date, { date: doc.date, docs: new Set(), counts: Object.fromEntries(data.objectives.map((o) => [o, new Set()])) });
      meetings.get(doc.date)?.docs.add(d);
    }
    const byObj = cells.get(p);
    for (const o of data.objectives) {
      for (const s of byObj ? get(byObj, o) : []) {
        for (const occ of s.occs) {
          const date = at(data.docs, occ.d).date;
          if (!date) continue;
          if (!meetings.has(date)) meetings.set(date, { date, docs: new Set(), counts: Object.fromEntries(data.objectives.map((x) => [x, new Set()])) });
          const m = meetings.get(date);
          if (!m) continue;
          m.docs.add(occ.d);
          get(m.counts, o).add(s.c.k);
        }
      }
    }
    return {
      id: P.id,
      meetings: [...meetings.values()]
        .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
        .map((m) => ({ date: m.date, docs: [...m.docs].sort((a, b) => a - b), counts: Object.fromEntries(data.objectives.map((o) => [o, get(m.counts, o).size])) })),
    };
  });

  const gaps = {
    objectives: data.objectives
      .map((o) => {
        const addressing = rows.filter((p) => (cells.get(p)?.[o]?.length ?? 0) > 0);
        // Substantive: at least one commitment that is not a list mention and is at least a firm promise.
        const substantive = addressing.filter((p) => (cells.get(p)?.[o] ?? []).some((s) => !s.best.l && gradeRank(data, s.best.g) >= gradeRank(data, 'commit')));
        return { objective: o, addressing: addressing.length, substantive: substantive.length, missing: rows.filter((p) => !addressing.includes(p)).map((p) => at(data.partnerships, p).id) };
      })
      .sort((a, b) => a.addressing - b.addressing || a.substantive - b.substantive || data.objectives.indexOf(a.objective) - data.objectives.indexOf(b.objective)),
    subcategories: allSubs
      .map((sub) => ({ subcategory: sub, partnerships: ids.filter((_, i) => (at(vectors, i)[sub] ?? 0) > 0).length }))
      .sort((a, b) => a.partnerships - b.partnerships || allSubs.indexOf(a.subcategory) - allSubs.indexOf(b.subcategory)),
    partnerships: rows.length,
  };

  return { breadth, concreteness, similarity, shared, countries, overTime, gaps };
}

/**
 * How many cells share the most common value, among non-empty and all cells:
 * the figure behind "does the matrix tell partnerships apart".
 * @param {{ rows: Row[] }} matrix @param {(c: Cell) => string} valueOf
 */
export function modeShare(matrix, valueOf) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  let n = 0;
  for (const r of matrix.rows) {
    for (const k of Object.keys(r.cells).sort()) {
      const v = valueOf(get(r.cells, k));
      counts.set(v, (counts.get(v) ?? 0) + 1);
      n++;
    }
  }
  let best = '';
  let top = 0;
  for (const [v, c] of [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (c > top) {
      best = v;
      top = c;
    }
  }
  return { value: best, count: top, cells: n, share: n ? top / n : 0 };
}
