// The public surface of the built package, pinned name by name: what `@tollgate/core` and `@tollgate/core/adapter` export.
//
// Values are read from the dist as Node loads it (import and require); values and types alike from the
// published declarations, resolved as a TypeScript user's compiler resolves them (node16, ESM and CommonJS).
// A name added to or dropped from either entry fails here until it is added to or dropped from these lists.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONDITIONS, declarationsOf, loadDeclarations } from './declarations.js';

interface Surface {
  /** Names with a run-time value (functions, classes, constants), sorted. */
  readonly values: readonly string[];
  /** Names that are types only, sorted. */
  readonly types: readonly string[];
}

/** What a server author uses. */
const MAIN: Surface = {
  values: [
    'CREDENTIAL_CLAIM',
    'TOLLGATE_WARNING',
    'TollgateError',
    'createEngine',
    'createMemoryStore',
    'credentialId',
    'issueToken',
    'keySha256',
  ],
  types: [
    'ActivityMonitorOptions',
    'AuthFailureEvent',
    'CheckInput',
    'ConfigReloadEvent',
    'ConsumeResult',
    'CounterSpec',
    'Decision',
    'DecisionCode',
    'Engine',
    'EngineOptions',
    'FailureMode',
    'ForwardingIgnoredEvent',
    'IssueTokenOptions',
    'IssuedToken',
    'Jwk',
    'KeyCredential',
    'KeyPolicy',
    'KeySource',
    'KeySourceErrorEvent',
    'LimitName',
    'LimitState',
    'MemoryStore',
    'MemoryStoreOptions',
    'MemoryStoreStats',
    'MeterLike',
    'Policy',
    'PrivateKeyObject',
    'ProblemBody',
    'RefusalCode',
    'RefusalEvent',
    'Store',
    'StoreErrorEvent',
    'ThresholdEvent',
    'TokenFailure',
    'TokenOptions',
    'TollgateErrorCode',
    'TollgateEvent',
    'TollgateWarningCode',
    'UnusualActivityEvent',
  ],
};

/** What a framework adapter (or a notifier reading a key's `notify` list) uses. */
const ADAPTER: Surface = {
  values: [
    'PROBLEM_CONTENT_TYPE',
    'createAdapterCheck',
    'inputFromRequest',
    'isInvalidNotifyTarget',
    'parseAdapterOptions',
    'parseNotifyTarget',
    'problemResponse',
    'resolveEngine',
  ],
  types: [
    'AdapterCheck',
    'AdapterConfig',
    'AdapterOptions',
    'AdapterSettings',
    'EmailNotifyTarget',
    'InvalidNotifyTarget',
    'NotifyTarget',
    'NotifyTargetKind',
    'PreflightMode',
    'ProblemResponse',
    'ProxyTrust',
    'RequestLike',
    'WebhookNotifyTarget',
  ],
};

const ENTRIES: ReadonlyArray<readonly [string, Surface]> = [
  ['@tollgate/core', MAIN],
  ['@tollgate/core/adapter', ADAPTER],
];

// The package resolves itself by name from inside its own folder (a self-reference through `exports`).
const HERE = fileURLToPath(new URL('.', import.meta.url));

function loadedNames(specifier: string, type: 'module' | 'commonjs'): string[] {
  const code =
    type === 'module'
      ? `import * as m from '${specifier}'; console.log(JSON.stringify(Object.keys(m)))`
      : `console.log(JSON.stringify(Object.keys(require('${specifier}'))))`;
  const out = execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: HERE,
    encoding: 'utf8',
  });
  return (JSON.parse(out) as string[]).sort();
}

// One program over every entry's declarations, for both conditions.
const files = new Map<string, string>();
for (const [specifier] of ENTRIES) {
  for (const [condition] of CONDITIONS)
    files.set(`${specifier} ${condition}`, declarationsOf(specifier, condition));
}
const declarations = loadDeclarations([...files.values()]);

function declaredSurface(file: string): Surface {
  const values: string[] = [];
  const types: string[] = [];
  for (const [name, symbol] of declarations.exportsOf(file)) {
    (symbol.flags & ts.SymbolFlags.Value ? values : types).push(name);
  }
  return { values: values.sort(), types: types.sort() };
}

describe.each(ENTRIES)('%s exports exactly its listed names', (specifier, surface) => {
  it('the lists are sorted and do not overlap', () => {
    expect([...surface.values].sort()).toEqual(surface.values);
    expect([...surface.types].sort()).toEqual(surface.types);
    expect(surface.values.filter((n) => surface.types.includes(n))).toEqual([]);
  });

  it.each(['module', 'commonjs'] as const)('values, as Node loads the dist (%s)', (type) => {
    expect(loadedNames(specifier, type)).toEqual(surface.values);
  });

  it.each(CONDITIONS.map(([condition]) => condition))(
    'values and types, as TypeScript resolves them (%s)',
    (condition) => {
      const file = files.get(`${specifier} ${condition}`) as string;
      expect(file).toMatch(condition === 'import' ? /\.d\.ts$/ : /\.d\.cts$/);
      expect(declaredSurface(file)).toEqual(surface);
    },
  );
});

describe('the two entries', () => {
  it('share no name: a name is either for server authors or for adapter authors', () => {
    const main = [...MAIN.values, ...MAIN.types];
    expect([...ADAPTER.values, ...ADAPTER.types].filter((n) => main.includes(n))).toEqual([]);
  });

  it('share one copy of the code in each format: an adapter error is an instance of the main entry class', () => {
    const bad = "resolveEngine({ policy: { keys: [] }, preflight: 'later' })";
    const check = (load: string) =>
      `${load}; try { ${bad}; console.log('no error') } catch (e) { console.log(e instanceof TollgateError, e.code) }`;
    const esm = check(
      "import { TollgateError } from '@tollgate/core'; import { resolveEngine } from '@tollgate/core/adapter'",
    );
    const cjs = check(
      "const { TollgateError } = require('@tollgate/core'); const { resolveEngine } = require('@tollgate/core/adapter')",
    );
    for (const [code, type] of [
      [esm, 'module'],
      [cjs, 'commonjs'],
    ] as const) {
      const out = execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
        cwd: HERE,
        encoding: 'utf8',
      });
      expect(out.trim()).toBe('true ERR_TOLLGATE_INVALID_OPTIONS');
    }
  });

  it.each(['@tollgate/core/internal', '@tollgate/core/dist/internal.js', '@tollgate/core/dist/index.js'])(
    'nothing else is importable by name: %s',
    (specifier) => {
      const code = (load: string) =>
        `try { ${load}; console.log('loaded') } catch (e) { console.log(e.code) }`;
      const esm = code(`await import('${specifier}')`);
      const cjs = code(`require('${specifier}')`);
      for (const [source, type] of [
        [esm, 'module'],
        [cjs, 'commonjs'],
      ] as const) {
        const out = execFileSync(process.execPath, [`--input-type=${type}`, '-e', source], {
          cwd: HERE,
          encoding: 'utf8',
        });
        expect(out.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
      }
    },
  );
});
