/**
 * Benchmark corpora of any size, built from the real statements (../shared/corpus)
 * with distinct text: copy k of a statement carries a made-up word of letters
 * ("zq" and a base-26 counter) before the end of every sentence, list item and
 * paragraph, so no two copies share a sentence (each is a distinct commitment,
 * its own document id and its own passages) while the words the rules read are
 * unchanged. Front matter and headings are kept as they are.
 *
 *   node --import tsx scripts/bench-corpus.ts SRC DEST COUNT
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The statements of a source folder, in a stable order. */
export function sourceStatements(src: string): string[] {
  return readdirSync(src)
    .filter((f) => /\.(md|txt)$/i.test(f) && !/^readme/i.test(f))
    .sort();
}

function word(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `zq${s}`;
}

/** The text of copy `copy` of a statement: every sentence and item gets a word of its own. */
export function distinctCopy(text: string, copy: number): string {
  if (copy === 0) return text;
  let counter = copy * 100_000;
  const fm = /^---\n[\s\S]*?\n---\n/.exec(text);
  const head = fm ? fm[0] : '';
  const body = text.slice(head.length);
  const units = body.split(/(\n[ \t]*\n)/);
  const out = units.map((u) => {
    if (/^\s*$/.test(u) || /^\s*#/.test(u) || /^\s*(?:\||<)/.test(u)) return u;
    // List items on their own lines are units of their own.
    return u
      .split(/\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t])/)
      .map((item) => {
        let t = item.replace(/([a-z])([.!?;])(?=\s|$)/g, (_, a: string, p: string) => `${a} ${word(counter++)}${p}`);
        if (t === item) t = item.replace(/([A-Za-z0-9)])(\s*)$/, (_, a: string, ws: string) => `${a} ${word(counter++)}${ws}`);
        return t;
      })
      .join('\n');
  });
  return head + out.join('');
}

/** Write `count` statements into `dest`: the source statements, then distinct copies of them, in turn. */
export function buildBenchCorpus(src: string, dest: string, count: number, from = 0): string[] {
  const files = sourceStatements(src);
  if (!files.length) throw new Error(`no statements in ${src}`);
  mkdirSync(dest, { recursive: true });
  const texts = new Map<string, string>();
  const written: string[] = [];
  for (let i = from; i < from + count; i++) {
    const name = files[i % files.length]!;
    const copy = Math.floor(i / files.length);
    if (!texts.has(name)) texts.set(name, readFileSync(join(src, name), 'utf8'));
    const target = join(dest, `c${String(copy).padStart(4, '0')}-${name}`);
    writeFileSync(target, distinctCopy(texts.get(name)!, copy));
    written.push(target);
  }
  const registry = join(src, 'partnerships.yaml');
  if (existsSync(registry) && !existsSync(join(dest, 'partnerships.yaml'))) copyFileSync(registry, join(dest, 'partnerships.yaml'));
  return written;
}

/** A statement's front matter, its fences included ('' when it has none). */
const frontMatter = (text: string): string => /^---\n[\s\S]*?\n---\n/.exec(text)?.[0] ?? '';

/**
 * One more statement of the bench corpus in `dest`, dated `days` days after the
 * newest statement there, as a statement published today would be: the next
 * Markdown statement after the first `from` statements of the bench corpus, its
 * front matter's date moved.
 * Returns its path.
 */
export function addNewerStatement(src: string, dest: string, from: number, days: number): string {
  const files = sourceStatements(src);
  let newest = '';
  for (const f of readdirSync(dest)) {
    if (!f.endsWith('.md')) continue;
    const date = /^date:\s*"?(\d{4}-\d{2}-\d{2})/m.exec(frontMatter(readFileSync(join(dest, f), 'utf8')))?.[1];
    if (date && date > newest) newest = date;
  }
  if (!newest) throw new Error(`no dated Markdown statement in ${dest}`);
  const date = new Date(Date.parse(`${newest}T00:00:00Z`) + days * 864e5).toISOString().slice(0, 10);
  for (let i = from; i < from + files.length; i++) {
    const name = files[i % files.length]!;
    const text = readFileSync(join(src, name), 'utf8');
    const fm = frontMatter(text);
    if (!name.endsWith('.md') || !/^date:/m.test(fm)) continue;
    const target = join(dest, `c${String(Math.floor(i / files.length)).padStart(4, '0')}-${name.replace(/^\d{4}-\d{2}-\d{2}/, date)}`);
    const copy = distinctCopy(text, Math.floor(i / files.length));
    const head = frontMatter(copy);
    writeFileSync(target, `${head.replace(/^date:.*$/m, `date: ${date}`)}${copy.slice(head.length)}`);
    return target;
  }
  throw new Error(`no Markdown statement with a date in ${src}`);
}

// Run as a command only (not when a bundle of the benchmark holds this module).
if (process.argv[1]?.endsWith('bench-corpus.ts')) {
  const [src, dest, count] = process.argv.slice(2);
  if (!src || !dest || !count || !/^\d+$/.test(count)) {
    console.error('usage: node --import tsx scripts/bench-corpus.ts SRC DEST COUNT');
    process.exit(2);
  }
  const n = buildBenchCorpus(resolve(src), resolve(dest), Number(count)).length;
  console.log(`${n} statements written to ${dest}`);
}
