/**
 * The work done for one document, the same in the main thread and in a worker
 * thread: read it (or its cached form), extract, segment, tag, attribute and
 * summarise it, and later render its lines of passages.jsonl and its page. What
 * goes back to the run is a compact record (`DocInfo`): metadata, messages and
 * the per-document summary aggregation needs; the whole document stays in the
 * cache of processed documents and is read again only to render its outputs.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { deserialize, serialize } from 'node:v8';
import type { Doc, DocMeta, Passage, PassageTags } from './core/doc.js';
import type { Message } from './core/messages.js';
import { problem } from './core/errors.js';
import { sha256 } from './core/hash.js';
import { writeCacheSectionsSync } from './core/fsutil.js';
import type { LoadedConfig } from './config/index.js';
import { extractFile } from './extract/index.js';
import { segment } from './segment/index.js';
import type { CompiledRules, Registry } from './rules/index.js';
import { classify } from './classify.js';
import { changedWords, digestIn, mayChange, RULE_DIGEST } from './rules/digest.js';
import { takeVerdicts, type Verdict } from './tag/imperative.js';
import { attribute, namedPartnerships, summarize, withDigest, EVENT_KINDS, LEVELS, RHYTHMS, type DocSummary, type GovernanceFacts, type Level, type PassageFacts, type TextEvent } from './aggregate/index.js';
import { documentCodes, documentPageParts, passageLines, passagesJsonl, renderDocumentPage } from './render/index.js';

/** What the run keeps of a processed document. */
export interface DocInfo {
  path: string;
  id: string;
  hasText: boolean;
  format: Doc['format'];
  meta: DocMeta;
  partnerships: string[];
  messages: Message[];
  passages: number;
  /** The automatic tags' summary, for aggregation. */
  summary: DocSummary;
  /**
   * The document's outputs kept in the cache, made for the file path `path`: its
   * lines of passages.jsonl, and its page split where its citation codes go
   * (`pageHead` characters, or -1 when it has no page).
   */
  outputs?: { path: string; pageHead: number };
}

export interface Prepared {
  info: DocInfo;
  /** The processed document's file in the cache; absent when it could not be cached. */
  cached?: string;
  /** The document itself when it is not cached (it failed in a way worth trying again). */
  doc?: Doc;
  fromCache: boolean;
  /** Processed from an earlier generation's extraction of the same bytes (see retagged). */
  retagged?: boolean;
  /** Of such a document's passages, how many kept their earlier tags (no changed rule could touch them). */
  kept?: number;
  ms: number;
  /** The part-of-speech verdicts reached in this thread since the last document (see takeVerdicts). */
  verdicts?: Verdict[];
}

export interface StageContext {
  config: LoadedConfig;
  rules: CompiledRules;
  registry: Registry;
}

export interface PrepareJob {
  file: string;
  display: string;
  /** The document's cache key, when its bytes could be read. */
  key?: string;
  cacheDir: string;
  full: boolean;
  /**
   * The document's entry in an earlier generation of the cache made by the same
   * code and settings under other rules or another registry, when there is one:
   * its extraction is used again (see retagged).
   */
  donor?: string;
}

/** Process one file through every stage. Never throws: failures become messages. */
export async function processFile(path: string, config: LoadedConfig, rules: CompiledRules, registry: Registry, displayPath = path): Promise<Doc> {
  try {
    const ex = await extractFile(path, config.limits);
    ex.path = displayPath;
    renameMessages(ex.messages, path, displayPath);
    const doc: Doc = { ...ex, passages: [], partnerships: [] };
    if (!doc.text || doc.messages.some((m) => m.severity === 'error')) return doc;
    return tagDoc(doc, segment(doc), rules, registry, displayPath);
  } catch (err) {
    return crashed(path, displayPath, err as Error);
  }
}

