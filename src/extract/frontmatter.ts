import { parse as parseYaml } from 'yaml';

/**
 * A statement's front matter, read as YAML (1.2, core schema). Almost every
 * statement's is a flat list of `key: value` lines, which the YAML library takes
 * half a millisecond to a millisecond to read in a worker thread that is still
 * warming up (a fifth of a statement's extraction at 1,000 statements). Those are
 * read here directly, to the same values (strings, booleans, null); anything else
 * (a list, a number, a comment after a value, an escape, a line that continues
 * the one before, a repeated key) is left to the library, which also gives the
 * error messages.
 */
export function parseFrontMatter(text: string): unknown {
  return flatFrontMatter(text) ?? parseYaml(text);
}

/**
 * Keys read directly: a plain word that YAML takes as a string (not true, false or
 * null: see flatFrontMatter), of at most 1,024 characters (YAML's limit for such a
 * key: a longer one is an error).
 */
const KEY = /^([A-Za-z_][A-Za-z0-9_-]{0,1023}):(?: +|$)/;
/**
 * Characters a value read directly may hold: printable, no tab, none of YAML's
 * special line or byte-order characters. Anything else goes to the library.
 */
const PRINTABLE = /^[\u0020-\u007e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
/** The core schema's null and booleans (the library's own tests, as of yaml 2). */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:[Tt]rue|TRUE)$/;
const FALSE = /^(?:[Ff]alse|FALSE)$/;
/** What else the core schema reads as something other than a string (integers, floats): the library's own tests, as of yaml 2. */
const NOT_STRING = [
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** A plain value may not start with one of YAML's indicators (some may, when followed by more: those go to the library). */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

/** The front matter's fields when it is flat `key: value` lines this reads to the same values as YAML; otherwise undefined. */
export function flatFrontMatter(text: string): Record<string, string | boolean | null> | undefined {
  const out: Record<string, string | boolean | null> = {};
  let fields = 0;
  for (const line of text.split('\n')) {
    // Blank lines and whole-line comments are nothing to YAML.
    if (/^ *$/.test(line) || line.startsWith('#')) continue;
    const k = KEY.exec(line);
    if (!k) return undefined;
    const key = k[1]!;
    // A key YAML reads as null or a boolean (a word, so never empty or ~) is left to the library.
    if (NULL.test(key) || TRUE.test(key) || FALSE.test(key) || key === '__proto__' || Object.hasOwn(out, key)) return undefined;
    const raw = line.slice(k[0].length);
    if (!PRINTABLE.test(raw)) return undefined;
    const value = valueOf(raw);
    if (value === undefined) return undefined;
    out[key] = value;
    fields++;
  }
  return fields ? out : undefined;
}

function valueOf(raw: string): string | boolean | null | undefined {
  const v = raw.replace(/ +$/, '');
  if (v.startsWith('"')) {
    // Double-quoted without escapes, and nothing after the closing quote.
    return v.length >= 2 && v.endsWith('"') && !/["\\]/.test(v.slice(1, -1)) ? v.slice(1, -1) : undefined;
  }
  if (v.startsWith("'")) {
    return v.length >= 2 && v.endsWith("'") && !v.slice(1, -1).includes("'") ? v.slice(1, -1) : undefined;
  }
  // Plain: null, a boolean or a string; no comment, no mapping inside, no indicator first.
  if (NULL.test(v)) return null;
  if (TRUE.test(v)) return true;
  if (FALSE.test(v)) return false;
  if (INDICATOR.test(v) || v.includes(' #') || v.includes(': ') || v.endsWith(':')) return undefined;
  if (NOT_STRING.some((re) => re.test(v))) return undefined;
  return v;
}
