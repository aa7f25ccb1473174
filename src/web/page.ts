/**
 * The review page: one HTML document with its script and styles inline, so
 * there is nothing to build. Every piece of document text reaches the page
 * through textContent, never as markup.
 */
const STYLE = `
:root { --fg:#1d232b; --muted:#5d6875; --line:#d8dde3; --accent:#1f5fbf; --bg:#f6f7f9; --ok:#1c7c3c; --warn:#a05a00; --bad:#b3261e; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; gap:12px; align-items:center; padding:8px 14px; background:#fff; border-bottom:1px solid var(--line); flex-wrap:wrap; }
header h1 { font-size:16px; margin:0 8px 0 0; }
header select, header input { font:inherit; padding:3px 6px; border:1px solid var(--line); border-radius:4px; background:#fff; }
#counts { color:var(--muted); margin-left:auto; }
main { display:grid; grid-template-columns: 360px 1fr; height: calc(100vh - 50px); }
#list { overflow:auto; border-right:1px solid var(--line); background:#fff; margin:0; padding:0; list-style:none; }
#list li { padding:8px 12px; border-bottom:1px solid #eef0f3; cursor:pointer; }
#list li.sel { background:#e8f0fc; border-left:3px solid var(--accent); }
#list .meta { color:var(--muted); font-size:12px; }
.badge { display:inline-block; font-size:11px; padding:0 6px; border-radius:8px; border:1px solid var(--line); margin-right:4px; }
.badge.accepted { color:var(--ok); border-color:var(--ok); } .badge.corrected { color:var(--warn); border-color:var(--warn); }
.badge.stale { color:var(--bad); border-color:var(--bad); }
#detail { overflow:auto; padding:16px 22px; }
#detail h2 { font-size:15px; margin:0 0 2px; }
.context { color:var(--muted); margin:8px 0; }
.passage { background:#fff; border:1px solid var(--line); border-radius:6px; padding:12px 14px; font-size:15px; white-space:pre-wrap; }
mark { background:#fff0b3; padding:0 1px; border-radius:2px; } mark.obj { background:#d7e8ff; } mark.grade { background:#e4f5e1; } mark.dom { background:#f3e3fb; }
table { border-collapse:collapse; margin-top:12px; width:100%; background:#fff; }
td, th { border:1px solid var(--line); padding:5px 8px; text-align:left; vertical-align:top; }
th { background:#f0f2f5; font-weight:600; }
.key { font-family: ui-monospace, monospace; background:#eef0f3; border:1px solid var(--line); border-radius:3px; padding:0 4px; }
.on { font-weight:600; color:var(--accent); } .off { color:#9aa3ad; }
#help { color:var(--muted); font-size:12px; margin-top:14px; }
#flash { position:fixed; right:16px; bottom:16px; background:#1d232b; color:#fff; padding:8px 12px; border-radius:6px; display:none; }
`;

