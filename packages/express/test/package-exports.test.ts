// The built packages load from both ESM and CommonJS, as users of either will import them.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

function node(code: string, type: 'module' | 'commonjs'): string {
  return execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: here,
    encoding: 'utf8',
  }).trim();
}

describe.each(['@tollgate/core', '@tollgate/express'])('%s dist', (name) => {
  const exportName = name === '@tollgate/core' ? 'createEngine' : 'tollgate';
  it('imports from ESM', () => {
    expect(node(`import * as m from '${name}'; console.log(typeof m.${exportName})`, 'module')).toBe(
      'function',
    );
  });
  it('requires from CommonJS', () => {
    expect(node(`console.log(typeof require('${name}').${exportName})`, 'commonjs')).toBe('function');
  });
});
