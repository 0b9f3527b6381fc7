// Packs every published package with `pnpm pack`, as `pnpm publish` would: workspace ranges become
// real versions and only the `files` list goes in. Run once; every packaging check reads these tarballs.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type PublicPackage, pnpmVersion, publicPackages, REPO_ROOT } from './workspace.js';

const run = promisify(execFile);

/** A package and its packed tarball. */
export interface PackedPackage {
  readonly pkg: PublicPackage;
  readonly tarball: string;
}

/** The tarballs of one packing run, in a temporary folder that `remove` deletes. */
export interface Packed {
  readonly packages: readonly PackedPackage[];
  remove(): void;
}

/**
 * The pnpm to run: the one running this test when it is pnpm (`pnpm test`), else the pinned version
 * through npx (a bare `npx vitest`).
 */
function pnpmCommand(): { file: string; args: string[] } {
  const execPath = process.env.npm_execpath ?? '';
  if (/pnpm/.test(path.basename(execPath))) return { file: process.execPath, args: [execPath] };
  return { file: 'npx', args: ['-y', `pnpm@${pnpmVersion()}`] };
}

/** Packs every published package (from their built dist: run the build first). */
export async function packAll(): Promise<Packed> {
  const packages = publicPackages();
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-pack-'));
  const pnpm = pnpmCommand();
  const filters = packages.flatMap((p) => ['--filter', p.name]);
  try {
    // One recursive pack rather than one process per package.
    await run(pnpm.file, [...pnpm.args, '-r', ...filters, 'pack', '--pack-destination', dest], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const packed = packages.map((pkg) => {
      const tarball = path.join(dest, pkg.tarballName);
      if (!fs.existsSync(tarball)) throw new Error(`pnpm pack made no ${pkg.tarballName} for ${pkg.name}`);
      return { pkg, tarball };
    });
    return { packages: packed, remove: () => fs.rmSync(dest, { recursive: true, force: true }) };
  } catch (e) {
    fs.rmSync(dest, { recursive: true, force: true });
    throw e;
  }
}
