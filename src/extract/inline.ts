/**
 * Inline cleanup shared by every format: markup left over from the web (<sup>,
 * <u>, links), markdown emphasis, entities, escapes and typographic quotes become
 * plain text. Runs once at extraction; the result is the canonical text.
 */
const ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—',
  rsquo: "'", lsquo: "'", rdquo: '"', ldquo: '"', hellip: '…', eacute: 'é', middot: '·',
};

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[body.toLowerCase()] ?? m;
  });
}

const TYPOGRAPHY = /[\u2018\u2019\u201B\u2032\u201C\u201D\u201F\u2033\u00A0\u2007\u202F\u2009\u200A\u200B\u200C\u200D\uFEFF\u00AD]/;

export function normalizeTypography(s: string): string {
  if (!TYPOGRAPHY.test(s)) return s;
  return s
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201F\u2033]/g, '"')
    .replace(/[\u00A0\u2007\u202F\u2009\u200A]/g, ' ')
    .replace(/[\u200B\u200C\u200D\uFEFF\u00AD]/g, '');
}

/**
 * Strip inline markdown and HTML from one block's text and fold white space.
 * Each step runs only when the text holds the character it starts from (most
 * blocks have no markup at all); no step adds such a character.
 */
export function cleanInline(s: string): string {
  let t = s;
  if (t.includes('<')) {
    t = t.replace(/<br\s*\/?>/gi, ' ');
    t = t.replace(/<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/gi, '');
    t = t.replace(/<!--[\s\S]*?-->/g, '');
  }
  if (t.includes('[')) {
    // Images first, then links: keep the link text.
    t = t.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1');
    t = t.replace(/\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)/g, '$1');
    t = t.replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1');
  }
  if (t.includes('*') || t.includes('_')) {
    // Emphasis markers (keep the words).
    t = t.replace(/\*\*|__/g, '');
    t = t.replace(/(^|[\s(])[*_](?=\S)([^*_]+?)[*_](?=[\s).,;:!?]|$)/g, '$1$2');
  }
  // Pandoc attribute spans like {.underline}.
  if (t.includes('{')) t = t.replace(/\{[.#][\w-]+(?:\s+[.#][\w-]+)*\}/g, '');
  if (t.includes('\\')) t = t.replace(/\\([\\`*_{}[\]()#+\-.!$'"&<>|~^])/g, '$1');
  t = decodeEntities(t);
  t = normalizeTypography(t);
  // Runs of white space become one space (a lone space is left as it is).
  return t.replace(/(?: \s|[^\S ])\s*/g, ' ').trim();
}
