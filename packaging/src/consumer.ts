// A user's project outside the repository: the packed tarballs installed with npm, once with the
// optional peers and once without, each with tsconfigs for node16 and bundler resolution.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PackedPackage } from './pack.js';
import { REPO_ROOT, rootInstalledVersion, typesPackageFor } from './workspace.js';

/** Whether the consumer installs the packages' optional peers (hono, @opentelemetry/api). */
export type PeerSet = 'with-optional-peers' | 'without-optional-peers';

/** The module settings a consumer compiles under. */
export type Resolution = 'node16' | 'bundler';

export interface Consumer {
  readonly dir: string;
  readonly peers: PeerSet;
  /** Its tsconfig for a resolution. */
  tsconfig(resolution: Resolution): string;
}

const FIXTURES = path.join(REPO_ROOT, 'packaging', 'consumer');

// Kept between runs, so npm reinstalls only what changed: one folder per checkout.
const CACHE_ROOT = path.join(
  os.tmpdir(),
  `tollgate-consumers-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}`,
);

const COMPILER_OPTIONS = {
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  noEmit: true,
  target: 'es2022',
  lib: ['es2023'],
};

const MODULE_OPTIONS: Record<Resolution, { module: string; moduleResolution: string }> = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'preserve', moduleResolution: 'bundler' },
};

/**
 * Takes the consumer folders for this checkout (waiting while another run of the same checkout holds
 * them) and installs `packed` into both. Call `release` when done with them.
 */
export async function prepareConsumers(
  packed: readonly PackedPackage[],
): Promise<{ consumers: Consumer[]; release: () => void }> {
  fs.mkdirSync(CACHE_ROOT, { recursive: true });
  const release = await lock(path.join(CACHE_ROOT, 'lock'));
  try {
    const tarballs = copyTarballs(packed);
    const consumers = await Promise.all(
      (['with-optional-peers', 'without-optional-peers'] as const).map((peers) =>
        install(packed, tarballs, peers),
      ),
    );
    return { consumers, release };
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * Copies the tarballs under names that carry their content hash: npm then sees a changed package as
 * a new spec and installs it, where the same file name would clash with its lockfile's integrity.
 */
function copyTarballs(packed: readonly PackedPackage[]): Map<string, string> {
  const dir = path.join(CACHE_ROOT, 'tarballs');
  fs.mkdirSync(dir, { recursive: true });
  const names = new Map<string, string>();
  for (const { pkg, tarball } of packed) {
    const bytes = fs.readFileSync(tarball);
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const name = `${path.basename(tarball, '.tgz')}-${hash}.tgz`;
    fs.writeFileSync(path.join(dir, name), bytes);
    names.set(pkg.name, name);
  }
  const current = new Set(names.values());
  for (const old of fs.readdirSync(dir)) if (!current.has(old)) fs.rmSync(path.join(dir, old));
  return names;
}

/** The third-party packages a user installs beside ours: the peers at the versions tested here. */
function thirdParty(packed: readonly PackedPackage[], peers: PeerSet): Record<string, string> {
  const out: Record<string, string> = { '@types/node': rootInstalledVersion('@types/node') };
  for (const { pkg } of packed) {
    const wanted =
      peers === 'with-optional-peers' ? [...pkg.requiredPeers, ...pkg.optionalPeers] : pkg.requiredPeers;
    for (const peer of wanted) {
      out[peer] ??= pkg.installedVersion(peer);
      // express and koa ship no types; a TypeScript user of either installs these anyway.
      const types = typesPackageFor(pkg, peer);
      if (types !== undefined) out[types] ??= pkg.installedVersion(types);
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

async function install(
  packed: readonly PackedPackage[],
  tarballs: Map<string, string>,
  peers: PeerSet,
): Promise<Consumer> {
  const dir = path.join(CACHE_ROOT, peers);
  fs.mkdirSync(dir, { recursive: true });
  const installed = thirdParty(packed, peers);
  const ours = Object.fromEntries(
    packed.map(({ pkg }) => [pkg.name, `file:../tarballs/${tarballs.get(pkg.name) as string}`]),
  );
  const manifest = {
    name: `tollgate-consumer-${peers}`,
    private: true,
    type: 'module',
    dependencies: { ...ours, ...installed },
    // Our packages depend on each other by version (`@tollgate/core@^0.1.0`): point those at the
    // tarballs too, so nothing of ours can come from the registry.
    overrides: Object.fromEntries(packed.map(({ pkg }) => [pkg.name, `$${pkg.name}`])),
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeSources(dir, peers);
  for (const resolution of Object.keys(MODULE_OPTIONS) as Resolution[]) {
    const tsconfig = {
      compilerOptions: { ...COMPILER_OPTIONS, ...MODULE_OPTIONS[resolution] },
      include: ['src'],
    };
    fs.writeFileSync(path.join(dir, `tsconfig.${resolution}.json`), `${JSON.stringify(tsconfig, null, 2)}\n`);
  }
  // A package left from an interrupted run must not pass for the one just packed.
  fs.rmSync(path.join(dir, 'node_modules', '@tollgate'), { recursive: true, force: true });
  await npm(dir, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts']);
  for (const name of Object.keys(ours)) {
    if (!fs.existsSync(path.join(dir, 'node_modules', name, 'package.json'))) {
      throw new Error(`npm install in ${dir} did not install ${name}`);
    }
  }
  return { dir, peers, tsconfig: (resolution) => path.join(dir, `tsconfig.${resolution}.json`) };
}

/** The user's own files: ESM (.ts under "type": "module", .mts) and CommonJS (.cts). */
function writeSources(dir: string, peers: PeerSet): void {
  const src = path.join(dir, 'src');
  fs.rmSync(src, { recursive: true, force: true });
  fs.mkdirSync(src);
  const files: [from: string, to: string][] = [
    ['imports.ts', 'esm.ts'],
    ['imports.ts', 'esm.mts'],
    ['require.cts', 'require.cts'],
  ];
  if (peers === 'with-optional-peers') files.push(['optional-peers.ts', 'optional-peers.ts']);
  for (const [from, to] of files) fs.copyFileSync(path.join(FIXTURES, from), path.join(src, to));
}

/** The environment for npm: without what `pnpm test` sets for itself (its prefix would be the repo). */
function npmEnv(): NodeJS.ProcessEnv {
  const keep =
    /^npm_config_(registry|cache|userconfig|globalconfig|cafile|proxy|https_proxy|noproxy|strict_ssl)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || keep.test(name)),
  );
}

function npm(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...args, '--loglevel=error'], { cwd, env: npmEnv(), stdio: 'pipe' });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`npm ${args.join(' ')} in ${cwd} exited ${code}:\n${output.slice(-4000)}`));
    });
  });
}

/**
 * An exclusive lock on the consumer folders: a directory holding the owner's pid. A lock whose
 * process is gone (a killed run) is taken over.
 */
async function lock(at: string): Promise<() => void> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(at);
      fs.writeFileSync(path.join(at, 'pid'), String(process.pid));
      return () => fs.rmSync(at, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!holderAlive(at)) {
      fs.rmSync(at, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${at} is still held by another test run`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function holderAlive(at: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(at, 'pid'), 'utf8'));
  } catch {
    // Just created and its pid not yet written; or left empty by a crash. Judge by age.
    const stat = fs.statSync(at, { throwIfNoEntry: false });
    return stat !== undefined && Date.now() - stat.mtimeMs < 10_000;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
