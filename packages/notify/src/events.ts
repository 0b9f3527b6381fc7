// Events the notifier reports for monitoring; none carries a secret, a webhook path or query, or a mailbox name.

import type { TargetKind } from './targets.js';

/** The fields every notification event has: which notification, and which target. */
export interface NotificationEventBase {
  readonly keyId: string;
  readonly threshold: 0.9 | 1;
  /** The key's local day, `YYYY-MM-DD`, from the threshold event. */
  readonly day: string;
  readonly kind: TargetKind;
  /**
   * What may be shown of the target: a webhook URL's origin (`https://hooks.example.com`) or an
   * email address's domain (`*@example.com`). Never the path, query or mailbox.
   */
  readonly target: string;
  /** When it happened, in epoch ms (the notifier's `now`). */
  readonly at: number;
}

/** The target accepted the notification (a 2xx answer, or the SMTP server took the message). */
export interface NotificationSentEvent extends NotificationEventBase {
  readonly type: 'notification_sent';
  /** Which attempt succeeded, from 1. */
  readonly attempt: number;
}

/** An attempt failed and another follows after `delayMs`. */
export interface NotificationRetryEvent extends NotificationEventBase {
  readonly type: 'notification_retry';
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: string;
}

/** The notification was not delivered: the last attempt failed, or the failure was permanent. */
export interface NotificationFailedEvent extends NotificationEventBase {
  readonly type: 'notification_failed';
  /** The attempt that failed last, from 1. */
  readonly attempt: number;
  /** True when retrying could not help (a 4xx answer, an SMTP 5xx), so fewer attempts were made. */
  readonly permanent: boolean;
  readonly error: string;
}

/** Why a notification was never attempted (or stopped). */
export type DropReason =
  /** The queue held `maxQueue` notifications already. */
  | 'queue_full'
  /** Not a target: the same entries the policy schema refuses (core's `parseNotifyTarget`). */
  | 'invalid_target'
  /**
   * A valid target this notifier is not set up for: an email target without the `email` option,
   * a webhook target without `webhook`, or plain http to loopback without `allowInsecureWebhooks`.
   */
  | 'not_configured'
  /** `targets(keyId)` threw or returned something other than an array of strings. */
  | 'targets_failed'
  /** The notifier was closed before the notification could be delivered. */
  | 'closed';

/** A notification was not queued, or was abandoned at `close()`. */
export interface NotificationDroppedEvent extends Omit<NotificationEventBase, 'kind'> {
  readonly type: 'notification_dropped';
  /** `'unknown'` when the target is too malformed to tell, or for `targets_failed`. */
  readonly kind: TargetKind | 'unknown';
  readonly reason: DropReason;
  /** Details, for `invalid_target`, `not_configured`, `targets_failed` and `closed`. */
  readonly error?: string;
}

/** Every event `onEvent` can receive; switch on `type`. */
export type NotifyEvent =
  | NotificationSentEvent
  | NotificationRetryEvent
  | NotificationFailedEvent
  | NotificationDroppedEvent;
