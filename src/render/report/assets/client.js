// @ts-nocheck
/**
 * The index page's behaviour: the filters (domain, date range, partnership
 * group, reviewed only) redraw the matrix and the charts with the same
 * functions that wrote them (measures.js and view.js are inlined before this);
 * a matrix cell opens its evidence in a dialog. The filter is kept in the
 * address's #fragment so a view can be bookmarked or shared. Nothing is
 * fetched: the data is in the page.
 */
(function main() {
  const data = JSON.parse(document.getElementById('accords-data').textContent);
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

  const dialog = $('evidence');
  $('matrix').addEventListener('click', (e) => {
    const button = e.target.closest('button.open');
    if (!button) return;
    $('evidence-body').innerHTML = cellEvidence(data, filter(), button.dataset.p, button.dataset.o);
    dialog.showModal();
    $('evidence-close').focus();
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
