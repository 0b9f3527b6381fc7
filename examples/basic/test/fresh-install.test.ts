// The README's first command on a fresh checkout: `pnpm install` prints no warning at all.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** pnpm as the repository pins it: the one running this test if any, else fetched by npx. */
function pnpm(args: string[], cwd: string) {
  const execPath = process.env.npm_execpath;
  const [command, prefix] =
    execPath !== undefined && /pnpm/.test(execPath)
      ? [process.execPath, [execPath]]
      : ['npx', ['-y', JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager]];
  return spawnSync(command, [...prefix, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
}

/** The workspace's package folders, from pnpm-workspace.yaml (`dir/*` and `dir` entries). */
function workspaceDirs(): string[] {
  const yaml = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const block = yaml.split(/^packages:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  return [...block.matchAll(/^\s+-\s+['"]?([^'"\s]+)['"]?\s*$/gm)].flatMap(([, pattern]) => {
    const p = pattern as string;
    if (!p.endsWith('/*')) return [p];
    const parent = p.slice(0, -2);
    return readdirSync(join(ROOT, parent), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(ROOT, parent, e.name, 'package.json')))
      .map((e) => `${parent}/${e.name}`);
  });
}

function copy(rel: string, to: string) {
  mkdirSync(dirname(join(to, rel)), { recursive: true });
  copyFileSync(join(ROOT, rel), join(to, rel));
}

it('installs a checkout that was never built with no warning (no bin or cyclic-dependency warnings)', () => {
  // A checkout as git gives it: manifests, lockfile and the committed bin files, no dist, no node_modules.
  const fresh = mkdtempSync(join(tmpdir(), 'tollgate-install-'));
  for (const f of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml']) copy(f, fresh);
  for (const dir of workspaceDirs()) {
    copy(`${dir}/package.json`, fresh);
    const { bin } = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    for (const target of typeof bin === 'string' ? [bin] : Object.values(bin ?? {})) {
      if (existsSync(join(ROOT, dir, target as string))) copy(join(dir, target as string), fresh);
    }
  }
  // The store this repository was installed from, so the copy installs offline.
  const store = pnpm(['store', 'path'], ROOT).stdout.trim();
  const install = pnpm(['install', '--frozen-lockfile', '--offline', '--store-dir', store], fresh);
  const output = `${install.stdout}\n${install.stderr}`;
  expect(install.status, output).toBe(0);
  expect(output).not.toMatch(/WARN/);

  // The linked command exists before the build and says what to do.
  const bin = join(fresh, 'examples', 'basic', 'node_modules', '.bin', 'tollgate');
  expect(existsSync(bin)).toBe(true);
  const run = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('@tollgate/core is not built');
  expect(run.stderr).toContain('pnpm build');
}, 120_000);
