// Runs one docs block with Node: a server is started on a free port, sent its probes and stopped; a script must exit 0.

import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ShellCommand } from './shell-commands.js';

const LISTEN_HOOK = fileURLToPath(new URL('./listen-hook.mjs', import.meta.url));
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 2_000;

/** One request to a running block, and the answer the docs promise. */
export interface Probe {
  readonly method: string;
  /** The port the block asked for (`:9464/metrics`); undefined: the first server it started. */
  readonly port: number | undefined;
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  /** The problem `code` the body must carry, when the docs name one. */
  readonly code: string | undefined;
  /** Where the probe was written, for messages. */
  readonly source: string;
}

/**
 * A marker's probes: `;`-separated `METHOD [:PORT]PATH [API_KEY] STATUS [code]`, the key sent
 * in `X-Api-Key`. Example: `GET /v1/lookup 401 missing_key; GET /v1/lookup sk_test_x 200`.
 */
export function parseProbes(text: string, source: string): Probe[] {
  return text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const t = p.split(/\s+/);
      const [method, target] = t as [string, string | undefined];
      const statusAt = /^\d{3}$/.test(t[2] ?? '') ? 2 : 3;
      const status = t[statusAt];
      if (
        !/^[A-Z]+$/.test(method) ||
        target === undefined ||
        !/^\d{3}$/.test(status ?? '') ||
        t.length > statusAt + 2
      ) {
        throw new Error(
          `${source}: cannot read the probe "${p}" (METHOD [:PORT]PATH [API_KEY] STATUS [code])`,
        );
      }
      const m = /^(?::(\d+))?(\/.*)$/.exec(target);
      if (m === null) throw new Error(`${source}: the probe "${p}" needs a path starting with / or :PORT/`);
      return {
        method,
        port: m[1] === undefined ? undefined : Number(m[1]),
        path: m[2] as string,
        headers: statusAt === 3 ? { 'x-api-key': t[2] as string } : {},
        status: Number(status),
        code: t[statusAt + 1],
        source,
      };
    });
}

/**
 * A docs `curl` line as a probe: `-H`, `-X`, `-d` and the URL are read (`-i`, `-s`, `-S`,
 * `-o FILE`, `-w FORMAT` only shape curl's output), and the expected status from the comment:
 * `# 401 missing_key` (status and problem code) or `# 200, RateLimit headers` (status).
 */
export function probeFromCurl(command: ShellCommand, source: string): Probe {
  const [name, ...args] = command.words;
  if (name !== 'curl') throw new Error(`${source}: not a curl command`);
  let method: string | undefined;
  let url: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (['-i', '-s', '-S', '--include', '--silent'].includes(a)) continue;
    if (['-o', '-w', '-H', '-X', '-d', '--data'].includes(a)) {
      const value = args[++i];
      if (value === undefined) throw new Error(`${source}: ${a} needs a value`);
      if (a === '-H') {
        const colon = value.indexOf(':');
        if (colon <= 0) throw new Error(`${source}: cannot read the header "${value}"`);
        headers[value.slice(0, colon).trim().toLowerCase()] = value.slice(colon + 1).trim();
      } else if (a === '-X') method = value;
      else if (a === '-d' || a === '--data') method ??= 'POST';
      continue;
    }
    if (a.startsWith('-')) throw new Error(`${source}: the runner does not know curl's ${a}`);
    if (url !== undefined) throw new Error(`${source}: two URLs`);
    url = a;
  }
  const target = /^http:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/.*)?$/.exec(url ?? '');
  if (target === null) throw new Error(`${source}: curl must call http://127.0.0.1:PORT/..., got ${url}`);
  const expected = /^(\d{3})(?:\s+([a-z]+(?:_[a-z]+)+))?(?:$|[\s,:;.])/.exec(command.comment);
  if (expected === null) throw new Error(`${source}: say the status curl gets in a comment: # 200 ...`);
  return {
    method: method ?? 'GET',
    port: Number(target[1]),
    path: target[2] ?? '/',
    headers,
    status: Number(expected[1]),
    code: expected[2],
    source,
  };
}

/** How to run a block. */
export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Empty: the block is a script and must exit 0; else a server, sent these in order. */
  readonly probes: readonly Probe[];
}

/** Runs the file; returns what went wrong (nothing when the block did what the docs say). */
export async function runBlock(file: string, options: RunOptions): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', LISTEN_HOOK, file], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => (output.stdout = (output.stdout + c.toString()).slice(-8000)));
  child.stderr?.on('data', (c: Buffer) => (output.stderr = (output.stderr + c.toString()).slice(-8000)));
  const servers: { asked: number; port: number }[] = [];
  const changed = new Set<() => void>();
  const notify = () => {
    for (const f of changed) f();
  };
  let lines = '';
  (child.stdio[3] as Readable).on('data', (c: Buffer) => {
    lines += c.toString();
    for (let nl = lines.indexOf('\n'); nl !== -1; nl = lines.indexOf('\n')) {
      servers.push(JSON.parse(lines.slice(0, nl)) as { asked: number; port: number });
      lines = lines.slice(nl + 1);
    }
    notify();
  });
  let exit: { code: number | null; signal: string | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      notify();
      resolve();
    });
  });
  const tail = () => `\n--- stderr ---\n${output.stderr}\n--- stdout ---\n${output.stdout}`;

  // Resolves once `ready()` holds, or rejects when the process exits or time runs out first.
  const until = (ready: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`no ${what} within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      const check = () => {
        if (ready()) done();
        else if (exit !== undefined)
          done(new Error(`exited (${exit.signal ?? `code ${exit.code}`}) before ${what}`));
      };
      const done = (error?: Error) => {
        clearTimeout(timer);
        changed.delete(check);
        if (error === undefined) resolve();
        else reject(error);
      };
      changed.add(check);
      check();
    });

  const problems: string[] = [];
  try {
    if (options.probes.length === 0) {
      await until(() => exit !== undefined, 'exit');
      if (exit?.code !== 0) problems.push(`exited with ${exit?.signal ?? `code ${exit?.code}`}${tail()}`);
      else if (servers.length > 0)
        problems.push('it starts a server: give it probes (probe="...") to send it');
      return problems;
    }
    for (const probe of options.probes) {
      const server = () =>
        probe.port === undefined ? servers[0] : servers.find((s) => s.asked === probe.port);
      try {
        await until(() => server() !== undefined, `server on ${probe.port ?? 'any port'}`);
      } catch (error) {
        problems.push(`${probe.source}: ${(error as Error).message}${tail()}`);
        return problems;
      }
      const port = (server() as { port: number }).port;
      const answer = await request(port, probe).catch((error: Error) => ({ error }));
      if ('error' in answer) {
        problems.push(`${probe.source}: ${probe.method} ${probe.path}: ${answer.error.message}${tail()}`);
        continue;
      }
      if (answer.status !== probe.status) {
        problems.push(
          `${probe.source}: ${probe.method} ${probe.path}: expected ${probe.status}, got ${answer.status} ${answer.body.slice(0, 300)}`,
        );
      } else if (probe.code !== undefined) {
        let code: unknown;
        try {
          code = (JSON.parse(answer.body) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        if (code !== probe.code)
          problems.push(`${probe.source}: expected code ${probe.code}, got ${answer.body.slice(0, 300)}`);
      }
    }
    return problems;
  } finally {
    if (exit === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  }
}

// node:http without keep-alive, so the block's server can close as soon as it is asked to.
function request(port: number, probe: Probe): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: probe.method,
        path: probe.path,
        headers: probe.headers,
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}
