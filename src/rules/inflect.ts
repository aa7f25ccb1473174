import { compromise } from '../core/lazy.js';

/**
 * Authors write lemmas; the compiler writes out their inflections. This is where
 * compromise earns its keep: at rule-compile time, off the hot path, it conjugates
 * verbs (with their irregular forms: "hold" -> "held", "begin" -> "begun") and
 * pluralises nouns ("laboratory" -> "laboratories"). Results are cached per word,
 * and kept between processes with the rules cache.
 *
 *   verbs: "share information"   the first word is conjugated, and a last word
 *                                after it may be singular or plural:
 *                                share / shares / shared / sharing information(s)
 *   nouns: "supply chain"        the last word is pluralised: supply chain(s)
 *
 * A word already written in the pattern language (a stem "collaborat*", a group
 * "(lab|laboratory)") is left as it is.
 */
type Methods = {
  two: {
    transform: {
      verb: { conjugate(v: string, model: unknown): Record<string, string | undefined> };
      noun: { toPlural(n: string, model: unknown): string };
    };
  };
};

let methods: Methods | undefined;
let model: unknown;
function nlpMethods(): Methods {
  if (!methods) {
    const nlp = compromise();
    methods = nlp.methods() as unknown as Methods;
    model = nlp.model();
  }
  return methods;
}

const verbCache = new Map<string, string[]>();
const nounCache = new Map<string, string[]>();
/** How many forms were worked out by compromise in this process (not given). */
let worked = 0;

const PLAIN = /^[a-z][a-z-]*$/;

/** The forms of every verb and noun inflected, by lemma: what the rules cache keeps between processes (see cache.ts). */
export interface Inflections {
  verbs: Record<string, string[]>;
  nouns: Record<string, string[]>;
}

/**
 * Forms worked out by an earlier process with the same code and compromise: a
 * lemma among them is not given to compromise again, which is then not even loaded
 * when every lemma of the rules is known (a rule file edited without new words).
 * What does not look like what this module makes is left out.
 */
export function giveInflections(known: unknown): void {
  if (!known || typeof known !== 'object') return;
  const { verbs, nouns } = known as Partial<Inflections>;
  for (const [from, into] of [
    [verbs, verbCache],
    [nouns, nounCache],
  ] as const) {
    if (!from || typeof from !== 'object') continue;
    for (const [lemma, forms] of Object.entries(from)) {
      if (PLAIN.test(lemma) && Array.isArray(forms) && forms[0] === lemma && forms.every((f) => typeof f === 'string' && PLAIN.test(f)) && !into.has(lemma)) into.set(lemma, forms);
    }
  }
}

/** Every form this process knows, and how many of them compromise worked out here. */
export function knownInflections(): { inflections: Inflections; worked: number } {
  return { inflections: { verbs: Object.fromEntries(verbCache), nouns: Object.fromEntries(nounCache) }, worked };
}

/** The forms of a verb: base, third person, past, participle, gerund. */
export function verbForms(word: string): string[] {
  const key = word.toLowerCase();
  if (!PLAIN.test(key)) return [word];
  let forms = verbCache.get(key);
  if (!forms) {
    const c = nlpMethods().two.transform.verb.conjugate(key, model);
    forms = [...new Set([key, c['PresentTense'], c['PastTense'], c['Participle'], c['Gerund']].filter((x): x is string => !!x && PLAIN.test(x)))];
    // compromise knows most irregular participles; "-take" verbs it sometimes leaves out.
    if (key.endsWith('take') && !forms.includes(`${key}n`)) forms.push(`${key}n`);
    verbCache.set(key, forms);
    worked++;
  }
  return forms;
}

/** Singular and plural of a noun. */
export function nounForms(word: string): string[] {
  const key = word.toLowerCase();
  if (!PLAIN.test(key)) return [word];
  let forms = nounCache.get(key);
  if (!forms) {
    const p = nlpMethods().two.transform.noun.toPlural(key, model);
    forms = [...new Set([key, p].filter((x) => !!x && PLAIN.test(x)))];
    nounCache.set(key, forms);
    worked++;
  }
  return forms;
}

/** Split at white space outside parentheses and brackets. */
function words(phrase: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of phrase) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (depth === 0 && /\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const group = (forms: string[]) => (forms.length === 1 ? forms[0]! : `(${forms.join('|')})`);

/** A verb lemma phrase as a pattern: its first word in every form. */
export function verbPattern(phrase: string): string {
  const cs = phrase.startsWith('=') ? '=' : '';
  const w = words(cs ? phrase.slice(1) : phrase);
  if (!w.length) return phrase;
  w[0] = group(verbForms(w[0]!));
  // The object may be plural: "respond to disruption" also reads "responded to disruptions".
  if (w.length > 1 && /^[a-z]+$/.test(w[w.length - 1]!)) w[w.length - 1] = group(nounForms(w[w.length - 1]!));
  return cs + w.join(' ');
}

/** A noun lemma phrase as a pattern: its last word singular or plural. */
export function nounPattern(phrase: string): string {
  const cs = phrase.startsWith('=') ? '=' : '';
  const w = words(cs ? phrase.slice(1) : phrase);
  if (!w.length) return phrase;
  w[w.length - 1] = group(nounForms(w[w.length - 1]!));
  return cs + w.join(' ');
}
