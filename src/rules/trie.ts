import type { Elem, TokenClass } from './pattern.js';
import { CAP, ED, ING, NUM, YEAR, type Tokens } from '../tag/tokens.js';

/**
 * A node of the trie. Every node has every field (most of them undefined), so the
 * walk reads them at fixed places: nodes built with fields added as needed take
 * many shapes, and each read then costs a lookup (the walk ran 2-2.5 times slower).
 */
class Node {
  /** Exact words, by their number in the trie's vocabulary. */
  next: Map<number, Node> | undefined = undefined;
  /** When `next` has one word (most nodes past the root), that word's number and node, read without the map. */
  oneId = -1;
  one: Node | undefined = undefined;
  /** Stems (prefix -> node), bucketed by a number made of the stem's first three character codes. */
  stems: Map<number, Array<[string, Node]>> | undefined = undefined;
  /** Stems shorter than three characters. */
  short: Array<[string, Node]> | undefined = undefined;
  classes: Array<[TokenClass, Node]> | undefined = undefined;
  gap: { max: number; node: Node } | undefined = undefined;
  /** Term ids that end here. */
  out: number[] | undefined = undefined;
}

export interface TrieHit {
  term: number;
  /** First and last token (inclusive). */
  from: number;
  to: number;
}

const CLASS_FLAG: Record<TokenClass, number> = { num: NUM, year: YEAR, Cap: CAP, ing: ING, ed: ED };

/** A character as the matcher reads it: ’ is '. */
const ch = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c === 0x2019 ? 39 : c;
};

/**
 * The bucket of a stem or of the word at [a, ...) of `s` (three characters or more),
 * from its first three characters: a small integer (a larger number would be
 * allocated for each word). Two stems may share a bucket; each is still compared in full.
 */
const key3At = (s: string, a: number) => ((ch(s, a) * 1021 + ch(s, a + 1)) * 1021 + ch(s, a + 2)) & 0x3fffffff;

/** A hash of the characters [a, b) of `s` (FNV-1a), for the vocabulary's table. */
function hashAt(s: string, a: number, b: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = a; i < b; i++) h = Math.imul(h ^ ch(s, i), 0x01000193);
  return h;
}

/** Does the word at [a, b) of `s` start with `p`? */
function startsAt(s: string, a: number, b: number, p: string): boolean {
  if (b - a < p.length) return false;
  for (let j = 0; j < p.length; j++) if (ch(s, a + j) !== p.charCodeAt(j)) return false;
  return true;
}

/**
 * Every pattern of every rule in one trie over words, walked once from each token of
 * a passage: the cost of a passage is about one lookup per word, however many rules
 * there are (the same idea as Aho-Corasick, with words for letters). Words on exact
 * edges get numbers; a passage's tokens are looked up by their characters in a
 * table of those words, so no string is made for a token. Stems are kept in buckets
 * by their first three letters; token classes and gaps are the rare branches a walk
 * may take besides the exact word.
 */
export class TokenTrie {
  private readonly root = new Node();
  private nodes = 1;
  /** The words of exact edges and their numbers. */
  private readonly wordIds = new Map<string, number>();
  private readonly words: string[] = [];
  /** Open addressing over the words' characters: a word's number + 1, 0 where empty (made by the first match after a change). */
  private table: Int32Array | undefined;
  /** The hash of the word in each slot of `table`, compared before the characters. */
  private hashes = new Int32Array(0);
  /** The root's exact edges by word number. */
  private rootNext: Array<Node | undefined> = [];
  private rootClasses = 0;
  // The passage being matched: where each token's characters are, their numbers and flags.
  private src = '';
  private from: Int32Array = new Int32Array(0);
  private to: Int32Array = new Int32Array(0);
  private ids: Int32Array = new Int32Array(0);
  private flags: Uint8Array = new Uint8Array(0);
  private count = 0;

  constructor(private readonly caseSensitive: boolean) {}

