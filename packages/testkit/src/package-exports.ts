// Checks that a built package loads from both ESM and CommonJS, as its users will import it.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Registers tests that load `name`'s built dist from a fresh Node process, once with `import`
 * and once with `require`, and find each of `exportNames` there. `from` is the calling test's
 * `import.meta.url` (the package resolves itself by name from inside its own folder).
 *
 * @example
 * packageExports('@tollgate/koa', ['tollgate'], import.meta.url);
 */
export function packageExports(name: string, exportNames: readonly string[], from: string): void {
  const cwd = fileURLToPath(new URL('.', from));
  const node = (code: string, type: 'module' | 'commonjs') =>
    execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], { cwd, encoding: 'utf8' }).trim();
  const list = JSON.stringify(exportNames);

  describe(`${name} dist`, () => {
    it('imports from ESM', () => {
      const code = `import * as m from '${name}'; console.log(${list}.map((n) => typeof m[n]).join())`;
      expect(node(code, 'module')).toBe(exportNames.map(() => 'function').join());
    });
    it('requires from CommonJS', () => {
      const code = `const m = require('${name}'); console.log(${list}.map((n) => typeof m[n]).join())`;
      expect(node(code, 'commonjs')).toBe(exportNames.map(() => 'function').join());
    });
  });
}
