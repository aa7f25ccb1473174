import type { Doc } from '../../core/doc.js';
import { OBJECTIVES, OBJECTIVE_INFO } from '../../core/taxonomy.js';
import type { Aggregate, Citation, Dataset, Profile, SourceCite } from '../../aggregate/index.js';
import { measures, profileInputs } from '../../aggregate/index.js';
import { CELL_HELP, STRENGTH_HELP, cellText, scopeLine } from '../markdown.js';
import { safeUrl, textFiles, type FileText, type OutputFile } from '../text.js';
import { esc, jsonForScriptPieces, page, pagePieces } from './html.js';
// The same view functions the index page runs in the browser.
import * as view from './assets/view.js';

/** Append to the list under a key. */
function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}


/**
 * The static report: out/report/index.html (the matrix as a heatmap, every cell
 * opening its evidence, filters, and the study's questions as tables and
 * charts), a page per partnership, a page per statement showing each passage in
 * context, and a file of evidence per partnership that the index page loads when
 * one of its cells is opened. Self-contained: no server, nothing but the files
 * themselves.
 */

export interface ReportInfo {
  documents: number;
  rulesVersion: string;
}

function filterOf(agg: Aggregate): measures.Filter {
  return { domain: agg.scope.domain, from: agg.scope.from, until: agg.scope.until, group: '', reviewedOnly: false };
}

function header(title: string, sub: string, nav: string): string {
  return `<header class="top"><h1>${esc(title)}</h1><p>${sub}</p>${nav}</header>`;
}

function citeLinks(list: SourceCite[], prefix: string): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of list) {
    if (seen.has(c.code)) continue;
    seen.add(c.code);
    out.push(`<a class="cite" href="${esc(prefix)}documents/${esc(c.docId)}.html#p${c.passage}">${esc(c.code)}</a>`);
  }
  return out.join(', ');
}

function citationItem(c: Citation, prefix: string): string {
  const url = safeUrl(c.url);
  const others = (c.urls ?? []).slice(1).map(safeUrl).filter((u): u is string => !!u);
  return `<li><a href="${esc(prefix)}documents/${esc(c.docId)}.html"><strong>${esc(c.code)}</strong></a> <span class="date">${esc(c.date ?? 'undated')}</span> ${esc(c.title)}${url ? ` · <a href="${esc(url)}" rel="noopener noreferrer" target="_blank">source</a>` : ''}${others.map((u, i) => ` · <a href="${esc(u)}" rel="noopener noreferrer" target="_blank">also at ${i + 2}</a>`).join('')}</li>`;
}

function groupOptions(agg: Aggregate): string {
  const parties = new Map<string, number>();
  for (const p of agg.dataset.partnerships) for (const x of p.parties) parties.set(x, (parties.get(x) ?? 0) + 1);
  const partyOptions = [...parties.entries()]
    .filter(([, n]) => n >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([x, n]) => `<option value="party:${esc(x)}">with ${esc(x)} (${n})</option>`)
    .join('');
  return `<option value="">All partnerships</option><option value="size:2">Bilateral</option><option value="size:3">Trilateral</option><option value="size:4+">Larger groups</option><option value="level:top">Top level (no parent)</option><option value="level:sub">Dialogues and initiatives under a broader partnership</option>${partyOptions}`;
}

