// Webhook delivery against a real HTTP receiver: the signed payload, and which answers are retried.

import { describe, expect, it } from 'vitest';
import { createNotifier, type NotifierOptions, verifyWebhookSignature } from '../src/index.js';
import { deliveryId } from '../src/webhook-signature.js';
import { AT, onCleanup, recorder, SECRET, thresholdEvent } from './support/harness.js';
import { type Answer, startReceiver } from './support/webhook-receiver.js';

async function setup(
  answer: (n: number) => Answer,
  options: Partial<NotifierOptions> = {},
  random?: () => number,
) {
  const receiver = await startReceiver(answer);
  onCleanup(receiver.close);
  const rec = recorder(random);
  const url = `${receiver.origin}/hooks/tollgate`;
  const notifier = createNotifier({
    targets: () => [url],
    webhook: { secret: SECRET },
    retry: { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 },
    ...rec.deps,
    ...options,
  });
  onCleanup(notifier.close);
  return { receiver, notifier, url, ...rec };
}

describe('webhook delivery', () => {
  it('POSTs the signed JSON payload with the delivery headers', async () => {
    const { receiver, notifier, ofType } = await setup(() => 204);
    notifier.handle(thresholdEvent());
    await notifier.idle();

    expect(receiver.requests).toHaveLength(1);
    const [req] = receiver.requests;
    if (req === undefined) throw new Error('no request');
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hooks/tollgate');
    expect(req.headers['content-type']).toBe('application/json');
    const id = deliveryId('shop-web', 0.9, '2026-11-23');
    expect(req.headers['x-tollgate-delivery']).toBe(id);
    expect(req.headers['x-tollgate-timestamp']).toBe(String(Math.floor(AT / 1000)));
    expect(req.headers['x-tollgate-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(JSON.parse(req.body.toString('utf8'))).toEqual({
      type: 'tollgate.threshold',
      id,
      keyId: 'shop-web',
      threshold: 0.9,
      count: 900,
      limit: 1000,
      day: '2026-11-23',
      at: AT,
    });

    const signed = {
      body: req.body,
      timestamp: req.headers['x-tollgate-timestamp'],
      signature: req.headers['x-tollgate-signature'],
      now: AT,
    };
    expect(verifyWebhookSignature({ ...signed, secret: SECRET })).toBe(true);
    expect(verifyWebhookSignature({ ...signed, secret: `${SECRET}x` })).toBe(false);
    expect(
      verifyWebhookSignature({ ...signed, body: req.body.toString().replace('900', '901'), secret: SECRET }),
    ).toBe(false);
    expect(verifyWebhookSignature({ ...signed, secret: SECRET, now: AT + 301_000 })).toBe(false);

    expect(ofType('notification_sent')).toEqual([
      {
        type: 'notification_sent',
        keyId: 'shop-web',
        threshold: 0.9,
        day: '2026-11-23',
        kind: 'webhook',
        target: receiver.origin,
        attempt: 1,
        at: AT,
      },
    ]);
  });

  it('retries after failures with exponential backoff and full jitter, then succeeds', async () => {
    const { receiver, notifier, delays, ofType } = await setup((n) => (n <= 2 ? 500 : 200));
    notifier.handle(thresholdEvent());
    await notifier.idle();

    expect(receiver.requests).toHaveLength(3);
    // Same bytes and the same delivery id on every attempt, so a receiver can deduplicate.
    expect(new Set(receiver.requests.map((r) => r.body.toString())).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.headers['x-tollgate-delivery'])).size).toBe(1);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThan(1000); // cap after attempt 1: baseDelayMs
    expect(delays[1]).toBeGreaterThanOrEqual(0);
    expect(delays[1]).toBeLessThan(2000); // cap after attempt 2: 2 × baseDelayMs
    expect(ofType('notification_retry').map((e) => [e.attempt, e.delayMs, e.error])).toEqual([
      [1, delays[0], 'webhook answered 500'],
      [2, delays[1], 'webhook answered 500'],
    ]);
    expect(ofType('notification_sent').map((e) => e.attempt)).toEqual([3]);
    expect(ofType('notification_failed')).toEqual([]);
  });

  it('draws each wait uniformly below the doubling cap, up to maxDelayMs', async () => {
    const draws = [0.5, 0.25, 0.999, 0, 0.75];
    let i = 0;
    const { notifier, delays } = await setup(
      () => 503,
      { retry: { attempts: 6, baseDelayMs: 1000, maxDelayMs: 5000 } },
      () => draws[i++] ?? 0,
    );
    notifier.handle(thresholdEvent());
    await notifier.idle();
    // caps 1000, 2000, 4000, 5000 (max), 5000
    expect(delays).toEqual([500, 500, 3996, 0, 3750]);
  });

  it('does not retry a 400 and reports the failure as permanent', async () => {
    const { receiver, notifier, delays, ofType } = await setup(() => 400);
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(ofType('notification_failed')).toMatchObject([
      { kind: 'webhook', attempt: 1, permanent: true, error: 'webhook answered 400' },
    ]);
  });

  it.each([408, 429, 500, 502, 503])('retries a %i', async (status) => {
    const { receiver, notifier, ofType } = await setup((n) => (n === 1 ? status : 204));
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(ofType('notification_sent').map((e) => e.attempt)).toEqual([2]);
  });

  it('waits at least what Retry-After asks, up to maxDelayMs', async () => {
    const { notifier, delays } = await setup(
      (n) =>
        n === 1
          ? { status: 429, headers: { 'Retry-After': '7' } }
          : n === 2
            ? { status: 503, headers: { 'Retry-After': '3600' } }
            : 204,
      { retry: { baseDelayMs: 100, maxDelayMs: 30_000 } },
    );
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(delays).toEqual([7000, 30_000]);
  });

  it('gives up after the configured attempts with notification_failed', async () => {
    const { receiver, notifier, delays, ofType } = await setup(() => 503, { retry: { attempts: 3 } });
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
    expect(ofType('notification_retry')).toHaveLength(2);
    expect(ofType('notification_failed')).toMatchObject([
      { keyId: 'shop-web', threshold: 0.9, attempt: 3, permanent: false, error: 'webhook answered 503' },
    ]);
    expect(ofType('notification_sent')).toEqual([]);
  });

  it('does not follow redirects', async () => {
    const other = await startReceiver(() => 204);
    onCleanup(other.close);
    const { receiver, notifier, ofType } = await setup(() => ({
      status: 307,
      headers: { Location: `${other.origin}/x` },
    }));
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
    expect(ofType('notification_failed')).toMatchObject([{ permanent: true }]);
  });

  it('times out a receiver that never answers and retries', async () => {
    const { receiver, notifier, ofType } = await setup((n) => (n === 1 ? 'hang' : 204), {
      webhook: { secret: SECRET, timeoutMs: 150 },
    });
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(ofType('notification_retry')).toMatchObject([{ attempt: 1, error: 'no answer within 150 ms' }]);
    expect(ofType('notification_sent')).toMatchObject([{ attempt: 2 }]);
  });

  it('retries when nothing listens (connection refused)', async () => {
    const gone = await startReceiver();
    await gone.close();
    const rec = recorder();
    const notifier = createNotifier({
      targets: () => [`${gone.origin}/hook`],
      webhook: { secret: SECRET },
      retry: { attempts: 2 },
      ...rec.deps,
    });
    onCleanup(notifier.close);
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(rec.ofType('notification_retry')).toHaveLength(1);
    expect(rec.ofType('notification_failed')).toMatchObject([{ attempt: 2, permanent: false }]);
    expect(rec.ofType('notification_failed')[0]?.error).toMatch(/ECONNREFUSED|fetch failed/);
  });
});
