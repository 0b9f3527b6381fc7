// What a notification says: the webhook payload, the default subject and the email bodies.

import { describe, expect, it } from 'vitest';
import { defaultSubject, emailBodies, nextDay, webhookPayload } from '../src/threshold-message.js';
import { deliveryId } from '../src/webhook-signature.js';
import { AT, thresholdEvent } from './support/harness.js';

describe('threshold message', () => {
  it('builds the webhook payload in a fixed field order', () => {
    const payload = webhookPayload(thresholdEvent());
    expect(Object.keys(payload)).toEqual(['type', 'id', 'keyId', 'threshold', 'count', 'limit', 'day', 'at']);
    expect(payload).toEqual({
      type: 'tollgate.threshold',
      id: deliveryId('shop-web', 0.9, '2026-11-23'),
      keyId: 'shop-web',
      threshold: 0.9,
      count: 900,
      limit: 1000,
      day: '2026-11-23',
      at: AT,
    });
  });

  it('names the key and the threshold in the subject', () => {
    expect(defaultSubject(thresholdEvent())).toBe('[Tollgate] shop-web reached 90% of its daily cap');
    expect(defaultSubject(thresholdEvent({ threshold: 1 }))).toBe(
      '[Tollgate] shop-web reached its daily cap (100%)',
    );
  });

  it('escapes the HTML body', () => {
    const { html, text } = emailBodies(thresholdEvent({ keyId: 'a<b>&"c"' }));
    expect(html).toContain('a&#60;b&#62;&#38;&#34;c&#34;');
    expect(html).not.toContain('<b>');
    expect(text).toContain('a<b>&"c"');
  });

  it.each([
    ['2026-11-23', '2026-11-24'],
    ['2026-11-30', '2026-12-01'],
    ['2026-12-31', '2027-01-01'],
    ['2028-02-28', '2028-02-29'],
    ['2026-02-28', '2026-03-01'],
    ['not-a-day', undefined],
  ])('the day after %s is %s', (day, next) => {
    expect(nextDay(day)).toBe(next);
  });
});