function indexPage(agg: Aggregate, info: ReportInfo): Iterable<string> {
  const data = agg.dataset;
  const filter = filterOf(agg);
  const v = view.renderViews(data, filter, '');
  const dates = data.docs.map((d) => d.date).filter((d): d is string => !!d).sort();
  const nav = `<nav class="toc"><a href="#matrix-section">Matrix</a><a href="#breadth-section">Breadth</a><a href="#concreteness-section">Concreteness</a><a href="#shared-section">Shared priorities</a><a href="#time-section">Over time</a><a href="#gaps-section">Gaps</a><a href="#partnerships-section">Partnerships</a><a href="#documents-section">Statements</a></nav>`;
  const controls = `<form class="controls" id="filters" aria-label="Filters">
<label>Domain<select id="f-domain"><option value="">All domains</option>${data.domains.map((d) => `<option value="${esc(d)}">${esc(data.domainLabels[d])}</option>`).join('')}</select></label>
<label>From<input type="date" id="f-from" min="${esc(dates[0] ?? '')}" max="${esc(dates.at(-1) ?? '')}"></label>
<label>Until<input type="date" id="f-until" min="${esc(dates[0] ?? '')}" max="${esc(dates.at(-1) ?? '')}"></label>
<label>Partnerships<select id="f-group">${groupOptions(agg)}</select></label>
<label class="check"><input type="checkbox" id="f-reviewed"> Reviewed evidence only</label>
<button type="button" id="f-reset">Reset</button>
</form>`;
  const partnerships = agg.profiles
    .map((p) => `<li><a href="partnerships/${esc(p.id)}.html">${esc(p.name)}</a> <span class="pid">${esc(p.id)}</span> · ${p.documents.length} statement${p.documents.length === 1 ? '' : 's'}${p.alsoCited.length ? `, cited in ${p.alsoCited.length} other${p.alsoCited.length === 1 ? '' : 's'}` : ''}</li>`)
    .join('');
  const without = agg.registry.withoutDocuments.length
    ? `<details><summary>${agg.registry.withoutDocuments.length} registry partnerships have no statement of their own in the corpus</summary><ul class="plain">${agg.registry.withoutDocuments
        .map((p) => `<li>${esc(p.name)} <span class="pid">${esc(p.id)}</span>${p.namedInPassages ? ` · named in ${p.namedInPassages} passage${p.namedInPassages === 1 ? '' : 's'} of other statements${p.evidence ? ' (evidence shown in the matrix)' : ''}` : ''}</li>`)
        .join('')}</ul></details>`
    : '';
  const docs = data.docs
    .map((d) => {
      const url = safeUrl(d.url);
      return `<li><a href="${esc(d.page)}"><strong>${esc(d.code ?? d.id)}</strong></a> <span class="date">${esc(d.date ?? 'undated')}</span> ${esc(d.title)}${url ? ` · <a href="${esc(url)}" rel="noopener noreferrer" target="_blank">source</a>` : ''}</li>`;
    })
    .join('');
  const body = `${header('accords: what the partnerships agreed', `${info.documents} statements, ${agg.profiles.length} partnerships, rules ${esc(info.rulesVersion)}; report scope: ${esc(scopeLine(agg.scope))}. Newest statement: ${esc(agg.asOf)}.`, nav)}
<main>
${controls}
<section id="matrix-section"><h2>Partnership × objective matrix</h2>
<p id="scope-summary">${esc(v.summary)}</p>
${view.legend()}
<div id="matrix">${v.matrix}</div>
<details><summary>How to read a cell and the strength score</summary><p class="note">${esc(CELL_HELP)}</p><p class="note">${esc(STRENGTH_HELP)}</p><p class="note">Click a cell to see its evidence: each distinct commitment with its grade, points, concreteness signals and the rules that found it, and every statement that carries it, linked to the passage in context and to the source.</p></details>
</section>
<section id="breadth-section"><h2>How broad is each partnership's agenda?</h2><p class="lead">Objectives (of five) and subcategories of the coding scheme that each partnership's commitments address.</p><div id="breadth">${v.breadth}</div></section>
<section id="concreteness-section"><h2>How concrete are its commitments?</h2><p class="lead">The share of each partnership's distinct commitments that name an actor, a timeframe, an amount, a mechanism or a deliverable, and how far they go (grades).</p><div id="concreteness">${v.concreteness}</div></section>
<section id="shared-section"><h2>Do partnerships share priorities?</h2><p class="lead">Similarity of partnerships' subcategory profiles (cosine of their distinct-commitment counts per subcategory: 1 means the same mix of priorities), the most similar pairs, and the priorities most partnerships share.</p><div id="similarity">${v.similarity}</div>
<h3>One country's priorities with different partners</h3><form class="controls" aria-label="Country"><label>Country<select id="f-country">${v.countryOptions.map((p) => `<option value="${esc(p)}">${esc(p)}</option>`).join('')}</select></label></form><div id="countries">${v.countries}</div></section>
<section id="time-section"><h2>How did the agenda change over time?</h2><p class="lead">For each partnership with statements from two or more meetings: which objectives each meeting's statements addressed (dot size: distinct commitments).</p><div id="over-time">${v.overTime}</div></section>
<section id="gaps-section"><h2>Gaps: what few partnerships address</h2><div id="gaps">${v.gaps}</div></section>
<section id="partnerships-section"><h2>Partnerships</h2><ul class="plain">${partnerships}</ul>${without}</section>
<section id="documents-section"><h2>Statements</h2><details><summary>${data.docs.length} statements with their citation codes</summary><ul class="plain">${docs}</ul></details></section>
</main>
<dialog id="evidence" aria-label="Evidence"><div class="bar"><button type="button" id="evidence-close">Close</button></div><div id="evidence-body"></div></dialog>
<footer>Written by accords from the statements in the corpus. The citation codes (partnership and number in date order) are fixed by the whole corpus, so they stay the same whatever the filters.</footer>`;
  // In pieces: its data holds every statement's commitments (their evidence is in the partnerships' files).
  return pagePieces({ title: 'accords report', body, dataJson: pageDataJson(data), script: true });
}

