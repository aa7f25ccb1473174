// @ts-nocheck
/**
 * HTML and SVG fragments of the report, built as strings from the dataset.
 *
 * Plain JavaScript with one import (the measures) on purpose: the report's
 * pages are written with these functions, and the index page inlines this same
 * source so that its filters redraw the matrix and the charts exactly as they
 * were written. Every piece of data goes through `esc` before it reaches
 * markup; links are written only for http(s) addresses and the report's own
 * pages.
 */
import { BANDS, analysisOf, bandOf, byCell, matrixOf, pointsOf, selected } from '../../../aggregate/measures.js';

/**
 * The text with each character `re` (a global expression of single characters)
 * finds replaced by its entry in `table`. Found with exec and joined by hand (most
 * texts need nothing and are returned as they are): `replace` with a function took
 * twice as long on a report's texts, five times on a megabyte of its data.
 */
export function replaceEach(text, re, table) {
  re.lastIndex = 0;
  let m = re.exec(text);
  if (!m) return text;
  let out = '';
  let last = 0;
  do {
    out += text.slice(last, m.index) + table[m[0]];
    last = m.index + 1;
  } while ((m = re.exec(text)));
  return out + text.slice(last);
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const ESCAPED = /[&<>"']/g;

/** Text and attribute values, escaped for HTML. */
export function esc(value) {
  return replaceEach(String(value ?? ''), ESCAPED, ESCAPES);
}

/** An http(s) address, or null: nothing else becomes a link. */
export function safeUrl(url) {
  if (typeof url !== 'string') return null;
  const u = url.trim();
  return /^https?:\/\/[^\s<>"']+$/i.test(u) ? u : null;
}

function num(x, digits = 1) {
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

const GRADE_SHORT = { explore: 'explore', intend: 'intend', commit: 'commit', underway: 'underway', completed: 'completed' };

/** The fill of a heat band (a single blue scale, readable in grey and by colour-blind readers). */
export const BAND_FILLS = ['#f3f4f6', '#e1ecf7', '#c3d9ee', '#94bfe0', '#5e9fd0', '#2f7bbf', '#0b4f91'];

function cellLabel(data, row, o, cell) {
  if (!cell.grade) return `${row.name}, ${data.objectiveLabels[o]}: no clear reference`;
  return `${row.name}, ${data.objectiveLabels[o]}: strongest grade ${cell.grade}, ${cell.commitments} distinct commitment${cell.commitments === 1 ? '' : 's'}, ${cell.concrete} concrete, strength ${cell.strength.toFixed(1)}${cell.listOnly ? ', list mentions only' : ''}${cell.reviewed ? ', strongest evidence reviewed' : ''}`;
}

/**
 * The matrix as a heatmap: one row per partnership, one cell per objective,
 * shaded by strength; each cell is a button that opens its evidence.
 */
export function matrixTable(data, matrix, prefix = '') {
  if (!matrix.rows.length) return '<p class="empty">No partnership has statements or evidence in this scope.</p>';
  const head = `<thead><tr><th scope="col">Partnership</th><th scope="col" class="num" title="statements of its own in scope">Docs</th>${data.objectives.map((o) => `<th scope="col">${esc(data.objectiveLabels[o])}</th>`).join('')}</tr></thead>`;
  const body = matrix.rows
    .map((r) => {
      const cells = data.objectives
        .map((o) => {
          const c = r.cells[o];
          const band = bandOf(c.strength);
          const inner = c.grade
            ? `<span class="g">${esc(GRADE_SHORT[c.grade] ?? c.grade)}</span><span class="n">${c.commitments}<small> · ${c.concrete} concrete</small></span><span class="s">${esc(c.strength.toFixed(1))}</span>${c.listOnly ? '<span class="flag" title="list mentions only">list</span>' : ''}${c.reviewed ? '<span class="flag ok" title="strongest evidence reviewed by an analyst">✓</span>' : ''}`
            : '<span class="none">no clear reference</span>';
          return `<td class="cell b${band}" data-o="${esc(o)}" data-n="${c.commitments}" data-strength="${esc(c.strength.toFixed(1))}" data-grade="${esc(c.grade ?? '')}"><button type="button" class="open" data-p="${esc(r.id)}" data-o="${esc(o)}" aria-label="${esc(cellLabel(data, r, o, c))}">${inner}</button></td>`;
        })
        .join('');
      return `<tr data-id="${esc(r.id)}"><th scope="row"><a href="${esc(prefix)}partnerships/${esc(r.id)}.html">${esc(r.name)}</a> <span class="pid">${esc(r.id)}</span></th><td class="num">${r.documents}</td>${cells}</tr>`;
    })
    .join('');
  return `<table class="matrix">${head}<tbody>${body}</tbody></table>`;
}

/** The legend of the heat bands. */
export function legend() {
  const parts = [];
  for (let b = 0; b < BANDS.length; b++) {
    const label = b === 0 ? 'none' : BANDS[b] === Infinity ? `over ${BANDS[b - 1]}` : b === 1 ? `up to ${BANDS[b]}` : `${BANDS[b - 1]}–${BANDS[b]}`;
    parts.push(`<span class="key"><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${BAND_FILLS[b]}" stroke="#999" stroke-width="0.5"/></svg> ${esc(label)}</span>`);
  }
  return `<div class="legend">Strength: ${parts.join(' ')}</div>`;
}

/** The code a partnership's page cites a statement by: its code in that partnership, else its primary code. */
export function codeFor(data, pid, d) {
  const doc = data.docs[d];
  return doc.codes[pid] ?? doc.code ?? doc.id;
}

/**
 * A statement's line in an evidence item's sources, in two parts around the
 * passage's number: a page lists the same statements under many commitments, and
 * their lines are made once for the partnership being shown (the last one asked
 * for, per dataset), not escaped again for every commitment.
 * @type {WeakMap<object, { pid: string, prefix: string, lines: Array<[string, string]> }>}
 */
const sourceLines = new WeakMap();

function sourceLine(data, pid, d, prefix) {
  let c = sourceLines.get(data);
  if (!c || c.pid !== pid || c.prefix !== prefix) sourceLines.set(data, (c = { pid, prefix, lines: [] }));
  let line = c.lines[d];
  if (!line) {
    const doc = data.docs[d];
    const url = safeUrl(doc.url);
    line = c.lines[d] = [
      `<li><a class="ctx" href="${esc(prefix)}${esc(doc.page)}#p`,
      `" title="${esc(doc.title)}">${esc(codeFor(data, pid, d))}</a>${doc.date ? ` <span class="date">${esc(doc.date)}</span>` : ''}${url ? ` <a class="src" href="${esc(url)}" rel="noopener noreferrer" target="_blank">source</a>` : ''}</li>`,
    ];
  }
  return line;
}

/** One commitment with its grade, concreteness, rules and every statement that carries it. */
export function evidenceItem(data, pid, s, prefix = '') {
  const b = s.best;
  let sources = '';
  for (const o of s.occs) {
    const line = sourceLine(data, pid, o.d, prefix);
    sources += line[0] + o.i + line[1];
  }
  const signals = b.c.length ? b.c.map((c) => `<span class="sig">${esc(c)}</span>`).join(' ') : '<span class="sig none">no concreteness signal</span>';
  return `<li class="ev" data-key="${esc(s.c.k)}"><blockquote>${esc(data.texts[b.t])}</blockquote><div class="meta"><span class="grade ${esc(b.g)}">${esc(b.g)}</span> <span class="pts" title="points: grade + signals, halved for a list mention">${esc(num(pointsOf(b)))} pts</span> ${signals}${b.l ? ' <span class="flag">list mention</span>' : ''}${b.r ? ' <span class="flag ok">reviewed</span>' : ''}${b.sub.length ? ` <span class="subs">${b.sub.map(esc).join(', ')}</span>` : ''}</div><div class="why">${esc(b.why)}${b.ru.length ? ` · rules: <code>${b.ru.map(esc).join('</code> <code>')}</code>` : ''}${b.h.length ? ` · under “${esc(b.h.join(' › '))}”` : ''}</div><ul class="sources">${sources}</ul></li>`;
}

/** The evidence of one cell, strongest first. */
export function cellEvidence(data, filter, pid, objective, prefix = '') {
  const p = data.partnerships.findIndex((x) => x.id === pid);
  const list = selected(data, filter).filter((s) => s.c.p === p && s.c.o === objective);
  const rows = byCell(data, list).get(p);
  const sorted = rows ? rows[objective] : [];
  const name = p >= 0 ? data.partnerships[p].name : pid;
  const head = `<h2>${esc(name)} · ${esc(data.objectiveLabels[objective] ?? objective)}</h2>`;
  if (!sorted.length) return `${head}<p class="empty">The statements in this scope seem to lack a clear reference to ${esc((data.objectiveLabels[objective] ?? objective).toLowerCase())}.</p>`;
  return `${head}<p class="count">${sorted.length} distinct commitment${sorted.length === 1 ? '' : 's'}, strongest first. Each quote links to the passage in its statement and to the statement's source.</p><ol class="evidence">${sorted.map((s) => evidenceItem(data, pid, s, prefix)).join('')}</ol>`;
}

function bar(x, y, w, h, fill, title) {
  return `<rect x="${x}" y="${y}" width="${Math.max(0, w).toFixed(1)}" height="${h}" fill="${fill}"><title>${esc(title)}</title></rect>`;
}

/** Breadth: objectives (of 5) and subcategories addressed per partnership, as bars. */
export function breadthView(data, analysis) {
  const rows = [...analysis.breadth].sort((a, b) => b.subcategories - a.subcategories || b.objectives - a.objectives || (a.id < b.id ? -1 : 1));
  if (!rows.length) return '<p class="empty">Nothing in scope.</p>';
  const totalSubs = data.objectives.reduce((n, o) => n + data.subcategories[o].length, 0);
  const W = 360;
  const lineH = 18;
  const svg = `<svg class="chart" viewBox="0 0 ${W + 190} ${rows.length * lineH + 24}" width="${W + 190}" height="${rows.length * lineH + 24}" role="img" aria-label="Subcategories addressed per partnership">${rows
    .map((r, i) => {
      const y = i * lineH + 4;
      return `<text x="0" y="${y + 12}" font-size="11">${esc(r.id)}</text>${bar(110, y, (W * r.subcategories) / totalSubs, 12, '#2f7bbf', `${r.id}: ${r.subcategories} of ${totalSubs} subcategories`)}<text x="${114 + (W * r.subcategories) / totalSubs}" y="${y + 11}" font-size="10">${r.subcategories} · ${r.objectives}/5</text>`;
    })
    .join('')}<text x="110" y="${rows.length * lineH + 18}" font-size="10" fill="#555">subcategories addressed (of ${totalSubs}) · objectives (of 5)</text></svg>`;
  const table = `<table class="data"><thead><tr><th>Partnership</th><th class="num">Objectives</th><th class="num">Subcategories</th><th class="num">Distinct commitments</th><th class="num">List mentions only</th><th>Objectives addressed</th></tr></thead><tbody>${rows
    .map((r) => `<tr><th scope="row">${esc(r.id)}</th><td class="num">${r.objectives}/5</td><td class="num">${r.subcategories}/${totalSubs}</td><td class="num">${r.commitments}</td><td class="num">${r.listOnly}</td><td>${r.objectiveIds.map((o) => esc(data.objectiveLabels[o])).join(', ')}</td></tr>`)
    .join('')}</tbody></table>`;
  return svg + table;
}

const GRADE_FILLS = { explore: '#d9e7f5', intend: '#a9cbe8', commit: '#6aa6d6', underway: '#2f7bbf', completed: '#0b4f91' };

/** Concreteness: the share of distinct commitments with each signal, and the grades, per partnership. */
export function concretenessView(data, analysis) {
  const rows = [...analysis.concreteness].filter((r) => r.commitments > 0).sort((a, b) => b.any - a.any || (a.id < b.id ? -1 : 1));
  if (!rows.length) return '<p class="empty">Nothing in scope.</p>';
  const table = `<table class="data"><thead><tr><th>Partnership</th><th class="num">Commitments</th><th class="num">Any signal</th>${data.signals.map((s) => `<th class="num">${esc(s)}</th>`).join('')}<th>Grades (explore → completed)</th></tr></thead><tbody>${rows
    .map((r) => {
      const total = data.grades.reduce((n, g) => n + r.grades[g], 0) || 1;
      let x = 0;
      const stack = data.grades
        .map((g) => {
          const w = (160 * r.grades[g]) / total;
          const out = bar(x, 0, w, 12, GRADE_FILLS[g], `${g}: ${r.grades[g]}`);
          x += w;
          return out;
        })
        .join('');
      return `<tr><th scope="row">${esc(r.id)}</th><td class="num">${r.commitments}</td><td class="num">${num(r.any)}%</td>${data.signals.map((s) => `<td class="num">${num(r.signals[s])}%</td>`).join('')}<td><svg width="160" height="12" role="img" aria-label="${esc(data.grades.map((g) => `${g} ${r.grades[g]}`).join(', '))}">${stack}</svg></td></tr>`;
    })
    .join('')}</tbody></table>`;
  const key = `<div class="legend">${data.grades.map((g) => `<span class="key"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${GRADE_FILLS[g]}"/></svg> ${esc(g)}</span>`).join(' ')}</div>`;
  return key + table;
}

/** Shared priorities: cosine similarity of subcategory profiles, as a heatmap, and the priorities most partnerships share. */
export function similarityView(data, analysis) {
  const { ids, values } = analysis.similarity;
  if (ids.length < 2) return '<p class="empty">Fewer than two partnerships in scope.</p>';
  const c = 16;
  const left = 110;
  const top = 110;
  const size = ids.length * c;
  let cells = '';
  for (let i = 0; i < ids.length; i++) {
    for (let j = 0; j < ids.length; j++) {
      const v = values[i][j];
      const band = v >= 0.9 ? 6 : v >= 0.75 ? 5 : v >= 0.6 ? 4 : v >= 0.45 ? 3 : v >= 0.3 ? 2 : v > 0 ? 1 : 0;
      cells += `<rect x="${left + j * c}" y="${top + i * c}" width="${c - 1}" height="${c - 1}" fill="${BAND_FILLS[band]}"><title>${esc(`${ids[i]} × ${ids[j]}: ${v.toFixed(2)}`)}</title></rect>`;
    }
  }
  const labels = ids
    .map((id, i) => `<text x="${left - 4}" y="${top + i * c + 11}" font-size="10" text-anchor="end">${esc(id)}</text><text transform="translate(${left + i * c + 11},${top - 4}) rotate(-60)" font-size="10">${esc(id)}</text>`)
    .join('');
  const svg = `<svg class="chart" viewBox="0 0 ${left + size + 10} ${top + size + 10}" width="${left + size + 10}" height="${top + size + 10}" role="img" aria-label="Similarity of partnerships' subcategory profiles">${labels}${cells}</svg>`;
  const pairs = [];
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.push({ a: ids[i], b: ids[j], v: values[i][j] });
  pairs.sort((x, y) => y.v - x.v || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : 1));
  const top10 = `<table class="data"><thead><tr><th>Most similar pairs</th><th class="num">Similarity</th></tr></thead><tbody>${pairs
    .slice(0, 10)
    .map((p) => `<tr><td>${esc(p.a)} · ${esc(p.b)}</td><td class="num">${p.v.toFixed(2)}</td></tr>`)
    .join('')}</tbody></table>`;
  const shared = `<table class="data"><thead><tr><th>Priority (subcategory)</th><th class="num">Partnerships</th><th>Which</th></tr></thead><tbody>${analysis.shared
    .slice(0, 12)
    .map((s) => `<tr><td>${esc(s.subcategory)}</td><td class="num">${s.partnerships.length}</td><td class="ids">${s.partnerships.map(esc).join(', ')}</td></tr>`)
    .join('')}</tbody></table>`;
  return `<div class="two">${svg}<div>${top10}${shared}</div></div>`;
}

/** One country's priorities with its different partners: the share of each partnership's commitments per objective. */
export function countryView(data, analysis, party) {
  const c = analysis.countries.find((x) => x.party === party) ?? analysis.countries[0];
  if (!c) return '<p class="empty">No country takes part in two partnerships in scope.</p>';
  return `<table class="data" data-party="${esc(c.party)}"><caption>${esc(c.party)} with ${c.partnerships.length} partnerships: share of each partnership's distinct commitments per objective</caption><thead><tr><th>Partnership</th><th class="num">Commitments</th>${data.objectives.map((o) => `<th class="num">${esc(data.objectiveLabels[o])}</th>`).join('')}</tr></thead><tbody>${c.partnerships
    .map((p) => `<tr><th scope="row">${esc(p.id)}</th><td class="num">${p.commitments}</td>${data.objectives.map((o) => `<td class="num share b${p.shares[o] >= 40 ? 5 : p.shares[o] >= 25 ? 4 : p.shares[o] >= 15 ? 3 : p.shares[o] >= 5 ? 2 : p.shares[o] > 0 ? 1 : 0}">${num(p.shares[o])}%</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Change over time: per partnership, which objectives each meeting's statements addressed (dot size: distinct commitments). */
export function overTimeView(data, analysis, only) {
  const list = analysis.overTime.filter((x) => (only ? x.id === only : x.meetings.length >= 2));
  if (!list.length) return '<p class="empty">No partnership has statements from two meetings in scope.</p>';
  return list
    .map((x) => {
      const col = 64;
      const row = 18;
      const left = 200;
      const w = left + x.meetings.length * col + 10;
      const h = data.objectives.length * row + 40;
      const max = Math.max(1, ...x.meetings.flatMap((m) => data.objectives.map((o) => m.counts[o])));
      const labels = data.objectives.map((o, i) => `<text x="${left - 6}" y="${20 + i * row + 4}" font-size="10" text-anchor="end">${esc(data.objectiveLabels[o])}</text>`).join('');
      const cols = x.meetings
        .map((m, j) => {
          const cx = left + j * col + col / 2;
          const dots = data.objectives
            .map((o, i) => {
              const n = m.counts[o];
              const r = n ? 2 + 6 * Math.sqrt(n / max) : 1.5;
              return `<circle cx="${cx}" cy="${20 + i * row}" r="${r.toFixed(1)}" fill="${n ? '#2f7bbf' : '#d0d4da'}"><title>${esc(`${m.date}: ${data.objectiveLabels[o]}, ${n} commitment${n === 1 ? '' : 's'}`)}</title></circle>`;
            })
            .join('');
          return `${dots}<text x="${cx}" y="${h - 6}" font-size="9" text-anchor="middle">${esc(m.date)}</text>`;
        })
        .join('');
      return `<figure class="timeline"><figcaption>${esc(x.id)}</figcaption><svg class="chart" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(`${x.id}: objectives addressed at each meeting`)}">${labels}${cols}</svg></figure>`;
    })
    .join('');
}

/** Gaps: objectives and subcategories few partnerships address. */
export function gapsView(data, analysis) {
  const g = analysis.gaps;
  if (!g.partnerships) return '<p class="empty">Nothing in scope.</p>';
  const W = 300;
  const objectives = `<table class="data"><thead><tr><th>Objective</th><th class="num">Partnerships addressing it</th><th class="num">Substantively</th><th>Bar</th><th>Not addressed by</th></tr></thead><tbody>${g.objectives
    .map((o) => `<tr><th scope="row">${esc(data.objectiveLabels[o.objective])}</th><td class="num">${o.addressing}/${g.partnerships}</td><td class="num">${o.substantive}</td><td><svg width="${W}" height="12" role="img" aria-label="${esc(`${o.addressing} of ${g.partnerships}`)}">${bar(0, 0, (W * o.addressing) / g.partnerships, 12, '#94bfe0', `addressing: ${o.addressing}`)}${bar(0, 3, (W * o.substantive) / g.partnerships, 6, '#0b4f91', `substantively: ${o.substantive}`)}</svg></td><td class="ids">${o.missing.map(esc).join(', ') || '–'}</td></tr>`)
    .join('')}</tbody></table>`;
  const subs = `<table class="data"><thead><tr><th>Least addressed subcategories</th><th class="num">Partnerships</th></tr></thead><tbody>${g.subcategories
    .slice(0, 12)
    .map((s) => `<tr><td>${esc(s.subcategory)}</td><td class="num">${s.partnerships}/${g.partnerships}</td></tr>`)
    .join('')}</tbody></table>`;
  return objectives + subs;
}

/** Everything on the index page that depends on the filter. */
export function renderViews(data, filter, party) {
  const matrix = matrixOf(data, filter);
  const analysis = analysisOf(data, filter);
  const commitments = new Set(selected(data, filter).map((s) => `${s.c.p}:${s.c.k}`)).size;
  return {
    matrix: matrixTable(data, matrix),
    summary: `${matrix.rows.length} partnership${matrix.rows.length === 1 ? '' : 's'}, ${commitments} distinct commitment${commitments === 1 ? '' : 's'} in scope`,
    breadth: breadthView(data, analysis),
    concreteness: concretenessView(data, analysis),
    similarity: similarityView(data, analysis),
    countries: countryView(data, analysis, party),
    countryOptions: analysis.countries.map((c) => c.party),
    overTime: overTimeView(data, analysis),
    gaps: gapsView(data, analysis),
  };
}

/*
 * The index page carries what its filters and figures are made from, and each
 * partnership's evidence (the quotes, grade reasons, rules, headings and offsets
 * of its commitments) is a file of its own, report/evidence/<id>.js, loaded when
 * one of its cells is opened: on a corpus of thousands of statements the quotes
 * are most of the data, and a page that held them all ran to hundreds of megabytes.
 * The functions below are the two halves of that split, written side by side: the
 * pipeline runs pageCommitments and evidenceOf, the page pageDataset and
 * attachEvidence, and both evidenceCheck.
 */

/**
 * The names an occurrence's grade, signals, subcategories and domains are among, in
 * the dataset's order: the index page writes each as its number in these lists.
 */
function pageNames(data) {
  return { g: data.grades, c: data.signals, sub: data.objectives.flatMap((o) => data.subcategories[o]), dom: data.domains };
}

/**
 * How the index page carries a dataset's commitments: each as [p, o, k, [[d, i, g,
 * c, l, sub, dom, r], ...]], with grades, signals, subcategories and domains as
 * their numbers in the dataset's lists (a name in none is written as it is) and
 * list mentions and reviews as 1 or 0. Returns the function that writes one.
 */
export function pageCommitments(data) {
  const names = pageNames(data);
  const numbers = Object.fromEntries(Object.entries(names).map(([k, list]) => [k, new Map(list.map((x, i) => [x, i]))]));
  const num = (k, x) => numbers[k].get(x) ?? x;
  return (c) => [c.p, c.o, c.k, c.occ.map((o) => [o.d, o.i, num('g', o.g), o.c.map((x) => num('c', x)), o.l ? 1 : 0, o.sub.map((x) => num('sub', x)), o.dom.map((x) => num('dom', x)), o.r ? 1 : 0])];
}

/**
 * What the index page knows of a partnership's commitments, as a digest: each
 * commitment's key and objective, and each occurrence's statement (by its id, which
 * does not move when statements are added before it), passage, grade, signals, list
 * mention, subcategories, domains and review, in the dataset's order. Its evidence
 * file carries the digest its commitments had, and the page reads a file only when
 * its own commitments give the same: a page left open while the outputs were made
 * again does not show one run's figures with another's evidence.
 */
export function evidenceCheck(data, p) {
  // Two 32-bit lanes of a multiplicative hash over the fields' text (not a secret: a
  // fingerprint). A missing value reads as null, as the page receives it through JSON.
  let h1 = 0x9e3779b9;
  let h2 = 0x85ebca6b;
  for (const c of data.commitments) {
    if (c.p !== p) continue;
    const texts = [`${c.k}\u0000${c.o}\u0000${c.occ.length}`];
    for (const o of c.occ) texts.push(`${data.docs[o.d]?.id ?? null}\u0000${o.i ?? null}\u0000${o.g ?? null}\u0000${o.c.join('\u0001')}\u0000${o.l ? 1 : 0}\u0000${o.sub.join('\u0001')}\u0000${o.dom.join('\u0001')}\u0000${o.r ? 1 : 0}`);
    for (const text of texts) {
      for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        h1 = Math.imul(h1 ^ ch, 2654435761);
        h2 = Math.imul(h2 ^ ch, 1597334677);
      }
      h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
      h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    }
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/**
 * The evidence of the partnership at index `p`, for its file: the digest of its
 * commitments as the page knows them (evidenceCheck), its quotes once each, and for
 * each commitment, each occurrence's [quote, grade reason, rules, headings, start, end].
 */
export function evidenceOf(data, p) {
  const texts = [];
  const index = new Map();
  const occ = [];
  for (const c of data.commitments) {
    if (c.p !== p) continue;
    occ.push(
      c.occ.map((o) => {
        const text = data.texts[o.t];
        let t = index.get(text);
        if (t === undefined) {
          t = texts.length;
          texts.push(text);
          index.set(text, t);
        }
        return [t, o.why, o.ru, o.h, o.s, o.e];
      }),
    );
  }
  return { p: data.partnerships[p].id, check: evidenceCheck(data, p), texts, occ };
}

/** The dataset from the index page's data (see pageCommitments): commitments as the pipeline has them, without their evidence. */
export function pageDataset(raw) {
  const names = pageNames(raw);
  const name = (k, x) => (typeof x === 'number' ? names[k][x] : x);
  const commitments = raw.commitments.map(([p, o, k, occ]) => ({
    p,
    o,
    k,
    occ: occ.map(([d, i, g, c, l, sub, dom, r]) => ({ d, i, g: name('g', g), c: c.map((x) => name('c', x)), l: l === 1, sub: sub.map((x) => name('sub', x)), dom: dom.map((x) => name('dom', x)), r: r === 1 })),
  }));
  return { ...raw, commitments, texts: [] };
}

/**
 * A partnership's evidence file, read into the page's dataset. False, and
 * nothing changed, when its digest of the partnership's commitments is not the
 * page's (evidenceCheck: the file of a run that found other commitments, or graded,
 * placed or tagged them otherwise), or its occurrences or fields are not what the
 * page needs (a damaged file). What the digest does not cover (quotes, grade reasons,
 * rules, headings) is the file's: a run that changed only those is shown with them.
 * The page asks this only of the file it loaded for that partnership.
 */
export function attachEvidence(data, detail) {
  const p = data.partnerships.findIndex((x) => x.id === detail?.p);
  if (p < 0 || typeof detail.check !== 'string' || detail.check !== evidenceCheck(data, p)) return false;
  if (!Array.isArray(detail.occ) || !Array.isArray(detail.texts) || !detail.texts.every((t) => typeof t === 'string')) return false;
  const mine = data.commitments.filter((c) => c.p === p);
  const strings = (xs) => Array.isArray(xs) && xs.every((x) => typeof x === 'string');
  const one = (x) => Array.isArray(x) && Number.isInteger(x[0]) && x[0] >= 0 && x[0] < detail.texts.length && typeof x[1] === 'string' && strings(x[2]) && strings(x[3]) && Number.isInteger(x[4]) && Number.isInteger(x[5]);
  const fits = (list, c) => Array.isArray(list) && list.length === c.occ.length && list.every(one);
  if (mine.length !== detail.occ.length || mine.some((c, j) => !fits(detail.occ[j], c))) return false;
  const base = data.texts.length;
  // One at a time: a partnership can have more quotes than a call takes arguments.
  for (const text of detail.texts) data.texts.push(text);
  mine.forEach((c, j) =>
    c.occ.forEach((o, m) => {
      const [t, why, ru, h, s, e] = detail.occ[j][m];
      Object.assign(o, { t: base + t, why, ru, h, s, e });
    }),
  );
  return true;
}
