import type { Message } from '../core/messages.js';
import { problem } from '../core/errors.js';
import type { Registry } from '../rules/registry.js';

/**
 * Which partnerships a document belongs to: its metadata when that names a
 * registered partnership; failing that, the partnership whose names and
 * aliases occur most in its title and opening text. Unattributed documents are
 * reported, never dropped.
 */
export function attribute(meta: { partnership?: string; title: string }, text: string, registry: Registry, file: string): { ids: string[]; messages: Message[] } {
  const messages: Message[] = [];
  if (meta.partnership) {
    const { ids, unknown } = registry.resolveField(meta.partnership);
    for (const u of unknown) messages.push(problem('attribute/unknown-id', file, `"${u}"`));
    if (ids.length) return { ids, messages };
  }
  const inTitle = registry.findInText(meta.title);
  if (inTitle.length) return { ids: [inTitle[0]!], messages };
  const inText = registry.findInText(text.slice(0, 3000));
  if (inText.length) return { ids: [inText[0]!], messages };
  messages.push(problem('attribute/none', file));
  return { ids: [], messages };
}
