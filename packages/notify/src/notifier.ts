// The notifier: turns threshold events into deliveries, off the request path, each target once, with retries.

import type { ThresholdEvent, TollgateEvent } from '@tollgate/core';
import { backoffDelay } from './backoff.js';
import { DeliveryError, safeMessage } from './delivery-error.js';
import { createEmailSender } from './email.js';
import type { DropReason, NotifyEvent } from './events.js';
import { type NotifierOptions, parseOptions } from './options.js';
import { type Deliverable, isSkipped, type Target, type TargetKind, takeTarget } from './targets.js';
import { webhookPayload } from './threshold-message.js';
import { postWebhook } from './webhook.js';

/** Delivers threshold notifications. See {@link createNotifier}. */
export interface Notifier {
  /**
   * Takes any engine event; threshold events are queued for delivery to the key's targets, the
   * rest ignored. Returns at once and never throws: pass it as the engine's `onEvent`. A
   * repeated event (same key, threshold, day and target) is not delivered again.
   */
  handle(event: TollgateEvent): void;
  /** Resolves when nothing is queued, in flight or waiting to retry. */
  idle(): Promise<void>;
  /**
   * Stops taking events, waits up to `closeTimeoutMs` for queued deliveries, abandons the rest
   * (reported as `notification_dropped`, reason `closed`) and closes the SMTP transport it created.
   */
  close(): Promise<void>;
}

interface Job {
  readonly event: ThresholdEvent;
  readonly target: Target;
  /** The webhook body: built once, so every attempt sends the same bytes. */
  readonly body: string | undefined;
  attempts: number;
}

const DAY_MS = 86_400_000;
const ABORT_GRACE_MS = 1000;

