/**
 * The pattern language of rule files, compiled to regular expressions.
 *
 *   joint research          words in order; white space or a hyphen between them
 *   collaborat*             a word stem: any ending
 *   (lab|laboratory)        alternatives for one word (each may use * or spaces)
 *   groups?                 ? makes the character before it optional, as in regex
 *   standardi[sz]ation      [..] is a character class, as in regex
 *   (the|our)? word         a group followed by ? is optional; by * may repeat
 *   exchange ~ information  ~ allows up to four words in between
 *   =CET Dialogue           a leading = makes the whole pattern case-sensitive
 *   /regex/                 a raw regular expression (escape hatch, use sparingly)
 */
export interface CompiledPattern {
  source: string;
  caseSensitive: boolean;
}

export class PatternError extends Error {}

const SEP = "[\\s-]+";

/**
 * Translate one token character by character: ( | ) become a non-capturing
 * group (they may nest, "universit(y|ies)"), * a word ending, ? makes what is
 * before it optional, a space inside a group a separator; everything else is literal.
 */
function translate(token: string): string {
  // Spaces right inside "(" and around "|" are layout; a space before ")" means
  // the group ends a word ("(economic )?dependency").
  const t = token.replace(/\(\s+/g, '(').replace(/\s*\|\s*/g, '|').trim();
  let out = '';
  let depth = 0;
  let cls = false;
  for (const ch of t) {
    // [abc] is a character class, copied as it is.
    if (cls) {
      out += ch === '\\' ? '\\\\' : ch;
      if (ch === ']') cls = false;
      continue;
    }
    if (ch === '[') {
      cls = true;
      out += '[';
    } else if (ch === '(') {
      depth++;
      out += '(?:';
    } else if (ch === ')') {
      if (--depth < 0) throw new PatternError('unbalanced parentheses');
      out += ')';
    } else if (ch === '|') out += '|';
    else if (ch === '*') out += "[\\w'-]*";
    else if (ch === '?') out += '?';
    else if (/\s/.test(ch)) {
      // No second separator after one already closing an optional word group.
      if (!out.endsWith(SEP) && !out.endsWith(`${SEP})?`) && !out.endsWith(`${SEP})*`)) out += SEP;
    } else out += ch.replace(/[.+^${}\]\\]/g, '\\$&');
  }
  if (cls) throw new PatternError('unclosed [');
  if (depth !== 0) throw new PatternError('unbalanced parentheses');
  return out;
}

/** Split at white space outside parentheses; ~ stands alone. */
function tokenize(p: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let depth = 0;
  let cls = false;
  for (const ch of p) {
    if (cls || ch === '[') {
      cls = ch !== ']';
      cur += ch;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new PatternError('unbalanced parentheses');
    if (depth === 0 && /\s/.test(ch)) {
      if (cur) tokens.push(cur);
      cur = '';
    } else if (depth === 0 && ch === '~') {
      if (cur) tokens.push(cur);
      tokens.push('~');
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new PatternError('unbalanced parentheses');
  if (cur) tokens.push(cur);
  return tokens;
}

export function compilePattern(pattern: string): CompiledPattern {
  let p = pattern.trim();
  let caseSensitive = false;
  if (p.startsWith('=')) {
    caseSensitive = true;
    p = p.slice(1).trim();
  }
  if (p.length > 2 && p.startsWith('/') && p.endsWith('/')) {
    const source = p.slice(1, -1);
    try {
      new RegExp(source);
    } catch (err) {
      throw new PatternError(`bad regular expression: ${(err as Error).message}`);
    }
    return { source, caseSensitive };
  }
  let tokens: string[];
  try {
    // "(the|a)*(industry)" and "(global )?supply": a quantified group ending in a
    // space, or directly followed by another group, is a word of its own.
    tokens = tokenize(p.replace(/\)([?*])\(/g, ')$1 (').replace(/ \)([?*])(?=[^\s)|])/g, ' )$1 '));
  } catch (err) {
    throw new PatternError(`${(err as Error).message} in "${pattern}"`);
  }
  if (!tokens.length) throw new PatternError('empty pattern');
  let src = '';
  let sep = '';
  let leadingOptional = true;
  for (const t of tokens) {
    if (t === '~') {
      sep = `(?:${SEP}[^\\s]+){0,4}?${SEP}`;
      continue;
    }
    // A whole-group token followed by ? or * is an optional (or repeated) word.
    const whole = /^\((.*)\)([?*])$/.exec(t);
    const quant = whole && balanced(whole[1]!) ? whole[2]! : '';
    let piece: string;
    try {
      piece = quant ? `(?:${translate(whole![1]!.trim())})` : translate(t);
    } catch (err) {
      throw new PatternError(`${(err as Error).message} in "${pattern}"`);
    }
    const join = sep || SEP;
    // While only optional groups have been written, each carries its own
    // trailing separator, so the next word needs none.
    if (!src || leadingOptional) {
      if (quant) src += `(?:${piece}${join})${quant}`;
      else {
        src += piece;
        leadingOptional = false;
      }
    } else if (quant) src += `(?:${join}${piece})${quant}`;
    else src += join + piece;
    sep = '';
  }
  // Word boundaries only where the pattern starts or ends with a word character.
  const lead = /^[\w(]/.test(p) ? '\\b' : '';
  const trail = /[\w*)?]$/.test(p) ? '\\b' : '';
  src = `${lead}${src}${trail}`;
  try {
    new RegExp(src);
  } catch (err) {
    throw new PatternError(`pattern "${pattern}" does not compile: ${(err as Error).message}`);
  }
  return { source: src, caseSensitive };
}

function balanced(s: string): boolean {
  let d = 0;
  for (const ch of s) {
    if (ch === '(') d++;
    if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}
