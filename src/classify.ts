import type { PassageTags } from './core/doc.js';
import type { CompiledRules } from './rules/compile.js';
import { tagPassage, type TagInput } from './tag/index.js';
import { gradeLayer } from './grade/index.js';
import { cleanInline } from './extract/inline.js';

/** Tag then grade one passage: the two stages every caller runs together. */
export function classify(input: TagInput, rules: CompiledRules): PassageTags {
  return gradeLayer(tagPassage(input, rules));
}

/** For text that did not come through extraction (accords tag, eval): clean it the same way first. */
export function classifyRaw(input: TagInput, rules: CompiledRules): PassageTags {
  return classify(
    {
      ...input,
      text: cleanInline(input.text),
      headings: (input.headings ?? []).map((h) => cleanInline(h).replace(/:\s*$/, '')).filter(Boolean),
      ...(input.title ? { title: cleanInline(input.title) } : {}),
    },
    rules,
  );
}
