// The built types of @tollgate/redis compile in a strict TypeScript app on each supported ioredis major.
// The types name ioredis's `Redis` and `Cluster`, which resolve to the app's own ioredis (a peer).

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { IOREDIS_PACKAGES, type IoredisMajor } from './support/ioredis-majors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..');
const root = path.resolve(pkg, '../..');
const require = createRequire(import.meta.url);
const made: string[] = [];

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** What an app writes, on either major: the README's client options, a Cluster, every store option. */
const COMMON = `
import { Cluster, Redis } from 'ioredis';
import { createRedisStore, type RedisStore, type RedisStoreOptions, type RedisStoreStats } from '@tollgate/redis';

const redis = new Redis('redis://127.0.0.1:6379', {
  enableAutoPipelining: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  autoResendUnfulfilledCommands: false,
  retryStrategy: (times) => Math.min(times * 20, 100),
  lazyConnect: true,
});
export const store: RedisStore = createRedisStore({ client: redis, prefix: 'app:', timeoutMs: 50 });
const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }], { enableAutoPipelining: true, lazyConnect: true });
const options: RedisStoreOptions = {
  client: cluster,
  exhaustedCacheSize: 0,
  expireSlackMs: 60_000,
  waitForReplicas: { replicas: 1, timeoutMs: 50 },
};
export const stats: RedisStoreStats = createRedisStore(options).stats();
// @ts-expect-error not an ioredis client
createRedisStore({ client: {} });
`;

/** ioredis 6 only: its RESP3 default, RESP2, and RESP3 replies mapped as such (a `Redis<'resp3'>`). */
const IOREDIS6 = `
createRedisStore({ client: new Redis({ protocol: 2, lazyConnect: true }) });
createRedisStore({ client: new Redis({ protocol: 3, replyMapping: 'resp3', lazyConnect: true }) });
createRedisStore({ client: new Cluster([], { redisOptions: { protocol: 3, replyMapping: 'resp3' } }) });
`;

/**
 * An app folder as npm lays it out: the built @tollgate/redis (package.json and dist, nothing
 * installed under it, so its `ioredis` is the app's), @tollgate/core, and the ioredis `major`.
 */
function app(major: IoredisMajor): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tollgate-redis-types-${major}-`));
  made.push(dir);
  const modules = path.join(dir, 'node_modules');
  const redis = path.join(modules, '@tollgate', 'redis');
  fs.mkdirSync(redis, { recursive: true });
  fs.copyFileSync(path.join(pkg, 'package.json'), path.join(redis, 'package.json'));
  fs.cpSync(path.join(pkg, 'dist'), path.join(redis, 'dist'), { recursive: true });
  fs.symlinkSync(
    fs.realpathSync(path.join(pkg, 'node_modules', '@tollgate', 'core')),
    path.join(modules, '@tollgate', 'core'),
  );
  const ioredis = path.dirname(require.resolve(`${IOREDIS_PACKAGES[major]}/package.json`));
  fs.symlinkSync(fs.realpathSync(ioredis), path.join(modules, 'ioredis'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  fs.writeFileSync(path.join(dir, 'app.ts'), major === 6 ? COMMON + IOREDIS6 : COMMON);
  return dir;
}

/**
 * The type errors in the app and in @tollgate/redis's types, as with `skipLibCheck: false` (only
 * those files are checked, as the rest is not ours: a whole check of @types/node and ioredis
 * would cost seconds for nothing).
 */
function typeErrors(dir: string): string[] {
  const program = ts.createProgram([path.join(dir, 'app.ts')], {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
  });
  const ours = program
    .getSourceFiles()
    .filter(
      (f) => f.fileName === path.join(dir, 'app.ts') || f.fileName.includes('/node_modules/@tollgate/redis/'),
    );
  // Both of the package's type entries must be in the program: the app imports the ESM one.
  expect(ours.map((f) => path.relative(dir, f.fileName)).sort()).toEqual([
    'app.ts',
    'node_modules/@tollgate/redis/dist/index.d.ts',
  ]);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  return diagnostics.map((d) => {
    const where = d.file ? `${path.relative(dir, d.file.fileName)}: ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('the published types', () => {
  it.each(Object.keys(IOREDIS_PACKAGES).map(Number) as IoredisMajor[])(
    'compile in a strict app on ioredis %i, with skipLibCheck off',
    (major) => {
      const dir = app(major);
      expect(typeErrors(dir)).toEqual([]);
      // The app's ioredis is the one the types resolved.
      const installed = JSON.parse(
        fs.readFileSync(path.join(dir, 'node_modules/ioredis/package.json'), 'utf8'),
      );
      expect(installed.version.split('.')[0]).toBe(String(major));
    },
    60_000,
  );
});
