// The snippet checker finds each kind of rot on a fixture page: so a docs block that breaks fails `pnpm test`.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeBlock, extractBlocks } from './markdown-blocks.js';
import { readRepo } from './shell-check.js';
import { createSnippetChecker } from './snippet-checker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = path.join(ROOT, 'docs', '.snippets', `self-${process.pid}-${randomBytes(4).toString('hex')}`);
const fence = '```';

const SERVER = `import express from 'express';
import { tollgate } from '@tollgate/express';
import { readFileSync } from 'node:fs';

const app = express();
app.use(tollgate({ policy: JSON.parse(readFileSync('policy.json', 'utf8')) }));
app.get('/lookup', (req, res) => res.json({ ok: true }));
app.listen(3000);
`;

// Each section is one block, named by the heading above it; `problem` is what the checker must say.
const CASES: { name: string; block: string; problem: RegExp | null }[] = [
  {
    name: 'an undefined name',
    block: `${fence}js\nlogger.info('x');\n${fence}`,
    problem: /TS2304: Cannot find name 'logger'/,
  },
  {
    name: 'a misspelt option',
    block: `${fence}js\nimport { createEngine } from '@tollgate/core';\ncreateEngine({ policy: { keys: [] }, onEvnt: () => {} });\n${fence}`,
    problem: /fixture\.md:\d+: TS2561: .*'onEvnt'/,
  },
  {
    name: 'a fragment with its context',
    block: `<!-- snippet: context="express" -->\n${fence}js\napp.use('/v1', tollgate({ policy }));\n${fence}`,
    problem: null,
  },
  {
    name: 'a fragment using a name its context lacks',
    block: `<!-- snippet: context="express" -->\n${fence}js\napp.use(tollgate({ policy: partnerPolicy }));\n${fence}`,
    problem: /Cannot find name 'partnerPolicy'/,
  },
  {
    name: 'an unknown context',
    block: `<!-- snippet: context="nope" -->\n${fence}js\nx;\n${fence}`,
    problem: /no context/,
  },
  {
    name: 'a server that never listens',
    block: `<!-- snippet: run probe="GET /lookup 401" -->\n${fence}js\n${SERVER.replace('app.listen(3000);\n', '')}${fence}`,
    problem: /exited \(code 0\) before server/,
  },
  {
    name: 'a server answering other than the docs say',
    block: `<!-- snippet: run probe="GET /lookup 200" -->\n${fence}js\n${SERVER}${fence}`,
    problem: /expected 200, got 401/,
  },
  {
    name: 'a server probed by the curl lines after it',
    block: `<!-- snippet: run -->\n${fence}js\n${SERVER}${fence}\n\n${fence}sh\ncurl -i http://127.0.0.1:3000/lookup # 401 missing_key\ncurl -H 'X-Api-Key: sk_test_backend_8d2b6e04a1' http://127.0.0.1:3000/lookup # 200\n${fence}`,
    problem: null,
  },
  {
    name: 'a wrong curl comment',
    block: `<!-- snippet: run -->\n${fence}js\n${SERVER}${fence}\n\n${fence}sh\ncurl -i http://127.0.0.1:3000/lookup # 401 unknown_key\n${fence}`,
    problem: /expected code unknown_key/,
  },
  {
    name: 'a script whose expectation fails',
    block: `<!-- snippet: run env="NODE_ENV=production" expect="decision.allowed" -->\n${fence}js\nimport { createEngine } from '@tollgate/core';\nconst engine = createEngine({ policy: { keys: [{ id: 'a', key: 'pk_fixture_0123456789' }] } });\nconst decision = await engine.check({ apiKey: 'pk_fixture_0123456789' });\n${fence}`,
    problem: /docs expectation failed: decision\.allowed/,
  },
  {
    name: 'a policy the engine refuses',
    block: `${fence}json\n{ "keys": [{ "id": "a", "key": "pk_fixture_0123456789", "timeZone": "Europe/Londn" }] }\n${fence}`,
    problem: /ERR_TOLLGATE_INVALID_POLICY.*Europe\/Londn/,
  },
  {
    name: 'a problem body the engine does not send',
    block: `${fence}json\n{ "type": "urn:tollgate:problem:daily_limit", "title": "Too many", "status": 429, "detail": "…" }\n${fence}`,
    problem: /"title" is "Too many"; the engine sends "Daily limit reached"/,
  },
  {
    name: 'an event with a field it does not have',
    block: `${fence}json\n{ "type": "refused", "code": "daily_limit", "status": 429, "keyId": "a", "at": 1, "count": 3 }\n${fence}`,
    problem: /TS2353: .*"count".*RefusalEvent/,
  },
  { name: 'JSON that does not parse', block: `${fence}json\n{ "a": 1, }\n${fence}`, problem: /not JSON/ },
  {
    name: 'commands that do not exist',
    block: `${fence}sh\nnpx tollgate hash-key\nnpm install @tollgate/nope expresss\nnode bench/nope.mjs\nnpx -y pnpm@1.0.0 start\nnpx -y pnpm@10.34.8 nope\nfrobnicate\n${fence}`,
    problem:
      /registry package named "tollgate"[\s\S]*no workspace package is called @tollgate\/nope[\s\S]*depends on expresss[\s\S]*no such file[\s\S]*pins pnpm@[\s\S]*no such root script[\s\S]*unknown command "frobnicate"/,
  },
  {
    name: 'commands that exist',
    block: `${fence}sh\nnpx -p @tollgate/core tollgate hash-key\nnpm install @tollgate/express express\nnode bench/run.mjs --only http\n${fence}`,
    problem: null,
  },
  {
    name: 'a block with no language',
    block: `${fence}\nconst a = 1;\n${fence}`,
    problem: /give the block a language/,
  },
  {
    name: 'a language with no checker',
    block: `${fence}yaml\na: 1\n${fence}`,
    problem: /no checker for yaml/,
  },
];

const page = CASES.map((c) => `## ${c.name}\n\n${c.block}\n`).join('\n');
const blocks = extractBlocks(
  'fixture.md',
  `${page}\n## skipped\n\n<!-- snippet: skip reason="a test" -->\n${fence}yaml\na: 1\n${fence}\n`,
);
const checker = createSnippetChecker({
  repo: readRepo(ROOT),
  work: WORK,
  blocksByFile: new Map([['fixture.md', blocks]]),
  runPolicy: path.join(ROOT, 'examples/basic/policy.example.json'),
  runEnvironment: async () => ({ PATH: process.env.PATH, HOME: process.env.HOME }),
});

// The first block under each case's heading (a curl block after it is its probe, not a case).
function blockOf(name: string): CodeBlock {
  const heading = page.split('\n').indexOf(`## ${name}`) + 1;
  return blocks.find((b) => b.line > heading) as CodeBlock;
}

beforeAll(() => {
  expect(checker.prepare()).toEqual([]);
}, 120_000);

afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

describe('the snippet checker', () => {
  it.concurrent.each(CASES.map((c) => [c.name, c] as const))(
    'on %s',
    async (_name, c) => {
      const problems = (await checker.check(blockOf(c.name))).join('\n');
      if (c.problem === null) expect(problems).toBe('');
      else expect(problems).toMatch(c.problem);
    },
    60_000,
  );

  it('lists a skipped block with its reason and does not check it', () => {
    expect(checker.notChecked.map((n) => n.reason)).toEqual(['a test']);
    expect(checker.checked.some((b) => b.marker.skip === true)).toBe(false);
  });
});
