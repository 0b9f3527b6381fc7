// One webhook attempt: a signed JSON POST, and what its answer means for retrying.

import { DeliveryError } from './delivery-error.js';
import { signWebhook } from './webhook-signature.js';

/** What one attempt needs. `body` is the same bytes on every attempt; the timestamp is fresh. */
export interface WebhookAttempt {
  readonly url: URL;
  readonly body: string;
  readonly deliveryId: string;
  readonly secret: string;
  readonly timeoutMs: number;
  /** Epoch ms, for the signed timestamp. */
  readonly now: number;
  /** Aborts the attempt (at `close()`). */
  readonly signal: AbortSignal;
}

/**
 * Sends one attempt. Resolves on a 2xx answer; otherwise throws a `DeliveryError`, permanent
 * for a 4xx other than 408 and 429 (the receiver refused this request and will refuse it again)
 * and for a redirect (a signed payload is not followed to wherever a redirect points).
 */
export async function postWebhook(attempt: WebhookAttempt): Promise<number> {
  const timestamp = Math.floor(attempt.now / 1000);
  const signal = AbortSignal.any([attempt.signal, AbortSignal.timeout(attempt.timeoutMs)]);
  let res: Response;
  try {
    res = await fetch(attempt.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'tollgate-notify',
        'X-Tollgate-Delivery': attempt.deliveryId,
        'X-Tollgate-Timestamp': String(timestamp),
        'X-Tollgate-Signature': signWebhook(attempt.body, timestamp, attempt.secret),
      },
      body: attempt.body,
      redirect: 'manual',
      signal,
    });
  } catch (e) {
    if (attempt.signal.aborted) throw new DeliveryError('notifier closed', true);
    if (signal.aborted) throw new DeliveryError(`no answer within ${attempt.timeoutMs} ms`, false);
    throw e;
  }
  // The answer's body is not read: free the connection at once.
  await res.body?.cancel().catch(() => {});
  const status = res.status;
  if (status >= 200 && status < 300) return status;
  if (status === 0 || (status >= 300 && status < 400)) {
    throw new DeliveryError(`webhook answered ${status || 'a redirect'}; redirects are not followed`, true);
  }
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  throw new DeliveryError(
    `webhook answered ${status}`,
    permanent,
    retryAfterMs(res.headers.get('retry-after')),
  );
}

/** `Retry-After` in ms, for seconds only (an HTTP date is not worth trusting clocks over). */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null || !/^\d{1,9}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}
