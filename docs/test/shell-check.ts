// Checks a docs shell command against the repository: scripts, files, bins and package names it names exist.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ShellCommand } from './shell-commands.js';

interface Manifest {
  readonly name?: string;
  readonly private?: boolean;
  readonly packageManager?: string;
  readonly scripts?: Record<string, string>;
  readonly bin?: string | Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** What the commands are checked against. */
export interface Repo {
  readonly root: string;
  readonly manifest: Manifest;
  /** Workspace packages by name, with their directory. */
  readonly packages: ReadonlyMap<string, { dir: string; manifest: Manifest }>;
  /** Every third-party package a workspace package depends on, so an install line names real ones. */
  readonly knownDependencies: ReadonlySet<string>;
}

export function readRepo(root: string): Repo {
  const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  const dirs = ['packages', 'examples'].flatMap((d) =>
    fs.readdirSync(path.join(root, d)).map((name) => path.join(root, d, name)),
  );
  dirs.push(path.join(root, 'bench'), path.join(root, 'docs'));
  const packages = new Map<string, { dir: string; manifest: Manifest }>();
  const knownDependencies = new Set<string>();
  for (const dir of dirs) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const manifest = read(file);
    if (manifest.name !== undefined) packages.set(manifest.name, { dir, manifest });
    for (const deps of [manifest.dependencies, manifest.devDependencies, manifest.peerDependencies]) {
      for (const name of Object.keys(deps ?? {})) knownDependencies.add(name);
    }
  }
  return { root, manifest: read(path.join(root, 'package.json')), packages, knownDependencies };
}

// Commands of the shell or of every system the docs assume (curl to try a server).
const EXTERNAL: ReadonlySet<string> = new Set(['curl', 'printf', 'echo', 'for', 'export', 'cd', 'kill']);
// pnpm's own commands a doc may run through npx.
const PNPM_BUILTINS: ReadonlySet<string> = new Set(['install', 'i', 'add', 'exec']);

const helpCache = new Map<string, string>();

/** What is wrong with one command (nothing when everything it names exists). */
export function shellCommandProblems(command: ShellCommand, repo: Repo): string[] {
  const [name, ...args] = command.words as [string, ...string[]];
  if (EXTERNAL.has(name)) return [];
  if (name === 'node') return nodeProblems(args, repo);
  if (name === 'npm') return npmProblems(args, repo);
  if (name === 'npx') return npxProblems(args, repo);
  return [
    `unknown command "${name}": teach docs/test/shell-check.ts what it is, or mark the block skip="..."`,
  ];
}

function nodeProblems(args: readonly string[], repo: Repo): string[] {
  const [script, ...rest] = args;
  if (script === undefined) return ['node with no script'];
  const file = path.join(repo.root, script);
  if (!fs.existsSync(file)) return [`node ${script}: no such file in the repository`];
  const text = fs.readFileSync(file, 'utf8');
  return rest
    .filter((a) => a.startsWith('--'))
    .filter((flag) => !text.includes(`'${flag.slice(2)}'`) && !text.includes(`${flag.slice(2)}:`))
    .map((flag) => `node ${script}: ${script} reads no ${flag} option`);
}

function npmProblems(args: readonly string[], repo: Repo): string[] {
  const [verb, ...rest] = args;
  if (verb !== 'install' && verb !== 'i') return [`npm ${verb}: only npm install is understood`];
  const problems: string[] = [];
  for (const spec of rest.filter((a) => !a.startsWith('-'))) {
    const name = spec.replace(/^(@?[^@]+)@.*$/, '$1');
    const own = repo.packages.get(name);
    if (name.startsWith('@tollgate/')) {
      if (own === undefined) problems.push(`npm install ${spec}: no workspace package is called ${name}`);
      else if (own.manifest.private === true)
        problems.push(`npm install ${spec}: ${name} is private, never published`);
    } else if (!repo.knownDependencies.has(name)) {
      problems.push(
        `npm install ${spec}: no package of the repository depends on ${name}; is it spelt right?`,
      );
    }
  }
  return problems;
}

function npxProblems(args: readonly string[], repo: Repo): string[] {
  let i = 0;
  let from: string | undefined;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-y' || a === '--yes') continue;
    if (a === '-p' || a === '--package') from = args[++i];
    else if (a.startsWith('--package=')) from = a.slice('--package='.length);
    else break;
  }
  const [command, ...rest] = args.slice(i);
  if (command === undefined) return ['npx with no command'];
  const pnpm = /^pnpm@(.+)$/.exec(command);
  if (pnpm !== null) {
    const pinned = repo.manifest.packageManager?.replace(/^pnpm@/, '');
    if (pnpm[1] !== pinned) return [`${command}: the repository pins pnpm@${pinned} (packageManager)`];
    const [verb, script] = rest;
    if (verb === undefined) return [];
    const run = verb === 'run' ? script : verb;
    if (run !== undefined && PNPM_BUILTINS.has(run) && verb !== 'run') return [];
    if (run === undefined || repo.manifest.scripts?.[run] === undefined)
      return [`pnpm ${verb}: no such root script`];
    return [];
  }
  if (from === undefined) {
    // `npx name` runs the registry package called `name`: right only for a package of ours.
    if (repo.packages.has(command) && repo.packages.get(command)?.manifest.private !== true) return [];
    const owner = [...repo.packages.values()].find((p) => binsOf(p.manifest)[command] !== undefined);
    return [
      `npx ${command} runs the registry package named "${command}", not ours${owner === undefined ? '' : `: write npx -p ${owner.manifest.name} ${command}`}`,
    ];
  }
  const pkg = repo.packages.get(from.replace(/^(@?[^@]+)@.*$/, '$1'));
  if (pkg === undefined || pkg.manifest.private === true)
    return [`npx -p ${from}: not a published package of ours`];
  const bin = binsOf(pkg.manifest)[command];
  if (bin === undefined) return [`npx -p ${from} ${command}: ${from} has no "${command}" bin`];
  const sub = rest.find((a) => !a.startsWith('-'));
  if (sub === undefined) return [];
  const help = helpOf(path.join(pkg.dir, bin));
  return new RegExp(`\\b${sub.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(help)
    ? []
    : [`${command} ${sub}: "${command} --help" does not list a ${sub} command`];
}

function binsOf(manifest: Manifest): Record<string, string> {
  if (typeof manifest.bin === 'string') return { [manifest.name?.split('/').at(-1) ?? '']: manifest.bin };
  return manifest.bin ?? {};
}

// The built CLI's --help (pnpm test builds first), to see that a documented sub-command exists.
function helpOf(bin: string): string {
  let help = helpCache.get(bin);
  if (help === undefined) {
    try {
      help = execFileSync(process.execPath, [bin, '--help'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      help = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    helpCache.set(bin, help);
  }
  return help;
}
