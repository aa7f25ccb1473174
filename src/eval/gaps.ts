import type { CompiledRules } from '../rules/compile.js';
import { scan } from '../rules/compile.js';
import { classify } from '../classify.js';
import type { Passage } from '../core/doc.js';
import { OBJECTIVES, type Objective } from '../core/taxonomy.js';
import type { ResolvedLabel } from './local.js';

/**
 * Where the vocabularies fall short, read from a whole corpus rather than from single
 * misses (`accords rules gaps`):
 * - phrases: the word sequences most frequent in passages that carry cooperation or
 *   commitment language but got no objective, counted once per passage, leaving out
 *   sequences a rule already covers; a rule author reads them as candidates for a
 *   vocabulary (and checks each against the taxonomy before adding it);
 * - noisy rules: with labels, the rules whose tags labelled passages most often
 *   contradict, with those passages, as candidates for an exception or a guard.
 */
const STOP = new Set(
  'a an the and or of to in on for with as by at from into under over our their its his her we they it is are was were be been will would shall can could may might should this that these those such both each all any other also including through between among which who whose while than then there here not no'.split(' '),
);

export interface Phrase {
  phrase: string;
  passages: number;
  statements: number;
  /** How much more often the phrase occurs in untagged cooperative passages than in all passages. */
  lift: number;
}

export interface UntaggedPassage {
  doc: string;
  passage: Passage;
  title?: string;
}

