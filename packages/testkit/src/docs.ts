// Reads a section of the repository's docs, so tests can hold a docs link, and what it promises, to the code.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/**
 * The text of the section a repository link such as `docs/frameworks/express.md#behind-a-proxy`
 * points at, from its heading to the next heading of the same or a higher level. Throws when
 * the file or the heading does not exist.
 *
 * @example
 * expect(docsSection('docs/security.md#behind-a-proxy')).toContain('TOLLGATE_PERMISSIVE_TRUST_PROXY');
 */
export function docsSection(link: string): string {
  const [file, anchor] = link.split('#') as [string, string | undefined];
  const lines = readFileSync(`${ROOT}${file}`, 'utf8').split('\n');
  let fence = false;
  let start = -1;
  let level = 0;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('```')) fence = !fence;
    const heading = fence ? null : /^(#{1,6}) (.*)$/.exec(line);
    if (heading === null) continue;
    const depth = (heading[1] as string).length;
    if (start !== -1 && depth <= level) return lines.slice(start, i).join('\n');
    if (start === -1 && (anchor === undefined || anchorOf(heading[2] as string) === anchor)) {
      start = i;
      level = depth;
    }
  }
  if (start === -1) throw new Error(`${link}: no such heading`);
  return lines.slice(start).join('\n');
}
