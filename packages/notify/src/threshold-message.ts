// What a threshold notification says: the webhook's JSON payload and the email's subject and bodies.

import type { ThresholdEvent } from '@tollgate/core';
import { deliveryId } from './webhook-signature.js';

/** The JSON body of a webhook delivery. */
export interface WebhookPayload {
  readonly type: 'tollgate.threshold';
  /** The same for every target, attempt and process: deduplicate on it. */
  readonly id: string;
  readonly keyId: string;
  readonly threshold: 0.9 | 1;
  /** The key's count for the day when the threshold was reached. */
  readonly count: number;
  /** The key's daily cap. */
  readonly limit: number;
  /** The key's local day, `YYYY-MM-DD`. */
  readonly day: string;
  /** When the threshold was reached, in epoch ms. */
  readonly at: number;
}

/** The webhook body for `event`. Field order is fixed, so every attempt sends the same bytes. */
export function webhookPayload(event: ThresholdEvent): WebhookPayload {
  return {
    type: 'tollgate.threshold',
    id: deliveryId(event.keyId, event.threshold, event.day),
    keyId: event.keyId,
    threshold: event.threshold,
    count: event.count,
    limit: event.limit,
    day: event.day,
    at: event.at,
  };
}

/** `[Tollgate] shop-web reached 90% of its daily cap`, or `… reached its daily cap (100%)`. */
export function defaultSubject(event: ThresholdEvent): string {
  return event.threshold === 1
    ? `[Tollgate] ${event.keyId} reached its daily cap (100%)`
    : `[Tollgate] ${event.keyId} reached ${percent(event.threshold)} of its daily cap`;
}

/** The plain-text and HTML bodies of the email for `event`. */
export function emailBodies(event: ThresholdEvent): { text: string; html: string } {
  const lines = describe(event);
  const text = `${lines.join('\n\n')}\n`;
  const html = `<!doctype html><html><body>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`;
  return { text, html };
}

function describe(event: ThresholdEvent): string[] {
  const { keyId, count, limit, day } = event;
  const usage =
    event.threshold === 1
      ? `API key ${keyId} has used all ${limit} requests of its daily cap for ${day}. ` +
        'Further requests are refused with 429 (daily_limit) until the cap resets.'
      : `API key ${keyId} has used ${count} of its ${limit} requests for ${day} ` +
        `(${percent(event.threshold)} of its daily cap). At ${limit}, further requests are refused with 429.`;
  const next = nextDay(day);
  const reset =
    next === undefined
      ? "The count resets at midnight in the key's time zone."
      : `The count resets at midnight in the key's time zone, when ${next} begins there.`;
  return [
    usage,
    reset,
    `Reached at ${isoTime(event.at)}. Delivery id: ${deliveryId(keyId, event.threshold, day)}.`,
    'Sent by Tollgate to the notification list of this key.',
  ];
}

function percent(threshold: number): string {
  return `${Math.round(threshold * 100)}%`;
}

/** The calendar day after `YYYY-MM-DD` (plain date arithmetic: no time zone is involved). */
export function nextDay(day: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (m === null) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().slice(0, 10);
}

function isoTime(at: number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toISOString();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
