import { endianness } from 'node:os';
import type { Elem, TokenClass } from './pattern.js';
import { CAP, ED, ING, NUM, YEAR, type Tokens } from '../tag/tokens.js';

/** A node of the trie as patterns are added; a match reads the trie's numbered form (`Frozen`). */
class Node {
  /** Exact words, by their number in the trie's vocabulary. */
  next: Map<number, Node> | undefined = undefined;
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

/**
 * The hits of one match as three columns (term, first token, last token), in a
 * buffer the trie reuses from passage to passage. Read it before the next match.
 */
export interface TrieHits {
  term: Int32Array;
  from: Int32Array;
  to: Int32Array;
  length: number;
}

const CLASS_FLAG: Record<TokenClass, number> = { num: NUM, year: YEAR, Cap: CAP, ing: ING, ed: ED };

/**
 * The bucket of a stem or of the word at [a, ...) of `s` (three characters or more),
 * from its first three characters: a small integer (a larger number would be
 * allocated for each word). Two stems may share a bucket; each is still compared in full.
 */
const key3At = (s: string, a: number) => ((s.charCodeAt(a) * 1021 + s.charCodeAt(a + 1)) * 1021 + s.charCodeAt(a + 2)) & 0x3fffffff;

/** A hash of the characters [a, b) of `s` (FNV-1a), for the vocabulary's table. */
function hashAt(s: string, a: number, b: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** Does the word at [a, b) of `s` start with `p`? */
function startsAt(s: string, a: number, b: number, p: string): boolean {
  if (b - a < p.length) return false;
  for (let j = 0; j < p.length; j++) if (s.charCodeAt(a + j) !== p.charCodeAt(j)) return false;
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
 *
 * Patterns are added to a tree of objects; the first match after a change freezes
 * it into numbers: nodes are numbered, every exact edge below the root is one slot
 * of a single open-addressing table keyed by (node, word) (the root's are an array
 * by word), and what ends at a node is a range of one array. A walk along exact
 * words is then arithmetic on typed arrays, with no object per step or per hit;
 * only the rare nodes with stems, classes or gaps read their branches from objects.
 */
export class TokenTrie {
  private readonly root = new Node();
  private nodes = 1;
  /** The words of exact edges and their numbers. */
  private readonly wordIds = new Map<string, number>();
  private readonly words: string[] = [];
  private frozen: Frozen | undefined;
  // The passage being matched: where each token's characters are, their numbers and flags.
  private src = '';
  private from: Int32Array = EMPTY;
  private to: Int32Array = EMPTY;
  private ids: Int32Array = EMPTY;
  private flags: Uint8Array = EMPTY_FLAGS;
  private count = 0;
  private out: TrieHits = freshHits();

  /** Read from its stored form: its tree of objects is not there to add patterns to. */
  private stored = false;

  constructor(private readonly caseSensitive: boolean) {}

  /** The trie in numbers, to keep on disk (see StoredTrie). */
  store(): StoredTrie {
    const f = this.frozen ?? this.freeze();
    const arrays = {} as Record<(typeof INT_ARRAYS)[number] | (typeof BYTE_ARRAYS)[number], string>;
    for (const k of INT_ARRAYS) arrays[k] = Buffer.from(f[k].buffer, f[k].byteOffset, f[k].byteLength).toString('base64');
    for (const k of BYTE_ARRAYS) arrays[k] = Buffer.from(f[k].buffer, f[k].byteOffset, f[k].byteLength).toString('base64');
    const branches: StoredTrie['branches'] = [];
    f.branches.forEach((b, node) => {
      if (b) branches.push([node, { ...b, stems: b.stems && [...b.stems] }]);
    });
    return { format: STORED_FORMAT, endianness: endianness(), caseSensitive: this.caseSensitive, nodes: this.nodes, words: [...this.words], arrays, branches, rootClasses: f.rootClasses };
  }

  /** A trie as store() kept it, ready to match. Throws on a stored form it cannot read. */
  static revive(s: StoredTrie): TokenTrie {
    if (s?.format !== STORED_FORMAT || s.endianness !== endianness() || !Array.isArray(s.words) || !Array.isArray(s.branches)) throw new Error('not a stored trie');
    const t = new TokenTrie(s.caseSensitive);
    t.stored = true;
    t.nodes = s.nodes;
    t.words.push(...s.words);
    const bytes = (k: string) => {
      const text = s.arrays[k as keyof StoredTrie['arrays']];
      if (typeof text !== 'string') throw new Error('not a stored trie');
      // Copied into a buffer of its own, aligned for the 32-bit arrays.
      return new Uint8Array(Buffer.from(text, 'base64')).buffer;
    };
    const ints = Object.fromEntries(INT_ARRAYS.map((k) => [k, new Int32Array(bytes(k))])) as Record<(typeof INT_ARRAYS)[number], Int32Array>;
    const flags = Object.fromEntries(BYTE_ARRAYS.map((k) => [k, new Uint8Array(bytes(k))])) as Record<(typeof BYTE_ARRAYS)[number], Uint8Array>;
    // The arrays' sizes hold together as freeze() made them (a damaged entry is built again).
    const nodes = ints.outAt.length - 1;
    const pow2 = (n: number) => n >= 16 && (n & (n - 1)) === 0;
    const fits =
      nodes === s.nodes &&
      pow2(ints.table.length) &&
      ints.hashes.length === ints.table.length &&
      pow2(ints.edgeNode.length) &&
      ints.edgeWord.length === ints.edgeNode.length &&
      ints.edgeChild.length === ints.edgeNode.length &&
      ints.wordBits.length === nodes &&
      flags.special.length === nodes &&
      ints.rootNext.length === s.words.length &&
      flags.rootStemKeys.length === STEM_FILTER &&
      s.words.every((w) => typeof w === 'string') &&
      s.branches.every(([node]) => Number.isInteger(node) && node >= 0 && node < nodes);
    if (!fits) throw new Error('not a stored trie');
    const branches: Array<Branches | undefined> = new Array(nodes).fill(undefined);
    for (const [node, b] of s.branches) branches[node] = { stems: b.stems && new Map(b.stems), short: b.short, classes: b.classes, gap: b.gap };
    t.frozen = { ...ints, ...flags, ...probeTables(ints, t.words), branches, rootClasses: s.rootClasses, rootBranches: branches[0] ?? { stems: undefined, short: undefined, classes: undefined, gap: undefined } };
    return t;
  }

  get size(): number {
    return this.nodes;
  }

  add(seq: Elem[], term: number): void {
    if (this.stored) throw new Error('a trie read from its stored form cannot take new patterns');
    let node = this.root;
    for (const e of seq) node = this.child(node, e);
    (node.out ??= []).push(term);
    this.frozen = undefined;
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

  /** The numbered form of the tree, made after patterns were added. */
  private freeze(): Frozen {
    const root = this.root;
    if (root.gap || root.out) throw new Error('a pattern cannot start with a gap or be empty');
    // Words: at most a quarter full, so a word not in the table (most of a passage's) ends its probe soon.
    let size = 16;
    while (size < this.words.length * 4) size *= 2;
    const table = new Int32Array(size);
    const hashes = new Int32Array(size);
    this.words.forEach((w, id) => {
      const h = hashAt(w, 0, w.length);
      let slot = h & (size - 1);
      while (table[slot] !== 0) slot = (slot + 1) & (size - 1);
      table[slot] = id + 1;
      hashes[slot] = h;
    });
    // Nodes, numbered depth-first from the root (0).
    const order: Node[] = [];
    const number = new Map<Node, number>();
    const visit = (node: Node) => {
      if (number.has(node)) return;
      number.set(node, order.length);
      order.push(node);
      for (const n of node.next?.values() ?? []) visit(n);
      for (const list of node.stems?.values() ?? []) for (const [, n] of list) visit(n);
      for (const [, n] of node.short ?? []) visit(n);
      for (const [, n] of node.classes ?? []) visit(n);
      if (node.gap) visit(node.gap.node);
    };
    visit(root);
    const count = order.length;
    const outAt = new Int32Array(count + 1);
    const outTerms: number[] = [];
    const special = new Uint8Array(count);
    const branches: Array<Branches | undefined> = new Array(count).fill(undefined);
    let edges = 0;
    order.forEach((node, i) => {
      outAt[i] = outTerms.length;
      for (const t of node.out ?? []) outTerms.push(t);
      if (i > 0) edges += node.next?.size ?? 0;
      if (node.stems || node.short || node.classes || node.gap) {
        special[i] = 1;
        branches[i] = {
          stems: node.stems ? new Map([...node.stems].map(([k, list]) => [k, list.map(([s, n]): [string, number] => [s, number.get(n)!])])) : undefined,
          short: node.short?.map(([s, n]): [string, number] => [s, number.get(n)!]),
          classes: node.classes?.map(([c, n]): [number, number] => [CLASS_FLAG[c], number.get(n)!]),
          gap: node.gap ? { max: node.gap.max, node: number.get(node.gap.node)! } : undefined,
        };
      }
    });
    outAt[count] = outTerms.length;
    // Exact edges below the root: one table keyed by (node, word), at most half full.
    let esize = 16;
    while (esize < edges * 2) esize *= 2;
    const edgeNode = new Int32Array(esize).fill(-1);
    const edgeWord = new Int32Array(esize);
    const edgeChild = new Int32Array(esize);
    const wordBits = new Int32Array(count);
    order.forEach((node, i) => {
      if (i === 0) return;
      for (const [w, n] of node.next ?? []) {
        wordBits[i]! |= 1 << (w & 31);
        let slot = edgeHash(i, w) & (esize - 1);
        while (edgeNode[slot] !== -1) slot = (slot + 1) & (esize - 1);
        edgeNode[slot] = i;
        edgeWord[slot] = w;
        edgeChild[slot] = number.get(n)!;
      }
    });
    const rootNext = new Int32Array(this.words.length).fill(-1);
    for (const [w, n] of root.next ?? []) rootNext[w] = number.get(n)!;
    let rootClasses = 0;
    for (const [c] of root.classes ?? []) rootClasses |= CLASS_FLAG[c];
    const rootStemKeys = new Uint8Array(STEM_FILTER);
    for (const key of root.stems?.keys() ?? []) rootStemKeys[key & (STEM_FILTER - 1)] = 1;
    return (this.frozen = {
      table,
      hashes,
      ...probeTables({ table, hashes, edgeNode, edgeWord, edgeChild }, this.words),
      outAt,
      outTerms: Int32Array.from(outTerms),
      special,
      branches,
      edgeNode,
      edgeWord,
      edgeChild,
      wordBits,
      rootNext,
      rootClasses,
      rootStemKeys,
      rootBranches: branches[0] ?? { stems: undefined, short: undefined, classes: undefined, gap: undefined },
    });
  }

  /** The number of the word at [a, b) of `s`, or -1 when no exact edge has it. */
  private idAt(f: Frozen, s: string, a: number, b: number): number {
    const { words, chars } = f;
    const mask = (words.length >> 2) - 1;
    const n = b - a;
    const h = hashAt(s, a, b);
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const x = slot << 2;
      const v = words[x]!;
      if (v === 0) return -1;
      if (words[x + 1] !== h || words[x + 2] !== n) continue;
      const at = words[x + 3]!;
      let j = 0;
      while (j < n && s.charCodeAt(a + j) === chars[at + j]) j++;
      if (j === n) return v - 1;
    }
  }

  /** Every term occurring in the tokens, each with the tokens it spans. */
  match(t: Tokens): TrieHit[] {
    const h = this.matchAll(t);
    const hits: TrieHit[] = [];
    for (let k = 0; k < h.length; k++) hits.push({ term: h.term[k]!, from: h.from[k]!, to: h.to[k]! });
    return hits;
  }

  /**
   * Every term occurring in the tokens, in the trie's buffer (valid until the next
   * match): every hit starting at a token comes before those starting at the next.
   */
  matchAll(t: Tokens): TrieHits {
    const f = this.frozen ?? this.freeze();
    // A buffer grown by a passage with a hostile number of hits is not kept for the rest of the run.
    if (this.out.term.length > KEEP_HITS) this.out = freshHits();
    this.out.length = 0;
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
    // The matcher reads ’ as ' (in the same place: the offsets hold). The lower-cased
    // text is read only within its tokens, and the tokenizer says whether one holds it.
    if ((this.src !== t.lower || t.curly) && this.src.includes('’')) this.src = this.src.replace(/’/g, "'");
    const ids = this.ids.length >= n ? this.ids : (this.ids = new Int32Array(n + 64));
    const src = this.src;
    const from = this.from;
    const to = this.to;
    for (let j = 0; j < n; j++) ids[j] = this.idAt(f, src, from[j]!, to[j]!);
    this.flags = t.flags;
    this.count = n;
    const { stems, short, classes } = f.rootBranches;
    const { rootNext, rootClasses, rootStemKeys, outAt, outTerms, special } = f;
    const flags = t.flags;
    try {
      // The root is visited for every token; its edges are tried here without recursion.
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        if (id >= 0) {
          let node = rootNext[id]!;
          // Along exact words, as walk() goes (most walks take no other branch),
          // until a node with other branches, which walk() takes from there.
          for (let j = i + 1; node >= 0; ) {
            if (special[node]) {
              this.walk(f, node, i, j);
              break;
            }
            for (let k = outAt[node]!, end = outAt[node + 1]!; k < end; k++) this.emit(outTerms[k]!, i, j - 1);
            if (j >= n) break;
            node = childOf(f, node, ids[j]!);
            j++;
          }
        }
        if (classes && flags[i]! & rootClasses) for (const [c, node] of classes) if (flags[i]! & c) this.walk(f, node, i, i + 1);
        const a = from[i]!;
        const b = to[i]!;
        if (stems && b - a >= 3) {
          const key = key3At(src, a);
          const list = rootStemKeys[key & (STEM_FILTER - 1)] ? stems.get(key) : undefined;
          if (list) for (const [s, node] of list) if (startsAt(src, a, b, s)) this.walk(f, node, i, i + 1);
        }
        if (short) for (const [s, node] of short) if (startsAt(src, a, b, s)) this.walk(f, node, i, i + 1);
      }
    } finally {
      // The passage is not kept past its match.
      this.src = '';
      this.flags = EMPTY_FLAGS;
      this.from = this.to = EMPTY;
    }
    return this.out;
  }

  private emit(term: number, from: number, to: number): void {
    const o = this.out;
    const k = o.length;
    if (k === o.term.length) {
      o.term = grown(o.term);
      o.from = grown(o.from);
      o.to = grown(o.to);
    }
    o.term[k] = term;
    o.from[k] = from;
    o.to[k] = to;
    o.length = k + 1;
  }

  private walk(f: Frozen, node: number, start: number, i: number): void {
    const n = this.count;
    const { outAt, outTerms, special } = f;
    const ids = this.ids;
    // Depth-first over the branches a word can take; almost always one exact edge.
    for (;;) {
      if (i > start) for (let k = outAt[node]!, end = outAt[node + 1]!; k < end; k++) this.emit(outTerms[k]!, start, i - 1);
      if (special[node]) {
        const { gap, short, stems, classes } = f.branches[node]!;
        if (gap) {
          for (let skip = 1; skip <= gap.max && i + skip <= n; skip++) this.walk(f, gap.node, start, i + skip);
          this.walk(f, gap.node, start, i);
        }
        if (i >= n) return;
        if (short || stems) {
          const src = this.src;
          const a = this.from[i]!;
          const b = this.to[i]!;
          if (short) for (const [s, next] of short) if (startsAt(src, a, b, s)) this.walk(f, next, start, i + 1);
          if (stems && b - a >= 3) {
            const list = stems.get(key3At(src, a));
            if (list) for (const [s, next] of list) if (startsAt(src, a, b, s)) this.walk(f, next, start, i + 1);
          }
        }
        if (classes) for (const [c, next] of classes) if (this.flags[i]! & c) this.walk(f, next, start, i + 1);
      } else if (i >= n) return;
      node = childOf(f, node, ids[i]!);
      if (node < 0) return;
      i++;
    }
  }
}

/** The branches of a node besides its exact words, by node number. */
interface Branches {
  stems: Map<number, Array<[string, number]>> | undefined;
  short: Array<[string, number]> | undefined;
  /** A class's flag (tokens.ts) and the node it leads to. */
  classes: Array<[number, number]> | undefined;
  gap: { max: number; node: number } | undefined;
}

const INT_ARRAYS = ['table', 'hashes', 'outAt', 'outTerms', 'edgeNode', 'edgeWord', 'edgeChild', 'wordBits', 'rootNext'] as const;
const BYTE_ARRAYS = ['special', 'rootStemKeys'] as const;
const STORED_FORMAT = 1;

/**
 * A frozen trie as kept on disk (in the cache of loaded rules): its typed arrays
 * as base64 of their bytes (in the byte order of the machine that stored it: read
 * only on one with the same), its words, the branches of the nodes that have any.
 */
export interface StoredTrie {
  format: number;
  endianness: 'BE' | 'LE';
  caseSensitive: boolean;
  nodes: number;
  words: string[];
  arrays: Record<(typeof INT_ARRAYS)[number] | (typeof BYTE_ARRAYS)[number], string>;
  branches: Array<[number, Omit<Branches, 'stems'> & { stems: Array<[number, Array<[string, number]>]> | undefined }]>;
  rootClasses: number;
}

interface Frozen {
  /** Open addressing over the words' characters: a word's number + 1, 0 where empty. */
  table: Int32Array;
  /** The hash of the word in each slot of `table`, compared before the characters. */
  hashes: Int32Array;
  /**
   * `table` as a match reads it (made from it and the words, not stored): four
   * numbers per slot, the word's number + 1 (0 where empty), its hash, its length
   * and where its characters start in `chars` (the words' characters one after another).
   */
  words: Int32Array;
  chars: Uint16Array;
  /** The terms ending at node k: outTerms[outAt[k] .. outAt[k + 1]). */
  outAt: Int32Array;
  outTerms: Int32Array;
  /** 1 where a node has stems (short or not), classes or a gap (`branches` holds them). */
  special: Uint8Array;
  branches: Array<Branches | undefined>;
  /** Exact edges below the root: the slot of (node, word) holds the child; -1 in edgeNode where empty. */
  edgeNode: Int32Array;
  edgeWord: Int32Array;
  edgeChild: Int32Array;
  /** The same as `edges[4 * slot ..]`: node (-1 where empty), word, child, and a fourth number unused (not stored). */
  edges: Int32Array;
  /**
   * For each node, a bit per word number modulo 32 that some exact edge leaving it
   * has: most walks end at a word no edge has, and this answers that without
   * probing the table.
   */
  wordBits: Int32Array;
  /** The root's exact edges by word number (-1: none), and its classes' flags together. */
  rootNext: Int32Array;
  rootClasses: number;
  /** 1 where some stem leaving the root has a bucket number with these low bits: most words have none, and skip the map. */
  rootStemKeys: Uint8Array;
  rootBranches: Branches;
}

/**
 * The forms of the tables a match reads (see Frozen.words and Frozen.edges), made
 * from the stored ones: each slot's fields side by side, so that a probe reads one
 * place in memory rather than one in each of three or four arrays.
 */
function probeTables(f: Pick<Frozen, 'table' | 'hashes' | 'edgeNode' | 'edgeWord' | 'edgeChild'>, words: readonly string[]): Pick<Frozen, 'words' | 'chars' | 'edges'> {
  const { table, hashes } = f;
  const slots = new Int32Array(table.length * 4);
  const chars = new Uint16Array(words.reduce((n, w) => n + w.length, 0));
  const at: number[] = [];
  let k = 0;
  for (const w of words) {
    at.push(k);
    for (let j = 0; j < w.length; j++) chars[k++] = w.charCodeAt(j);
  }
  for (let slot = 0; slot < table.length; slot++) {
    const v = table[slot]!;
    if (v === 0) continue;
    // A number past the words (a damaged stored trie) matches nothing.
    const w = words[v - 1];
    slots[slot * 4] = v;
    slots[slot * 4 + 1] = hashes[slot]!;
    slots[slot * 4 + 2] = w === undefined ? -1 : w.length;
    slots[slot * 4 + 3] = w === undefined ? 0 : at[v - 1]!;
  }
  const edges = new Int32Array(f.edgeNode.length * 4);
  for (let slot = 0; slot < f.edgeNode.length; slot++) {
    edges[slot * 4] = f.edgeNode[slot]!;
    edges[slot * 4 + 1] = f.edgeWord[slot]!;
    edges[slot * 4 + 2] = f.edgeChild[slot]!;
  }
  return { words: slots, chars, edges };
}

const edgeHash = (node: number, word: number) => (Math.imul(node, 0x9e3779b1) ^ Math.imul(word + 1, 0x85ebca6b)) >>> 7;

/** The node an exact edge leads to from `node` by the word numbered `word` (-1 for no word), or -1 when there is none. */
function childOf(f: Frozen, node: number, word: number): number {
  if (word < 0 || ((f.wordBits[node]! >>> (word & 31)) & 1) === 0) return -1;
  const { edges } = f;
  const wrap = edges.length - 1;
  for (let x = (edgeHash(node, word) & ((edges.length >> 2) - 1)) << 2; ; x = (x + 4) & wrap) {
    const at = edges[x]!;
    if (at === -1) return -1;
    if (at === node && edges[x + 1] === word) return edges[x + 2]!;
  }
}

const KEEP_HITS = 1 << 16;
const freshHits = (): TrieHits => ({ term: new Int32Array(256), from: new Int32Array(256), to: new Int32Array(256), length: 0 });

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

const STEM_FILTER = 1 << 16;

const EMPTY = new Int32Array(0);
const EMPTY_FLAGS = new Uint8Array(0);