/** The steps after extraction and segmentation: every passage tagged and graded, the document attributed. */
function tagDoc(doc: Doc, passages: Passage[], rules: CompiledRules, registry: Registry, displayPath: string, keep?: (p: Passage, i: number) => PassageTags | undefined): Doc {
  doc.passages = passages.map((p, i) => ({ ...p, tags: keep?.(p, i) ?? classify({ text: p.text, headings: p.headings, title: doc.meta.title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules) }));
  // The messages so far are extraction's: its cache entry says how many (see retagged).
  extractedMessages.set(doc, doc.messages.length);
  const attr = attribute(doc.meta, doc.text, registry, displayPath);
  doc.partnerships = attr.ids;
  doc.messages.push(...attr.messages);
  return doc;
}

/** How many of a tagged document's messages extraction made; the steps after it add theirs. */
const extractedMessages = new WeakMap<Doc, number>();

function crashed(path: string, displayPath: string, err: Error): Doc {
  return {
    path: displayPath,
    id: basename(path),
    format: 'text',
    meta: { title: basename(path) },
    text: '',
    blocks: [],
    passages: [],
    partnerships: [],
    messages: [problem('pipeline/crash', displayPath, err.message)],
  };
}

/**
 * A document processed by other rules or another registry (an entry of an earlier
 * generation of the cache, made by the same code and settings from the same bytes)
 * tagged again with these: its extraction and segmentation depend on neither and
 * are not done again, and its passages that no changed rule can touch keep their
 * tags (see keptTags). Undefined when the entry cannot be read or holds a document
 * that failed (those are processed from the file).
 */
function retagged(donor: string, generation: string, rules: CompiledRules, registry: Registry, displayPath: string): { doc: Doc; known: Partial<PassageFacts>; kept: number } | undefined {
  let old: BareDoc;
  let extracted: number | undefined;
  let facts: Buffer;
  try {
    const entry = readEntry(donor, ['doc', 'facts']);
    old = docOf(entry.parts[0]!, displayPath);
    facts = entry.parts[1]!;
    extracted = entry.extracted;
  } catch {
    return undefined;
  }
  if (!old?.text || !Array.isArray(old.passages) || !Array.isArray(old.messages) || old.messages.some((m) => m.severity === 'error')) return undefined;
  if (extracted === undefined || extracted > old.messages.length) return undefined;
  try {
    // As extraction left it: no passages, partnerships, or messages of the steps after extraction yet (the fields keep their order).
    const doc: Doc = { ...old, passages: [], partnerships: [], messages: old.messages.slice(0, extracted) };
    const keep = keptTags(donor, generation, old, rules.version);
    const tagged = tagDoc(doc, old.passages, rules, registry, displayPath, keep?.tags);
    return { doc: tagged, known: knownFacts(facts, old, registry), kept: keep?.count() ?? 0 };
  } catch {
    // Processed from the file instead, which fails the same way and says so.
    return undefined;
  }
}

/**
 * From a donor generation's rules to this run's (see rules/digest.ts, each
 * generation's folder holds its digest): the words that may change a passage's
 * tags, and the two rule sets' versions. Undefined when no tags can be kept (a
 * digest missing or unreadable, or changes that may touch any passage). Worked out
 * once per pair of digests as written (a digest written again is read again).
 */
interface Change {
  /** The word lists that may change a passage's tags (see changedWords). */
  words: string[][];
  was: string;
  now: string;
}
const changes = new Map<string, Change | undefined>();
function changeBetween(donorDir: string, generation: string): Change | undefined {
  // Known by the two files' modification times: the next run under a damaged digest's rules writes it again.
  const stamp = (dir: string) => statSync(join(dir, RULE_DIGEST), { throwIfNoEntry: false })?.mtimeMs ?? 'none';
  const key = `${donorDir}\u0000${stamp(donorDir)}\u0000${generation}\u0000${stamp(generation)}`;
  if (changes.has(key)) return changes.get(key);
  const now = digestIn(generation);
  const before = now && digestIn(donorDir);
  const words = before && now ? changedWords(before, now) : undefined;
  // Rules of the same version say the same: digests that differ were made from something else (not kept).
  const change = words && !(before!.version === now!.version && words.length) ? { words, was: before!.version, now: now!.version } : undefined;
  if (changes.size > 8) changes.clear();
  changes.set(key, change);
  return change;
}

/**
 * The earlier tags of a donor's passages that no changed rule can touch (see
 * rules/digest.ts): such a passage keeps its tags, the version its evidence
 * records turned to `version`; the others (undefined) are tagged again. Undefined
 * when none can be kept: no change is known between the two generations' rules.
 * The donor's tags are read when the first passage keeps its own; when they
 * cannot be, every passage is tagged again.
 */
function keptTags(donor: string, generation: string, old: BareDoc, version: string): { tags: (p: Passage, i: number) => PassageTags | undefined; count: () => number } | undefined {
  const change = changeBetween(dirname(donor), generation);
  if (!change || change.now !== version) return undefined;
  const { words, was, now } = change;
  let tags: PassageTags[] | null | undefined;
  const earlier = () => {
    if (tags === undefined) {
      try {
        tags = withTags(old, deserialize(readEntry(donor, ['tags']).parts[0]!) as unknown).passages.map((p) => p.tags);
      } catch {
        tags = null;
      }
    }
    return tags;
  };
  let count = 0;
  // Headings, the title and lead-ins repeat from passage to passage: each is looked at once.
  const context = new Map<string, boolean>();
  const touched = (t: string | undefined) => {
    if (!t) return false;
    let v = context.get(t);
    if (v === undefined) context.set(t, (v = mayChange(words, [t])));
    return v;
  };
  const title = old.meta.title;
  return {
    tags: (p, i) => {
      // The passage and what the tagger reads with it: its headings, the title, its list's lead-in.
      if (mayChange(words, [p.text]) || touched(title) || touched(p.listIntro) || (p.headings ?? []).some(touched)) return undefined;
      const t = earlier()?.[i];
      if (!t) return undefined;
      const evidence = [...t.evidence, ...t.objectives.flatMap((o) => (Array.isArray(o.evidence) ? o.evidence : [undefined]))];
      // Only tags the earlier rules made, as every piece of their evidence says.
      if (!evidence.every((e) => !!e && typeof e === 'object' && e.rulesVersion === was)) return undefined;
      for (const e of evidence) e!.rulesVersion = now;
      count++;
      return t;
    },
    count: () => count,
  };
}

/**
 * The facts of a donor's passages this run can use (see PassageFacts): the events
 * (dated against the statement's date they were read with: the same, as the
 * extraction is the donor's, but checked), the partnerships named and the
 * governance facts when the registry is the same. Nothing when they cannot be
 * read or are not what a run writes (a damaged entry): they are then worked out again.
 */
function knownFacts(bytes: Buffer, doc: BareDoc, registry: Registry): Partial<PassageFacts> {
  try {
    const f = JSON.parse(bytes.toString('utf8')) as Partial<StoredFacts>;
    const n = doc.passages.length;
    const each = <T>(a: unknown, ok: (x: unknown) => x is T): a is T[] => Array.isArray(a) && a.length === n && a.every(ok);
    if (!each(f.named, isStringList) || !each(f.events, isEventList) || !each(f.keys, isKey) || !each(f.governance, isGovernanceRead)) return {};
    return {
      keys: f.keys,
      ...(f.date === (doc.meta.date ?? null) ? { events: f.events } : {}),
      ...(f.registry === registry.hash ? { named: f.named, governance: f.governance } : {}),
    };
  } catch {
    return {};
  }
}

const isString = (x: unknown): x is string => typeof x === 'string';
const oneOf = (list: readonly string[], x: unknown): boolean => (list as readonly unknown[]).includes(x);
const isKey = (x: unknown): x is string | null => x === null || isString(x);
const isStringList = (x: unknown): x is string[] => Array.isArray(x) && x.every(isString);
const isEventList = (x: unknown): x is TextEvent[] =>
  Array.isArray(x) &&
  x.every((e) => {
    const v = e as Partial<Record<keyof TextEvent, unknown>> | null;
    return !!v && typeof v === 'object' && oneOf(EVENT_KINDS, v.kind) && isString(v.what) && isString(v.date) && (v.dated === 'text' || v.dated === 'statement') && typeof v.planned === 'boolean';
  });

/**
 * Governance facts as a run keeps them (see PassageFacts): null, false, or facts
 * as governanceFacts gives them: something found, the levels in LEVELS' order
 * and nothing twice.
 */
const isGovernanceRead = (x: unknown): x is GovernanceFacts | false | null => {
  if (x === null || x === false) return true;
  const g = x as Partial<Record<keyof GovernanceFacts, unknown>> | null;
  if (!g || typeof g !== 'object' || !Array.isArray(g.bodies) || !Array.isArray(g.chairs) || !Array.isArray(g.levels) || !Array.isArray(g.rhythm)) return false;
  if (!g.bodies.length && !g.chairs.length && !g.levels.length && !g.rhythm.length) return false;
  const levels = g.levels.map((l) => LEVELS.indexOf(l as Level));
  return (
    g.bodies.every((b: { name?: unknown; planned?: unknown } | null) => !!b && isString(b.name) && typeof b.planned === 'boolean') &&
    g.chairs.every((c: { who?: unknown; of?: unknown } | null) => !!c && isString(c.who) && (c.of === undefined || isString(c.of))) &&
    new Set(g.chairs.map((c: { who: string }) => c.who)).size === g.chairs.length &&
    levels.every((l, i) => l >= 0 && (i === 0 || l > levels[i - 1]!)) &&
    g.rhythm.every((r) => oneOf(RHYTHMS, r)) &&
    new Set(g.rhythm).size === g.rhythm.length
  );
};

/** Passage facts as a cache entry keeps them: with the registry and the date they were read with. */
interface StoredFacts extends PassageFacts {
  registry: string;
  date: string | null;
}

/** The compact record of a document. `known`, `learned`: see summarize. */
export function infoOf(doc: Doc, registry: Registry, known?: Partial<PassageFacts>, learned?: PassageFacts): DocInfo {
  return {
    path: doc.path,
    id: doc.id,
    hasText: !!doc.text,
    format: doc.format,
    meta: doc.meta,
    partnerships: doc.partnerships,
    messages: doc.messages,
    passages: doc.passages.length,
    summary: summarize(doc, registry, undefined, known, learned),
  };
}

/**
 * A document's cache entry is one file (creating a file costs more here than
 * writing what is in it): its record (the DocInfo as JSON), its lines of
 * passages.jsonl, its page in two halves (split where its citation codes go),
 * the processed document without its passages' tags, those tags (both in V8's
 * serialization) and its passages' facts (see PassageFacts: a document that
 * failed has none), one after another, then a
 * trailer that says where each part is: a line end and a JSON object, padded with
 * spaces to TRAILER bytes. The entry is written whole or not at all (see writeCacheSectionsSync).
 *
 * The tags are kept apart because a document tagged again with other rules reads
 * only the rest: the tags are most of the cost of reading the document back.
 */
const TRAILER = 256;
const ENTRY = 4;
type Part = 'info' | 'jsonl' | 'page' | 'doc' | 'tags' | 'facts';
const PARTS: Part[] = ['info', 'jsonl', 'page', 'doc', 'tags', 'facts'];

/**
 * Parts of an entry, read with one opening of its file, and how many of its
 * document's messages extraction made (see tagDoc). Throws on an entry that does not hold together.
 */
function readEntry(cached: string, want: Part[]): { parts: Buffer[]; extracted?: number } {
  const fd = openSync(cached, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (a: number, b: number) => {
      const buf = Buffer.allocUnsafe(b - a);
      for (let at = 0; at < buf.length; ) {
        const n = readSync(fd, buf, at, buf.length - at, a + at);
        if (!n) throw new Error(`${cached}: damaged cache entry`);
        at += n;
      }
      return buf;
    };
    if (size < TRAILER) throw new Error(`${cached}: damaged cache entry`);
    const where = JSON.parse(read(size - TRAILER, size).toString('utf8')) as { entry?: number; extracted?: unknown } & Partial<Record<Part, [number, number]>>;
    if (where.entry !== ENTRY) throw new Error(`${cached}: not a cache entry of this version`);
    const parts = want.map((p) => {
      const [a, b] = where[p] ?? [];
      if (!Number.isInteger(a) || !Number.isInteger(b) || a! < 0 || a! > b! || b! > size - TRAILER) throw new Error(`${cached}: damaged cache entry`);
      return read(a!, b!);
    });
    return { parts, ...(Number.isInteger(where.extracted) ? { extracted: where.extracted as number } : {}) };
  } finally {
    closeSync(fd);
  }
}

/**
 * The record of a document, and its outputs, written with it in its cache entry:
 * whatever depends on the rest of the corpus (citation codes, duplicates,
 * analysts' decisions) is filled in or redone when the run writes out/.
 */
function record(doc: Doc, cached: string, ctx: StageContext, known?: Partial<PassageFacts>): DocInfo {
  const named = known?.named ?? doc.passages.map((p) => namedPartnerships(p.text, doc.partnerships, ctx.registry));
  const learned: PassageFacts = { named: [], events: [], keys: [], governance: [] };
  const info = infoOf(doc, ctx.registry, { ...known, named }, learned);
  const lines = passageLines([doc], ctx.registry, [named]);
  let page: string[] = [];
  let pageHead = -1;
  if (doc.text && !doc.messages.some((m) => m.severity === 'error')) {
    const { head, tail } = documentPageParts(doc);
    page = [head, tail];
    pageHead = head.length;
  }
  info.outputs = { path: doc.path, pageHead };
  const text = JSON.stringify(info);
  // The digest of what a later run reads back (the same bytes, hashed there).
  info.summary.digest = sha256(text);
  // A document that failed is never tagged again from its entry: its facts are not kept.
  const stored: StoredFacts | undefined = info.summary.failed ? undefined : { registry: ctx.registry.hash, date: doc.meta.date ?? null, ...learned };
  // The document and its tags in V8's serialization: made at a third of the cost of
  // JSON and its encoding (JSON text that large is costly to encode), and read back as fast.
  const { bare, tags } = untagged(doc);
  const sections = [{ parts: [text] }, { parts: lines, end: '\n' }, { parts: page }, { parts: [serialize(bare)] }, { parts: [serialize(tags)] }, { parts: stored ? [JSON.stringify(stored)] : [] }];
  // With how many of its messages extraction made (absent for a document that was never tagged: it failed).
  const extracted = extractedMessages.get(doc);
  writeCacheSectionsSync(cached, sections, (at) => `\n${JSON.stringify({ entry: ENTRY, ...Object.fromEntries(PARTS.map((p, i) => [p, at[i]])), ...(extracted !== undefined ? { extracted } : {}) })}`.padEnd(TRAILER), TRAILER);
  return info;
}

/** Messages about a statement's file, or its sidecar of metadata, name them by the statement's path `to`. */
function renameMessages(messages: Message[], from: string, to: string): void {
  const sidecar = `${from}.meta.json`;
  for (const m of messages) {
    if (m.file === from) m.file = to;
    else if (m.file === sidecar) m.file = `${to}.meta.json`;
  }
}

/** The same content may have been processed under another path: it is named by the path it has now (its sidecar too). */
export function renamedDoc<T extends { path: string; messages: Message[] }>(x: T, display: string): T {
  renameMessages(x.messages, x.path, display);
  x.path = display;
  return x;
}

/** A processed document from the cache, named by its present path. */
export function loadDocSync(cached: string, display: string): Doc {
  const [doc, tags] = readEntry(cached, ['doc', 'tags']).parts;
  return withTags(docOf(doc!, display), deserialize(tags!) as unknown);
}

/** The document of an entry's `doc` part (its passages without their tags), named by its present path. */
const docOf = (part: Buffer, display: string): BareDoc => renamedDoc(deserialize(part) as BareDoc, display);

/** A document whose passages are not tagged: as an entry keeps it, or as extraction and segmentation leave it. */
type BareDoc = Omit<Doc, 'passages'> & { passages: Passage[] };

/** A tagged document as its entry keeps it: the document with its passages untagged, and the tags passage by passage. */
function untagged(doc: Doc): { bare: BareDoc; tags: PassageTags[] } {
  const tags: PassageTags[] = [];
  const passages = doc.passages.map(({ tags: t, ...p }) => {
    tags.push(t);
    return p;
  });
  return { bare: { ...doc, passages }, tags };
}

/** The document `bare` with its passages' tags put back (last, where tagging puts them). */
function withTags(bare: BareDoc, tags: unknown): Doc {
  const tagsOk = (t: unknown) => !!t && typeof t === 'object' && Array.isArray((t as PassageTags).objectives) && Array.isArray((t as PassageTags).domains) && Array.isArray((t as PassageTags).evidence);
  if (!Array.isArray(tags) || tags.length !== bare.passages.length || !tags.every(tagsOk)) throw new Error('damaged cache entry: its tags do not match its passages');
  return { ...bare, passages: bare.passages.map((p, i) => ({ ...p, tags: tags[i] as PassageTags })) };
}

/**
 * One document for the run: from the cache when its bytes, the rules, the
 * registry, the settings and the code are unchanged (only the compact record is
 * read), otherwise processed and cached. Cache entries are written atomically
 * but not flushed to disk one by one: a damaged entry is re-processed.
 */
export async function prepareFile(job: PrepareJob, ctx: StageContext): Promise<Prepared> {
  const r = await prepareOne(job, ctx);
  const verdicts = takeVerdicts();
  if (verdicts.length) r.verdicts = verdicts;
  return r;
}

async function prepareOne(job: PrepareJob, ctx: StageContext): Promise<Prepared> {
  const t0 = performance.now();
  const cached = job.key ? `${job.cacheDir}/${job.key}.json` : undefined;
  if (cached && !job.full && existsSync(cached)) {
    try {
      // Read at once: through the thread pool, a small read costs more than the read itself.
      const bytes = readEntry(cached, ['info']).parts[0]!;
      const info = JSON.parse(bytes.toString('utf8')) as DocInfo;
      renamedDoc(info, job.display);
      info.summary.path = job.display;
      info.summary.digest = sha256(bytes);
      return { info, cached, fromCache: true, ms: Math.round(performance.now() - t0) };
    } catch {
      // A damaged cache entry (or one another version wrote): processed again.
    }
  }
  const again = job.donor && !job.full ? retagged(job.donor, job.cacheDir, ctx.rules, ctx.registry, job.display) : undefined;
  const doc = again?.doc ?? (await processFile(job.file, ctx.config, ctx.rules, ctx.registry, job.display));
  if (cached && !doc.messages.some((m) => m.code === 'pipeline/crash')) {
    const info = record(doc, cached, ctx, again?.known);
    return { info, cached, fromCache: false, ...(again ? { retagged: true, kept: again.kept } : {}), ms: Math.round(performance.now() - t0) };
  }
  const info = infoOf(doc, ctx.registry);
  withDigest(info.summary);
  return { info, doc, fromCache: false, ms: Math.round(performance.now() - t0) };
}

/**
 * A document's outputs from the cache, when they were made for its present path:
 * its lines of passages.jsonl, and its page with its citation codes filled in.
 * Undefined when they are not there (they are then made from the document).
 */
export async function keptOutputs(cached: string, info: Pick<DocInfo, 'path' | 'outputs'>, codes: string[]): Promise<{ jsonl: Buffer; page?: string | Buffer } | undefined> {
  if (!info.outputs || info.outputs.path !== info.path) return undefined;
  try {
    if (info.outputs.pageHead < 0) return { jsonl: readEntry(cached, ['jsonl']).parts[0]! };
    const [jsonl, page] = readEntry(cached, ['jsonl', 'page']).parts;
    const at = info.outputs.pageHead;
    // The codes go in between the page's bytes, which are not decoded and encoded again.
    const byte = byteOf(page!, at);
    if (byte !== undefined) return { jsonl: jsonl!, page: Buffer.concat([page!.subarray(0, byte), Buffer.from(documentCodes(codes)), page!.subarray(byte)]) };
    const html = page!.toString('utf8');
    return { jsonl: jsonl!, page: html.slice(0, at) + documentCodes(codes) + html.slice(at) };
  } catch {
    return undefined;
  }
}

/**
 * Where the character `at` (in UTF-16 units, as a string counts) of UTF-8 bytes
 * starts; undefined when the bytes are not valid UTF-8 (decoding puts U+FFFD in
 * place of such bytes), or when `at` is past the end or between the two units of
 * one character: the page is then decoded and the codes put into the text.
 */
export function byteOf(bytes: Uint8Array, at: number): number | undefined {
  if (!isUtf8(bytes)) return undefined;
  let units = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    // A continuation byte is inside a character.
    if ((b & 0xc0) === 0x80) continue;
    if (units === at) return i;
    if (units > at) return undefined;
    // Four bytes are a character outside the BMP: two units.
    units += b >= 0xf0 ? 2 : 1;
  }
  return units === at ? bytes.length : undefined;
}

/** A document's outputs: its lines of passages.jsonl and, when it has text, its page in the report. */
export function renderDoc(doc: Doc, codes: string[], registry: Registry): { jsonl: string; page?: string } {
  const jsonl = passagesJsonl([doc], registry);
  if (!doc.text || doc.messages.some((m) => m.severity === 'error')) return { jsonl };
  return { jsonl, page: renderDocumentPage(doc, codes) };
}
