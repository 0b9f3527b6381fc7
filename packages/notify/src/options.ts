// Public notifier options and their one parser: defaults filled in, unknown keys refused, the bad option named.

import { type ThresholdEvent, TollgateError } from '@tollgate/core';
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

const KNOWN = new Set([
  'targets',
  'email',
  'webhook',
  'retry',
  'concurrency',
  'maxQueue',
  'closeTimeoutMs',
  'allowInsecureWebhooks',
  'onEvent',
  'now',
  'sleep',
  'random',
]);
const MIN_SECRET_LENGTH = 32;

/** Validates options and fills in defaults. Throws `ERR_TOLLGATE_INVALID_OPTIONS` naming the option. */
export function parseOptions(options: unknown): NotifierConfig {
  const o = record(options, 'options', 'an object with `targets`');
  unknownKeys(o, KNOWN, 'options');
  if (o.targets === undefined) throw invalid('options.targets: is required (a function of the key id)');

  return {
    targets: fn(o.targets, 'options.targets') as NotifierConfig['targets'],
    email: parseEmail(o.email),
    webhook: parseWebhook(o.webhook),
    retry: parseRetry(o.retry),
    concurrency: int(o.concurrency, 'options.concurrency', 4, 1, 1000),
    maxQueue: int(o.maxQueue, 'options.maxQueue', 1000, 1, 10_000_000),
    closeTimeoutMs: num(o.closeTimeoutMs, 'options.closeTimeoutMs', 10_000, 0),
    allowInsecureWebhooks: bool(o.allowInsecureWebhooks, 'options.allowInsecureWebhooks', false),
    onEvent: fn(o.onEvent, 'options.onEvent') as NotifierConfig['onEvent'],
    now: (fn(o.now, 'options.now') as NotifierConfig['now'] | undefined) ?? Date.now,
    sleep: (fn(o.sleep, 'options.sleep') as NotifierConfig['sleep'] | undefined) ?? sleep,
    random: (fn(o.random, 'options.random') as NotifierConfig['random'] | undefined) ?? Math.random,
  };
}

function parseEmail(value: unknown): NotifierConfig['email'] {
  if (value === undefined) return undefined;
  const e = record(value, 'options.email', 'an object with `transport` and `from`');
  unknownKeys(e, new Set(['transport', 'from', 'subject']), 'options.email');
  const transport = e.transport;
  const isTransporter =
    transport !== null &&
    typeof transport === 'object' &&
    typeof (transport as MailTransport).sendMail === 'function';
  if (
    !isTransporter &&
    typeof transport !== 'string' &&
    (transport === null || typeof transport !== 'object' || Array.isArray(transport))
  ) {
    throw invalid(
      'options.email.transport: expected SMTP options, an SMTP URL or a transporter with sendMail()',
    );
  }
  if (typeof transport === 'string' && !/^smtps?:\/\//i.test(transport)) {
    // The value is never quoted: connection URLs carry passwords.
    throw invalid('options.email.transport: an SMTP URL must start with smtp:// or smtps://');
  }
  const from = e.from;
  if (typeof from !== 'string' || !from.includes('@') || /[\r\n]/.test(from) || from.length > 320) {
    throw invalid('options.email.from: expected a sender address such as alerts@example.com, on one line');
  }
  return {
    transport: transport as SmtpOptions | string | MailTransport,
    from,
    subject: fn(e.subject, 'options.email.subject') as NonNullable<NotifierConfig['email']>['subject'],
  };
}

function parseWebhook(value: unknown): NotifierConfig['webhook'] {
  if (value === undefined) return undefined;
  const w = record(value, 'options.webhook', 'an object with `secret`');
  unknownKeys(w, new Set(['secret', 'timeoutMs']), 'options.webhook');
  if (typeof w.secret !== 'string' || w.secret.length < MIN_SECRET_LENGTH) {
    // Never quoted, nor its length: it is a secret.
    throw invalid(
      `options.webhook.secret: expected a string of at least ${MIN_SECRET_LENGTH} characters (e.g. 32 random bytes, hex)`,
    );
  }
  return {
    secret: w.secret,
    timeoutMs: int(w.timeoutMs, 'options.webhook.timeoutMs', 10_000, 1, 600_000),
  };
}

function parseRetry(value: unknown): NotifierConfig['retry'] {
  if (value === undefined) return { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };
  const r = record(value, 'options.retry', 'an object');
  unknownKeys(r, new Set(['attempts', 'baseDelayMs', 'maxDelayMs']), 'options.retry');
  const retry = {
    attempts: int(r.attempts, 'options.retry.attempts', 5, 1, 100),
    baseDelayMs: num(r.baseDelayMs, 'options.retry.baseDelayMs', 1000, 0),
    maxDelayMs: num(r.maxDelayMs, 'options.retry.maxDelayMs', 60_000, 0),
  };
  if (retry.maxDelayMs < retry.baseDelayMs) {
    throw invalid('options.retry.maxDelayMs: must not be less than retry.baseDelayMs');
  }
  return retry;
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

function record(value: unknown, name: string, expected: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${name}: expected ${expected}`);
  }
  return value as Record<string, unknown>;
}

function unknownKeys(o: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): void {
  for (const name of Object.keys(o)) {
    if (!known.has(name)) throw invalid(`${prefix}.${name}: unknown option`);
  }
}

function num(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalid(`${name}: expected a finite number of at least ${min}`);
  }
  return value;
}

function int(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(`${name}: expected true or false`);
  return value;
}

function fn(value: unknown, name: string): ((...args: never[]) => unknown) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(`${name}: expected a function`);
  return value as (...args: never[]) => unknown;
}

function invalid(message: string): TollgateError {
  return new TollgateError('ERR_TOLLGATE_INVALID_OPTIONS', message);
}
