// Webhook signatures: what the notifier signs, what receivers accept, and the delivery id.

import { TollgateError } from '@tollgate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../src/index.js';
import { deliveryId, signWebhook } from '../src/webhook-signature.js';
import { SECRET } from './support/harness.js';

const NOW = Date.UTC(2026, 10, 23, 14, 30);
const TS = Math.floor(NOW / 1000);
const BODY = '{"type":"tollgate.threshold","keyId":"shop-web"}';

function input(overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) {
  return {
    body: BODY,
    timestamp: String(TS),
    signature: signWebhook(BODY, TS, SECRET),
    secret: SECRET,
    now: NOW,
    ...overrides,
  };
}

describe('signWebhook', () => {
  it('is sha256= and the hex HMAC-SHA256 of "timestamp.body"', () => {
    // Computed independently: printf '1795444200.{"a":1}' | openssl dgst -sha256 -hmac 'k'
    expect(signWebhook('{"a":1}', 1795444200, 'k')).toBe(
      'sha256=a2ce04cf26d688d61286c60ae58770699a74f5652fe4a9eefed704e4e878eb01',
    );
    expect(signWebhook(BODY, TS, SECRET)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts a fresh signature over the exact body, as a string or as bytes', () => {
    expect(verifyWebhookSignature(input())).toBe(true);
    expect(verifyWebhookSignature(input({ body: Buffer.from(BODY) }))).toBe(true);
    expect(verifyWebhookSignature(input({ body: new TextEncoder().encode(BODY) }))).toBe(true);
    expect(verifyWebhookSignature(input({ timestamp: TS }))).toBe(true);
    expect(
      verifyWebhookSignature(
        input({ signature: signWebhook(BODY, TS, SECRET).toUpperCase().replace('SHA256', 'sha256') }),
      ),
    ).toBe(true);
  });

  it('refuses another body, another secret, another timestamp', () => {
    expect(verifyWebhookSignature(input({ body: `${BODY} ` }))).toBe(false);
    expect(verifyWebhookSignature(input({ secret: `${SECRET}!` }))).toBe(false);
    expect(verifyWebhookSignature(input({ timestamp: String(TS + 1) }))).toBe(false);
  });

  it('refuses a timestamp outside the tolerance, either way', () => {
    expect(verifyWebhookSignature(input({ now: NOW + 300_000 }))).toBe(true);
    expect(verifyWebhookSignature(input({ now: NOW + 301_000 }))).toBe(false);
    expect(verifyWebhookSignature(input({ now: NOW - 301_000 }))).toBe(false);
    expect(verifyWebhookSignature(input({ now: NOW + 3_600_000, toleranceSec: 3600 }))).toBe(true);
  });

  it.each([
    ['a missing timestamp', { timestamp: undefined }],
    ['a timestamp that is not digits', { timestamp: '1e9' }],
    ['repeated headers', { timestamp: [String(TS), String(TS)] }],
    ['a missing signature', { signature: undefined }],
    ['another scheme', { signature: `sha1=${'0'.repeat(40)}` }],
    ['a short signature', { signature: 'sha256=abcd' }],
    ['a signature that is not hex', { signature: `sha256=${'z'.repeat(64)}` }],
  ])('refuses %s without throwing', (_, overrides) => {
    expect(verifyWebhookSignature(input(overrides as never))).toBe(false);
  });

  it('accepts any of several secrets, for rotation', () => {
    expect(verifyWebhookSignature(input({ secret: ['new-secret-new-secret-new-secret-00', SECRET] }))).toBe(
      true,
    );
    expect(verifyWebhookSignature(input({ secret: ['new-secret-new-secret-new-secret-00'] }))).toBe(false);
  });

  it('throws for a missing secret: a setup mistake, not a bad request', () => {
    for (const secret of [undefined, '', [], [''], 42]) {
      expect(() => verifyWebhookSignature(input({ secret: secret as never }))).toThrow(TollgateError);
      expect(() => verifyWebhookSignature(input({ secret: secret as never }))).toThrow(
        expect.objectContaining({
          code: 'ERR_TOLLGATE_INVALID_OPTIONS',
          message: expect.stringMatching(/^verifyWebhookSignature: input\.secret:/),
        }),
      );
    }
    expect(() => verifyWebhookSignature(input({ toleranceSec: -1 }))).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^verifyWebhookSignature: input\.toleranceSec:/),
      }),
    );
  });

  it('accepts exactly what was signed with the same secret (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.integer({ min: 0, max: 2 ** 33 }),
        (body, secret, other, ts) => {
          const signature = signWebhook(body, ts, secret);
          const base = { body, timestamp: String(ts), signature, now: ts * 1000 };
          expect(verifyWebhookSignature({ ...base, secret })).toBe(true);
          expect(verifyWebhookSignature({ ...base, secret: other })).toBe(other === secret);
          expect(verifyWebhookSignature({ ...base, body: `${body}x`, secret })).toBe(false);
        },
      ),
      { verbose: true, numRuns: 300 },
    );
  });
});

describe('deliveryId', () => {
  it('is deterministic per key, threshold and day, and differs between them', () => {
    const id = deliveryId('shop-web', 0.9, '2026-11-23');
    expect(id).toMatch(/^thr_[0-9a-f]{32}$/);
    expect(deliveryId('shop-web', 0.9, '2026-11-23')).toBe(id);
    expect(
      new Set([
        id,
        deliveryId('shop-web', 1, '2026-11-23'),
        deliveryId('shop-web', 0.9, '2026-11-24'),
        deliveryId('shop-api', 0.9, '2026-11-23'),
      ]).size,
    ).toBe(4);
  });
});
