import * as cheerio from 'cheerio';

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

/** Decode text by the declared charset (header, then <meta>), falling back to windows-1252 for invalid UTF-8. */
export function decodeText(body: Buffer, contentType = ''): { text: string; charset: string } {
  const fromHeader = /charset=["']?([\w-]+)/i.exec(contentType)?.[1];
  const head = body.subarray(0, 4096).toString('latin1');
  const fromMeta = /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ?? /<\?xml[^>]+encoding=["']([\w-]+)/i.exec(head)?.[1];
  const declared = (fromHeader ?? fromMeta)?.toLowerCase();
  if (declared && declared !== 'utf-8' && declared !== 'utf8') {
    try {
      return { text: new TextDecoder(declared).decode(body), charset: declared };
    } catch {
      // Unknown label: fall through to detection.
    }
  }
  const utf8 = new TextDecoder('utf-8').decode(body);
  const bad = utf8.split('\uFFFD').length - 1;
  if (bad > 0 && bad / Math.max(1, utf8.length) > 0.001) return { text: new TextDecoder('windows-1252').decode(body), charset: 'windows-1252' };
  return { text: utf8, charset: 'utf-8' };
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
  url: string;
  title?: string;
  date?: string;
}

function isoDate(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = Date.parse(s.trim());
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().slice(0, 10);
}

/** RSS 2.0, RSS 1.0 (RDF) and Atom items. */
export function parseFeed(xml: string, base: string): FeedItem[] {
  const $ = cheerio.load(xml, { xml: true });
  const items: FeedItem[] = [];
  $('item').each((_, el) => {
    const e = $(el);
    const link = e.children('link').first().text().trim() || e.attr('rdf:about') || '';
    if (!link) return;
    const url = new URL(link, base).href;
    const date = isoDate(e.children('pubDate').text() || e.children('dc\\:date').text());
    items.push({ id: e.children('guid').text().trim() || url, url, ...(e.children('title').text().trim() ? { title: e.children('title').text().trim() } : {}), ...(date ? { date } : {}) });
  });
  $('entry').each((_, el) => {
    const e = $(el);
    const linkEl = e.children('link[rel=alternate]').first().length ? e.children('link[rel=alternate]').first() : e.children('link').first();
    const href = linkEl.attr('href');
    if (!href) return;
    const url = new URL(href, base).href;
    const date = isoDate(e.children('published').text() || e.children('updated').text());
    items.push({ id: e.children('id').text().trim() || url, url, ...(e.children('title').text().trim() ? { title: e.children('title').text().trim() } : {}), ...(date ? { date } : {}) });
  });
  return items;
}
