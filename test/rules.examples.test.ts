import { describe, expect, it } from 'vitest';
import { Matcher } from '../src/rules/index.js';
import { accept } from '../src/tag/index.js';
import { rules } from './helpers.js';

// One generic test runs every example of every rule file: adding a rule with
// examples adds its tests.
const compiled = await rules();

describe('rule examples', () => {
  for (const rule of compiled.rules) {
    const file = rule.file.split('/').pop();
    describe(`${rule.id} (${file}:${rule.line})`, () => {
      const matcher = new Matcher(rule.patterns.map((pattern) => ({ pattern, owner: { rule, ...activeParts(rule) } })));
      rule.examples.forEach((ex, i) => {
        const text = 'match' in ex ? ex.match : ex.nomatch;
        it(`${'match' in ex ? 'matches' : 'does not match'} example ${i + 1}: ${text}`, () => {
          const hits = matcher.match(text).filter((h) => accept(h, text));
          if ('match' in ex) expect(hits.map((h) => h.text), `rule ${rule.id} should match`).not.toHaveLength(0);
          else expect(hits.map((h) => h.text), `rule ${rule.id} should not match`).toHaveLength(0);
        });
      });
    });
  }
});

function activeParts(rule: (typeof compiled.rules)[number]) {
  return {
    ...(rule.with ? { with: new Matcher(rule.with.map((pattern) => ({ pattern, owner: true as const }))) } : {}),
    ...(rule.unless ? { unless: new Matcher(rule.unless.map((pattern) => ({ pattern, owner: true as const }))) } : {}),
  };
}
