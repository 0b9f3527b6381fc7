// The retry loop: which failures are retried, how long to wait (server's word or jittered backoff), when to stop.

import { backoffDelay } from './backoff.js';
import { discard } from './body.js';
import { RateLimitedError } from './errors.js';
import type { Emit, RetryReason } from './events.js';
import type { ClientConfig } from './options.js';
import { type OutgoingRequest, safeToRepeat } from './outgoing-request.js';
import { problemCode } from './problem.js';
import { eventUrl } from './secure-url.js';
import { serverWaitMs } from './wait-headers.js';

/** The retry options with the clock, sleep, jitter source and event sink they run with. */
export type RetryConfig = ClientConfig['retry'] &
  Pick<ClientConfig, 'now' | 'sleep' | 'random'> & { emit: Emit };

/**
 * Calls `attempt` until it gives a response that is not a 429 or 503, or retrying is unsafe
 * (a non-idempotent or streamed request), pointless (the server asks for a longer wait than
 * `maxRetryWaitMs`) or out of budget (`maxAttempts`, `maxElapsedMs`). What it stops on is handed
 * back as `fetch` would: the last response, or the last network error. A 429 whose wait is too
 * long throws `RateLimitedError` instead, at once.
 */
export async function withRetries(
  config: RetryConfig,
  req: OutgoingRequest,
  attempt: (req: OutgoingRequest, n: number) => Promise<Response>,
): Promise<Response> {
  const { now, emit } = config;
  const started = now();
  const repeatable = req.replayable && (safeToRepeat(req) || config.retryNonIdempotent);
  const where = { method: req.method, url: eventUrl(req.url) };

  for (let n = 1; ; n++) {
    let res: Response | undefined;
    let failure: unknown;
    let reason: RetryReason = 'network_error';
    let waitMs: number | undefined;
    try {
      req.signal?.throwIfAborted();
      res = await attempt(req, n);
    } catch (error) {
      // fetch rejects with a TypeError for network failures; anything else (an abort, the
      // client's own errors) is final.
      if (!(error instanceof TypeError) || req.signal?.aborted) throw error;
      failure = error;
    }

    if (res !== undefined) {
      if (res.status !== 429 && res.status !== 503) return res;
      reason = res.status === 429 ? 'rate_limited' : 'unavailable';
      const wait = serverWaitMs(res.headers, now());
      const code = await problemCode(res);
      waitMs = wait.waitMs;
      emit({
        type: 'rate_limited',
        ...where,
        status: res.status,
        problemCode: code,
        waitMs,
        limits: wait.limits,
        at: now(),
      });
      if (waitMs !== undefined && waitMs > config.maxRetryWaitMs) {
        // A daily cap hours from its reset: waiting would only hold the caller up. A 503 that
        // long is an outage notice, not a limit, and goes back as the response it is.
        if (res.status === 503) return res;
        discard(res);
        throw new RateLimitedError({
          status: res.status,
          problemCode: code,
          resetAt: new Date(now() + waitMs),
          retryAfterMs: waitMs,
          limits: wait.limits,
          maxRetryWaitMs: config.maxRetryWaitMs,
        });
      }
    }

    const stop = (): Response => {
      if (res === undefined) throw failure;
      return res;
    };
    if (!repeatable) return stop();
    if (n >= config.maxAttempts) {
      emit({ type: 'retry_exhausted', ...where, attempts: n, reason, limit: 'attempts', at: now() });
      return stop();
    }
    const delayMs = waitMs ?? backoffDelay(n - 1, config.baseDelayMs, config.maxDelayMs, config.random);
    if (now() + delayMs - started > config.maxElapsedMs) {
      emit({ type: 'retry_exhausted', ...where, attempts: n, reason, limit: 'time', at: now() });
      return stop();
    }
    if (res !== undefined) discard(res);
    emit({
      type: 'backoff',
      ...where,
      attempt: n,
      reason,
      delayMs,
      source: waitMs === undefined ? 'backoff' : 'server',
      at: now(),
    });
    await config.sleep(delayMs, req.signal);
    req.signal?.throwIfAborted();
    emit({ type: 'retry', ...where, attempt: n + 1, reason, at: now() });
  }
}
