import { readFileSync } from 'node:fs';
import { srcFile } from '../../core/paths.js';
import { createHash } from 'node:crypto';
import { esc as escHtml, replaceEach } from './assets/view.js';

/**
 * Page frame of the static report: one HTML file per page with its style and
 * script inline, so it opens from disk with no server. A Content-Security-Policy
 * allows nothing but that inline style and script (by hash), and the one kind of
 * request that script makes: the index page loads a partnership's evidence file
 * (report/evidence/<id>.js) when one of its cells is opened ('strict-dynamic': a
 * script the page's own script adds). Even if an escaping mistake let markup
 * through, it could neither run nor load anything.
 */

const asset = (name: string) => readFileSync(srcFile(`render/report/assets/${name}`), 'utf8');

let cached: { style: string; script: string; styleHash: string; scriptHash: string } | undefined;

/**
 * The client script: the measures and the view functions exactly as the
 * pipeline runs them, then the page's behaviour. Their `import` and `export`
 * lines are taken out, so the three files share one scope.
 */
function assets(): { style: string; script: string; styleHash: string; scriptHash: string } {
  if (cached) return cached;
  const measures = readFileSync(srcFile('aggregate/measures.js'), 'utf8');
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

/** Text and attribute values, escaped for HTML: the function the report's own script uses. */
export const esc: (value: unknown) => string = escHtml;

/** JSON for a <script type="application/json"> block: nothing in it can close the element or start markup. */
const SCRIPT_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
const SCRIPT_UNSAFE = /[<>&\u2028\u2029]/g;
/** JSON text safe inside a script element (in one pass: the index page's data runs to tens of megabytes). */
const scriptSafe = (json: string): string => replaceEach(json, SCRIPT_UNSAFE, SCRIPT_ESCAPES);
export function jsonForScript(value: unknown): string {
  // One pass over the text (the index page's data runs to tens of megabytes).
  return scriptSafe(JSON.stringify(value));
}

/** A value after its toJSON, as JSON.stringify reads a property `key` (once: the result's own toJSON is not called). */
function jsonValue(value: unknown, key: string): unknown {
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return (toJSON as (k: string) => unknown).call(value, key);
  }
  return value;
}

