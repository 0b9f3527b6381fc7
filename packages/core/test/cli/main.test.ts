// The built `tollgate` command, run as a user runs it: every command, its help, and misuse.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { keySha256 } from '../../src/key-hash.js';
import { errorOf } from '../fixtures.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/tollgate.mjs', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

function tollgate(
  args: string[],
  options: { input?: string; env?: Record<string, string>; bin?: string } = {},
) {
  const r = spawnSync(process.execPath, [options.bin ?? CLI, ...args], {
    input: options.input ?? '',
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('tollgate', () => {
  it('--version prints the version of @tollgate/core, also through the package bin', () => {
    expect(tollgate(['--version'])).toEqual({ code: 0, out: `${MANIFEST.version}\n`, err: '' });
    expect(MANIFEST.bin.tollgate).toBe('./bin/tollgate.mjs');
    expect(tollgate(['--version'], { bin: BIN })).toEqual({ code: 0, out: `${MANIFEST.version}\n`, err: '' });
  });

  it('--help lists the commands and the npx form; no command prints the usage and exits 2', () => {
    const help = tollgate(['--help']);
    expect(help.code).toBe(0);
    for (const c of [
      'hash-key',
      'generate-key',
      'check-policy',
      '--version',
      'npx -p @tollgate/core tollgate',
    ]) {
      expect(help.out).toContain(c);
    }
    const none = tollgate([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('usage: tollgate COMMAND');
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['--frob'], 'unknown option "--frob"'],
    [['generate-key', '--frob'], 'unknown option "--frob"'],
    [['generate-key', 'extra'], 'this command takes no arguments'],
    [['generate-key', '--prefix'], 'option "--prefix" needs a value'],
    [['check-policy', '--strict', 'p.json'], 'unknown option "--strict"'],
    [['check-policy'], 'name a policy file'],
    [['hash-key', '--frob'], 'unknown option'],
    [['hash-key', '--env'], 'needs a value'],
  ])('%j → usage and exit 2', (args, message) => {
    const r = tollgate(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('usage: tollgate');
    expect(r.out).toBe('');
  });

  it('never repeats a mistyped argument that may be a key', () => {
    const key = 'sk_live_Secret0123456789';
    for (const args of [
      [key],
      ['hash-key', key],
      ['hash-key', `--${key}`],
      ['hash-key', '--env', 'X', key],
    ]) {
      const r = tollgate(args);
      expect(r.code).toBe(2);
      expect(r.err + r.out).not.toContain('Secret0123456789');
    }
  });
});

describe('tollgate generate-key', () => {
  it('prints a labelled key and its keySha256; --prefix is kept; --json gives both as JSON', () => {
    const plain = tollgate(['generate-key']);
    expect(plain.code).toBe(0);
    const m = /^key: ([0-9A-Za-z]{32})\nkeySha256: ([0-9a-f]{64})\n$/.exec(plain.out);
    expect(m, plain.out).not.toBeNull();
    expect(m?.[2]).toBe(keySha256(m?.[1] as string));

    const prefixed = tollgate(['generate-key', '--prefix', 'tg_live_']);
    const p = /^key: (tg_live_[0-9A-Za-z]{32})\nkeySha256: ([0-9a-f]{64})\n$/.exec(prefixed.out);
    expect(p, prefixed.out).not.toBeNull();
    expect(p?.[2]).toBe(keySha256(p?.[1] as string));

    const json = tollgate(['generate-key', '--json', '--prefix=tg_test_']);
    const parsed = JSON.parse(json.out) as { key: string; keySha256: string };
    expect(Object.keys(parsed)).toEqual(['key', 'keySha256']);
    expect(parsed.key).toMatch(/^tg_test_[0-9A-Za-z]{32}$/);
    expect(parsed.keySha256).toBe(keySha256(parsed.key));
    expect(new Set([m?.[1], p?.[1], parsed.key]).size).toBe(3);
  });

  it('refuses a prefix with characters a header or a shell would mangle', () => {
    const r = tollgate(['generate-key', '--prefix', 'tg live;']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--prefix may hold up to 64 letters');
  });
});

describe('tollgate check-policy', () => {
  it('says OK with the number of keys and exits 0 for a valid file', () => {
    const ok = file('ok.json', JSON.stringify({ keys: [{ id: 'web', key: 'pk_live_0123456789' }] }));
    expect(tollgate(['check-policy', ok])).toEqual({ code: 0, out: `${ok}: OK (1 key)\n`, err: '' });
  });

  it('lists every problem with its path, as the engine words them, and exits 1', () => {
    const policy = {
      keys: [
        { id: 'web', key: 'pk_live_0123456789', dailyLimit: -5, timeZone: 'Europe/Londn' },
        { id: 'api', key: 'sk_live_0123456789', allowedUrls: ['foo*.com'], dailyCap: 3 },
      ],
    };
    const bad = file('bad.json', JSON.stringify(policy));
    const r = tollgate(['check-policy', bad]);
    expect(r.code).toBe(1);
    const engine = errorOf(() => createEngine({ policy: policy as never }));
    expect(engine.issues).toHaveLength(4);
    expect(r.err).toBe(engine.issues.map((i) => `${bad}: ${i}\n`).join(''));
    expect(r.err).toContain(`${bad}: keys[0] (web).dailyLimit: must not be negative\n`);
    expect(r.err).toContain(`${bad}: keys[0] (web).timeZone: unknown time zone "Europe/Londn"\n`);
    expect(r.err).not.toContain('0123456789');
  });

  it('says where invalid JSON goes wrong without quoting the file, and checks every file given', () => {
    const broken = file(
      'broken.json',
      '{\n  "keys": [\n    { "id": "web", "key": pk_live_Secret0123 }\n  ]\n}\n',
    );
    const ok = file('ok.json', JSON.stringify({ keys: [] }));
    const r = tollgate(['check-policy', broken, ok, '/nonexistent/policy.json']);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`${ok}: OK (0 keys)\n`);
    expect(r.err).toContain(`${broken}: 3:27: invalid JSON: expected a value\n`);
    expect(r.err).toContain('/nonexistent/policy.json: cannot read the file (ENOENT)\n');
    expect(r.err).not.toContain('Secret');
  });
});

describe('tollgate check-policy, reading', () => {
  it('reads standard input for -, and stops at 64 MiB instead of reading a device forever', () => {
    const piped = tollgate(['check-policy', '-'], { input: JSON.stringify({ keys: [] }) });
    expect(piped).toEqual({ code: 0, out: '-: OK (0 keys)\n', err: '' });
    const big = tollgate(['check-policy', '-'], { input: ' '.repeat(65 * 1024 * 1024) });
    expect(big).toMatchObject({ code: 1, err: '-: cannot read the file (over 64 MiB: not a policy file)\n' });
    const endless = tollgate(['check-policy', '/dev/zero']);
    expect(endless.code).toBe(1);
    expect(endless.err).toBe('/dev/zero: cannot read the file (over 64 MiB: not a policy file)\n');
  });
});

describe('tollgate hash-key', () => {
  it('--help says the key comes from the first line of standard input or from --env NAME, and exits 0', () => {
    const r = tollgate(['hash-key', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('usage: tollgate hash-key [--env NAME]');
    expect(r.out).toMatch(/standard input\s+its first line/);
    expect(r.out).toMatch(/--env NAME\s+the whole value of the environment variable NAME/);
    expect(r.out).toContain('never taken as an argument');
  });

  it('hashes the first line of standard input, trimmed, or the exact value of --env NAME', () => {
    const key = 'sk_live_hashed_5555555555';
    expect(tollgate(['hash-key'], { input: `  ${key}\t\nsecond line\n` }).out).toBe(`${keySha256(key)}\n`);
    expect(tollgate(['hash-key'], { input: key }).out).toBe(`${keySha256(key)}\n`);
    expect(tollgate(['hash-key', '--env', 'THE_KEY'], { env: { THE_KEY: ` ${key}` } }).out).toBe(
      `${keySha256(` ${key}`)}\n`,
    );
    expect(tollgate(['hash-key'], { input: '\n' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('no key'),
    });
  });

  it('stops at a first line far longer than any key instead of reading on', () => {
    const r = tollgate(['hash-key'], { input: 'x'.repeat(1_000_000) });
    expect(r.code).toBe(1);
    expect(r.err).toContain('not a key');
    expect(r.out).toBe('');
  });
});