/**
 * Creates a notifier for threshold events (90% and 100% of a key's daily cap): an email per
 * address and a signed POST per webhook URL on the key's notification list, delivered in the
 * background with retries. Bad options throw a `TollgateError` (`ERR_TOLLGATE_INVALID_OPTIONS`).
 *
 * @example
 * const notifier = createNotifier({
 *   targets: (keyId) => engine.notifyTargets(keyId),
 *   email: { transport: { host: 'smtp.example.com', port: 587, auth }, from: 'alerts@example.com' },
 *   webhook: { secret: process.env.TOLLGATE_WEBHOOK_SECRET },
 * });
 * const engine = createEngine({ policy, onEvent: notifier.handle });
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const config = parseOptions(options);
  const email = config.email === undefined ? undefined : createEmailSender(config.email);
  const secrets = [
    ...(config.webhook === undefined ? [] : [config.webhook.secret]),
    ...(email?.secrets ?? []),
  ];
  const closer = new AbortController();
  const setup: Deliverable = {
    email: email !== undefined,
    webhook: config.webhook !== undefined,
    allowInsecureWebhooks: config.allowInsecureWebhooks,
  };

  const ready: Job[] = [];
  let running = 0;
  /** Accepted and not finished: waiting for a slot, in flight, or waiting to retry. */
  let outstanding = 0;
  let idleWaiters: (() => void)[] = [];
  let pumpScheduled = false;
  let closing: Promise<void> | undefined;
  // (key, threshold, day, target) already taken, by day, so whole days can be forgotten.
  const seen = new Map<string, Set<string>>();

  const report = (event: NotifyEvent): void => {
    if (config.onEvent === undefined) return;
    try {
      config.onEvent(event);
    } catch (e) {
      warn(`onEvent handler threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const dropped = (
    event: ThresholdEvent,
    kind: TargetKind | 'unknown',
    target: string,
    reason: DropReason,
    error?: string,
  ): void => {
    const base = {
      type: 'notification_dropped',
      ...ids(event),
      kind,
      target,
      reason,
      at: config.now(),
    } as const;
    report(error === undefined ? base : { ...base, error: safeMessage(error, secrets) });
  };

  function handle(event: TollgateEvent): void {
    try {
      if (event?.type !== 'threshold') return;
      if (!isThresholdEvent(event)) {
        warn('ignored a threshold event without a keyId, threshold and day');
        return;
      }
      accept(event);
    } catch (e) {
      warn(`handling a threshold event failed: ${safeMessage(e, secrets)}`);
    }
  }

  function accept(event: ThresholdEvent): void {
    let list: unknown;
    try {
      list = config.targets(event.keyId);
    } catch (e) {
      dropped(event, 'unknown', '', 'targets_failed', `targets() threw: ${safeMessage(e, secrets)}`);
      return;
    }
    if (list === undefined || list === null) return;
    if (!Array.isArray(list)) {
      dropped(event, 'unknown', '', 'targets_failed', 'targets() returned neither an array nor undefined');
      return;
    }
    const taken = takenOn(event.day);
    for (const raw of list as unknown[]) {
      const target = takeTarget(raw, setup);
      if (isSkipped(target)) {
        dropped(event, target.kind, target.label, target.reason, target.error);
        continue;
      }
      const id = `${event.keyId}|${event.threshold}|${target.id}`;
      if (taken.has(id)) continue;
      if (closing !== undefined) {
        dropped(event, target.kind, target.label, 'closed');
        continue;
      }
      if (outstanding >= config.maxQueue) {
        // Not marked as taken: nothing was sent, so a repeat of the event may still be.
        dropped(event, target.kind, target.label, 'queue_full');
        continue;
      }
      taken.add(id);
      outstanding++;
      const body = target.kind === 'webhook' ? JSON.stringify(webhookPayload(event)) : undefined;
      ready.push({ event, target, body, attempts: 0 });
    }
    schedulePump();
  }

  /** The set of targets taken on `day`, forgetting days that can no longer see events. */
  function takenOn(day: string): Set<string> {
    let taken = seen.get(day);
    if (taken !== undefined) return taken;
    // Every time zone's day has ended 38 h after its UTC date began: two days back is safe.
    const cutoff = new Date(config.now() - 2 * DAY_MS).toISOString().slice(0, 10);
    for (const old of seen.keys()) if (old < cutoff) seen.delete(old);
    taken = new Set();
    seen.set(day, taken);
    return taken;
  }

  // Deliveries start from a fresh turn of the event loop, never inside handle(): connecting
  // and signing must not run on the request that crossed the threshold.
  function schedulePump(): void {
    if (pumpScheduled || ready.length === 0) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  }

  function pump(): void {
    while (running < config.concurrency && ready.length > 0 && !closer.signal.aborted) {
      const job = ready.shift() as Job;
      running++;
      void run(job);
    }
  }

  async function run(job: Job): Promise<void> {
    let retryIn: number | undefined;
    try {
      retryIn = await attempt(job);
    } catch (e) {
      warn(`a delivery failed unexpectedly: ${safeMessage(e, secrets)}`);
    }
    running--;
    if (retryIn === undefined) finish();
    else void retryLater(job, retryIn);
    pump();
  }

  /** One attempt; returns the wait before the next, or undefined when the job is done. */
  async function attempt(job: Job): Promise<number | undefined> {
    job.attempts++;
    const { event, target } = job;
    const base = { ...ids(event), kind: target.kind, target: target.label, attempt: job.attempts };
    try {
      await deliver(job);
      report({ type: 'notification_sent', ...base, at: config.now() });
      return undefined;
    } catch (e) {
      if (closer.signal.aborted) {
        dropped(event, target.kind, target.label, 'closed', 'the notifier closed during an attempt');
        return undefined;
      }
      const failure = e instanceof DeliveryError ? e : new DeliveryError(safeMessage(e, secrets), false);
      const error = safeMessage(failure, secrets);
      const { attempts, baseDelayMs, maxDelayMs } = config.retry;
      if (failure.permanent || job.attempts >= attempts) {
        report({
          type: 'notification_failed',
          ...base,
          permanent: failure.permanent,
          error,
          at: config.now(),
        });
        return undefined;
      }
      const jittered = backoffDelay(job.attempts, baseDelayMs, maxDelayMs, config.random);
      // A receiver asking for a longer wait (429 or 503 with Retry-After) gets it, up to maxDelayMs.
      const delayMs = Math.max(jittered, Math.min(failure.retryAfterMs ?? 0, maxDelayMs));
      report({ type: 'notification_retry', ...base, delayMs, error, at: config.now() });
      return delayMs;
    }
  }

  async function deliver(job: Job): Promise<void> {
    const { target } = job;
    if (target.kind === 'email') {
      await (email as NonNullable<typeof email>).send(job.event, target.address);
      return;
    }
    const webhook = config.webhook as NonNullable<typeof config.webhook>;
    await postWebhook({
      url: target.url,
      body: job.body as string,
      deliveryId: webhookPayload(job.event).id,
      secret: webhook.secret,
      timeoutMs: webhook.timeoutMs,
      now: config.now(),
      signal: closer.signal,
    });
  }

  async function retryLater(job: Job, delayMs: number): Promise<void> {
    try {
      await config.sleep(delayMs, closer.signal);
    } catch {
      // Aborted by close(): reported below.
    }
    if (closer.signal.aborted) {
      dropped(job.event, job.target.kind, job.target.label, 'closed', 'the notifier closed before a retry');
      finish();
      return;
    }
    ready.push(job);
    pump();
  }

  function finish(): void {
    outstanding--;
    if (outstanding > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function idle(): Promise<void> {
    if (outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  /** Resolves when idle, or after `ms`, whichever comes first. */
  async function idleWithin(ms: number): Promise<void> {
    if (outstanding === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([idle(), deadline]);
    clearTimeout(timer);
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      await idleWithin(config.closeTimeoutMs);
      closer.abort(new Error('notifier closed'));
      for (const job of ready.splice(0)) {
        dropped(
          job.event,
          job.target.kind,
          job.target.label,
          'closed',
          'the notifier closed before an attempt',
        );
        finish();
      }
      email?.close();
      // Aborted requests and retry waits settle at once (and report `closed`); an SMTP write
      // that ignores the closed transport is not waited for long.
      await idleWithin(ABORT_GRACE_MS);
    })();
    return closing;
  }

  return { handle, idle, close };
}

function ids(event: ThresholdEvent): { keyId: string; threshold: 0.9 | 1; day: string } {
  return { keyId: event.keyId, threshold: event.threshold, day: event.day };
}

function isThresholdEvent(e: ThresholdEvent): boolean {
  return (
    typeof e.keyId === 'string' &&
    (e.threshold === 0.9 || e.threshold === 1) &&
    typeof e.day === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(e.day)
  );
}

function warn(message: string): void {
  globalThis.process?.emitWarning?.(`tollgate notify: ${message}`);
}
