import { readFileSync } from 'node:fs';
import { srcFile } from '../core/paths.js';
import { DOMAINS, GRADES, OBJECTIVES, SUBCATEGORIES } from '../core/taxonomy.js';
import type { KeyBindings } from '../config/index.js';

/**
 * The review page: one HTML document with its script and styles inline (under a
 * per-response nonce), so there is nothing to build. Every piece of document
 * text reaches the page through textContent, never as markup. The script lives
 * in client.js, plain browser JavaScript, read once at start.
 */
const SCRIPT = readFileSync(srcFile('web/client.js'), 'utf8');
const STYLE = readFileSync(srcFile('web/style.css'), 'utf8');

function options(name: string, values: Array<string | [string, string]>, all: string): string {
  const opt = (v: string | [string, string]) => (Array.isArray(v) ? `<option value="${v[0]}">${v[1]}</option>` : `<option value="${v}">${v}</option>`);
  return `<select id="f-${name}" aria-label="${name}"><option value="">${all}</option>${values.map(opt).join('')}</select>`;
}

export function pageHtml(o: { token: string; nonce: string; reviewer: string; keys: KeyBindings }): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const taxonomy = { objectives: OBJECTIVES, grades: GRADES, domains: DOMAINS, subcategories: SUBCATEGORIES };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="accords-token" content="${esc(o.token)}">
<meta name="accords-keys" content="${esc(JSON.stringify(o.keys))}">
<meta name="accords-taxonomy" content="${esc(JSON.stringify(taxonomy))}">
<link rel="icon" href="data:,"><title>accords review</title><style nonce="${esc(o.nonce)}">${STYLE}</style></head>
<body>
<header>
<div class="bar"><h1>accords review</h1>
<nav aria-label="views"><button type="button" data-view="queue" class="on">Queue</button><button type="button" data-view="rules">Rules</button><button type="button" data-view="agreement">Agreement</button></nav>
<label>reviewer <input id="reviewer" value="${esc(o.reviewer)}" size="12" autocomplete="off"></label>
<span id="counts" aria-live="polite"></span></div>
<div class="bar" id="filters">
<input id="f-q" type="search" placeholder="search the text" aria-label="search" size="22" autocomplete="off">
${options('partnership', [], 'all partnerships')}
${options('tags', [['tagged', 'tagged'], ['none', 'no tag'], ['none-cooperation', 'no tag but cooperation language']], 'tagged or not')}
${options('objective', [...OBJECTIVES], 'any objective')}
${options('domain', [...DOMAINS], 'any domain')}
${options('grade', [...GRADES], 'any grade')}
${options('status', [['unreviewed', 'unreviewed'], ['accepted', 'accepted'], ['corrected', 'corrected'], ['reviewed', 'reviewed'], ['mine', 'reviewed by me'], ['not-mine', 'not reviewed by me'], ['disputed', 'disputed'], ['adjudicated', 'adjudicated'], ['stale', 'stale']], 'any status')}
${options('rule', [], 'any rule')}
<select id="f-order" aria-label="order"><option value="">document order</option><option value="uncertain">most uncertain first</option></select>
<button type="button" id="bulk-toggle" aria-expanded="false">Bulk…</button>
</div>
<div class="bar" id="bulk" hidden>
<select id="bulk-op" aria-label="bulk action"><option value="reject-rule">reject the hits of rule</option><option value="accept-rule">accept the hits of rule</option><option value="accept">accept every unreviewed passage shown</option><option value="reject">reject every passage shown</option></select>
<select id="bulk-rule" aria-label="rule"></select>
<button type="button" id="bulk-preview">Preview</button>
<button type="button" id="bulk-apply" disabled>Apply</button>
<button type="button" id="bulk-undo" hidden>Undo the last bulk action</button>
<span id="bulk-result" aria-live="polite"></span>
</div>
</header>
<main id="view-queue"><div id="listbox" tabindex="-1"><ul id="list" aria-label="passages"></ul></div><section id="detail" aria-live="polite"></section></main>
<main id="view-rules" class="page" hidden></main>
<main id="view-agreement" class="page" hidden></main>
<div id="keyhelp" role="dialog" aria-label="keys" hidden></div>
<div id="flash" role="status"></div>
<script nonce="${esc(o.nonce)}">${SCRIPT}</script>
</body></html>`;
}
