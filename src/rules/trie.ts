import type { Elem, TokenClass } from './pattern.js';
import { CAP, ED, ING, NUM, YEAR, type Tokens } from '../tag/tokens.js';

/**
 * A node of the trie. Every node has every field (most of them undefined), so the
 * walk reads them at fixed places: nodes built with fields added as needed take
 * many shapes, and each read then costs a lookup (the walk ran 2-2.5 times slower).
 */
class Node {
  next: Map<string, Node> | undefined = undefined;
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

/**
 * The bucket of a stem or word, from its first three character codes: a small
 * integer (a larger number would be allocated for each word). Two stems may share a
 * bucket; each is still compared in full.
 */
const key3 = (w: string) => ((w.charCodeAt(0) * 1021 + w.charCodeAt(1)) * 1021 + w.charCodeAt(2)) & 0x3fffffff;

/**
 * Every pattern of every rule in one trie over words, walked once from each token of
 * a passage: the cost of a passage is about one map lookup per word, however many
 * rules there are (the same idea as Aho-Corasick, with words for letters). Stems are
 * kept in buckets by their first three letters; token classes and gaps are the rare
 * branches a walk may take besides the exact word.
 */
export class TokenTrie {
  private readonly root = new Node();
  /** Whether any stem, class or gap edge leaves the root (most do not). */
  private nodes = 1;

  constructor(private readonly caseSensitive: boolean) {}

  get size(): number {
    return this.nodes;
  }

  add(seq: Elem[], term: number): void {
    let node = this.root;
    for (const e of seq) node = this.child(node, e);
    (node.out ??= []).push(term);
  }

  private child(node: Node, e: Elem): Node {
    const make = (): Node => {
      this.nodes++;
      return new Node();
    };
    if (e.k === 'w') {
      node.next ??= new Map();
      let n = node.next.get(e.s);
      if (!n) node.next.set(e.s, (n = make()));
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
      const key = key3(e.s);
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

  /** Every term occurring in the tokens, each with the tokens it spans. */
  match(t: Tokens, hits: TrieHit[] = []): TrieHit[] {
    const root = this.root;
    if (root.gap || root.out) throw new Error('a pattern cannot start with a gap or be empty');
    const { next, stems, short, classes } = root;
    let rootClasses = 0;
    for (const [c] of classes ?? []) rootClasses |= CLASS_FLAG[c];
    const cs = this.caseSensitive;
    const firstLower = cs ? (this.firstLower ??= new Set([...(next?.keys() ?? [])].map((k) => k.toLowerCase()))) : undefined;
    let words: string[] | undefined = cs ? undefined : t.norm;
    const wordsNow = () => (words ??= Array.from({ length: t.length }, (_, j) => t.raw(j)));
    const norm = t.norm;
    const flags = t.flags;
    // The root is visited for every token; its edges are tried here without recursion.
    for (let i = 0; i < t.length; i++) {
      const lw = norm[i]!;
      if (next && (!cs || firstLower!.has(lw))) {
        const n = next.get(cs ? wordsNow()[i]! : lw);
        if (n) this.walk(n, cs ? wordsNow() : words!, flags, i, i + 1, hits);
      }
      if (classes && flags[i]! & rootClasses) for (const [c, n] of classes) if (flags[i]! & CLASS_FLAG[c]) this.walk(n, cs ? wordsNow() : words!, flags, i, i + 1, hits);
      if (stems && lw.length >= 3) {
        const w = cs ? wordsNow()[i]! : lw;
        const list = stems.get(key3(w));
        if (list) for (const [s, n] of list) if (w.startsWith(s)) this.walk(n, cs ? wordsNow() : words!, flags, i, i + 1, hits);
      }
      if (short) {
        const w = cs ? wordsNow()[i]! : lw;
        for (const [s, n] of short) if (w.startsWith(s)) this.walk(n, cs ? wordsNow() : words!, flags, i, i + 1, hits);
      }
    }
    return hits;
  }

  private firstLower?: Set<string>;

  private walk(node: Node, words: string[], flags: Uint8Array, from: number, i: number, hits: TrieHit[]): void {
    // Depth-first over the branches a word can take; almost always one exact edge.
    for (;;) {
      if (i > from && node.out) for (const term of node.out) hits.push({ term, from, to: i - 1 });
      if (node.gap) {
        const { max, node: after } = node.gap;
        for (let skip = 1; skip <= max && i + skip <= words.length; skip++) this.walk(after, words, flags, from, i + skip, hits);
        this.walk(after, words, flags, from, i, hits);
      }
      if (i >= words.length) return;
      const w = words[i]!;
      if (node.short) for (const [s, n] of node.short) if (w.startsWith(s)) this.walk(n, words, flags, from, i + 1, hits);
      if (node.stems && w.length >= 3) {
        const list = node.stems.get(key3(w));
        if (list) for (const [s, n] of list) if (w.startsWith(s)) this.walk(n, words, flags, from, i + 1, hits);
      }
      if (node.classes) for (const [c, n] of node.classes) if (flags[i]! & CLASS_FLAG[c]) this.walk(n, words, flags, from, i + 1, hits);
      const n = node.next?.get(w);
      if (!n) return;
      node = n;
      i++;
    }
  }
}