const SCRIPT = `
const TOKEN = document.querySelector('meta[name=accords-token]').content;
const OBJ = ['policy', 'research', 'commercial', 'preparedness', 'workforce'];
const GRADES = ['explore', 'intend', 'commit', 'underway', 'completed'];
const GRADE_KEYS = { e: 'explore', i: 'intend', c: 'commit', u: 'underway', d: 'completed' };
let items = [], sel = 0, staged = null;
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; };
const reviewer = $('reviewer');
reviewer.value = localStorage.getItem('accords-reviewer') || reviewer.value;
reviewer.addEventListener('change', () => localStorage.setItem('accords-reviewer', reviewer.value));

function flash(msg) { const f = $('flash'); f.textContent = msg; f.style.display = 'block'; clearTimeout(flash.t); flash.t = setTimeout(() => (f.style.display = 'none'), 1800); }

async function api(path, body) {
  const opt = body === undefined ? { headers: { 'x-accords-token': TOKEN } } : { method: 'POST', headers: { 'content-type': 'application/json', 'x-accords-token': TOKEN }, body: JSON.stringify(body) };
  const r = await fetch(path, opt);
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

function filters() {
  const q = new URLSearchParams();
  for (const k of ['partnership', 'objective', 'domain', 'grade', 'status', 'order']) { const v = $('f-' + k).value; if (v) q.set(k, v); }
  return q;
}

async function load(keepId) {
  const j = await api('/api/queue?' + filters());
  items = j.items;
  const p = $('f-partnership'); const cur = p.value;
  p.replaceChildren(el('option', 'all partnerships'));
  p.firstChild.value = '';
  for (const id of j.partnerships) { const o = el('option', id); o.value = id; p.appendChild(o); }
  p.value = cur;
  $('counts').textContent = j.total + ' shown · ' + j.counts.unreviewed + ' unreviewed · ' + j.counts.accepted + ' accepted · ' + j.counts.corrected + ' corrected · ' + j.counts.stale + ' stale';
  const idx = keepId ? items.findIndex((i) => i.id === keepId) : -1;
  sel = idx >= 0 ? idx : Math.min(sel, Math.max(0, items.length - 1));
  staged = null;
  render();
}

function labelsOf(item) { return staged || (item.decision ? item.decision.labels : item.auto); }

function renderList() {
  const list = $('list');
  list.replaceChildren();
  items.forEach((it, n) => {
    const li = el('li');
    li.dataset.id = it.id;
    if (n === sel) li.className = 'sel';
    const top = el('div');
    top.appendChild(el('span', it.status, 'badge ' + it.status));
    for (const o of (it.decision ? it.decision.labels : it.auto).objectives) top.appendChild(el('span', o.objective + ' ' + o.grade, 'badge'));
    li.appendChild(top);
    li.appendChild(el('div', it.text.length > 140 ? it.text.slice(0, 140) + '…' : it.text));
    li.appendChild(el('div', it.docTitle + (it.partnerships.length ? ' · ' + it.partnerships.join(', ') : ''), 'meta'));
    li.addEventListener('click', () => { sel = n; staged = null; render(); });
    list.appendChild(li);
  });
  const s = list.querySelector('li.sel'); if (s) s.scrollIntoView({ block: 'nearest' });
}

function highlighted(text, marks) {
  const frag = document.createDocumentFragment();
  const spans = marks.filter((m) => m.end > m.start).sort((a, b) => a.start - b.start || b.end - a.end);
  let pos = 0;
  for (const m of spans) {
    if (m.start < pos) continue;
    frag.appendChild(document.createTextNode(text.slice(pos, m.start)));
    const kind = m.label.startsWith('grade/') ? 'grade' : m.label.startsWith('domain/') ? 'dom' : m.label.startsWith('signal/') || m.label === 'governance' ? '' : 'obj';
    const mk = el('mark', text.slice(m.start, m.end), kind);
    mk.title = m.label + ' (rule ' + m.rule + ')';
    frag.appendChild(mk);
    pos = m.end;
  }
  frag.appendChild(document.createTextNode(text.slice(pos)));
  return frag;
}

function renderDetail() {
  const d = $('detail');
  d.replaceChildren();
  const it = items[sel];
  if (!it) { d.appendChild(el('p', 'Nothing matches these filters.')); return; }
  d.appendChild(el('h2', it.docTitle));
  d.appendChild(el('div', [it.docDate, it.partnerships.join(', '), it.heading.join(' › ')].filter(Boolean).join(' · '), 'context'));
  if (it.previous) d.appendChild(el('div', '… ' + it.previous, 'context'));
  const p = el('div', null, 'passage'); p.id = 'passage';
  p.appendChild(highlighted(it.text, it.highlights));
  d.appendChild(p);
  if (it.next) d.appendChild(el('div', it.next + ' …', 'context'));
  const labels = labelsOf(it);
  const t = el('table');
  const head = el('tr'); for (const h of ['key', 'objective', 'grade', 'subcategories', 'why (rules and grade)']) head.appendChild(el('th', h)); t.appendChild(head);
  OBJ.forEach((o, n) => {
    const tr = el('tr');
    const cur = labels.objectives.find((x) => x.objective === o);
    const auto = it.details.find((x) => x.objective === o);
    tr.appendChild(el('td', String(n + 1), 'key'));
    tr.appendChild(el('td', o, cur ? 'on' : 'off'));
    tr.appendChild(el('td', cur ? cur.grade : ''));
    tr.appendChild(el('td', auto ? auto.subcategories.join(', ') : ''));
    tr.appendChild(el('td', auto ? auto.rules.join(', ') + ' — ' + auto.reason : ''));
    tr.dataset.objective = o;
    t.appendChild(tr);
  });
  d.appendChild(t);
  const info = el('p', 'status: ' + it.status + (it.decision ? ' (' + it.decision.action + ' by ' + it.decision.reviewer + ', ' + it.decision.at.slice(0, 16).replace('T', ' ') + (it.decision.note ? '; note: ' + it.decision.note : '') + ')' : '') + (staged ? ' — unsaved changes, press Enter to save' : ''), 'context');
  info.id = 'status';
  d.appendChild(info);
  d.appendChild(el('p', 'domains: ' + (labels.domains.join(', ') || 'none') + ' · governance: ' + (labels.governance ? 'yes' : 'no') + (it.why.length ? ' · uncertain: ' + it.why.join('; ') : ''), 'context'));
  const help = el('div', null); help.id = 'help';
  help.textContent = 'Keys: j/k or ↓/↑ next/previous · a or Enter accept (saves changes) · x reject all objectives · 1–5 toggle an objective · e i c u d set the grade (explore, intend, commit, underway, completed) · n note · z undo · B accept everything shown';
  d.appendChild(help);
}

function render() { renderList(); renderDetail(); }

async function decide(action, note) {
  const it = items[sel]; if (!it || it.status === 'stale') return;
  const body = { id: it.id, action, reviewer: reviewer.value };
  if (staged) { body.action = action === 'reject' ? 'reject' : 'correct'; body.labels = staged; }
  if (note) body.note = note;
  const j = await api('/api/decide', body);
  flash('saved (' + body.action + ')');
  items[sel] = j.item; staged = null;
  if (sel < items.length - 1) sel++;
  render();
}

function toggle(n) {
  const it = items[sel]; if (!it) return;
  const l = JSON.parse(JSON.stringify(labelsOf(it)));
  const o = OBJ[n];
  const i = l.objectives.findIndex((x) => x.objective === o);
  if (i >= 0) l.objectives.splice(i, 1); else l.objectives.push({ objective: o, grade: (it.details.find((x) => x.objective === o) || {}).grade || 'commit' });
  staged = l; renderDetail();
}

function setGrade(g) {
  const it = items[sel]; if (!it) return;
  const l = JSON.parse(JSON.stringify(labelsOf(it)));
  for (const o of l.objectives) o.grade = g;
  staged = l; renderDetail();
}

document.addEventListener('keydown', async (ev) => {
  if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const k = ev.key;
  try {
    if (k === 'j' || k === 'ArrowDown') { sel = Math.min(items.length - 1, sel + 1); staged = null; render(); }
    else if (k === 'k' || k === 'ArrowUp') { sel = Math.max(0, sel - 1); staged = null; render(); }
    else if (k === 'a' || k === 'Enter') await decide('accept');
    else if (k === 'x') await decide('reject');
    else if (k >= '1' && k <= '5') toggle(Number(k) - 1);
    else if (GRADE_KEYS[k]) setGrade(GRADE_KEYS[k]);
    else if (k === 'n') { const note = prompt('Note for this passage'); if (note) await decide('accept', note); }
    else if (k === 'z') { const it = items[sel]; const j = await api('/api/undo', { id: it.id, reviewer: reviewer.value }); flash(j.seq ? 'undone' : 'nothing to undo'); await load(it.id); }
    else if (k === 'B') { if (confirm('Accept all ' + items.length + ' passages shown?')) { const j = await api('/api/bulk-accept', { ids: items.map((i) => i.id), reviewer: reviewer.value }); flash(j.accepted + ' accepted'); await load(); } }
    else return;
    ev.preventDefault();
  } catch (e) { flash('error: ' + e.message); }
});
for (const k of ['partnership', 'objective', 'domain', 'grade', 'status', 'order']) $('f-' + k).addEventListener('change', () => { sel = 0; load(); });
load();
`;

