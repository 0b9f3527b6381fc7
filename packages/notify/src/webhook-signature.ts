// Webhook signatures: the HMAC-SHA256 the notifier puts on each POST, and the check receivers run on it.

import * as crypto from 'node:crypto';
import { invalidOption } from '@tollgate/core/option-reader';

/** The signature scheme's prefix in `X-Tollgate-Signature`. */
const SCHEME = 'sha256=';
const SIGNATURE = /^sha256=[0-9a-f]{64}$/i;
// Unix seconds: digits only, so `1e9`, ` 17` or `0x10` are never read as a time.
const TIMESTAMP = /^\d{1,12}$/;

/**
 * The signature of one delivery: `sha256=` and the hex HMAC-SHA256, keyed with `secret`, of
 * `${timestamp}.${body}`. Signing the timestamp with the body is what lets a receiver refuse
 * a captured request replayed later.
 *
 * @example
 * signWebhook('{"type":"tollgate.threshold"}', 1795000000, secret) // 'sha256=6f1c…'
 */
export function signWebhook(body: string, timestamp: number, secret: string): string {
  return SCHEME + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** What {@link verifyWebhookSignature} needs: the raw request and your secret. */
export interface VerifyWebhookInput {
  /** The request body exactly as received (the raw bytes or their UTF-8 text), not re-serialised JSON. */
  body: string | Uint8Array;
  /** The `X-Tollgate-Timestamp` header. */
  timestamp: string | number | readonly string[] | null | undefined;
  /** The `X-Tollgate-Signature` header. */
  signature: string | readonly string[] | null | undefined;
  /** The webhook secret; several while you rotate it (any one may match). */
  secret: string | readonly string[];
  /** How far the timestamp may be from `now`, in seconds, either way. Default: 300. */
  toleranceSec?: number | undefined;
  /** The current time in epoch milliseconds. Default: `Date.now()`. */
  now?: number | undefined;
}

/**
 * True when a webhook request really comes from a notifier holding `secret` and was signed
 * within `toleranceSec` of now. Compares in constant time. Malformed or missing headers give
 * false; a missing secret throws (that is a setup mistake, not a bad request).
 *
 * Receivers should also deduplicate on the payload's `id` (also in `X-Tollgate-Delivery`): a
 * retry after a lost response delivers the same notification again.
 *
 * @example
 * http.createServer((req, res) => {
 *   const chunks = [];
 *   req.on('data', (c) => chunks.push(c)).on('end', () => {
 *     const body = Buffer.concat(chunks);
 *     const ok = verifyWebhookSignature({
 *       body,
 *       timestamp: req.headers['x-tollgate-timestamp'],
 *       signature: req.headers['x-tollgate-signature'],
 *       secret: process.env.TOLLGATE_WEBHOOK_SECRET,
 *     });
 *     res.writeHead(ok ? 204 : 401).end();
 *   });
 * });
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): boolean {
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  if (!Array.isArray(secrets) || secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s)) {
    throw invalidOption(
      'verifyWebhookSignature',
      'input.secret',
      'is required (a string or a non-empty list of them)',
    );
  }
  const toleranceSec = input.toleranceSec ?? 300;
  if (typeof toleranceSec !== 'number' || !(toleranceSec >= 0)) {
    throw invalidOption('verifyWebhookSignature', 'input.toleranceSec', 'expected a number of at least 0');
  }

  const timestamp = typeof input.timestamp === 'number' ? String(input.timestamp) : input.timestamp;
  const signature = input.signature;
  if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) return false;
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
  const nowSec = (input.now ?? Date.now()) / 1000;
  if (Math.abs(nowSec - Number(timestamp)) > toleranceSec) return false;

  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  const given = Buffer.from(signature.slice(SCHEME.length), 'hex');
  let match = false;
  for (const secret of secrets) {
    const expected = crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
    // Every secret is compared, match or not, so the time taken says nothing about which matched.
    if (crypto.timingSafeEqual(expected, given)) match = true;
  }
  return match;
}

/**
 * The delivery id of a threshold notification: the same for every target, attempt and process,
 * so receivers can deduplicate on it. `keyId|threshold|day`, hashed.
 *
 * @example
 * deliveryId('shop-web', 0.9, '2026-11-23') // 'thr_422a53b5eccb49ee4e80450601bac492'
 */
export function deliveryId(keyId: string, threshold: number, day: string): string {
  const hash = crypto.createHash('sha256').update(`${keyId}|${threshold}|${day}`).digest('hex');
  return `thr_${hash.slice(0, 32)}`;
}
