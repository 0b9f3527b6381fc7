// The packages as a user gets them from the registry: packed once, each tarball linted (publint,
// are-the-types-wrong), then all of them installed with npm into a project outside the repository
// and type-checked there: strict with skipLibCheck off, node16 and bundler resolution, ESM and
// CommonJS files, TypeScript 5 and 7, with and without the optional peers.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Consumer, type PeerSet, prepareConsumers, type Resolution } from '../src/consumer.js';
import {
  attwProblems,
  brokenReadmeLinks,
  publintProblems,
  tarballFiles,
  tarballText,
} from '../src/lint-tarball.js';
import { type Packed, packAll } from '../src/pack.js';
import { typescript5, typescript7 } from '../src/type-check.js';
import { publicPackages, REPO_ROOT } from '../src/workspace.js';

const packages = publicPackages();
const optionalPeers = [...new Set(packages.flatMap((p) => p.optionalPeers))].sort();
const peerSets: PeerSet[] = ['with-optional-peers', 'without-optional-peers'];
const resolutions: Resolution[] = ['node16', 'bundler'];

let packed: Packed | undefined;

beforeAll(async () => {
  packed = await packAll();
}, 180_000);

afterAll(() => packed?.remove());

function packageDir(name: string): string {
  return (packages.find((p) => p.name === name) as { dir: string }).dir;
}

function tarballOf(name: string): string {
  const found = packed?.packages.find((p) => p.pkg.name === name);
  if (found === undefined) throw new Error(`${name} was not packed`);
  return found.tarball;
}

describe.each(packages.map((p) => p.name))('%s, packed', (name) => {
  it('passes publint --strict', async () => {
    expect(await publintProblems(tarballOf(name))).toEqual([]);
  });

  it('passes are-the-types-wrong in every resolution mode', async () => {
    expect(await attwProblems(tarballOf(name))).toEqual([]);
  }, 60_000);

  it('ships the MIT LICENSE and the metadata the registry page shows', () => {
    const tarball = tarballOf(name);
    expect(tarballFiles(tarball)).toContain('LICENSE');
    expect(tarballText(tarball, 'LICENSE')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} Tollgate contributors\n/,
    );
    const manifest = JSON.parse(tarballText(tarball, 'package.json'));
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toEqual({
      type: 'git',
      url: expect.stringMatching(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/),
      directory: path.relative(REPO_ROOT, packageDir(name)).split(path.sep).join('/'),
    });
    const repo = (manifest.repository.url as string).replace(/^git\+/, '').replace(/\.git$/, '');
    expect(manifest.homepage).toBe(`${repo}/tree/main/${manifest.repository.directory}#readme`);
    expect(manifest.bugs).toEqual({ url: `${repo}/issues` });
    expect(manifest.keywords).toEqual(expect.arrayContaining(['tollgate']));
  });

  it('has a README whose links work on the registry page', () => {
    const tarball = tarballOf(name);
    expect(brokenReadmeLinks(tarballText(tarball, 'README.md'), tarballFiles(tarball))).toEqual([]);
  });
});

it('every package names the same repository', () => {
  const urls = new Set(
    packed?.packages.map((p) => JSON.parse(tarballText(p.tarball, 'package.json')).repository?.url),
  );
  expect([...urls]).toEqual([expect.any(String)]);
});

describe(`a consumer project (optional peers: ${optionalPeers.join(', ')})`, () => {
  let consumers: Consumer[] = [];
  let release: (() => void) | undefined;

  beforeAll(async () => {
    ({ consumers, release } = await prepareConsumers(packed?.packages ?? []));
  }, 300_000);

  afterAll(() => release?.());

  const consumer = (peers: PeerSet) => consumers.find((c) => c.peers === peers) as Consumer;

  it('has the optional peers installed in one project and absent from the other', () => {
    const present = (peers: PeerSet) => {
      const modules = path.join(consumer(peers).dir, 'node_modules');
      // Where a peer is found from one of our packages: in its own node_modules, or at the top.
      const places = [modules, ...packages.map((p) => path.join(modules, p.name, 'node_modules'))];
      return optionalPeers.filter((peer) => places.some((at) => fs.existsSync(path.join(at, peer))));
    };
    expect(optionalPeers.length).toBeGreaterThan(0);
    expect(present('with-optional-peers')).toEqual(optionalPeers);
    expect(present('without-optional-peers')).toEqual([]);
  });

  for (const peers of peerSets) {
    for (const compiler of [typescript5, typescript7]) {
      for (const resolution of resolutions) {
        it(`type-checks ${peers}, ${resolution} resolution, with ${compiler.name}`, async () => {
          expect(await compiler.check(consumer(peers).tsconfig(resolution))).toEqual([]);
        }, 120_000);
      }
    }
  }
});
