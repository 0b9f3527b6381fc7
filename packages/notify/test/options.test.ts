// Options of createNotifier: defaults, and a named ERR_TOLLGATE_INVALID_OPTIONS for every bad one.

import { TollgateError } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { createNotifier } from '../src/index.js';
import { parseOptions } from '../src/options.js';
import { SECRET } from './support/harness.js';

const targets = () => undefined;

function failure(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TollgateError);
    return { code: (e as TollgateError).code, message: (e as Error).message };
  }
  throw new Error('expected a TollgateError');
}

describe('createNotifier options', () => {
  it('fills in the defaults', () => {
    const config = parseOptions({ targets });
    expect(config).toMatchObject({
      email: undefined,
      webhook: undefined,
      retry: { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 },
      concurrency: 4,
      maxQueue: 1000,
      closeTimeoutMs: 10_000,
      allowInsecureWebhooks: false,
      onEvent: undefined,
      now: Date.now,
      random: Math.random,
    });
    expect(parseOptions({ targets, webhook: { secret: SECRET } }).webhook).toEqual({
      secret: SECRET,
      timeoutMs: 10_000,
    });
    expect(parseOptions({ targets, retry: { attempts: 2 } }).retry).toEqual({
      attempts: 2,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
    });
    expect(parseOptions({ targets, concurrency: undefined }).concurrency).toBe(4);
  });

  it.each([
    [undefined, 'options:'],
    [null, 'options:'],
    [{}, 'options.targets:'],
    [{ targets: ['ops@example.com'] }, 'options.targets:'],
    [{ targets, sender: 'x' }, 'options.sender: unknown option'],
    [{ targets, email: 'smtp://localhost' }, 'options.email:'],
    [{ targets, email: { from: 'a@example.com' } }, 'options.email.transport:'],
    [
      { targets, email: { transport: 'http://smtp.example.com', from: 'a@example.com' } },
      'options.email.transport:',
    ],
    [{ targets, email: { transport: {}, from: 'nobody' } }, 'options.email.from:'],
    [
      { targets, email: { transport: {}, from: 'a@example.com\r\nBcc: b@example.com' } },
      'options.email.from:',
    ],
    [
      { targets, email: { transport: {}, from: 'a@example.com', subject: 'Alert' } },
      'options.email.subject:',
    ],
    [{ targets, email: { transport: {}, from: 'a@example.com', to: 'b@example.com' } }, 'options.email.to:'],
    [{ targets, webhook: {} }, 'options.webhook.secret:'],
    [{ targets, webhook: { secret: 'too-short' } }, 'options.webhook.secret:'],
    [{ targets, webhook: { secret: SECRET, timeoutMs: 0 } }, 'options.webhook.timeoutMs:'],
    [{ targets, retry: false }, 'options.retry:'],
    [{ targets, retry: { attempts: 0 } }, 'options.retry.attempts:'],
    [{ targets, retry: { attempts: 2.5 } }, 'options.retry.attempts:'],
    [{ targets, retry: { baseDelayMs: -1 } }, 'options.retry.baseDelayMs:'],
    [{ targets, retry: { baseDelayMs: 5000, maxDelayMs: 1000 } }, 'options.retry.maxDelayMs:'],
    [{ targets, retry: { jitter: true } }, 'options.retry.jitter: unknown option'],
    [{ targets, concurrency: 0 }, 'options.concurrency:'],
    [{ targets, maxQueue: Number.POSITIVE_INFINITY }, 'options.maxQueue:'],
    [{ targets, closeTimeoutMs: -5 }, 'options.closeTimeoutMs:'],
    [{ targets, allowInsecureWebhooks: 'yes' }, 'options.allowInsecureWebhooks:'],
    [{ targets, onEvent: console }, 'options.onEvent:'],
    [{ targets, now: 0 }, 'options.now:'],
    [{ targets, sleep: 10 }, 'options.sleep:'],
    [{ targets, random: 0.5 }, 'options.random:'],
  ])('refuses %j naming the option', (options, name) => {
    const { code, message } = failure(() => createNotifier(options as never));
    expect(code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
    // The factory, then the path: `createNotifier: options.retry.attempts: ...`.
    expect(message.startsWith(`createNotifier: ${name}`)).toBe(true);
  });

  it('never quotes a secret or an SMTP URL in the error', () => {
    const short = 'shhh-secret-value';
    expect(failure(() => parseOptions({ targets, webhook: { secret: short } })).message).not.toContain(short);
    const url = 'ftp://user:pa55word@smtp.example.com';
    expect(
      failure(() => parseOptions({ targets, email: { transport: url, from: 'a@example.com' } })).message,
    ).not.toContain('pa55word');
  });

  it('accepts SMTP options, an SMTP URL or a transporter', () => {
    const transporter = { sendMail: async () => ({}) };
    for (const transport of [
      { host: 'smtp.example.com', port: 587 },
      'smtps://u:p@smtp.example.com',
      transporter,
    ]) {
      expect(
        parseOptions({ targets, email: { transport, from: '"Tollgate" <alerts@example.com>' } }).email
          ?.transport,
      ).toBe(transport);
    }
  });
});
