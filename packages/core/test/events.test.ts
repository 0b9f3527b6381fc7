// Which events carry a client address, and which address: the forwarded one once a forwarding key is known, else the connecting one.

import { describe, expect, it } from 'vitest';
import type { Decision } from '../src/decision.js';
import { createEngine, type Engine } from '../src/engine.js';
import type { TollgateEvent } from '../src/events.js';
import type { KeyPolicy } from '../src/policy-schema.js';
import type { Store } from '../src/store.js';
import { NOON_UTC } from './fixtures.js';

const BACKEND = 'sk_live_backend_0000001';
const BATCH = 'sk_live_batch_00000001';
const OFF = 'sk_live_disabled_000001';
const CONN = '10.0.0.1';

const keys: KeyPolicy[] = [
  { id: 'backend', key: BACKEND, perIpDailyLimit: 1, dailyLimit: 100, ipForwarding: true },
  { id: 'batch', key: BATCH, dailyLimit: 1, ipForwarding: true },
  { id: 'off', key: OFF, disabled: true, ipForwarding: true },
];

/** A store whose server is gone: every consume fails. */
const deadStore: Store = {
  consume() {
    throw new Error('connection refused');
  },
};

function sync(engine: Engine, input: Parameters<Engine['check']>[0]): Decision {
  const d = engine.check(input);
  if (d instanceof Promise) throw new Error('expected a synchronous decision');
  return d;
}

/** Every kind of request, each with a forwarded value that differs from the connecting address. */
function run(eventIps: boolean): TollgateEvent[][] {
  const events: TollgateEvent[] = [];
  const options = {
    policy: { keys },
    now: () => NOON_UTC,
    onEvent: (e: TollgateEvent) => events.push(e),
    eventIps,
  };
  const engine = createEngine(options);
  const dead = createEngine({ ...options, store: deadStore, failureMode: 'fail-closed' });
  const emitted: TollgateEvent[][] = [];
  const step = (e: Engine, input: Parameters<Engine['check']>[0]) => {
    events.length = 0;
    sync(e, { ip: CONN, ...input });
    emitted.push([...events]);
  };
  step(engine, { apiKey: BACKEND, sourceIp: '2001:DB8:1:2::77' }); // allowed: no event
  step(engine, { apiKey: BACKEND, sourceIp: '2001:db8:1:2::78' }); // same /64: 429 ip_daily_limit
  step(engine, { apiKey: BATCH, sourceIp: '198.51.100.21' }); // allowed, reaches 90% and 100%
  step(engine, { apiKey: BATCH, sourceIp: '198.51.100.22' }); // 429 daily_limit
  step(engine, { apiKey: BACKEND, sourceIp: '198.51.100.31, 198.51.100.32' }); // 400 invalid_source_ip
  step(engine, { apiKey: 'sk_live_nobody_0000001', sourceIp: '198.51.100.41' }); // 401 unknown_key
  step(engine, { apiKey: OFF, sourceIp: '198.51.100.51' }); // 403 key_disabled
  step(dead, { apiKey: BACKEND, sourceIp: '198.51.100.61' }); // store_error, then 503 store_unavailable
  return emitted;
}

const summary = (steps: TollgateEvent[][]) =>
  steps.map((events) =>
    events.map((e) => [e.type, 'code' in e ? e.code : '', 'ip' in e ? e.ip : 'no ip'] as const),
  );

describe('addresses in events', () => {
  it('with eventIps: the forwarded address (normalised) once a forwarding key is known, else the connecting one', () => {
    expect(summary(run(true))).toEqual([
      [],
      [['refused', 'ip_daily_limit', '2001:db8:1:2::/64']],
      [
        ['threshold', '', 'no ip'],
        ['threshold', '', 'no ip'],
      ],
      [['refused', 'daily_limit', '198.51.100.22']],
      // A malformed forwarded value is never repeated: the connecting address stands in.
      [['refused', 'invalid_source_ip', CONN]],
      // Before the key is known nothing is forwarded.
      [['auth_failure', 'unknown_key', CONN]],
      [['refused', 'key_disabled', CONN]],
      [
        ['store_error', '', 'no ip'],
        ['refused', 'store_unavailable', '198.51.100.61'],
      ],
    ]);
  });

  it('without eventIps: no address at all, neither connecting nor forwarded', () => {
    const steps = run(false);
    expect(steps.flat().length).toBe(9);
    const text = JSON.stringify(steps);
    expect(text).not.toContain(CONN);
    expect(text).not.toMatch(/198\.51\.100|2001:db8/i);
    expect(steps.flat().some((e) => 'ip' in e)).toBe(false);
  });
});