function options(name: string, values: string[], all: string): string {
  return `<select id="f-${name}" aria-label="${name}"><option value="">${all}</option>${values.map((v) => `<option value="${v}">${v}</option>`).join('')}</select>`;
}

export function pageHtml(o: { token: string; nonce: string; reviewer: string }): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="accords-token" content="${esc(o.token)}">
<title>accords review</title><style nonce="${esc(o.nonce)}">${STYLE}</style></head>
<body>
<header><h1>accords review</h1>
${options('partnership', [], 'all partnerships')}
${options('objective', ['policy', 'research', 'commercial', 'preparedness', 'workforce'], 'any objective')}
${options('domain', ['semiconductors', 'ai', 'quantum', 'biotech', 'batteries-clean-energy', 'critical-minerals', 'telecom', 'cybersecurity', 'data', 'space', 'cet-general'], 'any domain')}
${options('grade', ['explore', 'intend', 'commit', 'underway', 'completed'], 'any grade')}
${options('status', ['unreviewed', 'accepted', 'corrected', 'stale'], 'any status')}
<select id="f-order" aria-label="order"><option value="">document order</option><option value="uncertain">most uncertain first</option></select>
<label>reviewer <input id="reviewer" value="${esc(o.reviewer)}" size="12"></label>
<span id="counts"></span></header>
<main><ul id="list" aria-label="passages"></ul><section id="detail" aria-live="polite"></section></main>
<div id="flash" role="status"></div>
<script nonce="${esc(o.nonce)}">${SCRIPT}</script>
</body></html>`;
}
