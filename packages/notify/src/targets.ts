// Which of a key's targets this notifier sends to: core's parser says what a target is, this file what the notifier is set up for.

import {
  isInvalidNotifyTarget,
  type NotifyTarget,
  type NotifyTargetKind,
  parseNotifyTarget,
} from '@tollgate/core/adapter';

/** How a target is delivered to. */
export type TargetKind = NotifyTargetKind;

/** A target the notifier will deliver to, with the label events may show of it. */
export type Target = NotifyTarget;

/** A target the notifier will not deliver to: `label` is what may be shown of it, `error` says why. */
export interface SkippedTarget {
  readonly kind: TargetKind | 'unknown';
  readonly label: string;
  /**
   * `invalid_target`: not a target at all (the policy schema refuses the same entries);
   * `not_configured`: a valid target this notifier was not set up to deliver to.
   */
  readonly reason: 'invalid_target' | 'not_configured';
  readonly error: string;
}

/** What the notifier was set up to deliver. */
export interface Deliverable {
  readonly email: boolean;
  readonly webhook: boolean;
  readonly allowInsecureWebhooks: boolean;
}

/**
 * Takes one entry of a key's list. A valid target goes on to delivery unless its channel is not
 * configured, or it is plain HTTP (to loopback) without `allowInsecureWebhooks`.
 */
export function takeTarget(raw: unknown, setup: Deliverable): Target | SkippedTarget {
  const target = parseNotifyTarget(raw);
  if (isInvalidNotifyTarget(target)) return { ...target, reason: 'invalid_target' };
  const { kind, label } = target;
  if (!(kind === 'email' ? setup.email : setup.webhook)) {
    return { kind, label, reason: 'not_configured', error: `no ${kind} option` };
  }
  if (target.kind === 'webhook' && target.plainHttp && !setup.allowInsecureWebhooks) {
    return {
      kind,
      label,
      reason: 'not_configured',
      error: 'plain http to a loopback address needs allowInsecureWebhooks',
    };
  }
  return target;
}

/** True when `takeTarget` did not take the entry. */
export function isSkipped(t: Target | SkippedTarget): t is SkippedTarget {
  return 'reason' in t;
}
