// withDeadline: the first of answer and deadline wins; a late answer goes nowhere.

import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { withDeadline } from '../src/deadline.js';

const late = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error('late')) : resolve(value)), ms),
  );

describe('withDeadline', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  afterEach(async () => {
    await new Promise((r) => setTimeout(r, 30));
    expect(unhandled).toEqual([]);
  });

  it('passes an answer or an error that comes in time', async () => {
    await expect(withDeadline(late(5, 'ok'), 200, () => new Error('deadline'))).resolves.toBe('ok');
    await expect(withDeadline(late(5, 'x', true), 200, () => new Error('deadline'))).rejects.toThrow('late');
  });

  it('rejects at the deadline, and absorbs the answer or error that comes after', async () => {
    const t0 = performance.now();
    await expect(withDeadline(late(60, 'ok'), 20, () => new Error('deadline'))).rejects.toThrow('deadline');
    expect(performance.now() - t0).toBeLessThan(55);
    await expect(withDeadline(late(40, 'x', true), 10, () => new Error('deadline'))).rejects.toThrow(
      'deadline',
    );
  });

  it('lets a reply already on the socket win over a deadline that fired late (busy event loop)', async () => {
    // The echo server runs in another process: in this one it could not answer while we block.
    const echo = spawn(
      process.execPath,
      [
        '-e',
        "require('net').createServer((s) => s.pipe(s)).listen(0, '127.0.0.1', function () { console.log(this.address().port) })",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const port = await new Promise<number>((resolve) =>
      echo.stdout.once('data', (d) => resolve(Number(String(d)))),
    );
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    try {
      const reply = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
      socket.write('PING');
      const bounded = withDeadline(reply, 10, () => new Error('deadline'));
      // Busy past the deadline: the echo is waiting in the socket when the deadline's timer runs.
      const until = performance.now() + 50;
      while (performance.now() < until) {
        // busy
      }
      await expect(bounded).resolves.toBe('PING');
    } finally {
      socket.destroy();
      echo.kill();
    }
  });
});
