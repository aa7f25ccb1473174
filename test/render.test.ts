import { describe, expect, it, beforeAll } from 'vitest';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipeline } from '../src/pipeline.js';
import { loadConfig } from '../src/config/index.js';
import { csv, csvField, md, mdLink, safeUrl } from '../src/render/index.js';
import { csvPieces, json } from '../src/render/text.js';
import { esc, jsonForScript, jsonForScriptPieces, jsonPieces, page, pagePieces, prettyJsonPieces } from '../src/render/report/html.js';
import * as view from '../src/render/report/assets/view.js';
import { ROOT, reportEvidence, reportPageData, tmp } from './helpers.js';

const config = { ...(await loadConfig(join(ROOT, 'pipeline.config.ts'))), cacheDir: tmp('render-cache') };

describe('untrusted text in CSV and Markdown', () => {
  it('quotes CSV fields per RFC 4180 and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "yes"')).toBe('"say ""yes"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const bad of ['+1', '-1+2', '@SUM(A1)', '\tx']) expect(csvField(bad).replace(/^"/, '')[0]).toBe("'");
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csv(['a', 'b'], [[1, 'x']])).toBe('\uFEFFa,b\r\n1,x\r\n');
  });

  it('shows Markdown-looking text literally and links only http(s)', () => {
    expect(md('<script>alert(1)</script> **bold** [x](javascript:alert(1)) a|b')).toBe('\\<script\\>alert(1)\\</script\\> \\*\\*bold\\*\\* \\[x\\](javascript:alert(1)) a\\|b');
    expect(md('&amp; stays text')).toBe('&amp;amp; stays text');
    expect(mdLink('Title', 'javascript:alert(1)')).toBe('Title (javascript:alert(1))');
    expect(mdLink('Title', 'https://example.org/x?a=(1)')).toBe('[Title](<https://example.org/x?a=(1)>)');
    expect(mdLink('Title', 'https://example.org/a b')).toBe('Title (https://example.org/a b)');
    expect(safeUrl('HTTPS://example.org/x')).toBe('HTTPS://example.org/x');
    expect(safeUrl('data:text/html,<b>')).toBeUndefined();
  });

  it('escapes the five HTML characters wherever they are, the same function in the pages and in their script', () => {
    const reference = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
    expect(esc(`<a href="x" title='y'>R&D</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;R&amp;D&lt;/a&gt;');
    expect(esc('&amp;')).toBe('&amp;amp;');
    for (const v of [null, undefined, '', 0, 2.5, false, 'plain text']) expect(esc(v)).toBe(reference(v));
    // Random strings of the five and other characters, at the start, the end and side by side.
    let seed = 5;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    const chars = ['&', '<', '>', '"', "'", 'a', ' ', 'é', '\u2019', '\n', ';', '#'];
    for (let n = 0; n < 3000; n++) {
      const s = Array.from({ length: rnd(12) }, () => chars[rnd(chars.length)]).join('');
      expect(esc(s), JSON.stringify(s)).toBe(reference(s));
    }
    expect(esc).toBe(view.esc);
  });

  it("an evidence item's sources are the same whichever partnership and prefix were shown before", () => {
    const docs = [0, 1, 2].map((d) => ({ id: `d${d}`, code: `X${d}`, codes: { A: `A${d}`, ...(d ? { B: `B${d}` } : {}) }, title: `Title <${d}> & "q"`, date: d ? `2024-0${d}-01` : null, url: d === 1 ? 'https://example.org/a?b=1&c=2' : d === 2 ? 'javascript:alert(1)' : null, page: `documents/d${d}.html` }));
    const data = { docs, texts: ['A commitment & more'] };
    const item = (occs: number[]) => ({ c: { k: 'key' }, best: { t: 0, g: 'commit', c: [], l: false, r: false, sub: [], ru: [], why: 'w', h: [], s: 0, e: 1 }, occs: occs.map((d, i) => ({ d, i: i + 3, g: 'commit', c: [], l: false })) });
    let seed = 3;
    // The generator's high bits: its low bits repeat with short periods.
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    for (let n = 0; n < 200; n++) {
      const pid = ['A', 'B', 'C'][rnd(3)]!;
      const prefix = ['', '../'][rnd(2)]!;
      const s = item(Array.from({ length: 1 + rnd(4) }, () => rnd(3)));
      // A copy of the dataset is a dataset seen for the first time: its lines are made afresh.
      expect(view.evidenceItem(data, pid, s, prefix), `${pid} ${prefix}`).toBe(view.evidenceItem(structuredClone(data), pid, s, prefix));
    }
    const html = view.evidenceItem(data, 'B', item([1, 2]), '../');
    expect(html).toContain('<a class="ctx" href="../documents/d1.html#p3" title="Title &lt;1&gt; &amp; &quot;q&quot;">B1</a> <span class="date">2024-01-01</span> <a class="src" href="https://example.org/a?b=1&amp;c=2"');
    expect(html).toContain('href="../documents/d2.html#p4"');
    expect(html).not.toContain('javascript:');
  });

  it('JSON in a script element cannot close it', () => {
    const s = jsonForScript({ t: '</script><script>alert(1)</script>\u2028' });
    expect(s).not.toMatch(/<|>|\u2028/);
    expect(JSON.parse(s)).toEqual({ t: '</script><script>alert(1)</script>\u2028' });
  });

  it('JSON and pages made in pieces are, joined, exactly the text made whole', () => {
    class Point {
      constructor(public x: number) {}
    }
    const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
    const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const value = {
      docs: [{ id: 'a', title: 'Tom & Jerry <b>', n: 1.5, skip: undefined, f: () => 1 }, null, undefined, [1, [2, { x: '\u2029' }]], holes],
      when: new Date(Date.UTC(2025, 0, 2)),
      '2': 'an integer key comes first',
      empty: {},
      none: [],
      text: 'é “quoted” </script>',
      gone: { toJSON: () => undefined },
      fn: { toJSON: () => () => 1 },
      keyed: { toJSON: (k: string) => `key ${k}` },
      list: [{ toJSON: (k: string) => `at ${k}` }, { toJSON: () => undefined }],
      arrayWithToJSON: Object.assign([1, 2], { toJSON: () => 'replaced' }),
      twice: { toJSON: () => ({ toJSON: () => 'not called', y: 2 }) },
      nullProto,
      point: new Point(3),
      boxed: [new String('s'), new Number(2), new Boolean(false)],
      map: new Map([[1, 2]]),
    };
    for (const depth of [0, 1, 2, 3, 5]) expect([...jsonPieces(value, depth)].join(''), `depth ${depth}`).toBe(JSON.stringify(value));
    expect([...jsonPieces([undefined, () => 1])].join('')).toBe(JSON.stringify([undefined, () => 1]));
    expect([...jsonPieces({ toJSON: (k: string) => ({ root: k }) })].join('')).toBe(JSON.stringify({ toJSON: (k: string) => ({ root: k }) }));
    // Indented as JSON.stringify(value, null, 2) indents, at every depth of opening.
    const nested = { value, deep: { a: [[{ b: [1, { c: [] }] }], {}], s: 'line\nbreak' }, values: [value, [value]] };
    for (const depth of [0, 1, 2, 3, 5, 8]) expect([...prettyJsonPieces(nested, depth)].join(''), `depth ${depth}`).toBe(json(nested));
    for (const v of [[], {}, [undefined, () => 1, Symbol('s')], { only: undefined }, 'text', 3, null, { toJSON: (k: string) => ({ root: k }) }]) {
      expect([...prettyJsonPieces(v)].join('')).toBe(json(v));
    }
    // Random values, with runs of elements many levels deep (each written nested in arrays as deep as its indent).
    let s0 = 11;
    const r = () => (s0 = (s0 * 1103515245 + 12345) % 2147483648) / 2147483648;
    const random = (d: number): unknown => {
      const t = r();
      if (d <= 0 || t < 0.3) return [1, 'a\nb', null, true, 2.5, '', 'é\u2028<&>', undefined][Math.floor(r() * 8)];
      if (t < 0.65) return Array.from({ length: Math.floor(r() * (d > 5 ? 100 : 6)) }, () => random(d - 1));
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 6) }, (_, i) => [`k${i}${r() < 0.1 ? '"' : ''}`, random(d - 1)]));
    };
    for (let n = 0; n < 300; n++) {
      const v = random(7);
      for (const depth of [1, 3, 5, 7]) expect([...prettyJsonPieces(v, depth)].join(''), `value ${n}, depth ${depth}`).toBe(json(v));
    }
    // Long arrays, whose elements go by runs: toJSON given the element's own index, left-out values, containers among leaves.
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const any = (level: number): unknown => {
      switch (rnd(level > 2 ? 9 : 12)) {
        case 0: return rnd(1000) - 500;
        case 1: return ['plain', 'é “q” </script>', 'a\nb', '', '\u2028'][rnd(5)];
        case 2: return null;
        case 3: return undefined;
        case 4: return () => 1;
        case 5: return { toJSON: (k: string) => `at ${k}` };
        case 6: return new Date(Date.UTC(2024, rnd(12), 1));
        case 7: return [{ toJSON: () => undefined }, { toJSON: () => ({ n: [1, { m: 2 }] }) }][rnd(2)];
        case 8: return rnd(2) ? true : Object.assign(() => 0, { toJSON: (k: string) => `fn at ${k}` });
        case 9: return Array.from({ length: rnd(3) ? rnd(4) : 64 + rnd(200) }, () => any(level + 1));
        case 10: return Object.fromEntries(Array.from({ length: rnd(4) }, (_, i) => [`k${i}`, any(level + 1)]));
        default: return [Symbol('s'), [], {}][rnd(3)];
      }
    };
    for (let k = 0; k < 24; k++) {
      const big = Array.from({ length: 60 + rnd(200) }, () => any(1));
      for (const depth of [1, 2, 3, 4]) {
        expect([...jsonPieces(big, depth)].join(''), `case ${k} depth ${depth}`).toBe(JSON.stringify(big));
        expect([...prettyJsonPieces(big, depth)].join(''), `case ${k} depth ${depth}`).toBe(json(big));
      }
    }
    // A bigint's toJSON (when one is defined) is given its own index too.
    const proto = BigInt.prototype as unknown as { toJSON?: (k: string) => string };
    proto.toJSON = function (k: string) {
      return `big ${k}`;
    };
    try {
      const withBig = [new Date(0), ...Array.from({ length: 70 }, (_, i) => BigInt(i))];
      expect([...jsonPieces(withBig, 1)].join('')).toBe(JSON.stringify(withBig));
      expect([...prettyJsonPieces(withBig, 1)].join('')).toBe(json(withBig));
    } finally {
      delete proto.toJSON;
    }
    // Pieces of a few characters: escaping does not depend on where the text is cut.
    const pieces = [...jsonForScriptPieces(value, 3)];
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join('')).toBe(jsonForScript(value));
  });

  it('a CSV made a line at a time is the same text as made whole', () => {
    const header = ['id', 'text'];
    const rows = [['a', 'says "yes", then\nno'], ['=b', null], [3, true], ['', undefined]];
    const whole = '\uFEFFid,text\r\na,"says ""yes"", then\nno"\r\n\'=b,\r\n3,true\r\n,\r\n';
    expect([...csvPieces(header, rows)].join('')).toBe(whole);
    expect(csv(header, rows)).toBe(whole);
    expect([...csvPieces(header, [])].join('')).toBe(csv(header, []));
    expect(csv(header, [])).toBe('\uFEFFid,text\r\n');
  });

  it('a page is its frame, its body, its data and its script, one line each', () => {
    const data = { docs: [{ id: 'a', t: '</script>' }] };
    const parts = { title: 'T <1>', body: '<main>body</main>', dataJson: [...jsonPieces(data)], script: true };
    const out = page(parts);
    const csp = /content="([^"]*)"/.exec(out)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(out)![1]!;
    const script = /\n<script>([\s\S]*)<\/script>\n<\/body>/.exec(out)![1]!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+' 'strict-dynamic'; img-src data:; base-uri 'none'; form-action 'none'$/);
    const expected = [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="referrer" content="no-referrer">',
      '<title>T &lt;1&gt;</title>',
      `<style>${style}</style>`,
      '</head>',
      '<body>',
      '<main>body</main>',
      `<script type="application/json" id="accords-data">${jsonForScript(data)}</script>`,
      `<script>${script}</script>`,
      '</body>',
      '</html>',
      '',
    ].join('\n');
    expect(out).toBe(expected);
    expect([...pagePieces(parts)].join('')).toBe(expected);
    // Without data or script: no script element, and scripts are refused.
    const plain = page({ title: 'P', body: 'b' });
    expect(plain).toContain("script-src 'none'");
    expect(plain).toMatch(/<body>\nb\n<\/body>\n<\/html>\n$/);
  });
});

describe('the report with hostile statements', () => {
  // Entities in the markdown source become these characters in the statement's text.
  const HOSTILE_TEXT = 'The two sides will fund joint research on &lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt; and &lt;img src=x onerror="window.pwned=2"&gt; sensors in 2027.';
  let out: string;
  beforeAll(async () => {
    const corpus = tmp('render-corpus');
    cpSync(join(ROOT, 'test', 'fixtures', 'aggregate'), corpus, { recursive: true });
    writeFileSync(
      join(corpus, '2024-05-01_hostile.md'),
      `---\ntitle: "A <b>bold</b> title with </title><script>window.pwned=3</script>"\ndate: 2024-05-01\npartnership: AL-BR-TC\nsource_url: "javascript:alert(document.domain)"\n---\n\n${HOSTILE_TEXT}\n`,
    );
    out = join(tmp('render-out'), 'out');
    await runPipeline(config, { corpus, out, log: () => {} });
  });

  const htmlFiles = () => [
    join(out, 'report', 'index.html'),
    ...readdirSync(join(out, 'report', 'partnerships')).map((f) => join(out, 'report', 'partnerships', f)),
    ...readdirSync(join(out, 'report', 'documents')).map((f) => join(out, 'report', 'documents', f)),
  ];

  it('writes no markup from statements and no link but http(s) and its own pages', () => {
    for (const f of htmlFiles()) {
      const all = readFileSync(f, 'utf8');
      // The report's own script is checked apart: it holds markup templates, not statement text.
      const html = all.replace(/<script>[\s\S]*?<\/script>/, '<script></script>');
      expect(html, f).not.toContain('<script>window.pwned');
      expect(html, f).not.toContain('<img src=x');
      expect(html, f).not.toContain('<b>bold</b>');
      for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(/^(?:https?:\/\/|#|[\w./-]+\.html(?:#[\w-]+)?$|\.\.\/)/i.test(href!), `${f}: ${href}`).toBe(true);
      // Only the report's own two script elements (data and code), on the index page.
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts, f).toEqual(f.endsWith('index.html') ? ['<script type="application/json" id="accords-data">', '<script>'] : []);
      expect(all).toMatch(f.endsWith('index.html') ? /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+' 'strict-dynamic'; img-src data:/ : /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'none'; img-src data:/);
    }
  });

  it('shows the hostile words as text and quotes them in the Markdown profile safely', () => {
    const doc = htmlFiles().find((f) => f.includes('documents') && readFileSync(f, 'utf8').includes('window.pwned=1'))!;
    const html = readFileSync(doc, 'utf8');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;');
    // The partnership's evidence file carries it in a string, written so that it could not close a script element either.
    const evidence = readFileSync(join(out, 'report', 'evidence', 'AL-BR-TC.js'), 'utf8');
    expect(evidence).toContain('\\u003c/script\\u003e\\u003cscript\\u003ewindow.pwned=1');
    expect(evidence).not.toContain('<');
    // The index page carries its title in its data block, where it cannot close the element either.
    const index = readFileSync(join(out, 'report', 'index.html'), 'utf8');
    expect(index).toContain('\\u003c/title\\u003e\\u003cscript\\u003ewindow.pwned=3');
    expect(index).not.toContain('window.pwned=1');
    const profile = readFileSync(join(out, 'profiles', 'AL-BR-TC.md'), 'utf8');
    expect(profile).toContain('\\</script\\>\\<script\\>window.pwned=1');
    expect(profile).not.toContain('](javascript:');
    expect(profile).toContain('(javascript:alert(document.domain))');
  });
});

describe("the index page's data and the partnerships' evidence files", () => {
  let out: string;
  beforeAll(async () => {
    out = join(tmp('render-split'), 'out');
    await runPipeline(config, { corpus: join(ROOT, 'corpus'), out, log: () => {} });
  });

  const pageData = () => reportPageData(out);
  const evidenceFile = (id: string) => reportEvidence(out, id);
  /** The evidence items of a page or a dialog, in their order. */
  const items = (html: string) => [...html.matchAll(/<li class="ev"[\s\S]*?<\/ul><\/li>/g)].map((m) => m[0]);

  it('show each cell the evidence its partnership page shows, once every file is read', () => {
    const data = pageData();
    expect(data.texts).toEqual([]);
    const ids = readdirSync(join(out, 'report', 'evidence')).map((f) => f.replace(/\.js$/, ''));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect(view.attachEvidence(data, evidenceFile(id)), id).toBe(true);
    let shown = 0;
    for (const id of ids) {
      const pageItems = items(readFileSync(join(out, 'report', 'partnerships', `${id}.html`), 'utf8'));
      const dialogs = data.objectives.flatMap((o: string) => items(view.cellEvidence(data, data.scope, id, o, '../')));
      expect(dialogs.length, id).toBeGreaterThan(0);
      // The page groups a cell's items by subcategory, the dialog lists them by strength: the same items.
      expect([...dialogs].sort(), id).toEqual([...pageItems].sort());
      shown += dialogs.length;
    }
    expect(shown).toBeGreaterThan(20);
  });

  it('give back every field of every occurrence, whatever its values (a round trip through JSON)', () => {
    let seed = 11;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    const pick = <T,>(xs: T[]) => xs.filter(() => rnd(2) === 0);
    const ids = ['AA-BB', 'AA-CC', 'BB-CC-DD'];
    const texts = ['A quote.', 'Another quote, with “marks” and </script>.', 'A third.', 'A fourth.'];
    const commitments = Array.from({ length: 40 }, (_, n) => ({
      p: rnd(ids.length),
      o: ['policy', 'research', 'commercial'][rnd(3)]!,
      k: `k${n}`,
      occ: Array.from({ length: 1 + rnd(3) }, () => ({
        d: rnd(9), i: rnd(50), s: rnd(1000), e: 1000 + rnd(1000),
        g: ['explore', 'intend', 'commit', 'underway', 'completed'][rnd(5)]!,
        c: pick(['actor', 'timeframe', 'money']), l: rnd(2) === 0, sub: pick(['research/funding', 'policy/standards', 'other/x']), dom: pick(['ai', 'semiconductors']),
        r: rnd(2) === 0, ru: pick(['rule.a', 'rule.b']), why: `reason ${rnd(9)}`, h: pick(['Heading', 'Sub-heading']), t: rnd(texts.length),
      })),
    }));
    const full = { objectives: ['policy', 'research', 'commercial'], grades: ['explore', 'intend', 'commit', 'underway'], signals: ['actor', 'timeframe', 'money'], subcategories: { policy: ['policy/standards'], research: ['research/funding'], commercial: [] }, domains: ['ai'], partnerships: ids.map((id) => ({ id, name: id, parties: [], kind: null, parent: null, launched: null, docs: [] })), docs: Array.from({ length: 9 }, (_, d) => ({ id: `doc${d}` })), commitments, texts, scope: { domain: null, from: null, until: null, group: '', reviewedOnly: false } };
    const { commitments: _c, texts: _t, ...rest } = full;
    // 'completed', 'semiconductors' and 'other/x' are in none of the dataset's lists: written as they are.
    const page = JSON.stringify({ ...rest, commitments: commitments.map(view.pageCommitments(full)) });
    const data = view.pageDataset(JSON.parse(page));
    for (const p of ids.keys()) expect(view.attachEvidence(data, JSON.parse(JSON.stringify(view.evidenceOf(full, p))))).toBe(true);
    // The quotes are numbered as the files came: compared by what they say.
    const resolved = (d: typeof full) => d.commitments.map((c) => ({ ...c, occ: c.occ.map((o) => ({ ...o, t: d.texts[o.t] })) }));
    expect(resolved(data as typeof full)).toEqual(resolved(full));
    expect(new Set(commitments.flatMap((c) => c.occ.map((o) => `${o.l}${o.r}`)))).toEqual(new Set(['truetrue', 'truefalse', 'falsetrue', 'falsefalse']));
    // Names in the lists went as numbers, the others as they are.
    const written = JSON.stringify(JSON.parse(page).commitments);
    expect(written).toContain('"completed"');
    expect(written).toContain('"other/x"');
    expect(written).not.toMatch(/"(?:explore|intend|commit|underway|actor|timeframe|money|ai|research\/funding|policy\/standards)"/);
  });

  it('read a file whose commitments have a value missing (a damaged review): the page receives it as null, and so does the digest', () => {
    const occ = { d: 0, i: 3, s: 0, e: 9, g: undefined, c: [], l: false, sub: [], dom: [], r: true, ru: [], why: 'set by an analyst', h: [], t: 0 };
    const full = { objectives: ['policy'], grades: ['commit'], signals: [], subcategories: { policy: [] }, domains: [], partnerships: [{ id: 'AA-BB' }], docs: [{ id: 'doc0' }], commitments: [{ p: 0, o: 'policy', k: 'k0', occ: [occ] }], texts: ['A quote.'] };
    const { commitments, texts: _t, ...rest } = full;
    const data = view.pageDataset(JSON.parse(JSON.stringify({ ...rest, commitments: commitments.map(view.pageCommitments(full)) })));
    expect(view.attachEvidence(data, JSON.parse(JSON.stringify(view.evidenceOf(full, 0))))).toBe(true);
  });

  it("refuse a file that is not the one the page was written with, and change nothing then", () => {
    const data = pageData();
    const [a, b] = readdirSync(join(out, 'report', 'evidence')).map((f) => f.replace(/\.js$/, ''));
    const right = evidenceFile(a!);
    const before = JSON.stringify(data);
    const wrong = [
      { ...right, check: '0123456789abcdef' },
      { ...right, check: undefined },
      { ...right, p: b },
      { ...right, p: 'NOT-A-PARTNERSHIP' },
      { ...right, occ: right.occ.slice(1) },
      { ...right, occ: right.occ.map((o: unknown[], j: number) => (j ? o : o.slice(1))) },
      { ...right, occ: right.occ.map((o: unknown[][], j: number) => (j ? o : [[right.texts.length, ...o[0]!.slice(1)], ...o.slice(1)])) },
      { ...right, texts: undefined },
      { ...right, texts: right.texts.map((t: string, i: number) => (i ? t : 7)) },
      { ...right, occ: right.occ.map((o: unknown[][], j: number) => (j ? o : [[o[0]![0], 5, ...o[0]!.slice(2)], ...o.slice(1)])) },
      { ...right, occ: right.occ.map((o: unknown[][], j: number) => (j ? o : [[...o[0]!.slice(0, 2), 'rule', ...o[0]!.slice(3)], ...o.slice(1)])) },
      { ...right, occ: right.occ.map((o: unknown[][], j: number) => (j ? o : [[...o[0]!.slice(0, 3), [1], ...o[0]!.slice(4)], ...o.slice(1)])) },
      { ...right, occ: right.occ.map((o: unknown[][], j: number) => (j ? o : [[...o[0]!.slice(0, 4), '0', o[0]![5]], ...o.slice(1)])) },
      null,
    ];
    for (const w of wrong) expect(view.attachEvidence(data, w), JSON.stringify(w).slice(0, 80)).toBe(false);
    expect(JSON.stringify(data)).toBe(before);
    expect(view.attachEvidence(data, right)).toBe(true);
  });

  it('refuse the file of a run made since the page when that run graded a commitment otherwise, the same sentences kept', async () => {
    // Rules without one cue of the underway grade: some commitments of the same sentences get another grade.
    const rules = tmp('render-split-rules');
    cpSync(join(ROOT, 'rules'), rules, { recursive: true });
    const grades = join(rules, 'grades.yaml');
    const before = readFileSync(grades, 'utf8');
    const edited = before.replace(/(  - id: grade\.underway\.past\n[\s\S]*?\n    patterns:\n)      - launched\n/, '$1');
    expect(edited).not.toBe(before);
    writeFileSync(grades, edited);
    const later = join(tmp('render-split-later'), 'out');
    await runPipeline({ ...config, rules }, { corpus: join(ROOT, 'corpus'), out: later, log: () => {} });
    const ids = readdirSync(join(out, 'report', 'evidence')).map((f) => f.replace(/\.js$/, ''));
    const laterFile = (id: string) => reportEvidence(later, id);
    const open = pageData();
    const refused = ids.filter((id) => !view.attachEvidence(open, laterFile(id)));
    expect(refused.length).toBeGreaterThan(0);
    for (const id of refused) {
      // The same commitments (sentences, in the same order and number), graded otherwise.
      expect(laterFile(id).occ.map((o: unknown[]) => o.length), id).toEqual(evidenceFile(id).occ.map((o: unknown[]) => o.length));
      expect(laterFile(id).check, id).not.toBe(evidenceFile(id).check);
    }
    // Each page reads its own run's files.
    const own = reportPageData(later);
    for (const id of ids) expect(view.attachEvidence(own, laterFile(id)), id).toBe(true);
  });
});
