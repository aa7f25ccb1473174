/**
 * robots.txt (RFC 9309): the group for our user agent (or *), Allow/Disallow by
 * the longest matching rule, `*` and `$` wildcards. A missing robots.txt
 * allows all; one that cannot be fetched for a server error disallows all, as
 * the convention asks.
 *
 * Bounded whatever the server sends: only the first MAX_ROBOTS_BYTES are read
 * (RFC 9309 lets a crawler stop at 500 KiB), and rules are matched by a
 * linear-time wildcard matcher, never compiled to a regular expression, so a
 * rule like `/*a*a*a*...*b` costs no more than its length times the path's.
 */
export interface RobotsRules {
  allow: string[];
  disallow: string[];
}

export const MAX_ROBOTS_BYTES = 500 * 1024;
/** Longer rules are ignored: no real path rule is this long. */
const MAX_RULE = 2048;

export function parseRobots(input: string, agent: string): RobotsRules {
  const text = input.length > MAX_ROBOTS_BYTES ? input.slice(0, MAX_ROBOTS_BYTES) : input;
  const groups: Array<{ agents: string[]; allow: string[]; disallow: string[] }> = [];
  let current: (typeof groups)[number] | undefined;
  let lastWasAgent = false;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (!/^[a-z-]+$/.test(key)) continue;
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) groups.push((current = { agents: [], allow: [], disallow: [] }));
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current || !value || value.length > MAX_RULE) continue;
    if (key === 'allow') current.allow.push(value);
    if (key === 'disallow') current.disallow.push(value);
  }
  const name = agent.toLowerCase().split('/')[0]!;
  // Every group naming our agent applies, merged (RFC 9309 section 2.2.1); else every '*' group.
  const mine = groups.filter((g) => g.agents.some((a) => a !== '*' && a && name.includes(a)));
  const chosen = mine.length ? mine : groups.filter((g) => g.agents.includes('*'));
  const allow: string[] = [];
  const disallow: string[] = [];
  for (const g of chosen) {
    for (const r of g.allow) allow.push(r);
    for (const r of g.disallow) disallow.push(r);
  }
  return { allow, disallow };
}

/**
 * Whether `path` matches the robots rule: `*` matches any run of characters,
 * a final `$` anchors the end, otherwise the rule is a prefix. Greedy matching
 * of the literal pieces between wildcards, leftmost first, is exact for this
 * pattern language and takes at most (rule length x path length) steps.
 */
export function ruleMatches(rule: string, path: string): boolean {
  const anchored = rule.endsWith('$');
  const body = anchored ? rule.slice(0, -1) : rule;
  const parts = body.split('*');
  const first = parts[0]!;
  if (!path.startsWith(first)) return false;
  if (parts.length === 1) return anchored ? path.length === first.length : true;
  let pos = first.length;
  const last = parts.length - 1;
  for (let i = 1; i < last; i++) {
    const piece = parts[i]!;
    if (!piece) continue;
    const at = path.indexOf(piece, pos);
    if (at < 0) return false;
    pos = at + piece.length;
  }
  const tail = parts[last]!;
  if (!anchored) return tail === '' || path.indexOf(tail, pos) >= 0;
  return path.length - tail.length >= pos && path.endsWith(tail);
}

/** The longest rule decides; on a tie, Allow wins (RFC 9309 section 2.2.2). */
export function isAllowed(rules: RobotsRules, pathWithQuery: string): boolean {
  let allow = -1;
  let disallow = -1;
  for (const r of rules.allow) if (r.length > allow && ruleMatches(r, pathWithQuery)) allow = r.length;
  for (const r of rules.disallow) if (r.length > disallow && ruleMatches(r, pathWithQuery)) disallow = r.length;
  return disallow < 0 || allow >= disallow;
}
