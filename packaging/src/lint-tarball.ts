// Lints a packed tarball as the registry will serve it: publint (strict: warnings count as errors,
// and suggestions are reported too) and are-the-types-wrong (every resolution mode, node10 included).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { problemKindInfo } from '@arethetypeswrong/core/problems';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

/** What `publint --strict` reports for the tarball, every level, one line each. */
export async function publintProblems(tarball: string): Promise<string[]> {
  const bytes = fs.readFileSync(tarball);
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { messages, pkg } = await publint({ pack: { tarball: data }, strict: true, level: 'suggestion' });
  return messages.map(
    (m) => `${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? JSON.stringify(m.args)}`,
  );
}

/**
 * What are-the-types-wrong reports for the tarball (as `attw <tarball>` with its default profile,
 * `strict`: node10, node16 from CJS and from ESM, and bundler resolution). A package without types
 * is a problem here, where the CLI would let it pass.
 */
export async function attwProblems(tarball: string): Promise<string[]> {
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(fs.readFileSync(tarball))));
  if (!analysis.types) return ['the package has no types'];
  return analysis.problems.map((problem) => {
    const { kind, ...where } = problem;
    return `${kind} (${problemKindInfo[kind].shortDescription}): ${JSON.stringify(where)}`;
  });
}

/** The files in a tarball, relative to its package folder (`LICENSE`, `dist/index.js`). */
export function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
}

/** One file of a tarball, as text. */
export function tarballText(tarball: string, file: string): string {
  return execFileSync('tar', ['-xzOf', tarball, `package/${file}`], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
}

/**
 * The links of a Markdown file that will not work on the registry's page: relative links to files
 * that are not in the package (the registry shows the README alone, outside the repository).
 */
export function brokenReadmeLinks(markdown: string, files: readonly string[]): string[] {
  const inPackage = new Set(files);
  const targets = [
    ...markdown.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g),
    ...markdown.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm),
  ].map((m) => m[1] as string);
  return targets.filter((target) => {
    if (/^(https?:|mailto:|#)/i.test(target)) return false;
    const file = path.posix.normalize(target.replace(/[#?].*$/, '')).replace(/^\.\//, '');
    return !inPackage.has(file);
  });
}
