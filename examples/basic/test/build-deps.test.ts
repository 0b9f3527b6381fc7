// `pnpm start`'s build step: which packages it builds, in what order, and when it skips them.

import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface BuildDeps {
  buildOrder(roots: readonly string[], depsOf: (name: string) => readonly string[]): string[];
  isStale(inputTimes: readonly number[], outputTimes: readonly (number | undefined)[]): boolean;
  buildStale(fromDir: string, rootDir: string, log?: (line: string) => void): number;
}
// A plain .mjs (node runs it before anything is built), so its exports are typed here.
const SCRIPT: string = new URL('../build-deps.mjs', import.meta.url).href;
const { buildOrder, buildStale, isStale } = (await import(SCRIPT)) as BuildDeps;

/** A DAG on nodes 0..n-1: each node depends on some lower-numbered nodes. */
const dag = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.array(fc.nat(n - 1), { maxLength: 4 }), { minLength: n, maxLength: n }),
      fc.subarray([...Array(n).keys()], { minLength: 1 }),
    ),
  );

describe('buildOrder', () => {
  it('lists each reachable package once, after everything it depends on, and nothing unreachable', () => {
    fc.assert(
      fc.property(dag, ([, raw, roots]) => {
        const deps = raw.map((ds, i) => ds.filter((d) => d < i).map(String));
        const depsOf = (name: string) => deps[Number(name)] ?? [];
        const order = buildOrder(roots.map(String), depsOf);
        expect(new Set(order).size).toBe(order.length);
        const reachable = new Set<string>();
        const walk = (x: string) => {
          if (reachable.has(x)) return;
          reachable.add(x);
          for (const d of depsOf(x)) walk(d);
        };
        for (const r of roots) walk(String(r));
        expect(new Set(order)).toEqual(reachable);
        for (const [pos, name] of order.entries()) {
          for (const d of depsOf(name)) expect(order.indexOf(d)).toBeLessThan(pos);
        }
      }),
    );
  });

  it('names a cycle instead of looping', () => {
    const deps: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'] };
    expect(() => buildOrder(['a'], (n) => deps[n] ?? [])).toThrow(
      'cyclic workspace dependencies: a -> b -> c -> a',
    );
  });
});

describe('isStale', () => {
  it('is fresh exactly when every built file exists and is newer than every source', () => {
    const time = fc.integer({ min: 0, max: 1_000 });
    fc.assert(
      fc.property(fc.array(time), fc.array(fc.option(time, { nil: undefined })), (inputs, outputs) => {
        const fresh =
          outputs.length > 0 && outputs.every((o) => o !== undefined && inputs.every((i) => o > i));
        expect(isStale(inputs, outputs)).toBe(!fresh);
      }),
    );
  });
});

describe('buildStale', () => {
  /** app -> lib -> base, linked as pnpm links them; each build appends its name to built.log. */
  function workspace() {
    const root = mkdtempSync(join(tmpdir(), 'tollgate-build-'));
    writeFileSync(
      join(root, 'build.mjs'),
      `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
const name = process.argv[2];
if (process.env.FAIL_BUILD === name) process.exit(3);
mkdirSync('dist', { recursive: true });
writeFileSync('dist/index.js', '');
appendFileSync('../built.log', name + '\\n');
`,
    );
    const pkg = (name: string, manifest: object, deps: string[]) => {
      const dir = join(root, name);
      mkdirSync(join(dir, 'src'), { recursive: true });
      writeFileSync(join(dir, 'src', 'index.js'), '');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, ...manifest }));
      for (const d of deps) {
        mkdirSync(join(dir, 'node_modules'), { recursive: true });
        symlinkSync(join(root, d), join(dir, 'node_modules', d));
      }
      return dir;
    };
    const lib = { main: './dist/index.js', exports: { '.': './dist/index.js' } };
    pkg('base', { ...lib, scripts: { build: 'node ../build.mjs base' } }, []);
    pkg(
      'lib',
      { ...lib, scripts: { build: 'node ../build.mjs lib' }, dependencies: { base: 'workspace:^' } },
      ['base'],
    );
    const app = pkg(
      'app',
      { dependencies: { lib: 'workspace:^' }, devDependencies: { tools: 'workspace:*' } },
      ['lib'],
    );
    const built = () => {
      try {
        const text = readFileSync(join(root, 'built.log'), 'utf8');
        rmSync(join(root, 'built.log'));
        return text.split('\n').filter(Boolean);
      } catch {
        return [];
      }
    };
    return { root, app, built };
  }

  it('builds dependencies first, then skips what is up to date, rebuilding only what changed', () => {
    const { root, app, built } = workspace();
    const lines: string[] = [];
    expect(buildStale(app, root, (l) => lines.push(l))).toBe(0);
    expect(built()).toEqual(['base', 'lib']);

    expect(buildStale(app, root, (l) => lines.push(l))).toBe(0);
    expect(built()).toEqual([]);
    expect(lines.at(-1)).toContain('up to date, not rebuilt: base, lib');

    // A source edited after the build: the built file made older than the source, as an edit would.
    const earlier = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'lib', 'dist', 'index.js'), earlier, earlier);
    expect(buildStale(app, root, () => {})).toBe(0);
    expect(built()).toEqual(['lib']);

    // A built file gone (a half-finished build) means a rebuild too.
    rmSync(join(root, 'base', 'dist', 'index.js'));
    expect(buildStale(app, root, () => {})).toBe(0);
    expect(built()).toEqual(['base']);
  });

  it('stops with the failing build exit code, building nothing after it', () => {
    const { root, app, built } = workspace();
    process.env.FAIL_BUILD = 'base';
    try {
      expect(buildStale(app, root, () => {})).toBe(3);
    } finally {
      delete process.env.FAIL_BUILD;
    }
    expect(built()).toEqual([]);
  });

  it('says to install when a workspace dependency is not linked', () => {
    const { root, app } = workspace();
    rmSync(join(app, 'node_modules'), { recursive: true });
    expect(() => buildStale(app, root, () => {})).toThrow('lib is not installed in app; run pnpm install');
  });
});
