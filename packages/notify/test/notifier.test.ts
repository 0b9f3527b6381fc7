// The notifier as a whole: off the request path, each target once, bounded, closable, and with a real engine.

import { createEngine, createMemoryStore, type Decision, type TollgateEvent } from '@tollgate/core';
import { describe, expect, it, vi } from 'vitest';
import { createNotifier, type NotifierOptions, verifyWebhookSignature } from '../src/index.js';
import { AT, onCleanup, recorder, SECRET, thresholdEvent } from './support/harness.js';
import { startSmtpServer } from './support/smtp-server.js';
import { type Answer, startReceiver } from './support/webhook-receiver.js';

const API_KEY = 'pk_test_shopweb_0001';

async function servers(answer: (n: number) => Answer = () => 204) {
  const smtp = await startSmtpServer();
  onCleanup(smtp.close);
  const receiver = await startReceiver(answer);
  onCleanup(receiver.close);
  return { smtp, receiver };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function notifier(options: Partial<NotifierOptions> & Pick<NotifierOptions, 'targets'>) {
  const n = createNotifier(options);
  onCleanup(n.close);
  return n;
}

describe('handle()', () => {
  it('ignores events other than thresholds without looking up targets', async () => {
    const targets = vi.fn(() => ['ops@example.com']);
    const n = notifier({ targets, webhook: { secret: SECRET } });
    n.handle({
      type: 'refused',
      code: 'daily_limit',
      status: 429,
      keyId: 'shop-web',
      ip: '203.0.113.7',
      at: AT,
    });
    n.handle({ type: 'auth_failure', code: 'missing_key', status: 401, ip: '203.0.113.7', at: AT });
    await n.idle();
    expect(targets).not.toHaveBeenCalled();
  });

  it('never throws: malformed events, a throwing targets() and a throwing onEvent', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const rec = recorder();
      const n = notifier({
        targets: () => {
          throw new Error('policy not loaded');
        },
        ...rec.deps,
      });
      expect(() => n.handle(undefined as unknown as TollgateEvent)).not.toThrow();
      expect(() => n.handle({ type: 'threshold' } as unknown as TollgateEvent)).not.toThrow();
      n.handle(thresholdEvent());
      expect(rec.ofType('notification_dropped')).toMatchObject([
        { reason: 'targets_failed', kind: 'unknown', error: 'targets() threw: policy not loaded' },
      ]);

      const throwing = notifier({
        targets: () => ['not a target'],
        onEvent: () => {
          throw new Error('monitoring is down');
        },
      });
      expect(() => throwing.handle(thresholdEvent())).not.toThrow();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('monitoring is down'));
    } finally {
      warn.mockRestore();
    }
  });

  it('reports invalid and unconfigured targets instead of throwing', () => {
    const rec = recorder();
    const n = notifier({
      targets: () => [
        'ops@example.com', // no email option
        'Ops <ops@example.com>',
        'http://hooks.example.com/tollgate',
        'ftp://files.example.com/x',
        'just-text',
      ],
      webhook: { secret: SECRET },
      ...rec.deps,
      allowInsecureWebhooks: false,
    });
    n.handle(thresholdEvent());
    expect(rec.ofType('notification_dropped').map((e) => [e.reason, e.kind, e.target])).toEqual([
      ['not_configured', 'email', '*@example.com'],
      ['invalid_target', 'email', '*@example.com>'],
      ['invalid_target', 'webhook', 'http://hooks.example.com'],
      ['invalid_target', 'webhook', 'ftp:'],
      ['invalid_target', 'unknown', ''],
    ]);
  });

  it('delivers a repeated event, or a target listed twice, only once', async () => {
    const { smtp, receiver } = await servers();
    const rec = recorder();
    const hook = `${receiver.origin}/hook`;
    const n = notifier({
      targets: () => ['ops@example.com', 'OPS@EXAMPLE.COM', hook, `${hook}#again`],
      email: { transport: smtp.transport, from: 'alerts@tollgate.example' },
      webhook: { secret: SECRET },
      ...rec.deps,
    });
    const event = thresholdEvent();
    n.handle(event);
    n.handle({ ...event });
    await n.idle();
    n.handle(event);
    await n.idle();
    expect(smtp.mails).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);

    // Another threshold or another day is another notification.
    n.handle(thresholdEvent({ threshold: 1, count: 1000 }));
    n.handle(thresholdEvent({ day: '2026-11-24', at: AT + 86_400_000 }));
    await n.idle();
    expect(smtp.mails).toHaveLength(3);
    expect(receiver.requests).toHaveLength(3);
    expect(rec.ofType('notification_sent')).toHaveLength(6);
  });

  it('drops and reports what does not fit in maxQueue', async () => {
    const { receiver } = await servers(() => 'hang');
    const rec = recorder();
    const n = notifier({
      targets: () => ['a', 'b', 'c'].map((p) => `${receiver.origin}/${p}`),
      webhook: { secret: SECRET, timeoutMs: 60_000 },
      concurrency: 1,
      maxQueue: 2,
      closeTimeoutMs: 20,
      ...rec.deps,
    });
    n.handle(thresholdEvent());
    expect(rec.ofType('notification_dropped')).toMatchObject([
      { reason: 'queue_full', kind: 'webhook', target: receiver.origin },
    ]);
    await receiver.waitFor(1);
    await n.close();
    // The one in flight and the one waiting are abandoned at close, and said so.
    expect(rec.ofType('notification_dropped').map((e) => e.reason)).toEqual([
      'queue_full',
      'closed',
      'closed',
    ]);
    await n.idle();
  });
});

