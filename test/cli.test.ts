import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ROOT, tmp } from './helpers.js';

const accords = (args: string[], input?: string) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', 'accords.js'), ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });

describe('accords tag', () => {
  it('writes one JSON line per input line and nothing else on stdout', () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'Launch a joint research programme on batteries in 2025.', heading: 'Clean Energy' }),
      JSON.stringify({ id: 'b', text: 'Chips matter to the economy.' }),
      JSON.stringify({ id: 'c', text: '**Quantum:**' }),
    ].join('\n');
    const r = accords(['tag'], input);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect(lines[0]).toMatchObject({ objectives: ['research'], grades: { research: 'commit' }, domains: ['batteries-clean-energy'], governance: false });
    expect(Object.keys(lines[0])).toEqual(expect.arrayContaining(['id', 'objectives', 'subcategories', 'grades', 'domains', 'governance', 'evidence']));
    expect(lines[0].evidence.length).toBeGreaterThan(0);
    expect(lines[1].objectives).toEqual([]);
    expect(lines[2].domains).toEqual(['quantum']);
  });
  it('skips bad lines with a message naming the line', () => {
    const r = accords(['tag'], 'not json\n{"id":"x","text":"The two sides will cooperate on AI."}\n');
    expect(r.stderr).toContain('stdin:1');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.status).toBe(1);
  });
});

describe('errors for the user', () => {
  it('an unknown domain lists the allowed ones', () => {
    const r = accords(['run', '--domain', 'chips', '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('allowed: semiconductors');
  });
  it('a bad date is named', () => {
    const r = accords(['run', '--from', '2024/01/01', '--quiet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--from must be a date');
  });
  it('explain shows rules and grade reasoning', () => {
    const r = accords(['explain', 'The two sides will explore a joint early warning mechanism for chip shortages.']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('preparedness');
    expect(r.stdout).toContain('preparedness.early-warning');
    expect(r.stdout).toMatch(/grade: governed by "explore"/);
  });
  it('explain --file --at reads the passage at that offset with its heading and list lead-in', () => {
    const dir = tmp('explain');
    const file = join(dir, 'a.md');
    const md = '---\ntitle: Outcomes of an invented dialogue\n---\n\n## Quantum\n\nThe two ministries intend to cooperate on the following:\n\n-   Joint research on trapped-ion sensors.\n';
    writeFileSync(file, md);
    const r = accords(['explain', '--file', file, '--at', String(md.indexOf('Joint research') + 3)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('(item): Joint research on trapped-ion sensors.');
    expect(r.stdout).toContain('under: Quantum');
    expect(r.stdout).toMatch(/research \[.*\] grade intend/);
    expect(r.stdout).toContain('list\'s lead-in');
    expect(accords(['explain', '--file', join(dir, 'missing.md')]).stderr).toMatch(/missing\.md/);
  });
});

describe('reading a passage as the pipeline reads it, and saying why', () => {
  it('accords tag takes the list lead-in, headings and title, and lists every tag considered', () => {
    const line = (o: object) => JSON.stringify(o);
    const r = accords(['tag'], [
      line({ id: 'report', text: 'Setting up a working group on battery standards.', lead_in: 'This year the ministers launched the following initiatives:' }),
      line({ id: 'plain', text: 'Setting up a working group on battery standards.' }),
      line({ id: 'head', text: 'The labs will pool testbeds.', headings: ['Quantum'], title: 'A statement' }),
      line({ id: 'guard', text: 'The partners will finance vaccine manufacturing capacity.' }),
    ].join('\n'));
    expect(r.status).toBe(0);
    const [report, plain, head, guard] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(report.grades).toEqual({ policy: 'underway' });
    expect(plain.grades).toEqual({ policy: 'commit' });
    expect(head.domains).toEqual(['quantum']);
    expect(guard.objectives).toEqual([]);
    expect(guard.candidates.some((c: { kept: boolean; reason: string }) => !c.kept && /out of scope/.test(c.reason))).toBe(true);
  });
  it('accords explain shows the dropped candidates and the reason a passage got no objective', () => {
    const r = accords(['explain', 'The partners will finance vaccine manufacturing capacity.']);
    expect(r.stdout).toMatch(/objectives: none \(every proposed tag was dropped/);
    expect(r.stdout).toMatch(/dropped .*out of scope: "vaccine"/);
    const none = accords(['explain', 'Chips matter to the economy.']);
    expect(none.stdout).toMatch(/objectives: none \(no rule proposed an objective/);
  });
  it('accords rules gaps lists phrases of untagged passages on a corpus', () => {
    const r = accords(['rules', 'gaps', '--corpus', join(ROOT, 'corpus'), '--labels', join(ROOT, 'no-such-labels'), '--top', '5']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/== Phrases in passages with cooperation or commitment language but no objective \(\d+ of \d+ passages of \d+ statements/);
  });
});
