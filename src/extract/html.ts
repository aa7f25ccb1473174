import type * as cheerio from 'cheerio';
import { cheerio as loadCheerio } from '../core/lazy.js';
import type { AnyNode, Element } from 'domhandler';
import type { RawBlock } from './blocks.js';
import { looksLikeHeading } from './blocks.js';

export interface HtmlResult {
  meta: Record<string, string>;
  blocks: RawBlock[];
}

// Step 1: elements that are never part of a statement's body.
const CHROME = [
  'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'form', 'button', 'select', 'input',
  'nav', 'header', 'footer', 'aside', '[role=navigation]', '[role=banner]', '[role=contentinfo]',
  '[role=complementary]', '[aria-hidden=true]', '[hidden]',
  '[class*=cookie]', '[id*=cookie]', '[class*=breadcrumb]', '[class*=share]', '[class*=social]',
  '[class*=related]', '[class*=newsletter]', '[class*=skip-link]', '[class*=menu]', '[class*=sidebar]',
  '[class*=banner]', '[class*=pagination]', '[class*=subscribe]',
].join(',');

// Step 2: where the body most likely is, best first.
const BODY_CANDIDATES = [
  '[itemprop=articleBody]', '.body-content', '.entry-content', '.field--name-body', '.page-content',
  'article', 'main', '[role=main]', '#content', '.content',
];

// Publisher rules: where the big publishers keep the statement body. Tried
// before the generic candidates, for pages from these hosts.
const PUBLISHERS: Array<{ host: RegExp; body: string[]; drop?: string[] }> = [
  { host: /(^|\.)whitehouse\.gov$|bidenwhitehouse\.archives\.gov$|obamawhitehouse\.archives\.gov$/, body: ['.body-content', '.entry-content', 'section.body-content'], drop: ['.wp-block-post-navigation', '.page-header', '.entry-meta'] },
  { host: /(^|\.)ec\.europa\.eu$|(^|\.)commission\.europa\.eu$/, body: ['.ecl-paragraph', '.ecl-col-l-9', '#main-content'], drop: ['.ecl-page-header', '.ecl-site-footer'] },
  { host: /(^|\.)commerce\.gov$/, body: ['.field--name-body', '.node__content'] },
  { host: /(^|\.)meti\.go\.jp$/, body: ['#__main_contents', '#main', '.main'] },
  { host: /(^|\.)state\.gov$/, body: ['.entry-content', 'article'] },
];

// Step 3: a candidate must hold at least this much text, or we relax to the next one.
const MIN_BODY_CHARS = 200;

const BLOCK_TAGS = new Set(['p', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'td', 'th', 'dd', 'dt']);
const CONTAINER_TAGS = new Set(['div', 'section', 'article', 'main', 'body', 'ul', 'ol', 'table', 'tbody', 'thead', 'tr', 'dl', 'figure', 'center', 'span', 'font']);

function pathOf(el: Element): string {
  const parts: string[] = [];
  let cur: Element | null = el;
  while (cur && cur.type === 'tag' && parts.length < 6) {
    const id = cur.attribs['id'];
    parts.unshift(id ? `${cur.tagName}#${id}` : cur.tagName);
    if (id) break;
    cur = cur.parent as Element | null;
  }
  return parts.join(' > ');
}

/**
 * HTML to blocks, as an ordered sequence of steps: drop chrome, pick the body
 * (relaxing to the whole <body> when a candidate holds too little text), then
 * walk it in document order emitting headings, paragraphs and list items.
 */
