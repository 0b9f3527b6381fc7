// The example server as the README starts it: a real process, real port, real policy files.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from '@tollgate/testkit/http';
import { afterEach, describe, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => {
    stdout += c;
  });
  child.stderr?.on('data', (c) => {
    stderr += c;
  });
  // 'close', not 'exit': it fires only once stdout and stderr are drained.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function waitFor(cond: () => RegExpMatchArray | null, ms = 10_000): Promise<RegExpMatchArray> {
  const end = Date.now() + ms;
  for (;;) {
    const m = cond();
    if (m) return m;
    if (Date.now() > end) throw new Error('timed out waiting for the server');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('example server', () => {
  it('starts on PORT with the bundled policy, prints curl hints, and enforces it', async () => {
    const p = run({ PORT: '0' });
    const [, base] = await waitFor(() => p.out().match(/listening on (http:\/\/127\.0\.0\.1:\d+)/));
    // stdout arrives in chunks: wait for the last hint line before reading them all.
    await waitFor(() => p.out().match(/429 on the 4th/));
    expect(p.out()).toContain('curl -i');
    const ok = await request(base as string, '/v1/lookup?q=hi', {
      headers: [['X-Api-Key', 'sk_test_backend_8d2b6e04a1']],
    });
    expect(ok.status).toBe(200);
    const none = await request(base as string, '/v1/lookup');
    expect(none.status).toBe(401);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push(
        (
          await request(base as string, '/v1/lookup', {
            headers: [['X-Api-Key', 'pk_test_trial_5c0e9b2f77']],
          })
        ).status,
      );
    }
    expect(codes).toEqual([200, 200, 200, 429]);
    // The child writes each event before answering, but its stdout reaches us in its own time.
    await waitFor(() => p.out().match(/"type":"refused"/));
    // Events are logged, keys never are (the startup hints quote the demo keys on purpose).
    const eventLines = p
      .out()
      .split('\n')
      .filter((l) => l.startsWith('{"event"'));
    expect(eventLines.join('\n')).toContain('"type":"auth_failure"');
    expect(eventLines.join('\n')).toContain('"type":"refused"');
    for (const key of ['pk_test_trial_5c0e9b2f77', 'sk_test_backend_8d2b6e04a1']) {
      expect(eventLines.join('\n')).not.toContain(key);
    }
  });

  it('says whether HTTPS is required, and reloads POLICY_FILE on SIGHUP, keeping the old policy when the new one is bad', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-'));
    const file = join(dir, 'policy.json');
    const policy = (key: string) => JSON.stringify({ keys: [{ id: 'svc', key, dailyLimit: 100 }] });
    writeFileSync(file, policy('sk_test_first_0123456789'));
    const p = run({ PORT: '0', POLICY_FILE: file, NODE_ENV: 'development' });
    const [, base] = await waitFor(() => p.out().match(/listening on (http:\/\/127\.0\.0\.1:\d+)/));
    await waitFor(() => p.out().match(/kill -HUP/));
    expect(p.out()).toContain('HTTPS required: no');
    const status = async (key: string) =>
      (await request(base as string, '/v1/lookup', { headers: [['X-Api-Key', key]] })).status;
    expect(await status('sk_test_first_0123456789')).toBe(200);

    writeFileSync(file, policy('sk_test_second_0123456789'));
    p.child.kill('SIGHUP');
    await waitFor(() => p.out().match(/policy reloaded/));
    expect(await status('sk_test_first_0123456789')).toBe(401);
    expect(await status('sk_test_second_0123456789')).toBe(200);

    writeFileSync(file, JSON.stringify({ keys: [{ id: 'svc' }] }));
    p.child.kill('SIGHUP');
    await waitFor(() => p.err().match(/policy not reloaded: ERR_TOLLGATE_INVALID_POLICY/));
    expect(await status('sk_test_second_0123456789')).toBe(200);
    expect(p.out()).toContain('"type":"config_reload","ok":true');
  });

  it('exits non-zero naming the key and field for a bad POLICY_FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-'));
    const file = join(dir, 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ id: 'web', key: 'pk_live_0123456789', timeZone: 'Europe/Londn' }] }),
    );
    const p = run({ PORT: '0', POLICY_FILE: file });
    expect(await p.exited).not.toBe(0);
    expect(p.err()).toContain('ERR_TOLLGATE_INVALID_POLICY');
    expect(p.err()).toContain('keys[0] (web).timeZone');
  });

  it('exits non-zero for a missing or non-JSON policy file', async () => {
    const missing = run({ PORT: '0', POLICY_FILE: '/nonexistent/policy.json' });
    expect(await missing.exited).not.toBe(0);
    expect(missing.err()).toContain('cannot read policy file');
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-'));
    writeFileSync(join(dir, 'p.json'), '{ not json');
    const bad = run({ PORT: '0', POLICY_FILE: join(dir, 'p.json') });
    expect(await bad.exited).not.toBe(0);
    expect(bad.err()).toContain('not valid JSON');
    // Node's JSON message quotes the text near the error: here, part of a key.
    writeFileSync(join(dir, 'k.json'), '{"keys": [{"id": "web", "key": pk_live_Secret0123}]}');
    const quoted = run({ PORT: '0', POLICY_FILE: join(dir, 'k.json') });
    expect(await quoted.exited).toBe(1);
    expect(quoted.err()).toContain('not valid JSON');
    expect(quoted.err()).toContain('tollgate check-policy');
    expect(quoted.err()).not.toContain('Secret');
  });

  it('says the port is in use, naming it and PORT, and exits 1 when PORT is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as { port: number };
      const p = run({ PORT: String(port) });
      expect(await p.exited).toBe(1);
      expect(p.err()).toContain(`port ${port} is in use`);
      expect(p.err()).toContain('PORT');
      expect(p.err()).not.toContain('TypeError');
      expect(p.out()).not.toContain('listening on');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses a PORT that is not a port number, exiting 1', async () => {
    const values = ['abc', '-1', '65536', '3000.5', '0x50', ' 80'];
    const runs = values.map((value) => run({ PORT: value }));
    for (const [i, p] of runs.entries()) {
      expect(await p.exited, values[i]).toBe(1);
      expect(p.err()).toContain(
        `PORT must be a port number from 0 to 65535, got ${JSON.stringify(values[i])}`,
      );
      expect(p.err()).not.toContain('TypeError');
    }
  });
});
