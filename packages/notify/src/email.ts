// Email delivery: the nodemailer transport, one message per address, and which SMTP failures are worth retrying.

import type { ThresholdEvent } from '@tollgate/core';
import nodemailer from 'nodemailer';
import { DeliveryError } from './delivery-error.js';
import type { MailTransport, NotifierConfig } from './options.js';
import { defaultSubject, emailBodies } from './threshold-message.js';
import { deliveryId } from './webhook-signature.js';

/** Sends threshold emails through one transport. */
export interface EmailSender {
  send(event: ThresholdEvent, to: string): Promise<void>;
  /** Closes the transport if this sender created it. */
  close(): void;
  /** Secrets of the transport (the SMTP password), to keep out of error messages. */
  readonly secrets: readonly string[];
}

/** Creates the sender; a transport given as options or a URL is created here, and owned. */
export function createEmailSender(config: NonNullable<NotifierConfig['email']>): EmailSender {
  const given = config.transport;
  const owned = typeof given === 'string' || typeof (given as MailTransport).sendMail !== 'function';
  const transport: MailTransport = owned
    ? (nodemailer.createTransport(given as Parameters<typeof nodemailer.createTransport>[0]) as MailTransport)
    : (given as MailTransport);
  // The SMTP password of options we were given, kept out of error messages. (A connection URL's
  // password goes with the URL, which messages never show whole.)
  const pass =
    owned && typeof given === 'object' ? (given as { auth?: { pass?: unknown } }).auth?.pass : undefined;
  const secrets = typeof pass === 'string' ? [pass] : [];

  return {
    secrets,
    async send(event, to) {
      const { text, html } = emailBodies(event);
      try {
        await transport.sendMail({
          from: config.from,
          to,
          subject: subjectFor(event, config.subject),
          text,
          html,
          headers: { 'X-Tollgate-Delivery': deliveryId(event.keyId, event.threshold, event.day) },
        });
      } catch (e) {
        // An SMTP 5xx (mailbox unknown, message refused, bad credentials) will be refused again;
        // 4xx replies and network errors are temporary by definition.
        const code = (e as { responseCode?: unknown }).responseCode;
        const permanent = typeof code === 'number' && code >= 500;
        throw new DeliveryError(e instanceof Error ? e.message : String(e), permanent);
      }
    },
    close() {
      if (owned) transport.close?.();
    },
  };
}

function subjectFor(event: ThresholdEvent, custom: ((event: ThresholdEvent) => string) | undefined): string {
  let subject: unknown;
  if (custom !== undefined) {
    try {
      subject = custom(event);
    } catch (e) {
      globalThis.process?.emitWarning?.(
        `tollgate notify: email.subject threw, using the default: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  // A line break in a header would let a subject add headers of its own.
  const line = typeof subject === 'string' ? subject.replace(/[\r\n]+/g, ' ').trim() : '';
  return line === '' ? defaultSubject(event) : line;
}
