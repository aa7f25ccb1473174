/**
 * robots.txt: the group for our user agent (or *), Allow/Disallow by longest
 * matching path prefix, `*` and `$` wildcards. A missing robots.txt allows all;
 * one that cannot be fetched for a server error disallows all, as the
 * convention asks.
 */
export interface RobotsRules {
  allow: string[];
  disallow: string[];
}

export function parseRobots(text: string, agent: string): RobotsRules {
  const groups: Array<{ agents: string[]; allow: string[]; disallow: string[] }> = [];
  let current: (typeof groups)[number] | undefined;
  let lastWasAgent = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) groups.push((current = { agents: [], allow: [], disallow: [] }));
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === 'allow' && value) current.allow.push(value);
    if (key === 'disallow' && value) current.disallow.push(value);
  }
  const name = agent.toLowerCase().split('/')[0]!;
  const mine = groups.find((g) => g.agents.some((a) => a !== '*' && name.includes(a)));
  const any = groups.find((g) => g.agents.includes('*'));
  const g = mine ?? any;
  return { allow: g?.allow ?? [], disallow: g?.disallow ?? [] };
}

function matchLength(rule: string, path: string): number {
  const re = new RegExp(`^${rule.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\\\$$/, '$')}`);
  return re.test(path) ? rule.length : -1;
}

export function isAllowed(rules: RobotsRules, pathWithQuery: string): boolean {
  const allow = Math.max(-1, ...rules.allow.map((r) => matchLength(r, pathWithQuery)));
  const disallow = Math.max(-1, ...rules.disallow.map((r) => matchLength(r, pathWithQuery)));
  return disallow < 0 || allow >= disallow;
}
