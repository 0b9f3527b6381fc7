// Public API of @tollgate/notify: email and signed-webhook notifications at 90% and 100% of a key's daily cap.

export type {
  DropReason,
  NotificationDroppedEvent,
  NotificationEventBase,
  NotificationFailedEvent,
  NotificationRetryEvent,
  NotificationSentEvent,
  NotifyEvent,
} from './events.js';
export { createNotifier, type Notifier } from './notifier.js';
export type {
  EmailOptions,
  MailMessage,
  MailTransport,
  NotifierOptions,
  RetryOptions,
  SmtpOptions,
  WebhookOptions,
} from './options.js';
export type { TargetKind } from './targets.js';
export type { WebhookPayload } from './threshold-message.js';
export { type VerifyWebhookInput, verifyWebhookSignature } from './webhook-signature.js';