describe('off the request path', () => {
  it('returns from handle() at once while the receiver hangs; close() is bounded', async () => {
    const { receiver } = await servers(() => 'hang');
    const rec = recorder();
    const n = notifier({
      targets: () => [`${receiver.origin}/hook`],
      webhook: { secret: SECRET, timeoutMs: 60_000 },
      closeTimeoutMs: 50,
      ...rec.deps,
    });
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      n.handle(thresholdEvent({ keyId: `key-${i}` }));
      times.push(performance.now() - start);
    }
    expect(median(times)).toBeLessThan(1);
    expect(Math.max(...times)).toBeLessThan(25); // generous: CI machines get preempted
    await receiver.waitFor(4); // concurrency 4: the rest wait their turn
    expect(receiver.requests).toHaveLength(4);

    const start = Date.now();
    await n.close();
    expect(Date.now() - start).toBeLessThan(1000);
    expect(rec.ofType('notification_dropped').filter((e) => e.reason === 'closed')).toHaveLength(20);
    // Closed: later events are reported, not queued.
    n.handle(thresholdEvent({ keyId: 'late' }));
    expect(rec.events.at(-1)).toMatchObject({
      type: 'notification_dropped',
      keyId: 'late',
      reason: 'closed',
    });
  });

  it('with a real engine: one email and one webhook per threshold, and checks stay fast', async () => {
    const { smtp, receiver } = await servers();
    const rec = recorder();
    const n = notifier({
      targets: (keyId) =>
        keyId === 'shop-web' ? ['ops@example.com', `${receiver.origin}/hook?token=abc`] : undefined,
      email: { transport: smtp.transport, from: 'alerts@tollgate.example' },
      webhook: { secret: SECRET },
      ...rec.deps,
    });
    const engine = createEngine({
      policy: {
        keys: [
          { id: 'shop-web', key: API_KEY, dailyLimit: 10, timeZone: 'Europe/London' },
          { id: 'other', key: 'pk_test_other_00001', dailyLimit: 1 },
        ],
      },
      now: () => AT,
      onEvent: n.handle,
    });

    const decisions: Decision[] = [];
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const start = performance.now();
      decisions.push(engine.check({ apiKey: API_KEY, ip: '203.0.113.7' }) as Decision);
      times.push(performance.now() - start);
    }
    engine.check({ apiKey: 'pk_test_other_00001', ip: '203.0.113.7' }); // a threshold with no targets
    expect(decisions.map((d) => d.status)).toEqual([...Array(10).fill(200), 429, 429]);
    expect(median(times)).toBeLessThan(2);
    expect(Math.max(...times)).toBeLessThan(25);

    await n.idle();
    expect(smtp.mails.map((m) => m.headers.get('subject'))).toEqual([
      '[Tollgate] shop-web reached 90% of its daily cap',
      '[Tollgate] shop-web reached its daily cap (100%)',
    ]);
    expect(smtp.mails.map((m) => m.rcptTo)).toEqual([['ops@example.com'], ['ops@example.com']]);
    const bodies = receiver.requests.map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
    expect(bodies.map((b) => [b.threshold, b.count, b.limit, b.day])).toEqual([
      [0.9, 9, 10, '2026-11-23'],
      [1, 10, 10, '2026-11-23'],
    ]);
    for (const r of receiver.requests) {
      expect(r.path).toBe('/hook?token=abc');
      expect(
        verifyWebhookSignature({
          body: r.body,
          timestamp: r.headers['x-tollgate-timestamp'],
          signature: r.headers['x-tollgate-signature'],
          secret: SECRET,
          now: AT,
        }),
      ).toBe(true);
    }
    expect(rec.ofType('notification_sent')).toHaveLength(4);
  });

  it('engines sharing one atomic store (as processes share Redis) notify each threshold once in all', async () => {
    const { smtp, receiver } = await servers();
    const store = createMemoryStore();
    const policy = { keys: [{ id: 'shop-web', key: API_KEY, dailyLimit: 20 }] };
    const processes = [0, 1, 2].map(() => {
      const n = notifier({
        targets: () => ['ops@example.com', `${receiver.origin}/hook`],
        email: { transport: smtp.transport, from: 'alerts@tollgate.example' },
        webhook: { secret: SECRET },
        ...recorder().deps,
      });
      return { notifier: n, engine: createEngine({ policy, store, now: () => AT, onEvent: n.handle }) };
    });
    for (let i = 0; i < 30; i++) processes[i % 3]?.engine.check({ apiKey: API_KEY, ip: '198.51.100.1' });
    await Promise.all(processes.map((p) => p.notifier.idle()));
    expect(smtp.mails).toHaveLength(2);
    expect(
      receiver.requests.map((r) => (JSON.parse(r.body.toString()) as { count: number }).count).sort(),
    ).toEqual([18, 20]);
  });
});

