// Every code block of docs/ and of the READMEs, checked: JS/TS type-checked (and run where marked), JSON and shell too.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RedisServer, startRedisServer } from '@tollgate/testkit/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBlocks } from './markdown-blocks.js';
import { readRepo } from './shell-check.js';
import { createSnippetChecker, where } from './snippet-checker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Each run writes to a directory of its own, removed afterwards unless TOLLGATE_KEEP_SNIPPETS=1
// (to look at what was checked and run).
const WORK = path.join(ROOT, 'docs', '.snippets', `${process.pid}-${randomBytes(4).toString('hex')}`);

/** The Markdown the runner reads: the root README, each package's README and docs/ (not docs/test). */
function markdownFiles(): string[] {
  const files = ['README.md'];
  for (const p of fs.readdirSync(path.join(ROOT, 'packages')).sort()) {
    if (fs.existsSync(path.join(ROOT, 'packages', p, 'README.md'))) files.push(`packages/${p}/README.md`);
  }
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.name === 'node_modules' || e.name.startsWith('.') || rel === 'docs/test') continue;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.md')) files.push(rel);
    }
  };
  walk('docs');
  return files;
}

const files = markdownFiles();
const blocksByFile = new Map(
  files.map((f) => [f, extractBlocks(f, fs.readFileSync(path.join(ROOT, f), 'utf8'))]),
);

let redis: RedisServer | undefined;
let environment: Promise<NodeJS.ProcessEnv> | undefined;

const checker = createSnippetChecker({
  repo: readRepo(ROOT),
  work: WORK,
  blocksByFile,
  // A run's policy.json: the example API's policy, whose keys the docs' curl lines use.
  runPolicy: path.join(ROOT, 'examples/basic/policy.example.json'),
  // What a run sees: no NODE_ENV (a reader trying a block on their machine), the secrets and
  // settings the blocks read from the environment, and a Redis of this run's own.
  runEnvironment: () => {
    environment ??= startRedisServer().then((server) => {
      redis = server;
      return {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL: server.url,
        EXAMPLE_API_KEY: 'sk_test_backend_8d2b6e04a1',
        TOLLGATE_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
        TOLLGATE_TOKEN_SECRET: randomBytes(24).toString('hex'),
        SMTP_USER: 'docs-test',
        SMTP_PASS: 'docs-test',
      };
    });
    return environment;
  },
});

beforeAll(() => {
  // The contexts must compile, or every block using them would be checked against nothing.
  expectNone(checker.prepare());
}, 120_000);

afterAll(async () => {
  await redis?.stop();
  if (process.env.TOLLGATE_KEEP_SNIPPETS !== '1') fs.rmSync(WORK, { recursive: true, force: true });
});

// Thrown as one message, so a failure shows every problem in full (an assertion would cut it short).
function expectNone(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(problems.join('\n\n'));
}

describe.each(files)('%s', (file) => {
  const blocks = checker.checked.filter((b) => b.file === file);
  if (blocks.length === 0) {
    // Vitest refuses an empty suite; every block of the file is in the list of blocks not checked.
    it('has no code block to check', () => {
      const listed = checker.notChecked.filter((n) => n.block.file === file).length;
      expect(listed).toBe(blocksByFile.get(file)?.length);
    });
    return;
  }
  it.concurrent.each(blocks.map((b) => [`${b.lang || 'untagged'} block at line ${b.line}`, b] as const))(
    '%s',
    async (_name, block) => expectNone(await checker.check(block)),
    60_000,
  );
});

describe('the docs snippet runner', () => {
  it('reads every Markdown file of docs/ and each README', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/getting-started.md');
    expect(files).toContain('docs/frameworks/express.md');
    expect(files.filter((f) => /^packages\/[^/]+\/README\.md$/.test(f)).length).toBeGreaterThanOrEqual(8);
  });

  it('lists the blocks it does not check, each with its reason', () => {
    const lines = checker.notChecked.map((n) => `${where(n.block)} (${n.block.lang}): ${n.reason}`);
    const count = (f: (lang: string) => boolean) => checker.checked.filter((b) => f(b.lang)).length;
    const run = checker.checked.filter((b) => b.marker.run).length;
    const code = count((l) => /^(js|javascript|mjs|ts|typescript|mts)$/.test(l));
    console.log(
      `docs snippets: ${checker.checked.length} checked (${run} run, ${code - run} type-checked only, ` +
        `${count((l) => l === 'json')} JSON, ${count((l) => /^(sh|bash|shell)$/.test(l))} shell), ` +
        `${lines.length} not checked:\n  ${lines.join('\n  ')}`,
    );
    for (const n of checker.notChecked) expect(n.reason.trim()).not.toBe('');
  });
});