/**
 * The index page's data as JSON text, in pieces: the dataset with its commitments
 * as view.pageCommitments writes them, without their evidence (view.evidenceOf,
 * each partnership's in its own file) and without the quotes.
 */
function* pageDataJson(data: Dataset): Generator<string> {
  const { commitments, texts: _quotes, ...rest } = data;
  yield `${JSON.stringify(rest).slice(0, -1)},"commitments":[`;
  const write = view.pageCommitments(data);
  for (let i = 0; i < commitments.length; i += 256) yield `${i ? ',' : ''}${JSON.stringify(commitments.slice(i, i + 256).map(write)).slice(1, -1)}`;
  yield ']}';
}

/** The name of a partnership's evidence file in the report. */
export const evidenceFile = (id: string) => `report/evidence/${id}.js`;

/** A partnership's evidence file: a script that hands view.evidenceOf's object to the index page. */
function* evidenceScript(data: Dataset, p: number): Generator<string> {
  yield 'accordsEvidence(';
  yield* jsonForScriptPieces(view.evidenceOf(data, p));
  yield ');\n';
}

function governanceSection(p: Profile): string {
  const g = p.governance;
  if (!g.bodies.length && !g.chairs.length && !g.levels.length && !g.rhythm.length) return '<p class="empty">The statements say nothing clear about how the partnership runs.</p>';
  const parts: string[] = ['<dl class="facts">'];
  if (g.bodies.length) parts.push(`<dt>Bodies</dt><dd><ul class="plain">${g.bodies.map((b) => `<li>${esc(b.name)} <span class="kind">${esc(b.status)}</span>${b.first ? ` <span class="date">first named ${esc(b.first)}</span>` : ''} · ${citeLinks(b.cites, '../')}</li>`).join('')}</ul></dd>`);
  if (g.chairs.length) parts.push(`<dt>Chaired or led by</dt><dd><ul class="plain">${g.chairs.map((c) => `<li>${esc(c.who)}${c.of ? `, for the ${esc(c.of)}` : ''} · ${citeLinks(c.cites, '../')}</li>`).join('')}</ul></dd>`);
  if (g.levels.length) parts.push(`<dt>Levels</dt><dd>${g.levels.map((l) => `${esc(l.level)} (${citeLinks(l.cites, '../')})`).join('; ')}</dd>`);
  if (g.rhythm.length) parts.push(`<dt>Meeting rhythm</dt><dd>${g.rhythm.map((r) => `${esc(r.rhythm)} (${citeLinks(r.cites, '../')})`).join('; ')}</dd>`);
  parts.push('</dl>');
  parts.push(`<details><summary>The ${g.passages.length} passage${g.passages.length === 1 ? '' : 's'} this is read from</summary><ul class="plain">${g.passages.map((x) => `<li>“${esc(x.text)}” · ${citeLinks(x.cites, '../')}</li>`).join('')}</ul></details>`);
  return parts.join('');
}

function milestonesSection(p: Profile): string {
  if (!p.milestones.length) return '<p class="empty">No dated launch, meeting or signing is found in the statements.</p>';
  return `<ol class="milestones">${p.milestones
    .map((m) => `<li class="${m.planned ? 'planned' : 'done'}"><span class="date">${esc(m.date)}${m.dated === 'statement' ? ' (date of the statement)' : ''}</span> <span class="kind">${esc(m.kind)}${m.planned ? ' · planned' : ''}</span> ${esc(m.what)}${m.cites.length ? ` · ${citeLinks(m.cites, '../')}` : ''}</li>`)
    .join('')}</ol>`;
}

interface Shared {
  cells: Map<number, Record<string, measures.Selected[]>>;
  analysis: ReturnType<typeof measures.analysisOf>;
}

