// The packages this repository publishes, read from their package.json files, and the versions of the
// third-party packages they are tested with here.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  packageManager?: string;
}

/** A package that is published (its package.json is not `private`). */
export interface PublicPackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  /** The file name `pnpm pack` gives its tarball: `@tollgate/core` 0.1.0 is `tollgate-core-0.1.0.tgz`. */
  readonly tarballName: string;
  /** Peers a user must install. */
  readonly requiredPeers: readonly string[];
  /** Peers marked `optional` in `peerDependenciesMeta`: a user may leave them out. */
  readonly optionalPeers: readonly string[];
  /** The version of a dependency as installed for this package's own tests (its devDependency). */
  installedVersion(dependency: string): string;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/**
 * The version of `dependency` that Node would load from `dir`: the nearest node_modules copy. Read
 * from the folder rather than through `require.resolve`, which refuses packages whose `exports`
 * hide their package.json.
 */
function installedVersion(dir: string, dependency: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    const manifest = path.join(at, 'node_modules', dependency, 'package.json');
    if (fs.existsSync(manifest)) return readManifest(path.dirname(manifest)).version;
    if (path.dirname(at) === at) throw new Error(`${dependency} is not installed for ${dir}`);
  }
}

/** The version of `dependency` installed at the repository's root (a root devDependency). */
export function rootInstalledVersion(dependency: string): string {
  return installedVersion(REPO_ROOT, dependency);
}

/** Every published package under packages/, sorted by name. */
export function publicPackages(): PublicPackage[] {
  const root = path.join(REPO_ROOT, 'packages');
  const out: PublicPackage[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const dir = path.join(root, entry.name);
    if (!entry.isDirectory() || !fs.existsSync(path.join(dir, 'package.json'))) continue;
    const manifest = readManifest(dir);
    if (manifest.private === true) continue;
    const peers = Object.keys(manifest.peerDependencies ?? {});
    const optional = (name: string) => manifest.peerDependenciesMeta?.[name]?.optional === true;
    out.push({
      name: manifest.name,
      version: manifest.version,
      dir,
      tarballName: `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`,
      requiredPeers: peers.filter((p) => !optional(p)),
      optionalPeers: peers.filter(optional),
      installedVersion: (dependency) => installedVersion(dir, dependency),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The `@types/*` package that types `dependency` for `pkg`, when `pkg` tests with one (`@types/express`). */
export function typesPackageFor(pkg: PublicPackage, dependency: string): string | undefined {
  const candidate = `@types/${dependency.replace(/^@/, '').replace('/', '__')}`;
  const devDependencies = readManifest(pkg.dir).devDependencies ?? {};
  return candidate in devDependencies ? candidate : undefined;
}

/** The pnpm version the repository pins (`packageManager`). */
export function pnpmVersion(): string {
  const pinned = readManifest(REPO_ROOT).packageManager ?? '';
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(pinned);
  if (match === null) throw new Error(`package.json packageManager: expected pnpm@x.y.z, got "${pinned}"`);
  return match[1] as string;
}