const isContainer = (v: unknown): v is object => {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * The characters of JSON.stringify(value), in pieces: arrays and plain objects are
 * opened `depth` levels down, so that no piece holds more than one of their elements.
 */
export function* jsonPieces(value: unknown, depth = 2): Generator<string> {
  const v = jsonValue(value, '');
  if (depth > 0 && isContainer(v)) yield* containerPieces(v, depth, '', '');
  else {
    const text = JSON.stringify(value);
    if (text !== undefined) yield text;
  }
}

/**
 * The characters of json(value) (JSON.stringify(value, null, 2) and a line end),
 * in pieces, opened `depth` levels down as jsonPieces does. A profile's JSON runs
 * to tens of megabytes; made in one string it was one large block of garbage per file.
 */
export function* prettyJsonPieces(value: unknown, depth = 6): Generator<string> {
  const v = jsonValue(value, '');
  if (depth > 0 && isContainer(v)) yield* containerPieces(v, depth, '  ', '');
  else yield `${JSON.stringify(value, null, 2)}`;
  yield '\n';
}

/**
 * A property or element as JSON.stringify writes it with `gap` ('' or two spaces),
 * its lines moved to `indent`; undefined when it is left out. Read through a holder,
 * so that toJSON gets its key and every rule of JSON.stringify applies.
 */
function leaf(value: unknown, key: string, gap: string, indent: string): string | undefined {
  // Left out without asking (and a holder { toJSON: function } would be read as having a toJSON).
  if (typeof value === 'symbol' || (typeof value === 'function' && typeof (value as { toJSON?: unknown }).toJSON !== 'function')) return undefined;
  const text = JSON.stringify({ [key]: value }, null, gap);
  // '{"key":value}', or '{\n  "key": value\n}'; a holder with nothing in it is '{}'.
  if (text.length <= 2) return undefined;
  const name = JSON.stringify(key).length;
  if (!gap) return text.slice(name + 2, -1);
  const body = text.slice(name + 6, -2);
  // The value's own lines were indented for one level: strings hold no raw line ends, so every one is a line of the layout.
  return indent.length > gap.length ? body.replaceAll('\n', `\n${indent.slice(gap.length)}`) : body;
}

/** Elements of an array written by one JSON.stringify (its key is then its place in the run, not in the array). */
const RUN = 64;

/** Whether JSON.stringify would call a toJSON of x (objects, functions among them, and bigints). */
const hasToJSON = (x: unknown): boolean => ((typeof x === 'object' && x !== null) || typeof x === 'function' || typeof x === 'bigint') && typeof (x as { toJSON?: unknown }).toJSON === 'function';

/**
 * Elements `from` to `to` of an array, as JSON.stringify writes them there with
 * `gap` after the array's opening bracket or a comma, their lines moved to `indent`.
 * None may have a toJSON (it would be given its place in the run as its key).
 */
function elementRun(a: readonly unknown[], from: number, to: number, gap: string, indent: string): string {
  const text = JSON.stringify(a.slice(from, to), null, gap);
  // '[e,e]', or '[\n  e,\n  e\n]' with the elements' lines one level in.
  if (!gap) return text.slice(1, -1);
  const body = text.slice(1, -2);
  return indent.length > gap.length ? body.replaceAll('\n', `\n${indent.slice(gap.length)}`) : body;
}

function* containerPieces(v: object, depth: number, gap: string, indent: string): Generator<string> {
  const array = Array.isArray(v);
  const inner = indent + gap;
  const lineStart = gap ? `\n${inner}` : '';
  if (array) {
    // Elements that are not opened go by runs: one call to JSON.stringify for each element cost three times as much.
    const a = v as unknown[];
    let first = true;
    for (let i = 0; i < a.length; ) {
      const raw = a[i];
      const val = jsonValue(raw, String(i));
      if (depth > 1 && isContainer(val)) {
        yield `${first ? '[' : ','}${lineStart}`;
        first = false;
        yield* containerPieces(val, depth - 1, gap, inner);
        i++;
        continue;
      }
      let end = i + 1;
      if (!hasToJSON(raw)) while (end < a.length && end - i < RUN && !hasToJSON(a[end]) && !(depth > 1 && isContainer(a[end]))) end++;
      // A value JSON leaves out is null in an array.
      const text = end - i === 1 && hasToJSON(raw) ? lineStart + (leaf(raw, String(i), gap, inner) ?? 'null') : elementRun(a, i, end, gap, inner);
      yield `${first ? '[' : ','}${text}`;
      first = false;
      i = end;
    }
    yield first ? '[]' : `${gap ? `\n${indent}` : ''}]`;
    return;
  }
  let first = true;
  for (const key of Object.keys(v)) {
    const raw = (v as Record<string, unknown>)[key];
    const name = `${JSON.stringify(key)}:${gap ? ' ' : ''}`;
    const val = jsonValue(raw, key);
    const open = depth > 1 && isContainer(val);
    const text = open ? '' : leaf(raw, key, gap, inner);
    // A value JSON leaves out is no member at all in an object.
    if (text === undefined) continue;
    // The opening brace waits for a member: an object without any is "{}".
    const head = `${first ? '{' : ','}${lineStart}${name}`;
    first = false;
    if (open) {
      // A container always has a text: opened here, its members one by one.
      yield head;
      yield* containerPieces(val as object, depth - 1, gap, inner);
    } else yield head + text;
  }
  yield first ? '{}' : `${gap ? `\n${indent}` : ''}}`;
}

/** jsonForScript's text in pieces of about `size` characters: a page's data can run to hundreds of megabytes. */
export function jsonForScriptPieces(value: unknown, size = 1 << 20): Generator<string> {
  return scriptSafePieces(jsonPieces(value), size);
}

/** JSON text given in pieces, made safe inside a script element, in pieces of about `size` characters. */
export function* scriptSafePieces(json: Iterable<string>, size = 1 << 20): Generator<string> {
  // Each piece made safe as it comes (the characters are replaced one by one, so
  // pieces can be made safe apart); a long text of many pieces is not flattened first.
  let buf = '';
  for (const piece of json) {
    buf += scriptSafe(piece);
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export interface PageParts {
  title: string;
  /** The page's body: whole, or in pieces made as the page is written. */
  body: string | Iterable<string>;
  /** JSON text of the data for the page's script, in pieces (index page only). */
  dataJson?: Iterable<string>;
  /** Whether the page runs the client script. */
  script?: boolean;
}

/**
 * A page's text in pieces, so that a large one is written as it is made and never
 * held whole: the frame and the body, then the data in pieces, then the script.
 */
export function* pagePieces(parts: PageParts): Generator<string> {
  const { style, script, styleHash, scriptHash } = assets();
  const csp = [
    "default-src 'none'",
    `style-src ${styleHash}`,
    // 'strict-dynamic': the page's own script may load a partnership's evidence file; no script in the markup may load anything.
    parts.script ? `script-src ${scriptHash} 'strict-dynamic'` : "script-src 'none'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const head = [
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
    '',
  ].join('\n');
  // Concatenated rather than joined: the body (megabytes on a large corpus) is not copied here.
  if (typeof parts.body === 'string') yield head + parts.body;
  else {
    yield head;
    yield* parts.body;
  }
  if (parts.dataJson) {
    yield '\n<script type="application/json" id="accords-data">';
    yield* scriptSafePieces(parts.dataJson);
    yield '</script>';
  }
  if (parts.script) yield `\n<script>${script}</script>`;
  yield '\n</body>\n</html>\n';
}

export function page(parts: PageParts): string {
  let text = '';
  for (const piece of pagePieces(parts)) text += piece;
  return text;
}
