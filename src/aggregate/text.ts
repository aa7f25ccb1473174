/** Small text helpers shared by the governance and milestone readers. */

/** True when the full stop at `i` closes an abbreviation ("U.S.", "D.C.", "Dr."), not a sentence. */
export function abbreviationDot(text: string, i: number): boolean {
  return /(?:^|[\s.(-])(?:[A-Z]|Dr|Mr|Mrs|Ms|Jr|Sr|St|No|Gov|Sen|Rep|Amb|Gen|Lt|Col|Prof|Hon)$/.test(text.slice(Math.max(0, i - 5), i));
}

/** The sentences of a passage with their offsets (a passage is usually one; list items may hold several). */
export function splitSentences(text: string): Array<{ s: string; at: number }> {
  const out: Array<{ s: string; at: number }> = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '.' && c !== '!' && c !== '?') continue;
    if (c === '.' && abbreviationDot(text, i)) continue;
    if (!/^\s+["\u201c(]?[A-Z0-9]/.test(text.slice(i + 1, i + 4))) continue;
    out.push({ s: text.slice(start, i + 1), at: start });
    start = i + 1;
    while (start < text.length && /\s/.test(text[start]!)) start++;
    i = start - 1;
  }
  if (start < text.length && text.slice(start).trim()) out.push({ s: text.slice(start), at: start });
  return out;
}

// Bodies and meetings of other organisations.
export const OTHER_ORG = /\b(?:United Nations|UN|U\.N\.|UNFCCC|IPCC|COP\d*|WHO|World Health|WTO|OECD|G20|IEA|International Energy Agency|World Bank|WBG|IMF|FATF|Financial Action|Global Health Security Agenda|GHSA|COVAX|ACT-A|Gavi|CEPI|APEC|ASEAN|NATO|Financial Disclosures|Intergovernmental|(?<!National )Security Council|International Financ\w+ Corporation|Paris Club)\b/;
