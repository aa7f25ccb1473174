'use strict';
// The review page's script: plain browser JavaScript, inlined by page.ts under the
// page's nonce. Document text is only ever set with textContent.
(() => {
  const meta = (name) => document.querySelector('meta[name=' + name + ']').content;
  const TOKEN = meta('accords-token');
  const KEYS = JSON.parse(meta('accords-keys'));
  const TAX = JSON.parse(meta('accords-taxonomy'));
  const OBJ = TAX.objectives;
  const ROW_H = 66; // px, as --row in the style sheet
  const WHOLE = 1000; // lists up to this long are drawn whole (so the browser's find works); longer ones are windowed
  const OVERSCAN = 12;

  let rows = [];
  let docs = [];
  let total = 0;
  let sel = 0;
  let staged = null; // labels being edited, not saved yet
  let stagedNote = '';
  let focus = null; // objective id or 'governance': where grade keys go
  let docView = false;
  let lastBatch = null;
  let view = 'queue';
  const cache = new Map(); // id -> detail
  const pending = new Map(); // id -> promise
  const rowEls = new Map(); // index -> li
  let win = { start: 0, end: 0 };

  const $ = (id) => document.getElementById(id);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const clone = (x) => JSON.parse(JSON.stringify(x));
  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

  // Keys: one map from key name to action, from the bindings in pipeline.config.ts.
  const keyAction = new Map();
  const keysOf = {};
  const bind = (action, list) => {
    keysOf[action] = list;
    for (const k of list) keyAction.set(k, action);
  };
  for (const [action, v] of Object.entries(KEYS)) {
    if (Array.isArray(v)) bind(action, v);
    else for (const [sub, list] of Object.entries(v)) bind(action + '.' + sub, list);
  }
  const keyName = (k) => (k === ' ' ? 'Space' : k);
  const shown = (action) => (keysOf[action] || []).map((k) => ({ ArrowDown: '↓', ArrowUp: '↑', ArrowLeft: '←', ArrowRight: '→' })[k] || k).join(' or ');

  const reviewer = $('reviewer');
  reviewer.value = localStorage.getItem('accords-reviewer') || reviewer.value;
  reviewer.addEventListener('change', () => {
    localStorage.setItem('accords-reviewer', reviewer.value);
    cache.clear();
    if ($('f-status').value === 'mine' || $('f-status').value === 'not-mine') load();
    else renderDetail();
  });

  function flash(msg) {
    const f = $('flash');
    f.textContent = msg;
    f.style.display = 'block';
    clearTimeout(flash.t);
    flash.t = setTimeout(() => (f.style.display = 'none'), 2200);
  }

  async function api(path, body) {
    const opt = body === undefined ? { headers: { 'x-accords-token': TOKEN } } : { method: 'POST', headers: { 'content-type': 'application/json', 'x-accords-token': TOKEN }, body: JSON.stringify(body) };
    const r = await fetch(path, opt);
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || r.statusText);
    return j;
  }

  const FILTERS = ['q', 'partnership', 'tags', 'objective', 'domain', 'grade', 'status', 'rule', 'order'];
  function filterValues() {
    const f = {};
    for (const k of FILTERS) {
      const v = $('f-' + k).value.trim();
      if (v) f[k] = v;
    }
    if (f.status === 'mine' || f.status === 'not-mine') f.reviewer = reviewer.value;
    return f;
  }

  function setCounts(c) {
    $('counts').textContent = total + ' shown · ' + c.passages + ' passages (' + c.untagged + ' untagged) · ' + c.unreviewed + ' unreviewed · ' + c.accepted + ' accepted · ' + c.corrected + ' corrected · ' + c.disputed + ' disputed · ' + c.adjudicated + ' adjudicated · ' + c.stale + ' stale · ' + c.decisions + ' decisions';
    $('counts').dataset.json = JSON.stringify(c);
  }

  function fillSelect(select, values, allLabel) {
    const cur = select.value;
    select.replaceChildren(el('option', allLabel));
    select.firstChild.value = '';
    for (const [value, label] of values) {
      const o = el('option', label);
      o.value = value;
      select.appendChild(o);
    }
    select.value = values.some(([v]) => v === cur) ? cur : '';
  }

  // The list says it is busy while a new queue is on its way. Only the newest of
  // overlapping loads applies its answer and ends the busy state.
  let loadGen = 0;
  async function load(keepId) {
    const gen = ++loadGen;
    $('list').setAttribute('aria-busy', 'true');
    try {
      await loadQueue(keepId, gen);
    } finally {
      if (gen === loadGen) $('list').removeAttribute('aria-busy');
    }
  }

  async function loadQueue(keepId, gen) {
    const keep = keepId || (rows[sel] && rows[sel].id);
    const j = await api('/api/queue?' + new URLSearchParams(filterValues()));
    if (gen !== loadGen) return; // a newer load is on its way
    rows = j.items;
    docs = j.docs;
    total = j.total;
    fillSelect($('f-partnership'), j.partnerships.map((p) => [p, p]), 'all partnerships');
    const ruleOpts = j.rules.map((r) => [r.rule, r.rule + ' (' + r.passages + ')']);
    if ($('f-rule').value && !j.rules.some((r) => r.rule === $('f-rule').value)) ruleOpts.unshift([$('f-rule').value, $('f-rule').value + ' (0)']);
    fillSelect($('f-rule'), ruleOpts, 'any rule');
    const bulkRule = $('bulk-rule');
    const curRule = bulkRule.value || $('f-rule').value;
    bulkRule.replaceChildren();
    for (const r of j.rules) {
      const o = el('option', r.rule + (r.label ? ' → ' + r.label : '') + ': ' + r.passages + ' passages');
      o.value = r.rule;
      bulkRule.appendChild(o);
    }
    if (j.rules.some((r) => r.rule === curRule)) bulkRule.value = curRule;
    setCounts(j.counts);
    const idx = keep ? rows.findIndex((r) => r.id === keep) : -1;
    sel = idx >= 0 ? idx : Math.min(sel, Math.max(0, rows.length - 1));
    cache.clear();
    resetStage();
    drawList(true);
    ensureVisible();
    renderDetail();
    resetBulk();
  }

  // ---- the list: drawn whole when short, windowed when long; a key press redraws only the rows it changes
  function fillRow(li, i) {
    const r = rows[i];
    li.dataset.id = r.id;
    li.dataset.i = i;
    li.className = i === sel ? 'sel' : '';
    const top = el('div', null, 'top');
    top.appendChild(el('span', r.status, 'badge ' + r.status));
    if (r.disputed) top.appendChild(el('span', 'disputed', 'badge disputed'));
    if (r.adjudicated) top.appendChild(el('span', 'adjudicated', 'badge adjudicated'));
    if (r.kind === 'heading') top.appendChild(el('span', 'heading', 'badge kind'));
    for (const [o, g] of r.objectives) top.appendChild(el('span', o + ' ' + g, 'badge'));
    if (r.governance) top.appendChild(el('span', 'governance', 'badge'));
    if (!r.objectives.length && !r.governance && r.kind !== 'heading') top.appendChild(el('span', 'no tag', 'badge kind'));
    const d = docs[r.doc];
    li.replaceChildren(top, el('div', r.text, 'txt'), el('div', d ? d.title + (d.partnerships.length ? ' · ' + d.partnerships.join(', ') : '') : 'stale decision', 'meta'));
  }

  function windowFor() {
    const n = rows.length;
    if (n <= WHOLE) return { start: 0, end: n };
    const box = $('listbox');
    const h = box.clientHeight || 800;
    const top = box.scrollTop;
    return { start: Math.max(0, Math.floor(top / ROW_H) - OVERSCAN), end: Math.min(n, Math.ceil((top + h) / ROW_H) + OVERSCAN) };
  }

  function drawList(force) {
    const list = $('list');
    const w = windowFor();
    if (!force && w.start === win.start && w.end === win.end) return;
    if (force) {
      list.replaceChildren();
      rowEls.clear();
    } else {
      for (const [i, li] of rowEls) if (i < w.start || i >= w.end) {
        li.remove();
        rowEls.delete(i);
      }
    }
    // Keep the rows in index order: new ones go before the first kept row or at the end.
    const frag = document.createDocumentFragment();
    let firstKept = null;
    for (let i = w.start; i < w.end; i++) {
      if (rowEls.has(i)) {
        if (!firstKept) firstKept = rowEls.get(i);
        continue;
      }
      const li = el('li');
      fillRow(li, i);
      rowEls.set(i, li);
      if (!firstKept) frag.appendChild(li);
      else list.appendChild(li);
    }
    if (firstKept) list.insertBefore(frag, firstKept);
    else list.appendChild(frag);
    win = w;
    list.style.paddingTop = w.start * ROW_H + 'px';
    list.style.paddingBottom = (rows.length - w.end) * ROW_H + 'px';
  }

  function redrawRow(i) {
    const li = rowEls.get(i);
    if (li) fillRow(li, i);
  }

  function ensureVisible() {
    const box = $('listbox');
    const top = sel * ROW_H;
    const h = box.clientHeight || 800;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + ROW_H > box.scrollTop + h) box.scrollTop = top + ROW_H - h;
    drawList(false);
  }

  $('listbox').addEventListener('scroll', () => {
    if (drawList.raf) return;
    drawList.raf = requestAnimationFrame(() => {
      drawList.raf = 0;
      drawList(false);
    });
  });
  $('list').addEventListener('click', (ev) => {
    const li = ev.target.closest('li');
    if (li && li.dataset.i !== undefined) select(Number(li.dataset.i));
  });

  function select(i) {
    if (!rows.length) return;
    i = Math.max(0, Math.min(rows.length - 1, i));
    const old = sel;
    sel = i;
    resetStage();
    const a = rowEls.get(old);
    if (a) a.className = '';
    const b = rowEls.get(sel);
    if (b) b.className = 'sel';
    ensureVisible();
    renderDetail();
  }

  function resetStage() {
    staged = null;
    stagedNote = '';
    focus = null;
  }

  // ---- passage details, fetched in small batches and kept; the neighbours are fetched ahead
  function fetchItems(ids) {
    const want = ids.filter((id) => id && !cache.has(id) && !pending.has(id));
    if (!want.length) return Promise.all(ids.map((id) => pending.get(id)));
    const p = api('/api/items?ids=' + want.map(encodeURIComponent).join(','))
      .then((j) => {
        for (const it of j.items) cache.set(it.id, it);
      })
      .finally(() => {
        for (const id of want) pending.delete(id); // a failed fetch is tried again next time
      });
    for (const id of want) pending.set(id, p);
    return p;
  }

  function prefetch() {
    const ids = [];
    for (const i of [sel + 1, sel + 2, sel + 3, sel + 4, sel - 1]) if (rows[i]) ids.push(rows[i].id);
    fetchItems(ids).catch(() => {});
  }

  function current() {
    const r = rows[sel];
    return r ? cache.get(r.id) : undefined;
  }

  /** What the reviewer sees and edits: their staged edits, else their own decision, else the labels in force. */
  function labelsOf(it) {
    if (staged) return staged;
    const mine = it.reviews.find((r) => r.reviewer === reviewer.value.trim());
    return mine ? mine.labels : it.labels;
  }

  function highlighted(text, marks) {
    const frag = document.createDocumentFragment();
    const spans = marks.filter((m) => m.end > m.start).sort((a, b) => a.start - b.start || b.end - a.end);
    let pos = 0;
    for (const m of spans) {
      if (m.start < pos) continue;
      frag.appendChild(document.createTextNode(text.slice(pos, m.start)));
      const kind = m.label.startsWith('grade/') ? 'grade' : m.label.startsWith('domain/') ? 'dom' : m.label.startsWith('signal/') || m.label === 'governance' || m.label === 'cooperation' ? '' : 'obj';
      const mk = el('mark', text.slice(m.start, m.end), kind);
      mk.title = m.label + ' (rule ' + m.rule + ')';
      frag.appendChild(mk);
      pos = m.end;
    }
    frag.appendChild(document.createTextNode(text.slice(pos)));
    return frag;
  }

  function gradeSelect(value, onChange, label) {
    const s = el('select');
    s.setAttribute('aria-label', label);
    for (const g of TAX.grades) {
      const o = el('option', g);
      o.value = g;
      s.appendChild(o);
    }
    s.value = value || 'commit';
    s.addEventListener('change', () => onChange(s.value));
    return s;
  }

  function chip(text, on, onClick, label) {
    const b = el('button', text, 'chip' + (on ? ' on' : ''));
    b.type = 'button';
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    if (label) b.setAttribute('aria-label', label);
    b.addEventListener('click', (ev) => {
      ev.currentTarget.blur();
      onClick();
    });
    return b;
  }

  function renderDetail() {
    const d = $('detail');
    const r = rows[sel];
    if (!r) {
      d.replaceChildren(el('p', 'Nothing matches these filters.'));
      return;
    }
    const it = cache.get(r.id);
    if (!it) {
      d.replaceChildren(el('p', r.text, 'passage'), el('p', 'loading…', 'context'));
      const id = r.id;
      fetchItems([id]).then(() => {
        if (rows[sel] && rows[sel].id === id) renderDetail();
      }, (e) => flash('error: ' + e.message));
      return;
    }
    const parts = [];
    parts.push(el('h2', it.docTitle));
    parts.push(el('div', [it.docDate, it.partnerships.join(', '), it.heading.join(' › '), it.kind].filter(Boolean).join(' · '), 'context'));
    if (it.source) {
      const s = el('div', null, 'context source');
      if (it.source.url) {
        const a = el('a', 'source');
        a.href = it.source.url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.id = 'source-link';
        s.appendChild(a);
        s.appendChild(document.createTextNode(' (' + shown('source') + ') · '));
      }
      const file = el('span', it.source.file.split(/[\\/]/).pop());
      file.title = it.source.file;
      s.appendChild(file);
      s.appendChild(document.createTextNode((it.source.line ? ':' + it.source.line : '') + (it.source.page ? ', page ' + it.source.page : '') + (it.source.element ? ' (' + it.source.element + ')' : '') + ' · whole document: ' + shown('document')));
      parts.push(s);
    }
    if (it.listIntro) parts.push(el('div', 'list introduced by: “' + it.listIntro + '”', 'context'));
    for (const b of it.before) parts.push(el('div', '… ' + b.text, 'context near'));
    const p = el('div', null, 'passage');
    p.id = 'passage';
    p.appendChild(highlighted(it.text, it.highlights));
    parts.push(p);
    for (const a of it.after) parts.push(el('div', a.text + ' …', 'context near'));
    // Reviewers who decided this passage, side by side, before the labels being edited.
    if (it.reviews.length >= 2 || it.adjudicated) parts.push(sideBySide(it));
    if (docView) {
      const dv = el('div', 'loading the document…');
      dv.id = 'docview';
      parts.push(dv);
      showDocument(dv, it.id);
    }
    const labels = labelsOf(it);
    const on = new Set(labels.objectives.map((o) => o.objective));
    if (!focus || (focus !== 'governance' && !on.has(focus)) || (focus === 'governance' && !labels.governance)) focus = labels.objectives[0] ? labels.objectives[0].objective : labels.governance ? 'governance' : null;

    const t = el('table');
    t.id = 'labels';
    const head = el('tr');
    for (const h of ['key', 'objective', 'grade', 'subcategories (taxonomy)', 'why (rules and grade)']) head.appendChild(el('th', h));
    t.appendChild(head);
    OBJ.forEach((o) => {
      const tr = el('tr');
      const cur = labels.objectives.find((x) => x.objective === o);
      const auto = it.details.find((x) => x.objective === o);
      if (focus === o) tr.className = 'focus';
      tr.dataset.objective = o;
      tr.appendChild(el('td', shown('objective.' + o), 'key'));
      const name = el('td', null, cur ? 'on' : 'off');
      name.appendChild(chip(o, !!cur, () => toggle(o), 'objective ' + o));
      tr.appendChild(name);
      const g = el('td');
      if (cur) g.appendChild(gradeSelect(cur.grade, (v) => edit((l) => (l.objectives.find((x) => x.objective === o).grade = v), o), 'grade of ' + o));
      tr.appendChild(g);
      const subs = el('td');
      // Subcategories of an objective that is on: all of the taxonomy's, the chosen ones marked.
      if (cur) {
        const chosen = cur.subcategories || (auto ? auto.subcategories : []);
        for (const s of TAX.subcategories[o]) subs.appendChild(chip(s, chosen.includes(s), () => toggleSub(o, s), o + ' subcategory ' + s));
      }
      tr.appendChild(subs);
      tr.appendChild(el('td', auto ? auto.rules.join(', ') + ' — ' + auto.reason + (auto.listMention ? ' (list mention)' : '') : '', 'why'));
      t.appendChild(tr);
    });
    const gtr = el('tr');
    gtr.dataset.objective = 'governance';
    if (focus === 'governance') gtr.className = 'focus';
    gtr.appendChild(el('td', shown('governance'), 'key'));
    const gname = el('td', null, labels.governance ? 'on' : 'off');
    gname.appendChild(chip('governance', labels.governance, () => toggleGovernance(), 'governance'));
    gtr.appendChild(gname);
    const gg = el('td');
    if (labels.governance) gg.appendChild(gradeSelect(labels.governanceGrade, (v) => edit((l) => (l.governanceGrade = v), 'governance'), 'grade of governance'));
    gtr.appendChild(gg);
    gtr.appendChild(el('td', 'how the partnership runs: bodies, meetings, chairs', 'why'));
    gtr.appendChild(el('td', it.governanceRules.join(', '), 'why'));
    t.appendChild(gtr);
    const dtr = el('tr');
    dtr.appendChild(el('td', '', 'key'));
    dtr.appendChild(el('td', 'domains'));
    const dchips = el('td');
    dchips.colSpan = 2;
    dchips.id = 'domains';
    for (const dm of TAX.domains) dchips.appendChild(chip(dm, labels.domains.includes(dm), () => toggleDomain(dm), 'domain ' + dm));
    dtr.appendChild(dchips);
    dtr.appendChild(el('td', it.domainRules.join('; '), 'why'));
    t.appendChild(dtr);
    parts.push(t);

    const note = el('input');
    note.id = 'note';
    note.placeholder = 'note (saved with the decision; ' + shown('note') + ' asks for one and saves)';
    note.value = stagedNote;
    note.addEventListener('input', () => {
      stagedNote = note.value;
    });
    // Enter in the note saves the decision with it, as the accept key would.
    note.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter') return;
      ev.preventDefault();
      note.blur();
      decide('accept').catch((e) => flash('error: ' + e.message));
    });
    parts.push(note);

    const dec = it.decision;
    const info = el('p', 'status: ' + it.status + (it.disputed ? ', disputed' : '') + (it.adjudicated ? ', adjudicated' : '') + (dec ? ' (' + dec.action + (dec.final ? ', final' : '') + ' by ' + dec.reviewer + ', ' + dec.at.slice(0, 16).replace('T', ' ') + (dec.note ? '; note: ' + dec.note : '') + ')' : '') + (staged ? ' — unsaved changes, press ' + shown('accept') + ' to save' : ''), 'context');
    info.id = 'status';
    parts.push(info);
    if (it.why.length) parts.push(el('p', 'uncertain: ' + it.why.join('; '), 'context'));
    if (it.dropped.length) {
      const box = el('div', null, 'context');
      box.id = 'dropped';
      box.appendChild(el('div', 'considered and dropped by the rules:'));
      const ul = el('ul');
      for (const c of it.dropped) ul.appendChild(el('li', c.label + ' (' + c.rule + ', “' + c.match + '”): ' + c.reason));
      box.appendChild(ul);
      parts.push(box);
    }
    const help = el('div', null);
    help.id = 'help';
    help.textContent = 'Keys: ' + shown('next') + '/' + shown('previous') + ' next/previous · ' + shown('accept') + ' accept (saves changes) · ' + shown('reject') + ' reject all objectives · ' + OBJ.map((o) => shown('objective.' + o)).join(' ') + ' toggle ' + OBJ.join(', ') + ' · ' + TAX.grades.map((g) => shown('grade.' + g)).join(' ') + ' set the grade (' + TAX.grades.join(', ') + ') of the marked row · ' + shown('focus') + ' mark the next row · ' + shown('governance') + ' governance · ' + shown('note') + ' note · ' + shown('undo') + ' undo · ' + shown('acceptShown') + ' accept everything shown · ' + shown('undoBulk') + ' undo the last bulk action · ' + shown('search') + ' search · ' + shown('document') + ' whole document · ' + shown('source') + ' open the source · ' + shown('help') + ' all keys';
    parts.push(help);
    d.replaceChildren(...parts);
    prefetch();
  }

  function sideBySide(it) {
    const box = el('div');
    box.id = 'reviews';
    box.appendChild(el('h3', it.adjudicated ? 'Reviewers side by side (adjudicated)' : it.disputed ? 'Reviewers disagree: side by side' : 'Reviewers side by side'));
    const t = el('table');
    const cols = it.reviews.map((r) => ({ name: r.reviewer, labels: r.labels, r, final: false }));
    if (it.adjudicated && it.decision) cols.push({ name: 'final (' + it.decision.reviewer + ')', labels: it.decision.labels, r: it.decision, final: true });
    const head = el('tr');
    head.appendChild(el('th', ''));
    for (const c of cols) {
      const th = el('th', c.name, c.final ? 'final' : '');
      head.appendChild(th);
    }
    t.appendChild(head);
    const row = (name, f) => {
      const tr = el('tr');
      tr.appendChild(el('th', name));
      const vals = cols.map((c) => f(c.labels, c.r));
      const differ = new Set(vals.filter((v, i) => !cols[i].final)).size > 1;
      cols.forEach((c, i) => tr.appendChild(el('td', vals[i], (c.final ? 'final ' : '') + (differ ? 'corrected' : ''))));
      return tr;
    };
    for (const o of OBJ) {
      t.appendChild(row(o, (l) => {
        const x = l.objectives.find((y) => y.objective === o);
        return x ? x.grade + (x.subcategories && x.subcategories.length ? ' (' + x.subcategories.join(', ') + ')' : '') : '–';
      }));
    }
    t.appendChild(row('governance', (l) => (l.governance ? 'yes ' + (l.governanceGrade || '') : 'no')));
    t.appendChild(row('domains', (l) => l.domains.join(', ') || '–'));
    t.appendChild(row('note', (_l, r) => r.note || ''));
    t.appendChild(row('decided', (_l, r) => r.action + ', ' + r.at.slice(0, 16).replace('T', ' ')));
    const tr = el('tr');
    tr.appendChild(el('th', ''));
    for (const c of cols) {
      const td = el('td');
      if (!c.final) {
        const b = el('button', 'take ' + c.name + '’s labels', 'take');
        b.type = 'button';
        b.addEventListener('click', () => take(c.labels));
        td.appendChild(b);
      }
      tr.appendChild(td);
    }
    t.appendChild(tr);
    box.appendChild(t);
    box.appendChild(el('p', 'Adjudicate: take one reviewer’s labels (' + shown('take') + ' cycles through them) or edit above, then ' + shown('adjudicate') + ' saves them as the final decision.', 'context'));
    return box;
  }

  async function showDocument(box, id) {
    try {
      const d = await api('/api/document?id=' + encodeURIComponent(id));
      if (!box.isConnected) return;
      box.replaceChildren();
      box.appendChild(el('h4', d.title + (d.date ? ' (' + d.date + ')' : '')));
      let lastIntro = null;
      for (const p of d.passages) {
        if (p.kind === 'heading') {
          box.appendChild(el('h4', p.text));
          continue;
        }
        if (p.listIntro && p.listIntro !== lastIntro) box.appendChild(el('p', '[list introduced by: ' + clip(p.listIntro, 120) + ']', 'context'));
        lastIntro = p.listIntro;
        const para = el('p', (p.kind === 'item' ? '• ' : '') + p.text, p.kind === 'item' ? 'item' : '');
        if (p.id === id) {
          para.classList.add('here');
          para.id = 'here';
        }
        para.title = p.status + (p.objectives ? ', ' + p.objectives + ' objectives' : '');
        para.addEventListener('click', () => {
          const i = rows.findIndex((r) => r.id === p.id);
          if (i >= 0) select(i);
          else flash('that passage is not in the current filter');
        });
        box.appendChild(para);
      }
      const here = box.querySelector('#here');
      if (here) box.scrollTop = here.offsetTop - box.offsetTop - 60;
    } catch (e) {
      box.textContent = 'error: ' + e.message;
    }
  }

  // ---- editing (staged until saved)
  function edit(fn, newFocus) {
    const it = current();
    if (!it || it.status === 'stale') return;
    const l = clone(labelsOf(it));
    fn(l, it);
    staged = l;
    if (newFocus !== undefined) focus = newFocus;
    renderDetail();
  }

  function toggle(o) {
    edit((l, it) => {
      const i = l.objectives.findIndex((x) => x.objective === o);
      if (i >= 0) {
        l.objectives.splice(i, 1);
        if (focus === o) focus = null;
      } else {
        const auto = it.details.find((x) => x.objective === o);
        // Without an automatic tag, the subcategories a dropped candidate proposed are the first guess.
        const proposed = it.dropped.map((c) => c.label.split('/')).filter(([obj, sub]) => obj === o && TAX.subcategories[o].includes(sub)).map(([, sub]) => sub);
        const subs = auto ? auto.subcategories.slice() : TAX.subcategories[o].filter((s) => proposed.includes(s));
        l.objectives.push({ objective: o, grade: auto ? auto.grade : 'commit', subcategories: subs });
        l.objectives.sort((a, b) => OBJ.indexOf(a.objective) - OBJ.indexOf(b.objective));
        focus = o;
      }
    });
  }

  function toggleSub(o, s) {
    edit((l, it) => {
      let x = l.objectives.find((y) => y.objective === o);
      if (!x) {
        const auto = it.details.find((y) => y.objective === o);
        x = { objective: o, grade: auto ? auto.grade : 'commit', subcategories: [] };
        l.objectives.push(x);
        l.objectives.sort((a, b) => OBJ.indexOf(a.objective) - OBJ.indexOf(b.objective));
      }
      if (!x.subcategories) {
        const auto = it.details.find((y) => y.objective === o);
        x.subcategories = auto ? auto.subcategories.slice() : [];
      }
      x.subcategories = x.subcategories.includes(s) ? x.subcategories.filter((y) => y !== s) : TAX.subcategories[o].filter((y) => y === s || x.subcategories.includes(y));
    }, o);
  }

  function toggleDomain(dm) {
    edit((l) => {
      l.domains = l.domains.includes(dm) ? l.domains.filter((x) => x !== dm) : TAX.domains.filter((x) => x === dm || l.domains.includes(x));
    });
  }

  function toggleGovernance() {
    edit((l, it) => {
      l.governance = !l.governance;
      l.governanceGrade = l.governance ? it.auto.governanceGrade || l.governanceGrade || 'commit' : null;
      focus = l.governance ? 'governance' : null;
    });
  }

  function setGrade(g) {
    const it = current();
    if (!it) return;
    if (!focus) {
      flash('turn on an objective (' + OBJ.map((o) => shown('objective.' + o)).join(' ') + ') or governance first');
      return;
    }
    edit((x) => {
      if (focus === 'governance') x.governanceGrade = g;
      else {
        const t = x.objectives.find((y) => y.objective === focus);
        if (t) t.grade = g;
      }
    });
  }

  function cycleFocus() {
    const it = current();
    if (!it) return;
    const l = labelsOf(it);
    const order = l.objectives.map((o) => o.objective).concat(l.governance ? ['governance'] : []);
    if (!order.length) return;
    focus = order[(order.indexOf(focus) + 1) % order.length];
    renderDetail();
  }

  // Keys that do not act on the shown passage's details.
  const PASSAGE_FREE = new Set(['next', 'previous', 'help', 'search', 'undoBulk', 'acceptShown', 'document']);
  /** Waits for the selected passage's details; false when the selection or view changed meanwhile. */
  async function ensureCurrent() {
    const r = rows[sel];
    const v = view;
    if (!r || cache.has(r.id)) return true;
    await fetchItems([r.id]);
    if (rows[sel] !== r || view !== v) return false;
    // The loading view has already asked to be redrawn when the fetch ends; draw only if it did not.
    if (!$('passage')) renderDetail();
    return true;
  }

  let takeIndex = -1;
  function take(labels) {
    const it = current();
    if (!it) return;
    staged = clone(labels);
    focus = null;
    renderDetail();
  }
  function takeNext() {
    const it = current();
    if (!it) return flash('the passage is still loading');
    if (!it.reviews.length) return flash('only one reviewer decided this passage');
    takeIndex = (takeIndex + 1) % it.reviews.length;
    take(it.reviews[takeIndex].labels);
    flash('took ' + it.reviews[takeIndex].reviewer + '’s labels');
  }

  // ---- saving
  function applyResult(j) {
    if (j.item) cache.set(j.item.id, j.item);
    if (j.row) {
      for (let i = 0; i < rows.length; i++) if (rows[i].id === j.row.id) {
        rows[i] = j.row;
        redrawRow(i);
      }
    }
    if (j.counts) setCounts(j.counts);
  }

  async function decide(action, note, final) {
    const r = rows[sel];
    const it = current();
    if (!r || !it || it.status === 'stale') return;
    const body = { id: r.id, action, reviewer: reviewer.value };
    // Accepting records the labels shown (a colleague's correction, say), not necessarily the tagger's;
    // the server calls it a correction when they differ from the automatic ones.
    if (action !== 'reject' && (staged || it.decision)) body.labels = labelsOf(it);
    if (final) body.final = true;
    const n = note || stagedNote.trim();
    if (n) body.note = n;
    const j = await api('/api/decide', body);
    applyResult(j);
    flash('saved (' + j.action + (final ? ', final' : '') + ')');
    resetStage();
    takeIndex = -1;
    if (sel < rows.length - 1) select(sel + 1);
    else renderDetail();
  }

  async function undo() {
    const r = rows[sel];
    if (!r) return;
    const j = await api('/api/undo', { id: r.id, reviewer: reviewer.value });
    flash(j.seq ? 'undone' : 'nothing of yours to undo here');
    if (j.row) applyResult(j);
    else await load();
    resetStage();
    renderDetail();
  }

  // ---- bulk actions on what the filter shows
  function resetBulk() {
    $('bulk-apply').disabled = true;
    delete $('bulk-apply').dataset.expect;
    $('bulk-result').textContent = '';
  }

  function bulkRequest(extra) {
    const op = $('bulk-op').value;
    const body = { filters: filterValues(), reviewer: reviewer.value, op };
    if (op.endsWith('-rule')) body.rule = $('bulk-rule').value;
    return Object.assign(body, extra || {});
  }

  async function bulkPreview() {
    const body = bulkRequest();
    if (body.op.endsWith('-rule') && !body.rule) return flash('no rule fired on the passages shown');
    const j = await api('/api/bulk/preview', body);
    const s = j.skipped;
    $('bulk-result').textContent = j.changes + ' of ' + j.shown + ' passages shown will change' + ' (left as they are: ' + s.reviewed + ' already reviewed, ' + s.unchanged + ' unchanged, ' + s.notFired + ' without the rule, ' + s.stale + ' stale)' + (j.sample.length ? '; e.g. “' + clip(j.sample[0].text, 70) + '”: ' + j.sample[0].before + ' → ' + j.sample[0].after : '');
    $('bulk-apply').disabled = j.changes === 0;
    $('bulk-apply').dataset.expect = String(j.changes);
    $('bulk-apply').textContent = 'Apply to ' + j.changes + ' passages';
    return j;
  }

  async function bulkApply() {
    const expect = Number($('bulk-apply').dataset.expect);
    const j = await api('/api/bulk/apply', bulkRequest({ expect }));
    lastBatch = j.batch;
    $('bulk-undo').hidden = false;
    $('bulk-undo').textContent = 'Undo the last bulk action (' + j.applied + ' decisions)';
    flash(j.applied + ' decisions saved');
    await load();
    $('bulk-result').textContent = j.applied + ' decisions saved as one bulk action';
  }

  async function bulkUndo() {
    if (!lastBatch) return flash('no bulk action to undo in this page');
    const j = await api('/api/bulk/undo', { batch: lastBatch, reviewer: reviewer.value });
    flash(j.undone + ' decisions undone');
    lastBatch = null;
    $('bulk-undo').hidden = true;
    await load();
    $('bulk-result').textContent = j.undone + ' decisions undone';
  }

  async function acceptShown() {
    const j = await api('/api/bulk/preview', { filters: filterValues(), reviewer: reviewer.value, op: 'accept' });
    if (!j.changes) return flash('nothing unreviewed is shown');
    if (!confirm('Accept all ' + j.changes + ' unreviewed passages shown?')) return;
    const a = await api('/api/bulk/apply', { filters: filterValues(), reviewer: reviewer.value, op: 'accept', expect: j.changes });
    lastBatch = a.batch;
    $('bulk-undo').hidden = false;
    flash(a.applied + ' accepted');
    await load();
  }

  // ---- the rules and agreement pages
  const pct = (x) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
  async function showRules() {
    const box = $('view-rules');
    box.replaceChildren(el('p', 'loading…'));
    const j = await api('/api/learn');
    const parts = [el('h2', 'What reviewers’ decisions say about the rules'), el('p', j.reviewed + ' reviewed passages. A rule’s label (objective, domain or governance) on a reviewed passage was kept or removed by the reviewer; precision = kept / fired. Most rejected first.', 'context')];
    const t = el('table');
    t.id = 'rule-table';
    const head = el('tr');
    for (const h of ['rule', 'label', 'fired', 'kept', 'rejected', 'precision']) head.appendChild(el('th', h));
    t.appendChild(head);
    for (const r of j.rules) {
      const tr = el('tr');
      tr.dataset.rule = r.rule;
      tr.appendChild(el('td', r.rule));
      tr.appendChild(el('td', r.label));
      for (const v of [r.fired, r.kept, r.rejected]) tr.appendChild(el('td', v, 'num'));
      tr.appendChild(el('td', pct(r.precision), 'num'));
      t.appendChild(tr);
    }
    if (!j.rules.length) parts.push(el('p', 'No decisions on passages with rule hits yet.'));
    else parts.push(t);
    const rejected = j.rules.filter((r) => r.rejected > 0);
    parts.push(el('h2', 'Rules analysts reject most, with their rejected passages'));
    if (!rejected.length) parts.push(el('p', 'None rejected.', 'context'));
    for (const r of rejected) {
      const det = el('details');
      det.dataset.rule = r.rule;
      det.appendChild(el('summary', r.rule + ' (' + r.label + '): rejected ' + r.rejected + ' of ' + r.fired + ', precision ' + pct(r.precision)));
      if (r.exception) {
        const pe = el('p', null, 'exception');
        pe.appendChild(document.createTextNode('Proposed exception: add '));
        pe.appendChild(el('code', 'unless: ["' + r.exception.phrase + '"]'));
        pe.appendChild(document.createTextNode(' to ' + r.rule + ' (rules/*.yaml); it cancels ' + r.exception.rejected + ' of ' + r.exception.ofRejected + ' rejected hits and ' + r.exception.kept + ' of ' + r.exception.ofKept + ' kept ones. Check it with accords explain before adding it.'));
        det.appendChild(pe);
      } else if (r.noException) det.appendChild(el('p', 'No exception proposed: ' + r.noException + '.', 'context'));
      if (r.nearby.length) det.appendChild(el('p', 'Words near rejected hits: ' + r.nearby.map((w) => w.word + ' (' + w.rejected + ', near kept hits ' + w.kept + ')').join(', '), 'context'));
      const ul = el('ul');
      for (const h of r.rejectedHits) {
        const li = el('li');
        li.appendChild(el('span', '“' + h.text + '”'));
        li.appendChild(el('span', ' — ' + h.reviewer + (h.note ? ': ' + h.note : '') + (h.matches.length ? '; matched “' + h.matches.map((m) => m.match).join('”, “') + '”' : ''), 'why'));
        if (h.id) {
          const b = el('button', 'open', 'take');
          b.type = 'button';
          b.addEventListener('click', () => openInQueue(h.id, { rule: r.rule }));
          li.appendChild(document.createTextNode(' '));
          li.appendChild(b);
        }
        ul.appendChild(li);
      }
      det.appendChild(ul);
      parts.push(det);
    }
    box.replaceChildren(...parts);
  }

  async function showAgreement() {
    const box = $('view-agreement');
    box.replaceChildren(el('p', 'loading…'));
    const j = await api('/api/agreement');
    const parts = [el('h2', 'Agreement between reviewers'), el('p', j.units + ' passages decided by two or more reviewers (' + (j.reviewers.join(', ') || 'none yet') + '). Krippendorff’s alpha: nominal on whether each objective applies, ordinal on the grades where two or more gave it. ' + j.disputed + ' disputed, ' + j.adjudicated + ' of them adjudicated.', 'context')];
    const t = el('table');
    t.id = 'alpha-table';
    const head = el('tr');
    for (const h of ['objective', 'passages', 'disagreements', 'alpha (applies)', 'graded', 'alpha (grade)']) head.appendChild(el('th', h));
    t.appendChild(head);
    for (const [o, a] of Object.entries(j.objectives)) {
      const tr = el('tr');
      tr.dataset.objective = o;
      tr.appendChild(el('td', o));
      for (const v of [a.units, a.disagreements]) tr.appendChild(el('td', v, 'num'));
      tr.appendChild(el('td', pct(a.alpha), 'num alpha'));
      tr.appendChild(el('td', a.gradeUnits, 'num'));
      tr.appendChild(el('td', pct(a.gradeAlpha), 'num'));
      t.appendChild(tr);
    }
    const gtr = el('tr');
    gtr.dataset.objective = 'governance';
    gtr.appendChild(el('td', 'governance'));
    for (const v of [j.governance.units, j.governance.disagreements]) gtr.appendChild(el('td', v, 'num'));
    gtr.appendChild(el('td', pct(j.governance.alpha), 'num alpha'));
    gtr.appendChild(el('td', ''));
    gtr.appendChild(el('td', ''));
    t.appendChild(gtr);
    parts.push(t);
    parts.push(el('h2', 'Passages the reviewers disagree on'));
    if (!j.passages.length) parts.push(el('p', 'None.', 'context'));
    const ul = el('ul');
    ul.id = 'disputed-list';
    for (const p of j.passages) {
      const li = el('li');
      li.appendChild(el('span', '“' + clip(p.text, 160) + '” '));
      li.appendChild(el('span', p.reviews.map((r) => r.reviewer + ': ' + r.labels).join(' | ') + (p.final ? ' | final: ' + p.final : ''), 'why'));
      const b = el('button', p.adjudicated ? 'review the adjudication' : 'adjudicate', 'take');
      b.type = 'button';
      b.addEventListener('click', () => openInQueue(p.id, { status: p.adjudicated ? 'adjudicated' : 'disputed' }));
      li.appendChild(document.createTextNode(' '));
      li.appendChild(b);
      ul.appendChild(li);
    }
    parts.push(ul);
    box.replaceChildren(...parts);
  }

  async function openInQueue(id, filters) {
    for (const k of FILTERS) $('f-' + k).value = '';
    for (const [k, v] of Object.entries(filters || {})) {
      const s = $('f-' + k);
      if (s.tagName === 'SELECT' && ![...s.options].some((o) => o.value === v)) {
        const o = el('option', v);
        o.value = v;
        s.appendChild(o);
      }
      s.value = v;
    }
    setView('queue');
    await load(id);
  }

  function setView(v) {
    view = v;
    for (const b of document.querySelectorAll('nav button')) b.classList.toggle('on', b.dataset.view === v);
    for (const name of ['queue', 'rules', 'agreement']) $('view-' + name).hidden = name !== v;
    $('filters').hidden = v !== 'queue';
    if (v !== 'queue') $('bulk').hidden = true;
    const show = v === 'rules' ? showRules : v === 'agreement' ? showAgreement : null;
    if (show) show().catch((e) => flash('error: ' + e.message));
  }

  function keyHelp() {
    const box = $('keyhelp');
    if (!box.hidden) {
      box.hidden = true;
      return;
    }
    const t = el('table');
    for (const [action, list] of Object.entries(keysOf)) {
      const tr = el('tr');
      tr.appendChild(el('td', list.join(' '), 'key'));
      tr.appendChild(el('td', action));
      t.appendChild(tr);
    }
    box.replaceChildren(el('strong', 'Keys (review.keys in pipeline.config.ts)'), t);
    box.hidden = false;
  }

  // ---- keyboard
  let keyChain = Promise.resolve();
  document.addEventListener('keydown', (ev) => {
    const tgt = ev.target;
    if (tgt instanceof HTMLInputElement || tgt instanceof HTMLSelectElement || tgt instanceof HTMLTextAreaElement || ev.ctrlKey || ev.metaKey || ev.altKey) {
      if (ev.key === 'Escape' && tgt instanceof HTMLElement) tgt.blur();
      return;
    }
    if (tgt instanceof HTMLButtonElement && (ev.key === 'Enter' || ev.key === ' ')) return;
    const action = keyAction.get(keyName(ev.key));
    if (!action) return;
    if (view !== 'queue' && action !== 'help') return;
    ev.preventDefault();
    // Keys act one after another, in the order pressed: "a" then "k" accepts this
    // passage and then moves, even when the accept waits for the server.
    keyChain = keyChain.then(() => runKey(action));
  });

  async function runKey(action) {
    try {
      // A key that acts on the passage waits for it when it is still on its way
      // (after a change of reviewer, say), rather than being lost; if the selection
      // moved meanwhile, it is dropped rather than applied to another passage.
      if (!PASSAGE_FREE.has(action) && !(await ensureCurrent())) {
        flash('the passage changed while it was loading: press the key again');
        return;
      }
      if (action === 'next') select(sel + 1);
      else if (action === 'previous') select(sel - 1);
      else if (action === 'accept') await decide('accept');
      else if (action === 'reject') await decide('reject');
      else if (action.startsWith('objective.')) toggle(action.slice(10));
      else if (action.startsWith('grade.')) setGrade(action.slice(6));
      else if (action === 'focus') cycleFocus();
      else if (action === 'governance') toggleGovernance();
      else if (action === 'note') {
        const note = prompt('Note for this passage');
        if (note) await decide('accept', note);
      } else if (action === 'undo') await undo();
      else if (action === 'undoBulk') await bulkUndo();
      else if (action === 'acceptShown') await acceptShown();
      else if (action === 'search') $('f-q').focus();
      else if (action === 'document') {
        docView = !docView;
        renderDetail();
      } else if (action === 'source') {
        const a = $('source-link');
        if (a) window.open(a.href, '_blank', 'noopener,noreferrer');
        else flash('no source address for this statement');
      } else if (action === 'take') takeNext();
      else if (action === 'adjudicate') await decide('accept', undefined, true);
      else if (action === 'help') keyHelp();
    } catch (e) {
      flash('error: ' + e.message);
    }
  }

  for (const k of FILTERS) {
    if (k === 'q') continue;
    $('f-' + k).addEventListener('change', () => {
      sel = 0;
      load().catch((e) => flash('error: ' + e.message));
    });
  }
  let searchTimer = 0;
  $('f-q').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      sel = 0;
      load().catch((e) => flash('error: ' + e.message));
    }, 200);
  });
  $('f-q').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      clearTimeout(searchTimer);
      sel = 0;
      load().then(() => $('listbox').focus()).catch((e) => flash('error: ' + e.message));
    }
  });
  $('bulk-toggle').addEventListener('click', () => {
    const b = $('bulk');
    b.hidden = !b.hidden;
    $('bulk-toggle').setAttribute('aria-expanded', String(!b.hidden));
    if ($('f-rule').value) $('bulk-rule').value = $('f-rule').value;
  });
  $('bulk-op').addEventListener('change', resetBulk);
  $('bulk-rule').addEventListener('change', resetBulk);
  $('bulk-preview').addEventListener('click', () => bulkPreview().catch((e) => flash('error: ' + e.message)));
  $('bulk-apply').addEventListener('click', () => bulkApply().catch((e) => flash('error: ' + e.message)));
  $('bulk-undo').addEventListener('click', () => bulkUndo().catch((e) => flash('error: ' + e.message)));
  for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => setView(b.dataset.view));
  window.addEventListener('resize', () => drawList(false));
  load().catch((e) => flash('error: ' + e.message));
})();
