// Public notifier options, read with core's option reader: defaults filled in, unknown keys refused, the bad option named.

import type { ThresholdEvent } from '@tollgate/core';
import { type KnownOptions, type OptionReader, readOptions } from '@tollgate/core/option-reader';
import type { NotifyEvent } from './events.js';

/**
 * SMTP settings, as nodemailer's SMTP transport takes them (any other nodemailer SMTP option
 * may be given too). Listed here so this package's types do not need `@types/nodemailer`.
 *
 * @example
 * const smtp: SmtpOptions = { host: 'smtp.example.com', port: 587, auth: { user: 'tollgate', pass: process.env.SMTP_PASS } };
 */
export interface SmtpOptions {
  /** Default: `'localhost'`. */
  host?: string | undefined;
  /** Default: 587, or 465 with `secure`. */
  port?: number | undefined;
  /** TLS from the start (port 465). Default: false, which upgrades with STARTTLS when offered. */
  secure?: boolean | undefined;
  /** Refuse to send unless STARTTLS succeeds. Default: false. */
  requireTLS?: boolean | undefined;
  /** Never use STARTTLS (only for a local test server). Default: false. */
  ignoreTLS?: boolean | undefined;
  auth?: { user?: string | undefined; pass?: string | undefined; [option: string]: unknown } | undefined;
  /** Options for `tls.connect`, such as `servername` or `ca`. */
  tls?: Record<string, unknown> | undefined;
  /** Keep connections open and reuse them. Default: false. */
  pool?: boolean | undefined;
  /** ms to wait for the connection. nodemailer's default: 120 000. */
  connectionTimeout?: number | undefined;
  /** ms to wait for the greeting once connected. nodemailer's default: 30 000. */
  greetingTimeout?: number | undefined;
  /** ms of inactivity before the socket is closed. nodemailer's default: 600 000. */
  socketTimeout?: number | undefined;
  [option: string]: unknown;
}

/** One email the notifier sends: the part of nodemailer's message options it uses. */
export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/**
 * Anything that sends a {@link MailMessage}: a nodemailer `Transporter` (from
 * `nodemailer.createTransport`) fits. Its promise rejecting counts as a failed attempt; an
 * error with an SMTP `responseCode` of 500 or more is permanent and is not retried.
 */
export interface MailTransport {
  sendMail(message: MailMessage): Promise<unknown>;
  close?(): void;
}

/** Email delivery. */
export interface EmailOptions {
  /**
   * SMTP settings, an SMTP connection URL (`smtps://user:pass@smtp.example.com`), or a transporter
   * you created. A transporter you pass in stays yours: `close()` does not close it. Required.
   */
  transport: SmtpOptions | string | MailTransport;
  /** The sender, `alerts@example.com` or `"Tollgate" <alerts@example.com>`. Required. */
  from: string;
  /**
   * The subject line. Default: `[Tollgate] shop-web reached 90% of its daily cap` (and
   * `… reached its daily cap (100%)`). Line breaks are removed; if it throws, the default is used.
   */
  subject?: ((event: ThresholdEvent) => string) | undefined;
}

/** Webhook delivery: a signed JSON POST. */
export interface WebhookOptions {
  /** Signs every request (HMAC-SHA256); receivers check it with `verifyWebhookSignature`. At least 32 characters. Required. */
  secret: string;
  /** ms an attempt may take, connection to answer; then it counts as failed. Default: 10 000. */
  timeoutMs?: number | undefined;
}

/** How failed deliveries are retried. Every field is optional. */
export interface RetryOptions {
  /** Attempts per target in all, the first included; 1 turns retries off. Default: 5. */
  attempts?: number | undefined;
  /** The wait after the first failure is random in [0, baseDelayMs); each later cap doubles. Default: 1000. */
  baseDelayMs?: number | undefined;
  /** The largest cap of a wait. Default: 60 000. */
  maxDelayMs?: number | undefined;
}

/**
 * Options of `createNotifier`. `targets` is required, and `email` and/or `webhook` for the
 * targets you use.
 *
 * @example
 * createNotifier({
 *   targets: (keyId) => engine.notifyTargets(keyId),
 *   email: { transport: { host: 'smtp.example.com', port: 587 }, from: 'alerts@example.com' },
 *   webhook: { secret: process.env.TOLLGATE_WEBHOOK_SECRET },
 * });
 */
export interface NotifierOptions {
  /**
   * The notification list of a key: email addresses and `https://` webhook URLs, or undefined
   * for none. Called once per threshold event. Required.
   */
  targets: (keyId: string) => readonly string[] | undefined;
  /** Email delivery over SMTP. Default: none (email targets are reported as `not_configured`). */
  email?: EmailOptions | undefined;
  /** Webhook delivery. Default: none (webhook targets are reported as `not_configured`). */
  webhook?: WebhookOptions | undefined;
  /** Retries after a failed attempt. Default: the `RetryOptions` defaults. */
  retry?: RetryOptions | undefined;
  /** Deliveries in flight at once. Default: 4. */
  concurrency?: number | undefined;
  /** Deliveries queued, in flight or waiting to retry; more are dropped and reported. Default: 1000. */
  maxQueue?: number | undefined;
  /** How long `close()` waits for queued deliveries before abandoning them. Default: 10 000 ms. */
  closeTimeoutMs?: number | undefined;
  /**
   * Allow `http://` webhook URLs on loopback addresses (localhost, 127.0.0.0/8, [::1]), for
   * local development and tests. Other hosts always need https. Default: false.
   */
  allowInsecureWebhooks?: boolean | undefined;
  /**
   * Receives every `NotifyEvent`: sent, retry, failed, dropped. Called synchronously; a throw in
   * it is reported as a process warning. Default: none.
   */
  onEvent?: ((event: NotifyEvent) => void) | undefined;
  /** The clock, in epoch ms: event times and webhook timestamps. Default: `Date.now`. */
  now?: (() => number) | undefined;
  /** Waits between attempts; should reject when `signal` aborts (at `close()`). Default: a timer. */
  sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Jitter source in [0, 1). Default: `Math.random`. */
  random?: (() => number) | undefined;
}