export function parseHtml(html: string, url?: string): HtmlResult {
  const $ = loadCheerio().load(html);
  const meta: Record<string, string> = {};
  const metaContent = (sel: string) => $(sel).first().attr('content')?.trim();
  const title = metaContent('meta[property="og:title"]') ?? ($('title').first().text().trim() || undefined);
  if (title) meta['title'] = title;
  const date =
    metaContent('meta[name=date]') ?? metaContent('meta[property="article:published_time"]') ?? metaContent('meta[name="dcterms.date"]') ?? $('time[datetime]').first().attr('datetime');
  if (date) meta['date'] = date.slice(0, 10);
  for (const name of ['partnership', 'doc_type', 'publisher', 'citation']) {
    const v = metaContent(`meta[name="${name}"]`) ?? metaContent(`meta[name="accords:${name}"]`);
    if (v) meta[name] = v;
  }
  const canonical = $('link[rel=canonical]').attr('href') ?? metaContent('meta[property="og:url"]');
  if (canonical) meta['source_url'] = canonical;
  const lang = $('html').attr('lang');
  if (lang) meta['language'] = lang;

  $(CHROME).remove();

  let host = '';
  try {
    host = url ? new URL(url).hostname : '';
  } catch {
    host = '';
  }
  const publisher = PUBLISHERS.find((p) => p.host.test(host));
  if (publisher?.drop) $(publisher.drop.join(',')).remove();
  let root: cheerio.Cheerio<AnyNode> = $('body');
  for (const sel of [...(publisher?.body ?? []), ...BODY_CANDIDATES]) {
    const cand = $(sel).first();
    if (cand.length && cand.text().replace(/\s+/g, ' ').trim().length >= MIN_BODY_CHARS) {
      root = cand;
      break;
    }
  }
  if (!root.length) root = $.root();

  const blocks: RawBlock[] = [];
  const walk = (node: AnyNode, listDepth: number) => {
    if (node.type !== 'tag') return;
    const el = node as Element;
    const tag = el.tagName.toLowerCase();
    if (/^h[1-6]$/.test(tag)) {
      blocks.push({ kind: 'heading', level: Number(tag[1]), raw: $(el).html() ?? '', source: { element: pathOf(el) } });
      return;
    }
    if (tag === 'li') {
      // The item's own text, without nested lists (those become their own items).
      const clone = $(el).clone();
      clone.find('ul,ol').remove();
      blocks.push({ kind: 'item', level: Math.max(1, listDepth), raw: clone.html() ?? '', source: { element: pathOf(el) } });
      $(el)
        .children('ul,ol')
        .each((_, child) => walk(child, listDepth));
      return;
    }
    if (tag === 'ul' || tag === 'ol') {
      $(el)
        .children()
        .each((_, child) => walk(child, listDepth + 1));
      return;
    }
    if (BLOCK_TAGS.has(tag)) {
      const inner = $(el).html() ?? '';
      const text = $(el).text().replace(/\s+/g, ' ').trim();
      if (!text) return;
      // A paragraph that is one bold phrase is a heading in disguise.
      const only = $(el).children('strong,b');
      const isBoldOnly = only.length === 1 && only.text().replace(/\s+/g, ' ').trim() === text && text.length < 120;
      if (isBoldOnly || (tag === 'p' && looksLikeHeading(text) && text.endsWith(':'))) {
        blocks.push({ kind: 'heading', level: 7, raw: text.replace(/:\s*$/, ''), source: { element: pathOf(el) } });
      } else {
        blocks.push({ kind: 'paragraph', level: 1, raw: inner, source: { element: pathOf(el) } });
      }
      return;
    }
    if (CONTAINER_TAGS.has(tag) || tag.includes('-')) {
      // Loose text directly inside a container is a paragraph of its own.
      let loose = '';
      const emitLoose = () => {
        if (loose.replace(/\s+/g, '').length) blocks.push({ kind: 'paragraph', level: 1, raw: loose, source: { element: pathOf(el) } });
        loose = '';
      };
      for (const child of el.children) {
        if (child.type === 'text') loose += (child as unknown as { data: string }).data;
        else if (child.type === 'tag') {
          const ct = (child as Element).tagName.toLowerCase();
          if (['a', 'strong', 'b', 'em', 'i', 'u', 'sup', 'sub', 'small', 'abbr', 'cite', 'q', 'br'].includes(ct)) loose += $.html(child);
          else {
            emitLoose();
            walk(child, listDepth);
          }
        }
      }
      emitLoose();
    }
  };
  root.each((_, el) => walk(el, 0));
  return { meta, blocks };
}