  get size(): number {
    return this.nodes;
  }

  add(seq: Elem[], term: number): void {
    let node = this.root;
    for (const e of seq) node = this.child(node, e);
    (node.out ??= []).push(term);
    this.table = undefined;
  }

  private wordId(w: string): number {
    let id = this.wordIds.get(w);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(w);
      this.wordIds.set(w, id);
    }
    return id;
  }

  private child(node: Node, e: Elem): Node {
    const make = (): Node => {
      this.nodes++;
      return new Node();
    };
    if (e.k === 'w') {
      node.next ??= new Map();
      const id = this.wordId(e.s);
      let n = node.next.get(id);
      if (!n) node.next.set(id, (n = make()));
      return n;
    }
    if (e.k === 'p') {
      if (e.s.length < 3) {
        node.short ??= [];
        let hit = node.short.find(([s]) => s === e.s);
        if (!hit) node.short.push((hit = [e.s, make()]));
        return hit[1];
      }
      node.stems ??= new Map();
      const key = key3At(e.s, 0);
      let list = node.stems.get(key);
      if (!list) node.stems.set(key, (list = []));
      let hit = list.find(([s]) => s === e.s);
      if (!hit) list.push((hit = [e.s, make()]));
      return hit[1];
    }
    if (e.k === 'c') {
      node.classes ??= [];
      let hit = node.classes.find(([c]) => c === e.c);
      if (!hit) node.classes.push((hit = [e.c, make()]));
      return hit[1];
    }
    if (!node.gap) node.gap = { max: e.max, node: make() };
    else node.gap.max = Math.max(node.gap.max, e.max);
    return node.gap.node;
  }

  /** The table of words, the root's edges by number and its class mask, after patterns were added. */
  private freeze(): Int32Array {
    const root = this.root;
    if (root.gap || root.out) throw new Error('a pattern cannot start with a gap or be empty');
    // At most a quarter full: a word not in the table (most of a passage's) ends its probe soon.
    let size = 16;
    while (size < this.words.length * 4) size *= 2;
    const table = new Int32Array(size);
    const hashes = new Int32Array(size);
    const mask = size - 1;
    this.words.forEach((w, id) => {
      const h = hashAt(w, 0, w.length);
      let slot = h & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
      hashes[slot] = h;
    });
    this.hashes = hashes;
    this.rootNext = new Array<Node | undefined>(this.words.length).fill(undefined);
    for (const [id, n] of root.next ?? []) this.rootNext[id] = n;
    this.rootClasses = 0;
    for (const [c] of root.classes ?? []) this.rootClasses |= CLASS_FLAG[c];
    const seen = new Set<Node>();
    const visit = (node: Node) => {
      if (seen.has(node)) return;
      seen.add(node);
      node.oneId = -1;
      node.one = undefined;
      if (node.next?.size === 1) for (const [id, n] of node.next) [node.oneId, node.one] = [id, n];
      for (const n of node.next?.values() ?? []) visit(n);
      for (const list of node.stems?.values() ?? []) for (const [, n] of list) visit(n);
      for (const [, n] of node.short ?? []) visit(n);
      for (const [, n] of node.classes ?? []) visit(n);
      if (node.gap) visit(node.gap.node);
    };
    visit(root);
    return (this.table = table);
  }

  /** The number of the word at [a, b) of `s`, or -1 when no exact edge has it. */
  private idAt(table: Int32Array, s: string, a: number, b: number): number {
    const mask = table.length - 1;
    const n = b - a;
    const h = hashAt(s, a, b);
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = table[slot]!;
      if (v === 0) return -1;
      if (this.hashes[slot] !== h) continue;
      const w = this.words[v - 1]!;
      if (w.length !== n) continue;
      let j = 0;
      while (j < n && ch(s, a + j) === w.charCodeAt(j)) j++;
      if (j === n) return v - 1;
    }
  }

  /** Every term occurring in the tokens, each with the tokens it spans. */
  match(t: Tokens, hits: TrieHit[] = []): TrieHit[] {
    const table = this.table ?? this.freeze();
    const n = t.length;
    // Where each token's characters are: in the lower-cased text, or (when case
    // matters, or lower-casing moved characters) in the tokens written one after another.
    if (!this.caseSensitive && t.lower) {
      this.src = t.lower;
      this.from = t.start;
      this.to = t.end;
    } else {
      const words = this.caseSensitive ? Array.from({ length: n }, (_, j) => t.raw(j)) : t.norm;
      this.from = new Int32Array(n);
      this.to = new Int32Array(n);
      let at = 0;
      for (let j = 0; j < n; j++) {
        this.from[j] = at;
        at += words[j]!.length;
        this.to[j] = at;
      }
      this.src = words.join('');
    }
    const ids = this.ids.length >= n ? this.ids : (this.ids = new Int32Array(n + 64));
    const src = this.src;
    const from = this.from;
    const to = this.to;
    for (let j = 0; j < n; j++) ids[j] = this.idAt(table, src, from[j]!, to[j]!);
    this.flags = t.flags;
    this.count = n;
    const { stems, short, classes } = this.root;
    const rootNext = this.rootNext;
    const rootClasses = this.rootClasses;
    const flags = t.flags;
    try {
      // The root is visited for every token; its edges are tried here without recursion.
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        if (id >= 0) {
          const next = rootNext[id];
          if (next) this.walk(next, i, i + 1, hits);
        }
        if (classes && flags[i]! & rootClasses) for (const [c, node] of classes) if (flags[i]! & CLASS_FLAG[c]) this.walk(node, i, i + 1, hits);
        const a = from[i]!;
        const b = to[i]!;
        if (stems && b - a >= 3) {
          const list = stems.get(key3At(src, a));
          if (list) for (const [s, node] of list) if (startsAt(src, a, b, s)) this.walk(node, i, i + 1, hits);
        }
        if (short) for (const [s, node] of short) if (startsAt(src, a, b, s)) this.walk(node, i, i + 1, hits);
      }
    } finally {
      // The passage is not kept past its match.
      this.src = '';
      this.flags = EMPTY_FLAGS;
      this.from = this.to = EMPTY;
    }
    return hits;
  }

  private walk(node: Node, start: number, i: number, hits: TrieHit[]): void {
    const n = this.count;
    // Depth-first over the branches a word can take; almost always one exact edge.
    for (;;) {
      if (i > start && node.out) for (const term of node.out) hits.push({ term, from: start, to: i - 1 });
      if (node.gap) {
        const { max, node: after } = node.gap;
        for (let skip = 1; skip <= max && i + skip <= n; skip++) this.walk(after, start, i + skip, hits);
        this.walk(after, start, i, hits);
      }
      if (i >= n) return;
      if (node.short || node.stems) {
        const src = this.src;
        const a = this.from[i]!;
        const b = this.to[i]!;
        if (node.short) for (const [s, next] of node.short) if (startsAt(src, a, b, s)) this.walk(next, start, i + 1, hits);
        if (node.stems && b - a >= 3) {
          const list = node.stems.get(key3At(src, a));
          if (list) for (const [s, next] of list) if (startsAt(src, a, b, s)) this.walk(next, start, i + 1, hits);
        }
      }
      if (node.classes) for (const [c, next] of node.classes) if (this.flags[i]! & CLASS_FLAG[c]) this.walk(next, start, i + 1, hits);
      const id = this.ids[i]!;
      if (id < 0) return;
      let next: Node | undefined;
      if (node.oneId >= 0) {
        if (node.oneId !== id) return;
        next = node.one!;
      } else {
        next = node.next?.get(id);
        if (!next) return;
      }
      node = next;
      i++;
    }
  }
}

const EMPTY = new Int32Array(0);
const EMPTY_FLAGS = new Uint8Array(0);
