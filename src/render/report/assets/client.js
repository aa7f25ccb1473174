// @ts-nocheck
/**
 * The index page's behaviour: the filters (domain, date range, partnership
 * group, reviewed only) redraw the matrix and the charts with the same
 * functions that wrote them (measures.js and view.js are inlined before this);
 * a matrix cell opens its evidence in a dialog. The filter is kept in the
 * address's #fragment so a view can be bookmarked or shared. The figures' data
 * is in the page; a partnership's evidence is read from its file beside it
 * (evidence/<id>.js, a script: pages opened from disk may load scripts, not data)
 * the first time one of its cells is opened.
 */
(function main() {
  const data = pageDataset(JSON.parse(document.getElementById('accords-data').textContent));
  const $ = (id) => document.getElementById(id);
  const controls = { domain: $('f-domain'), from: $('f-from'), until: $('f-until'), group: $('f-group'), reviewedOnly: $('f-reviewed'), party: $('f-country') };
  const state = { domain: data.scope.domain, from: data.scope.from, until: data.scope.until, group: '', reviewedOnly: false, party: '' };

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has('domain')) state.domain = data.domains.includes(params.get('domain')) ? params.get('domain') : null;
    for (const k of ['from', 'until']) if (params.has(k)) state[k] = /^\d{4}-\d{2}-\d{2}$/.test(params.get(k)) ? params.get(k) : null;
    if (params.has('group')) state.group = params.get('group');
    if (params.has('reviewed')) state.reviewedOnly = params.get('reviewed') === '1';
    if (params.has('country')) state.party = params.get('country');
  }

  function writeHash() {
    const params = new URLSearchParams();
    if (state.domain) params.set('domain', state.domain);
    if (state.from) params.set('from', state.from);
    if (state.until) params.set('until', state.until);
    if (state.group) params.set('group', state.group);
    if (state.reviewedOnly) params.set('reviewed', '1');
    if (state.party) params.set('country', state.party);
    const h = params.toString();
    if (h !== location.hash.slice(1)) history.replaceState(null, '', h ? `#${h}` : location.pathname + location.search);
  }

  function syncControls() {
    controls.domain.value = state.domain ?? '';
    controls.from.value = state.from ?? '';
    controls.until.value = state.until ?? '';
    controls.group.value = state.group;
    controls.reviewedOnly.checked = state.reviewedOnly;
  }

  function filter() {
    return { domain: state.domain, from: state.from, until: state.until, group: state.group, reviewedOnly: state.reviewedOnly };
  }

  function render() {
    const v = renderViews(data, filter(), state.party);
    $('matrix').innerHTML = v.matrix;
    $('scope-summary').textContent = v.summary;
    $('breadth').innerHTML = v.breadth;
    $('concreteness').innerHTML = v.concreteness;
    $('similarity').innerHTML = v.similarity;
    $('over-time').innerHTML = v.overTime;
    $('gaps').innerHTML = v.gaps;
    const options = v.countryOptions;
    if (!options.includes(state.party)) state.party = options[0] ?? '';
    controls.party.innerHTML = options.map((p) => `<option value="${esc(p)}">${esc(p)}</option>`).join('');
    controls.party.value = state.party;
    $('countries').innerHTML = countryView(data, analysisOf(data, filter()), state.party);
    document.body.dataset.state = JSON.stringify(filter());
    writeHash();
  }

  for (const [k, el] of Object.entries(controls)) {
    el.addEventListener('change', () => {
      if (k === 'reviewedOnly') state.reviewedOnly = el.checked;
      else if (k === 'domain') state.domain = el.value || null;
      else if (k === 'from' || k === 'until') state[k] = /^\d{4}-\d{2}-\d{2}$/.test(el.value) ? el.value : null;
      else state[k] = el.value;
      render();
    });
  }
  $('f-reset').addEventListener('click', () => {
    Object.assign(state, { domain: data.scope.domain, from: data.scope.from, until: data.scope.until, group: '', reviewedOnly: false });
    syncControls();
    render();
  });

  // A partnership's evidence: asked for once, by the script its file is; each file
  // hands its object to accordsEvidence, and the load of the script element says it is done.
  const arrived = new Map();
  const loads = new Map();
  window.accordsEvidence = (detail) => {
    if (detail && typeof detail.p === 'string') arrived.set(detail.p, detail);
  };
  function evidenceOfPartnership(pid) {
    const p = data.partnerships.findIndex((x) => x.id === pid);
    if (p < 0 || !data.commitments.some((c) => c.p === p)) return Promise.resolve();
    if (!loads.has(pid)) {
      const src = `evidence/${encodeURIComponent(pid)}.js`;
      const load = new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = src;
        // A script runs and then its load event fires, with no other script between: what arrived is this file's.
        s.onload = () => {
          const detail = arrived.get(pid);
          arrived.clear();
          s.remove();
          if (detail && attachEvidence(data, detail)) resolve();
          else reject(new Error(`${src} is not the file this page was written with (the outputs were made again since the page was opened, or the file is damaged: reload the page, or run accords again)`));
        };
        s.onerror = () => {
          s.remove();
          reject(new Error(`${src} could not be read (it is missing, or the browser does not let the page read it)`));
        };
        document.head.appendChild(s);
      });
      // A load that failed is tried again the next time a cell is opened.
      load.catch(() => loads.delete(pid));
      loads.set(pid, load);
    }
    return loads.get(pid);
  }

  const dialog = $('evidence');
  const body = $('evidence-body');
  let asked = 0;
  $('matrix').addEventListener('click', (e) => {
    const button = e.target.closest('button.open');
    if (!button) return;
    const { p: pid, o } = button.dataset;
    const mine = ++asked;
    body.setAttribute('aria-busy', 'true');
    body.innerHTML = '<p class="count">Reading the evidence…</p>';
    dialog.showModal();
    $('evidence-close').focus();
    evidenceOfPartnership(pid)
      .then(() => cellEvidence(data, filter(), pid, o))
      .catch((err) => `<p class="empty">The evidence could not be shown: ${esc(err.message)}. <a href="partnerships/${esc(encodeURIComponent(pid))}.html#${esc(o)}">The partnership's page</a> shows it for the report's scope.</p>`)
      .then((html) => {
        // Only the cell opened last is shown.
        if (mine !== asked) return;
        body.innerHTML = html;
        body.setAttribute('aria-busy', 'false');
      });
  });
  $('evidence-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) dialog.close();
  });

  readHash();
  syncControls();
  render();
  document.body.classList.add('ready');
})();