function partnershipPage(agg: Aggregate, p: Profile, shared: Shared): Iterable<string> {
  const data = agg.dataset;
  const idx = data.partnerships.findIndex((x) => x.id === p.id);
  const cells = shared.cells.get(idx);
  const profiles = new Set(agg.profiles.map((x) => x.id));
  const link = (id: string) => (profiles.has(id) ? `<a href="${esc(id)}.html">${esc(id)}</a>` : esc(id));
  const facts = `<dl class="facts"><dt>Parties</dt><dd>${esc(p.parties.join(', ') || 'unknown')}</dd>${p.kind ? `<dt>Kind</dt><dd>${esc(p.kind)}</dd>` : ''}<dt>Launched</dt><dd>${esc(p.launched ?? 'unknown')}${p.ageYears !== undefined ? ` (${p.ageYears} years before the newest statement in the corpus)` : ''}</dd>${p.parent ? `<dt>Part of</dt><dd>${link(p.parent)}</dd>` : ''}${p.children.length ? `<dt>Includes</dt><dd>${p.children.map(link).join(', ')}</dd>` : ''}<dt>Statements</dt><dd>${p.documents.length} of its own${p.alsoCited.length ? `; ${p.alsoCited.length} of other partnerships carry evidence for it` : ''}</dd></dl>`;
  const glance = `<table class="data"><thead><tr><th>Objective</th><th>Cell</th></tr></thead><tbody>${OBJECTIVES.map((o) => `<tr class="b${measures.bandOf(p.objectives[o].strength)}"><th scope="row"><a href="#${o}">${esc(OBJECTIVE_INFO[o].label)}</a></th><td>${esc(cellText(p.objectives[o]))}</td></tr>`).join('')}</tbody></table>`;
  // An objective's evidence, an item at a time: a large partnership's page runs to
  // tens of megabytes and is written as it is made, never held whole.
  function* objectiveSection(o: (typeof OBJECTIVES)[number]): Generator<string> {
    const cell = p.objectives[o];
    const head = `<h2 id="${o}">${esc(OBJECTIVE_INFO[o].label)}</h2>`;
    if (!cell.found || !cells) {
      yield `<section>${head}<p class="empty">The documents seem to lack a clear reference to ${esc(OBJECTIVE_INFO[o].label.toLowerCase())}.</p></section>`;
      return;
    }
    const bySub = new Map<string, measures.Selected[]>();
    for (const s of cells[o] ?? []) push(bySub, s.best.sub[0] ?? 'other', s);
    yield `<section>${head}<p>Strongest grade <strong>${esc(cell.grade)}</strong>; ${cell.commitments} distinct commitment${cell.commitments === 1 ? '' : 's'}, ${cell.concrete} concrete; strength ${cell.strength.toFixed(1)}${cell.listOnly ? '; list mentions only' : ''}${cell.reviewed ? '; strongest evidence reviewed by an analyst' : ''}.</p>`;
    for (const sub of Object.keys(cell.bySubcategory)) {
      yield `<h3>${esc(sub)}</h3><ol class="evidence">`;
      for (const s of bySub.get(sub) ?? []) yield view.evidenceItem(data, p.id, s, '../');
      yield '</ol>';
    }
    yield '</section>';
  }
  const docList = (list: Citation[]) => `<ul class="plain">${list.map((c) => citationItem(c, '../')).join('')}</ul>`;
  const top = `${header(`${p.name} (${p.id})`, `Profile for ${esc(scopeLine(agg.scope))}.`, '<nav class="toc"><a href="../index.html">← All partnerships</a><a href="#governance">Governance</a><a href="#milestones">Milestones</a><a href="#over-time">Over time</a>' + OBJECTIVES.map((o) => `<a href="#${o}">${esc(OBJECTIVE_INFO[o].label)}</a>`).join('') + '<a href="#documents">Statements</a></nav>')}
<main>
${facts}
<section><h2>Objectives at a glance</h2>${glance}</section>
<section><h2 id="governance">Governance</h2>${governanceSection(p)}</section>
<section><h2 id="milestones">Milestones</h2>${milestonesSection(p)}</section>
<section><h2 id="over-time">Objectives addressed at each meeting</h2>${p.meetings.length > 1 ? view.overTimeView(data, shared.analysis, p.id) : '<p class="empty">Statements from fewer than two meetings in scope.</p>'}</section>
`;
  const bottom = `
<section><h2 id="documents">Statements</h2>${p.documents.length ? docList(p.documents) : '<p class="empty">No statement of its own in scope.</p>'}${p.alsoCited.length ? `<h3>Statements of other partnerships with evidence for it</h3>${docList(p.alsoCited)}` : ''}${p.namedIn.length ? `<h3>Also named (without evidence) in</h3>${docList(p.namedIn)}` : ''}</section>
</main>`;
  function* body(): Generator<string> {
    yield top;
    for (const [i, o] of OBJECTIVES.entries()) {
      if (i) yield '\n';
      yield* objectiveSection(o);
    }
    yield bottom;
  }
  return pagePieces({ title: `${p.name} (${p.id}) · accords`, body: body() });
}

