import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

/**
 * Page frame of the static report: one HTML file per page with its style and
 * script inline, so it opens from disk with no server. A Content-Security-Policy
 * allows nothing but that inline style and script (by hash), and no request of
 * any kind: even if an escaping mistake let markup through, it could neither
 * run nor load anything.
 */

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');

let cached: { style: string; script: string; styleHash: string; scriptHash: string } | undefined;

/**
 * The client script: the measures and the view functions exactly as the
 * pipeline runs them, then the page's behaviour. Their `import` and `export`
 * lines are taken out, so the three files share one scope.
 */
function assets(): { style: string; script: string; styleHash: string; scriptHash: string } {
  if (cached) return cached;
  const measures = readFileSync(new URL('../../aggregate/measures.js', import.meta.url), 'utf8');
  const strip = (src: string) =>
    src
      .replace(/^\/\/ @ts-(?:check|nocheck)\n/m, '')
      .replace(/^import [^;]+;\n/gm, '')
      .replace(/^export (?=(?:async )?function |const |let |class )/gm, '');
  const script = `(function () {\n'use strict';\n${strip(measures)}\n${strip(asset('view.js'))}\n${strip(asset('client.js'))}\n})();\n`;
  if (/^\s*(?:import|export)\b/m.test(script)) throw new Error('report script: an import or export was left in the inlined sources');
  const style = asset('style.css');
  cached = { style, script, styleHash: hash(style), scriptHash: hash(script) };
  return cached;
}

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const NEEDS_ESCAPE = /[&<>"']/;

/** Text and attribute values, escaped for HTML (most need nothing: they are returned as they are). */
export function esc(value: unknown): string {
  const s = String(value ?? '');
  return NEEDS_ESCAPE.test(s) ? s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!) : s;
}

/** JSON for a <script type="application/json"> block: nothing in it can close the element or start markup. */
const SCRIPT_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
export function jsonForScript(value: unknown): string {
  // One pass over the text (the index page's data runs to tens of megabytes).
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]!);
}

export interface PageParts {
  title: string;
  body: string;
  /** JSON data for the page's script (index page only). */
  data?: unknown;
  /** Whether the page runs the client script. */
  script?: boolean;
}

export function page(parts: PageParts): string {
  const { style, script, styleHash, scriptHash } = assets();
  const csp = [
    "default-src 'none'",
    `style-src ${styleHash}`,
    parts.script ? `script-src ${scriptHash}` : "script-src 'none'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  // Concatenated rather than joined: the body (megabytes on a large corpus) is not copied again here.
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${esc(parts.title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    parts.body,
    ...(parts.data !== undefined ? [`<script type="application/json" id="accords-data">${jsonForScript(parts.data)}</script>`] : []),
    ...(parts.script ? [`<script>${script}</script>`] : []),
    '</body>',
    '</html>',
    '',
  ].reduce((all, line, i) => (i ? `${all}\n${line}` : line), '');
}
