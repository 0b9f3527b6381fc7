// The token source: one refresh at a time, ahead of expiry, after invalid_token, with failures reported as events.

import { describe, expect, it } from 'vitest';
import { TokenRefreshError } from '../src/errors.js';
import type { ClientEvent } from '../src/events.js';
import type { TokenGrant } from '../src/options.js';
import { createTokenSource } from '../src/token-source.js';

const NOW = Date.UTC(2026, 10, 23, 12);

function setup(grants: () => TokenGrant | Promise<TokenGrant>, margin = 300_000) {
  const clock = { t: NOW };
  const events: ClientEvent[] = [];
  let calls = 0;
  const source = createTokenSource({
    provider: async () => {
      calls++;
      return grants();
    },
    refreshMarginMs: margin,
    defaultLifetimeMs: 3_600_000,
    now: () => clock.t,
    emit: (e) => events.push(e),
    fetch: async () => new Response(),
  });
  return { clock, events, source, calls: () => calls };
}

function counter(expiresIn: number) {
  let n = 0;
  return () => ({ access_token: `tok-${++n}`, expires_in: expiresIn });
}

describe('createTokenSource', () => {
  it('fetches once, then reuses the token until the margin before expiry (5 min before 1 h by default)', async () => {
    const s = setup(counter(3600));
    expect(await s.source.get()).toBe('tok-1');
    s.clock.t += 55 * 60_000 - 1;
    expect(await s.source.get()).toBe('tok-1');
    s.clock.t += 1;
    expect(await s.source.get()).toBe('tok-2');
    expect(s.events).toMatchObject([
      { type: 'token_refreshed', reason: 'initial', expiresAt: NOW + 3_600_000, refreshAt: NOW + 3_300_000 },
      { type: 'token_refreshed', reason: 'expiring' },
    ]);
  });

  it('refreshes a token shorter-lived than twice the margin halfway through its life', async () => {
    const s = setup(counter(120));
    await s.source.get();
    expect(s.events[0]).toMatchObject({ expiresAt: NOW + 120_000, refreshAt: NOW + 60_000 });
  });

  it('runs one refresh for any number of waiting callers', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const next = counter(3600);
    const s = setup(async () => {
      await gate;
      return next();
    });
    const waiting = Array.from({ length: 25 }, () => s.source.get());
    release();
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['tok-1']));
    expect(s.calls()).toBe(1);
  });

  it('replaces a rejected token once, however many requests saw it rejected', async () => {
    const s = setup(counter(3600));
    const first = await s.source.get();
    const replaced = await Promise.all([s.source.replace(first), s.source.replace(first)]);
    expect(replaced).toEqual(['tok-2', 'tok-2']);
    // A late 401 for the old token finds it already replaced: no third call.
    expect(await s.source.replace(first)).toBe('tok-2');
    expect(s.calls()).toBe(2);
    expect(s.events.at(-1)).toMatchObject({ type: 'token_refreshed', reason: 'invalid_token' });
  });

  it('throws TokenRefreshError with the cause and reports a failure event without the message', async () => {
    const cause = Object.assign(new Error('upstream said: key sk_live_x is bad'), { code: 'E_UPSTREAM' });
    const s = setup(() => Promise.reject(cause));
    const error = await s.source.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect(error).toMatchObject({ reason: 'initial', cause });
    expect((error as Error).message).not.toContain('sk_live_x');
    expect(s.events).toEqual([
      {
        type: 'token_refresh_failed',
        reason: 'initial',
        error: { name: 'Error', code: 'E_UPSTREAM' },
        failures: 1,
        at: NOW,
      },
    ]);
  });

  it('keeps a still-valid token when an early refresh fails, and waits before asking again', async () => {
    let fail = false;
    const next = counter(3600);
    const s = setup(() => (fail ? Promise.reject(new Error('down')) : next()));
    await s.source.get();
    fail = true;
    s.clock.t += 56 * 60_000; // inside the margin
    expect(await s.source.get()).toBe('tok-1');
    expect(await s.source.get()).toBe('tok-1'); // within the 1 s cooldown: provider not asked
    expect(s.calls()).toBe(2);
    s.clock.t += 1000;
    expect(await s.source.get()).toBe('tok-1');
    expect(s.calls()).toBe(3);
    s.clock.t += 4 * 60_000; // expired now
    await expect(s.source.get()).rejects.toMatchObject({ reason: 'expired' });
    fail = false;
    expect(await s.source.get()).toBe('tok-2');
  });

  it('lets one caller stop waiting without cancelling the refresh others wait for', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const next = counter(3600);
    const s = setup(async () => {
      await gate;
      return next();
    });
    const controller = new AbortController();
    const impatient = s.source.get(controller.signal);
    const patient = s.source.get();
    controller.abort(new Error('stop'));
    await expect(impatient).rejects.toThrow('stop');
    release();
    expect(await patient).toBe('tok-1');
  });
});