/** The index and one page per partnership. */
export function renderReport(agg: Aggregate, info: ReportInfo): Map<string, string> {
  return textFiles(reportFiles(agg, info));
}

/** The report's files one at a time, so each can be written before the next is made. */
export function* reportFiles(agg: Aggregate, info: ReportInfo): Generator<[string, FileText]> {
  for (const f of reportOutputs(agg, info)) yield [f.name, f.make()];
}

/** The report's files, each made when asked for; a partnership's page says what it is made from (profileInputs). */
export function* reportOutputs(agg: Aggregate, info: ReportInfo): Generator<OutputFile> {
  yield { name: 'report/index.html', make: () => indexPage(agg, info) };
  // A partnership's evidence comes from the statements that count for it, as its page does (without the age the page shows).
  const withEvidence = new Set(agg.dataset.commitments.map((c) => c.p));
  for (const [p, { id }] of agg.dataset.partnerships.entries()) {
    if (!withEvidence.has(p)) continue;
    const inputs = agg.inputs?.[id];
    yield { name: evidenceFile(id), make: () => evidenceScript(agg.dataset, p), ...(inputs ? { inputs } : {}) };
  }
  // Selected once for all pages: the pages show the run's scope.
  let shared: Shared | undefined;
  const sharedOnce = () => {
    const filter = filterOf(agg);
    return (shared ??= { cells: measures.cellsOf(agg.dataset, filter), analysis: measures.analysisOf(agg.dataset, filter) });
  };
  for (const p of agg.profiles) {
    const inputs = profileInputs(agg, p);
    yield { name: `report/partnerships/${p.id}.html`, make: () => partnershipPage(agg, p, sharedOnce()), ...(inputs ? { inputs } : {}) };
  }
}

/**
 * A statement's page: its canonical text, block by block, every passage
 * anchored (#p<index>) so citations open it in context. Rendered from one
 * document at a time.
 */
export function renderDocumentPage(doc: Doc, codes: string[]): string {
  const { head, tail } = documentPageParts(doc);
  return head + documentCodes(codes) + tail;
}

/** The statement's citation codes as its page shows them: the one part of the page that depends on the rest of the corpus. */
export function documentCodes(codes: string[]): string {
  return esc(codes.join(', ') || 'not cited');
}

/** A statement's page around its citation codes, so it can be made before the codes are known (and kept). */
export function documentPageParts(doc: Doc): { head: string; tail: string } {
  const url = safeUrl(doc.meta.sourceUrls?.[0] ?? doc.meta.sourceUrl);
  const byBlock: string[] = [];
  let k = 0;
  const passages = [...doc.passages].sort((a, b) => a.start - b.start);
  for (const block of doc.blocks) {
    let html = '';
    let at = block.start;
    while (k < passages.length && passages[k]!.end <= block.start) k++;
    let j = k;
    while (j < passages.length && passages[j]!.start < block.end) {
      const p = passages[j]!;
      if (p.start >= at) {
        html += esc(doc.text.slice(at, p.start));
        html += `<span class="passage" id="p${p.index}">${esc(doc.text.slice(p.start, p.end))}</span>`;
        at = p.end;
      }
      j++;
    }
    html += esc(doc.text.slice(at, Math.max(at, block.end)));
    if (block.kind === 'heading') byBlock.push(`<h${Math.min(6, Math.max(3, block.level > 6 ? 4 : block.level + 2))}>${html}</h${Math.min(6, Math.max(3, block.level > 6 ? 4 : block.level + 2))}>`);
    else if (block.kind === 'item') byBlock.push(`<p class="passage-item">${'&nbsp;'.repeat(Math.max(0, block.level - 1) * 4)}• ${html}</p>`);
    else byBlock.push(`<p>${html}</p>`);
  }
  // The codes go where this mark is, right after the page's one header (escaped text cannot open a tag).
  const mark = '\u0000codes\u0000';
  const opening = `<header class="top"><h1>${esc(doc.meta.title)}</h1><p>`;
  const body = `${header(doc.meta.title, `${mark} · ${esc(doc.meta.date ?? 'undated')}${url ? ` · <a href="${esc(url)}" rel="noopener noreferrer" target="_blank">source</a>` : ''}`, '<nav class="toc"><a href="../index.html">← Report</a></nav>')}
<main><article class="doc">
${byBlock.join('\n')}
</article></main>`;
  const html = page({ title: `${doc.meta.title} · accords`, body });
  const at = html.indexOf(opening + mark) + opening.length;
  return { head: html.slice(0, at), tail: html.slice(at + mark.length) };
}
