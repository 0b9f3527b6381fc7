// `pnpm start`'s build step: builds the workspace packages the example loads, skipping every
// package whose built files are newer than its sources, so a start with nothing changed is quick.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The packages reachable from `roots` through `depsOf`, each after every package it depends on
 * (dependencies are built first: a package's type build reads its dependencies' types).
 * Throws on a cycle, naming it.
 */
export function buildOrder(roots, depsOf) {
  const order = [];
  const done = new Set();
  const path = [];
  const visit = (name) => {
    if (done.has(name)) return;
    if (path.includes(name)) {
      throw new Error(
        `cyclic workspace dependencies: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`,
      );
    }
    path.push(name);
    for (const dep of depsOf(name)) visit(dep);
    path.pop();
    done.add(name);
    order.push(name);
  };
  for (const root of roots) visit(root);
  return order;
}

/**
 * Whether a package needs building: when one of its built files is missing, or when the oldest
 * of them is not newer than the newest source (equal times count as stale: coarse clocks).
 * `outputTimes` holds one modification time per built file, `undefined` for a missing one.
 */
export function isStale(inputTimes, outputTimes) {
  if (outputTimes.length === 0 || outputTimes.some((t) => t === undefined)) return true;
  const newestInput = inputTimes.reduce((a, b) => Math.max(a, b), -Infinity);
  return outputTimes.reduce((a, b) => Math.min(a, b), Infinity) <= newestInput;
}

/** The workspace dependencies (the `workspace:` ones, devDependencies left out) of a manifest. */
function workspaceDeps(manifest) {
  const all = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
  return Object.keys(all).filter((name) => String(all[name]).startsWith('workspace:'));
}

/** The files a package promises under dist/: its main, module, types, exports and bin targets. */
function builtFiles(manifest) {
  const out = new Set();
  const collect = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./dist/') || value.startsWith('dist/')) out.add(value);
    } else if (value !== null && typeof value === 'object') {
      for (const v of Object.values(value)) collect(v);
    }
  };
  collect([manifest.main, manifest.module, manifest.types, manifest.exports, manifest.bin]);
  return [...out];
}

/** Modification times of the files a build reads: the package minus dist, tests, docs and installs. */
function sourceTimes(dir, rootDir) {
  const times = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) {
        if (d === dir && ['dist', 'node_modules', 'test'].includes(entry.name)) continue;
        walk(p);
      } else if (!entry.name.endsWith('.md')) {
        times.push(statSync(p).mtimeMs);
      }
    }
  };
  walk(dir);
  // The shared build settings and the installed tool versions feed every package's build.
  for (const shared of ['tsup.base.ts', 'tsconfig.base.json', 'pnpm-lock.yaml']) {
    const p = join(rootDir, shared);
    if (existsSync(p)) times.push(statSync(p).mtimeMs);
  }
  return times;
}

function mtimeOrUndefined(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Builds what `fromDir`'s package loads from the workspace and is out of date; returns an exit code. */
export function buildStale(fromDir, rootDir, log = (line) => console.log(line)) {
  const packages = new Map();
  const read = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const start = read(fromDir);
  // Follow the installed links, so the package built is the one Node will load.
  const depsOf = (name) => {
    const { dir, manifest } = packages.get(name);
    return workspaceDeps(manifest).map((dep) => {
      const link = join(dir, 'node_modules', dep);
      if (!existsSync(link))
        throw new Error(`${dep} is not installed in ${relative(rootDir, dir)}; run pnpm install`);
      const depDir = realpathSync(link);
      if (!packages.has(dep)) packages.set(dep, { dir: depDir, manifest: read(depDir) });
      return dep;
    });
  };
  packages.set(start.name, { dir: fromDir, manifest: start });
  const order = buildOrder([start.name], depsOf).filter((name) => name !== start.name);

  const fresh = [];
  for (const name of order) {
    const { dir, manifest } = packages.get(name);
    const command = manifest.scripts?.build;
    if (command === undefined) continue;
    const outputs = builtFiles(manifest).map((f) => mtimeOrUndefined(join(dir, f)));
    if (!isStale(sourceTimes(dir, rootDir), outputs)) {
      fresh.push(name);
      continue;
    }
    log(`building ${name} (${command})`);
    const bins = [join(dir, 'node_modules', '.bin'), join(rootDir, 'node_modules', '.bin')];
    const result = spawnSync(command, {
      cwd: dir,
      shell: true,
      stdio: 'inherit',
      env: { ...process.env, PATH: [...bins, process.env.PATH ?? ''].join(delimiter) },
    });
    if (result.status !== 0) {
      log(`build of ${name} failed`);
      return result.status ?? 1;
    }
  }
  if (fresh.length > 0) log(`up to date, not rebuilt: ${fresh.join(', ')} (pnpm build rebuilds everything)`);
  return 0;
}

// Run as a script (not imported by its test); realpath, as Node resolves the main module's links.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  try {
    process.exitCode = buildStale(here, resolve(here, '../..'));
  } catch (e) {
    console.error(`tollgate example: ${e.message}`);
    process.exitCode = 1;
  }
}