export function gapPhrases(items: UntaggedPassage[], rules: CompiledRules, top = 40): { phrases: Phrase[]; considered: number; untagged: number } {
  const count = new Map<string, { passages: number; docs: Set<string> }>();
  const everywhere = new Map<string, number>();
  let considered = 0;
  let untagged = 0;
  for (const { doc, passage: p, title } of items) {
    if (p.kind === 'heading') continue;
    const tags = classify({ text: p.text, headings: p.headings, ...(title ? { title } : {}), kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules);
    considered++;
    const grams = (text: string) => {
      const w = text.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
      const out = new Set<string>();
      for (let i = 0; i < w.length; i++) for (let n = 1; n <= 3 && i + n <= w.length; n++) out.add(w.slice(i, i + n).join(' '));
      return out;
    };
    for (const g of grams(p.text)) everywhere.set(g, (everywhere.get(g) ?? 0) + 1);
    if (!tags.cooperation || tags.objectives.length) continue;
    untagged++;
    // Words a rule already reads are not gaps.
    const covered = new Set<number>();
    for (const h of scan(rules, p.text).hits) for (let i = h.start; i < h.end; i++) covered.add(i);
    const words: Array<{ w: string; at: number }> = [];
    for (const m of p.text.matchAll(/[A-Za-z][A-Za-z'-]*/g)) words.push({ w: m[0].toLowerCase(), at: m.index! });
    const seen = new Set<string>();
    for (let i = 0; i < words.length; i++) {
      for (let n = 1; n <= 3 && i + n <= words.length; n++) {
        const gram = words.slice(i, i + n);
        if (STOP.has(gram[0]!.w) || STOP.has(gram[gram.length - 1]!.w)) continue;
        if (n === 1 && gram[0]!.w.length < 4) continue;
        if (gram.some((g) => covered.has(g.at))) continue;
        seen.add(gram.map((g) => g.w).join(' '));
      }
    }
    for (const g of seen) {
      const e = count.get(g) ?? { passages: 0, docs: new Set<string>() };
      e.passages++;
      e.docs.add(doc);
      count.set(g, e);
    }
  }
  // Ranked by frequency weighed by lift: words common everywhere ("support", "leaders")
  // say nothing about what the vocabularies miss.
  const score = (p: Phrase) => p.passages * Math.log2(p.lift);
  const phrases = [...count.entries()]
    .filter(([, e]) => e.docs.size >= 2 && e.passages >= 3)
    .map(([phrase, e]) => ({ phrase, passages: e.passages, statements: e.docs.size, lift: e.passages / untagged / ((everywhere.get(phrase) ?? e.passages) / considered) }))
    .filter((p) => p.lift > 1.2)
    .sort((a, b) => score(b) - score(a) || (a.phrase < b.phrase ? -1 : 1));
  // A longer phrase as frequent as a shorter one inside it says more: keep the longer.
  const kept: Phrase[] = [];
  for (const p of phrases) {
    if (kept.some((k) => k.passages === p.passages && ` ${k.phrase} `.includes(` ${p.phrase} `))) continue;
    kept.push(p);
    if (kept.length >= top) break;
  }
  return { phrases: kept, considered, untagged };
}

export interface NoisyRule {
  rule: string;
  label: string;
  falseAlarms: number;
  kept: number;
  examples: string[];
}

/** Rules whose kept tags labelled passages most often contradict. */
export function noisyRules(labels: ResolvedLabel[], rules: CompiledRules, top = 15): NoisyRule[] {
  const by = new Map<string, NoisyRule>();
  for (const l of labels) {
    const fired = new Map<string, Objective>();
    for (const { passage: p } of l.covers) {
      const tags = classify({ text: p.text, headings: p.headings, title: p.title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules);
      for (const c of tags.candidates ?? []) if (c.kept) fired.set(c.ruleId, c.label.split('/')[0] as Objective);
    }
    for (const [rule, o] of fired) {
      if (!(OBJECTIVES as readonly string[]).includes(o)) continue;
      const r = by.get(rule) ?? { rule, label: rules.rules.find((x) => x.id === rule)?.label ?? '', falseAlarms: 0, kept: 0, examples: [] };
      r.kept++;
      if (!l.gold.objectives.includes(o)) {
        r.falseAlarms++;
        if (r.examples.length < 3) r.examples.push(`${l.gold.id}: ${l.gold.text.slice(0, 110)}${l.gold.text.length > 110 ? '…' : ''}`);
      }
      by.set(rule, r);
    }
  }
  return [...by.values()].filter((r) => r.falseAlarms).sort((a, b) => b.falseAlarms - a.falseAlarms || (a.rule < b.rule ? -1 : 1)).slice(0, top);
}

/**
 * With labels: per objective, the phrases most frequent in labelled passages that
 * have the objective and that the tagger missed, with the share of all labelled
 * passages holding the phrase that have the objective (a phrase with a low share
 * would bring false alarms with it).
 */
export function missedPhrases(labels: ResolvedLabel[], rules: CompiledRules, top = 15): Record<Objective, Array<{ phrase: string; missed: number; share: number }>> {
  const grams = (t: string) => {
    const w = t.toLowerCase().match(/[a-z][a-z'&-]*/g) ?? [];
    const out = new Set<string>();
    for (let i = 0; i < w.length; i++)
      for (let n = 1; n <= 2 && i + n <= w.length; n++) {
        const g = w.slice(i, i + n);
        if (STOP.has(g[0]!) || STOP.has(g[g.length - 1]!) || (n === 1 && g[0]!.length < 4)) continue;
        out.add(g.join(' '));
      }
    return out;
  };
  const all = new Map<string, number>();
  const pos = Object.fromEntries(OBJECTIVES.map((o) => [o, new Map<string, number>()])) as Record<Objective, Map<string, number>>;
  const miss = Object.fromEntries(OBJECTIVES.map((o) => [o, new Map<string, number>()])) as Record<Objective, Map<string, number>>;
  for (const l of labels) {
    const g = grams(l.gold.text);
    const got = new Set<Objective>();
    for (const { passage: p } of l.covers) for (const o of classify({ text: p.text, headings: p.headings, title: p.title, kind: p.kind, ...(p.listIntro ? { listIntro: p.listIntro } : {}) }, rules).objectives) got.add(o.objective);
    for (const x of g) {
      all.set(x, (all.get(x) ?? 0) + 1);
      for (const o of l.gold.objectives) {
        pos[o].set(x, (pos[o].get(x) ?? 0) + 1);
        if (!got.has(o)) miss[o].set(x, (miss[o].get(x) ?? 0) + 1);
      }
    }
  }
  return Object.fromEntries(
    OBJECTIVES.map((o) => [
      o,
      [...miss[o].entries()]
        .filter(([, c]) => c >= 3)
        .map(([phrase, missed]) => ({ phrase, missed, share: (pos[o].get(phrase) ?? 0) / all.get(phrase)! }))
        .filter((r) => r.share >= 0.5)
        .sort((a, b) => b.missed - a.missed || b.share - a.share || (a.phrase < b.phrase ? -1 : 1))
        .slice(0, top),
    ]),
  ) as Record<Objective, Array<{ phrase: string; missed: number; share: number }>>;
}