describe('events', () => {
  it('never carry the webhook secret, URL paths or queries, URL credentials or mailbox names', async () => {
    const smtp = await startSmtpServer({ rcpt: (a) => ({ code: 550, message: `<${a}> unknown user` }) });
    onCleanup(smtp.close);
    const failing = await startReceiver(() => 500);
    onCleanup(failing.close);
    const gone = await startReceiver();
    await gone.close();
    const rec = recorder();
    const n = notifier({
      targets: () => [
        `${failing.origin}/hooks/PATHTOKEN123?token=QUERYTOKEN456`,
        `${gone.origin}/hooks/PATHTOKEN124?token=QUERYTOKEN457`,
        'http://hooks.example.com/x?token=QUERYTOKEN789',
        'https://user:PASSWORD999@hooks.example.com/x',
        'alice.secret@example.com',
        '"alice.quoted"@example.com',
      ],
      email: {
        transport: { ...smtp.transport, auth: { user: 'tollgate', pass: 'SMTPPASS321' } },
        from: 'alerts@tollgate.example',
      },
      webhook: { secret: SECRET },
      retry: { attempts: 2 },
      ...rec.deps,
      allowInsecureWebhooks: true,
    });
    n.handle(thresholdEvent());
    await n.idle();
    await n.close();
    expect(rec.ofType('notification_failed')).toHaveLength(3);
    expect(rec.ofType('notification_retry')).toHaveLength(2);
    const all = JSON.stringify(rec.events);
    for (const secret of [
      SECRET,
      'PATHTOKEN',
      'QUERYTOKEN',
      'PASSWORD999',
      'SMTPPASS321',
      'alice.secret',
      'alice.quoted',
      'hooks/',
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