/** NotifierOptions with every default applied. */
export interface NotifierConfig {
  readonly targets: (keyId: string) => readonly string[] | undefined;
  readonly email:
    | {
        readonly transport: SmtpOptions | string | MailTransport;
        readonly from: string;
        readonly subject: ((event: ThresholdEvent) => string) | undefined;
      }
    | undefined;
  readonly webhook: { readonly secret: string; readonly timeoutMs: number } | undefined;
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly closeTimeoutMs: number;
  readonly allowInsecureWebhooks: boolean;
  readonly onEvent: ((event: NotifyEvent) => void) | undefined;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random: () => number;
}

const KNOWN = {
  targets: true,
  email: true,
  webhook: true,
  retry: true,
  concurrency: true,
  maxQueue: true,
  closeTimeoutMs: true,
  allowInsecureWebhooks: true,
  onEvent: true,
  now: true,
  sleep: true,
  random: true,
} as const satisfies KnownOptions<keyof NotifierOptions>;
const KNOWN_EMAIL = { transport: true, from: true, subject: true } as const satisfies KnownOptions<
  keyof EmailOptions
>;
const KNOWN_WEBHOOK = { secret: true, timeoutMs: true } as const satisfies KnownOptions<keyof WebhookOptions>;
const KNOWN_RETRY = { attempts: true, baseDelayMs: true, maxDelayMs: true } as const satisfies KnownOptions<
  keyof RetryOptions
>;
const MIN_SECRET_LENGTH = 32;
const DEFAULT_RETRY: NotifierConfig['retry'] = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** Validates options and fills in defaults. Throws `ERR_TOLLGATE_INVALID_OPTIONS` naming the option. */
export function parseOptions(options: unknown): NotifierConfig {
  const o = readOptions('createNotifier', options, KNOWN, { expected: 'an object with `targets`' });
  const targets = o.fn<NotifierConfig['targets']>('targets', { required: true });
  const email = o.object('email', KNOWN_EMAIL, 'an object with `transport` and `from`');
  const webhook = o.object('webhook', KNOWN_WEBHOOK, 'an object with `secret`');
  const retry = o.object('retry', KNOWN_RETRY, 'an object');
  return {
    targets,
    email: email === undefined ? undefined : readEmail(email),
    webhook: webhook === undefined ? undefined : readWebhook(webhook),
    retry: retry === undefined ? DEFAULT_RETRY : readRetry(retry),
    concurrency: o.integer('concurrency', { min: 1, max: 1000, default: 4 }),
    maxQueue: o.integer('maxQueue', { min: 1, max: 10_000_000, default: 1000 }),
    closeTimeoutMs: o.number('closeTimeoutMs', { min: 0, default: 10_000 }),
    allowInsecureWebhooks: o.boolean('allowInsecureWebhooks', false),
    onEvent: o.fn<(event: NotifyEvent) => void>('onEvent'),
    now: o.fn<() => number>('now') ?? Date.now,
    sleep: o.fn<NotifierConfig['sleep']>('sleep') ?? sleep,
    random: o.fn<() => number>('random') ?? Math.random,
  };
}

function readEmail(e: OptionReader<keyof EmailOptions>): NotifierConfig['email'] {
  const transport = e.check(
    'transport',
    isTransport,
    'SMTP options, an SMTP URL or a transporter with sendMail()',
    {
      required: true,
    },
  );
  if (typeof transport === 'string' && !/^smtps?:\/\//i.test(transport)) {
    // The value is never quoted: connection URLs carry passwords.
    throw e.fail('transport', 'an SMTP URL must start with smtp:// or smtps://');
  }
  const from = e.string('from', {
    maxLength: 320,
    test: (f) => f.includes('@') && !/[\r\n]/.test(f),
    expected: 'a sender address such as alerts@example.com, on one line',
    required: true,
  });
  return { transport, from, subject: e.fn<(event: ThresholdEvent) => string>('subject') };
}

function readWebhook(w: OptionReader<keyof WebhookOptions>): NotifierConfig['webhook'] {
  return {
    // Never quoted, nor its length: it is a secret.
    secret: w.string('secret', {
      minLength: MIN_SECRET_LENGTH,
      expected: `a string of at least ${MIN_SECRET_LENGTH} characters (e.g. 32 random bytes, hex)`,
      required: true,
    }),
    timeoutMs: w.integer('timeoutMs', { min: 1, max: 600_000, default: 10_000 }),
  };
}

function readRetry(r: OptionReader<keyof RetryOptions>): NotifierConfig['retry'] {
  const retry = {
    attempts: r.integer('attempts', { min: 1, max: 100, default: DEFAULT_RETRY.attempts }),
    baseDelayMs: r.number('baseDelayMs', { min: 0, default: DEFAULT_RETRY.baseDelayMs }),
    maxDelayMs: r.number('maxDelayMs', { min: 0, default: DEFAULT_RETRY.maxDelayMs }),
  };
  if (retry.maxDelayMs < retry.baseDelayMs) {
    throw r.fail('maxDelayMs', 'must not be less than retry.baseDelayMs');
  }
  return retry;
}

/** SMTP options (an object), an SMTP URL, or a transporter: anything else is not a transport. */
function isTransport(value: unknown): value is SmtpOptions | string | MailTransport {
  if (typeof value === 'string') return true;
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The default sleep: a timer that `signal` cuts short (rejecting), so `close()` is not held up by it. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
