import { compilePattern } from './pattern.js';

export interface Hit<T> {
  item: T;
  start: number;
  end: number;
  text: string;
}

/**
 * Many patterns, one pass: every pattern becomes a capturing group of one
 * alternation (one for case-insensitive patterns, one for case-sensitive ones).
 * One alternation is several times faster than one regex per phrase. After a
 * hit the scan resumes one character later, so a phrase that starts inside
 * another one is still found.
 */
export class Matcher<T> {
  private readonly groups: { re: RegExp; owners: T[] }[] = [];

  constructor(entries: Array<{ pattern: string; owner: T }>) {
    const ci: string[] = [];
    const ciOwners: T[] = [];
    const cs: string[] = [];
    const csOwners: T[] = [];
    for (const { pattern, owner } of entries) {
      const c = compilePattern(pattern);
      // Inner capturing groups would shift the numbering: make them non-capturing.
      const src = c.source.replace(/\((?!\?)/g, '(?:');
      if (c.caseSensitive) {
        cs.push(`(${src})`);
        csOwners.push(owner);
      } else {
        ci.push(`(${src})`);
        ciOwners.push(owner);
      }
    }
    if (ci.length) this.groups.push({ re: new RegExp(ci.join('|'), 'gi'), owners: ciOwners });
    if (cs.length) this.groups.push({ re: new RegExp(cs.join('|'), 'g'), owners: csOwners });
  }

  get size(): number {
    return this.groups.reduce((n, g) => n + g.owners.length, 0);
  }

  match(text: string): Hit<T>[] {
    const hits: Hit<T>[] = [];
    for (const { re, owners } of this.groups) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text))) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        for (let g = 1; g < m.length; g++) {
          if (m[g] !== undefined) {
            hits.push({ item: owners[g - 1]!, start: m.index, end: m.index + m[0].length, text: m[0] });
            break;
          }
        }
        re.lastIndex = m.index + 1;
      }
    }
    hits.sort((a, b) => a.start - b.start || b.end - a.end);
    return hits;
  }

  test(text: string): boolean {
    for (const { re } of this.groups) {
      re.lastIndex = 0;
      if (re.test(text)) return true;
    }
    return false;
  }
}
