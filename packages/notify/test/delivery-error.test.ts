// Error messages as events carry them: no secrets, no URL paths or queries, no mailboxes.

import { describe, expect, it } from 'vitest';
import { safeMessage } from '../src/delivery-error.js';

describe('safeMessage', () => {
  it('cuts URLs to their origin and mailboxes to their domain', () => {
    expect(safeMessage(new Error('POST https://hooks.example.com/T0/B0/XXXX?token=abc failed'), [])).toBe(
      'POST https://hooks.example.com failed',
    );
    expect(safeMessage(new Error('550 <Alice.Smith@Example.com>: unknown user'), [])).toBe(
      '550 <*@example.com>: unknown user',
    );
    expect(safeMessage(new Error('cannot reach smtps://user:pw@smtp.example.com:465'), [])).toBe(
      'cannot reach smtps:[url]',
    );
  });

  it('blanks each secret, adds the cause, and bounds the length', () => {
    expect(safeMessage(new Error('bad hmac key s3cr3t-value'), ['s3cr3t-value'])).toBe(
      'bad hmac key [secret]',
    );
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:9');
    expect(safeMessage(new Error('fetch failed', { cause }), [])).toBe(
      'fetch failed: connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(safeMessage('x'.repeat(1000), []).length).toBe(300);
    expect(safeMessage(42, [])).toBe('42');
  });
});
