// The built package loads from ESM and CommonJS, both of its entries and the option-reader subpath (package-surface.test.ts pins every name).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { packageExports } from '@tollgate/testkit/package-exports';
import { describe, expect, it } from 'vitest';

packageExports(
  '@tollgate/core',
  ['createEngine', 'createMemoryStore', 'issueToken', 'keySha256'],
  import.meta.url,
);
packageExports(
  '@tollgate/core/adapter',
  ['resolveEngine', 'createAdapterCheck', 'parseAdapterOptions', 'inputFromRequest', 'problemResponse'],
  import.meta.url,
);
packageExports(
  '@tollgate/core/option-reader',
  ['readOptions', 'invalidOption', 'describeValue', 'OptionReader'],
  import.meta.url,
);

describe('@tollgate/core/option-reader dist', () => {
  const cwd = fileURLToPath(new URL('.', import.meta.url));
  const node = (code: string, type: 'module' | 'commonjs') =>
    execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], { cwd, encoding: 'utf8' }).trim();
  // Each entry is a bundle of its own: without a shared chunk the subpath would carry a second
  // TollgateError class, and `instanceof TollgateError` would miss the errors of every other package.
  const check = 'console.log(r.invalidOption("f", "options.x", "bad") instanceof c.TollgateError)';

  it('throws the main entry’s TollgateError, from ESM', () => {
    const code = `import * as c from '@tollgate/core'; import * as r from '@tollgate/core/option-reader'; ${check}`;
    expect(node(code, 'module')).toBe('true');
  });

  it('throws the main entry’s TollgateError, from CommonJS', () => {
    const code = `const c = require('@tollgate/core'); const r = require('@tollgate/core/option-reader'); ${check}`;
    expect(node(code, 'commonjs')).toBe('true');
  });
});
