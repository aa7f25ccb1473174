import { cheerio } from '../core/lazy.js';

export type ContentKind = 'html' | 'pdf' | 'feed' | 'text';

/**
 * What a response is, from its bytes first and its Content-Type second:
 * servers often label PDFs as octet-stream or HTML as text/plain.
 */
export function detectKind(body: Buffer, contentType = ''): ContentKind {
  const head = body.subarray(0, 2048).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('%pdf-')) return 'pdf';
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(rss|feed|rdf:rdf)\b/.test(head)) return 'feed';
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /<(head|body|article|p)\b/.test(head)) return 'html';
  const ct = contentType.toLowerCase();
  if (ct.includes('pdf')) return 'pdf';
  if (ct.includes('rss') || ct.includes('atom')) return 'feed';
  if (ct.includes('html')) return 'html';
  return 'text';
}

const REPLACEMENT_UTF8 = Buffer.from([0xef, 0xbf, 0xbd]);

/**
 * Decode text by its byte-order mark, then the declared charset (header, then
 * <meta>), falling back to windows-1252 for invalid UTF-8. `replaced` counts
 * the bytes that were not valid in the charset used and became U+FFFD, so the
 * caller can warn about them.
 */
export function decodeText(body: Buffer, contentType = ''): { text: string; charset: string; replaced: number } {
  const decode = (charset: string, bytes: Buffer) => {
    try {
      return { text: new TextDecoder(charset, { fatal: true }).decode(bytes), charset, replaced: 0 };
    } catch (err) {
      if (err instanceof RangeError) throw err; // an unknown label
      const text = new TextDecoder(charset).decode(bytes);
      // U+FFFD written in the page itself is not a replacement.
      let literal = 0;
      if (charset === 'utf-8') for (let i = bytes.indexOf(REPLACEMENT_UTF8); i >= 0; i = bytes.indexOf(REPLACEMENT_UTF8, i + 3)) literal++;
      return { text, charset, replaced: Math.max(1, text.split('\uFFFD').length - 1 - literal) };
    }
  };
  if (body[0] === 0xff && body[1] === 0xfe) return decode('utf-16le', body.subarray(2));
  if (body[0] === 0xfe && body[1] === 0xff) return decode('utf-16be', body.subarray(2));
  const fromHeader = /charset=["']?([\w-]+)/i.exec(contentType)?.[1];
  const head = body.subarray(0, 4096).toString('latin1');
  const fromMeta = /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ?? /<\?xml[^>]+encoding=["']([\w-]+)/i.exec(head)?.[1];
  const declared = (fromHeader ?? fromMeta)?.toLowerCase();
  if (declared && declared !== 'utf-8' && declared !== 'utf8') {
    try {
      return decode(declared, body);
    } catch {
      // Unknown label: fall through to detection.
    }
  }
  // Invalid UTF-8 with no valid multi-byte sequence at all is Latin-1 text (read as windows-1252);
  // otherwise it is UTF-8 with damaged bytes, replaced and counted.
  const utf8 = decode('utf-8', body);
  if (utf8.replaced && ![...utf8.text].some((c) => c !== '\uFFFD' && c.charCodeAt(0) >= 0x80)) return decode('windows-1252', body);
  return utf8;
}

/**
 * A web-archive snapshot URL asks for the archive's own page with its toolbar;
 * the "id_" form returns the capture as it was. Other URLs pass unchanged.
 */
export function originalCapture(url: string): string {
  const m = /^(https?:\/\/web\.archive\.org\/web\/)(\d{1,14})([a-z]{2}_)?\/(.+)$/i.exec(url);
  if (!m) return url;
  return `${m[1]}${m[2]}id_/${m[4]}`;
}

export interface FeedItem {
  id: string;
  /** The item's address, or its link as written when that is not a valid http(s) address. */
  url: string;
  title?: string;
  date?: string;
  /** Why the item cannot be fetched (a malformed link, another scheme). */
  error?: string;
}

/** An item's link made absolute, or why it cannot be. */
function itemUrl(link: string, base: string): { url: string; error?: string } {
  let u: URL;
  try {
    u = new URL(link, base);
  } catch {
    const shown = link.replace(/\s+/g, ' ');
    return { url: link, error: `the feed item's link is not a valid address: ${shown.length > 200 ? `${shown.slice(0, 200)}...` : shown}` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { url: u.href, error: `only http and https are fetched, not ${u.protocol}` };
  return { url: u.href };
}

function isoDate(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = Date.parse(s.trim());
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().slice(0, 10);
}

/** RSS 2.0, RSS 1.0 (RDF) and Atom items. */
export function parseFeed(xml: string, base: string): FeedItem[] {
  const $ = cheerio().load(xml, { xml: true });
  const items: FeedItem[] = [];
  $('item').each((_, el) => {
    const e = $(el);
    const link = e.children('link').first().text().trim() || e.attr('rdf:about') || '';
    if (!link) return;
    const { url, error } = itemUrl(link, base);
    const date = isoDate(e.children('pubDate').text() || e.children('dc\\:date').text());
    items.push({ id: e.children('guid').text().trim() || url, url, ...(e.children('title').text().trim() ? { title: e.children('title').text().trim() } : {}), ...(date ? { date } : {}), ...(error ? { error } : {}) });
  });
  $('entry').each((_, el) => {
    const e = $(el);
    const linkEl = e.children('link[rel=alternate]').first().length ? e.children('link[rel=alternate]').first() : e.children('link').first();
    const href = linkEl.attr('href');
    if (!href) return;
    const { url, error } = itemUrl(href, base);
    const date = isoDate(e.children('published').text() || e.children('updated').text());
    items.push({ id: e.children('id').text().trim() || url, url, ...(e.children('title').text().trim() ? { title: e.children('title').text().trim() } : {}), ...(date ? { date } : {}), ...(error ? { error } : {}) });
  });
  return items;
}
