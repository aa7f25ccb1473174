import { describe, expect, it } from 'vitest';
import { classifyRaw } from '../src/classify.js';
import { giveVerdicts, takeVerdicts } from '../src/tag/imperative.js';
import { rules } from './helpers.js';

const r = await rules();
const tag = (text: string, heading?: string, title?: string) => classifyRaw({ text, headings: heading ? [heading] : [], ...(title ? { title } : {}) }, r);
const grades = (text: string, heading?: string) => Object.fromEntries(tag(text, heading).objectives.map((o) => [o.objective, o.grade]));

describe('objectives need cooperation language', () => {
  it('a passage that only describes the world gets no objective', () => {
    expect(tag('Semiconductors are essential to modern economies.').objectives).toEqual([]);
  });
  it('the same topic with a commitment does', () => {
    expect(grades('The two sides will fund joint research on semiconductors.')).toMatchObject({ research: 'commit' });
  });
});

describe('grades come from the clause that carries the evidence', () => {
  it('"will explore" is explore', () => {
    expect(grades('The partners will explore a joint early warning mechanism for chip shortages.').preparedness).toBe('explore');
  });
  it('intention verbs are intend', () => {
    expect(grades('Both sides intend to set up a forum for battery researchers.').research).toBe('intend');
  });
  it('reports of the past are underway', () => {
    expect(grades('The ministries launched a joint research programme on quantum sensing last year.').research).toBe('underway');
  });
  it('welcoming the signing of something is underway', () => {
    expect(grades('The leaders welcomed the signing of a memorandum on supply chain information sharing.').preparedness).toBe('underway');
  });
  it('an "including ..." tail is governed by the head of its sentence', () => {
    expect(grades('Deepen cooperation on cancer research, including implementing the memorandum between the two cancer institutes.').research).toBe('commit');
    expect(grades('Implement the memorandum on joint cancer research signed in March.').research).toBe('underway');
  });
  it('a bullet under a lead-in that only intends is intend; under "committed to" it is commit', () => {
    const item = (intro: string) => classifyRaw({ text: 'Joint research on trapped-ion sensors.', kind: 'item', listIntro: intro }, r).objectives[0]?.grade;
    expect(item('Focus areas for collaboration are intended to include:')).toBe('intend');
    expect(item('The ministers committed to the following:')).toBe('commit');
    expect(classifyRaw({ text: 'Expanding joint research on trapped-ion sensors.', kind: 'item' }, r).objectives[0]?.grade).toBe('commit');
    expect(classifyRaw({ text: 'Concluding a memorandum on joint research between the two labs.', kind: 'item' }, r).objectives[0]?.grade).toBe('completed');
  });
  it('a modal inside a relative clause does not govern: the sentence verb before it does', () => {
    expect(grades('The leaders praised the new chip research centre that will enhance joint research on packaging.').research).toBe('underway');
    expect(grades('The partners will fund joint research on packaging.').research).toBe('commit');
  });
  it('a conditional promise is intend, a negated report is lowered', () => {
    expect(grades('The agencies will, as appropriate, share information on chip shortages.').preparedness).toBe('intend');
    expect(grades('Where necessary, the partners will coordinate a response to chip shortages.').preparedness).toBe('intend');
    expect(grades('The partners have not yet launched joint research on batteries.').research).toBe('intend');
  });
  it('completion is completed', () => {
    expect(grades('The task force has completed a mapping of supply chain vulnerabilities.').preparedness).toBe('completed');
  });
  it('negation lowers the grade', () => {
    const g = grades('The two sides have not yet established a joint research fund.').research;
    expect(['explore', 'intend']).toContain(g);
  });
  it('"will be established" is a promise, not a report', () => {
    expect(grades('A joint research centre will be established in 2026.').research).toBe('commit');
  });
  it('fact-sheet bullets read as commitments unless their verb says otherwise', () => {
    expect(grades('Launch a student exchange programme in chip design.').workforce).toBe('commit');
    expect(grades('Explore opportunities for student exchanges in chip design.').workforce).toBe('explore');
    expect(grades('Continue joint research on batteries between the national labs.').research).toBe('underway');
  });
  it('one passage can carry two objectives with different grades', () => {
    const g = grades('Expand R&D between the national labs, and explore talent exchanges for young researchers.');
    expect(g.research).toBe('commit');
    expect(g.workforce).toBe('explore');
  });
});

describe('domains', () => {
  it('are found in the passage text', () => {
    expect(tag('The two sides will cooperate on quantum sensing and artificial intelligence.').domains).toEqual(['ai', 'quantum']);
  });
  it('are inherited from the heading when the passage names none', () => {
    expect(tag('Launch a joint fund for start-ups.', 'Semiconductors').domains).toEqual(['semiconductors']);
  });
  it('are inherited from a single-topic title', () => {
    expect(tag('The Participants will share best practices.', undefined, 'Memorandum on Semiconductors').domains).toEqual(['semiconductors']);
  });
  it('cet-general only when no specific field is named', () => {
    expect(tag('The dialogue covers critical and emerging technologies.').domains).toEqual(['cet-general']);
    expect(tag('Critical and emerging technologies such as quantum will be covered.').domains).toEqual(['quantum']);
  });
  it('a ministry name is not a domain', () => {
    expect(tag('The Ministry of Science and ICT will host the meeting.').domains).toEqual([]);
  });
});

describe('governance and evidence', () => {
  it('marks how the partnership runs', () => {
    const t = tag('The Council will meet annually and has set up three working groups.');
    expect(t.governance).toBe(true);
  });
  it('every tag carries its rule and matched words', () => {
    const t = tag('The agencies will align export controls on lithography tools.');
    const pol = t.objectives.find((o) => o.objective === 'policy')!;
    expect(pol.subcategories).toContain('export-controls');
    expect(pol.evidence.some((e) => e.ruleId === 'policy.export-controls' && e.match === 'export controls')).toBe(true);
    expect(pol.gradeReason).toContain('will');
  });
  it('concreteness signals are recorded', () => {
    const t = tag('The Ministry of Energy will fund a $40 million programme by 2026 and publish a roadmap through a working group.');
    expect(t.concreteness).toEqual(['actor', 'timeframe', 'money', 'mechanism', 'deliverable']);
  });
});

describe("a bullet's opening word goes to the part-of-speech tagger only when its reading matters", () => {
  // Verdicts are recorded once a run gives the kept ones (none here); each asks the tagger once.
  giveVerdicts([]);
  const item = (text: string, listIntro?: string) => classifyRaw({ text, kind: 'item', ...(listIntro ? { listIntro } : {}) }, r);
  it('not for a bullet with nothing to grade whose lead-in already commits', () => {
    takeVerdicts();
    const t = item('Celebrate the centenary of the harbour museum.', 'The two mayors will:');
    expect(t.objectives).toEqual([]);
    expect(t.cooperation).toBe(true);
    expect(takeVerdicts()).toEqual([]);
  });
  it('for a bullet with a tag to grade, and for one whose cooperation only its opening verb could show', () => {
    takeVerdicts();
    expect(item('Shepherd joint research on trapped-ion sensors.', 'The two mayors will:').objectives.map((o) => o.grade)).toEqual(['commit']);
    expect(takeVerdicts().map(([key]) => key.split(' ')[0])).toEqual(['Shepherd']);
    expect(item('Renovate the halls of the harbour museum.').cooperation).toBe(true);
    expect(takeVerdicts().map(([key]) => key.split(' ')[0])).toEqual(['Renovate']);
  });
});
