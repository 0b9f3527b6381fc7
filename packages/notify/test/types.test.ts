// Type-level checks of the public API: handle fits the engine's onEvent, a nodemailer transporter fits email.transport.

import type { EngineOptions, ThresholdEvent, TollgateEvent } from '@tollgate/core';
import type nodemailer from 'nodemailer';
import { describe, expectTypeOf, it } from 'vitest';
import type { EmailOptions, MailTransport, Notifier, NotifierOptions, NotifyEvent } from '../src/index.js';

describe('types', () => {
  it('fit the engine and nodemailer', () => {
    expectTypeOf<Notifier['handle']>().toEqualTypeOf<(event: TollgateEvent) => void>();
    expectTypeOf<Notifier['handle']>().toExtend<NonNullable<EngineOptions['onEvent']>>();
    expectTypeOf<Notifier['idle']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<ReturnType<typeof nodemailer.createTransport>>().toExtend<MailTransport>();
    expectTypeOf<{ host: string; port: number; secure: false; ignoreTLS: true }>().toExtend<
      EmailOptions['transport']
    >();
    expectTypeOf<NotifierOptions['targets']>().returns.toEqualTypeOf<readonly string[] | undefined>();
    expectTypeOf<Parameters<NonNullable<EmailOptions['subject']>>[0]>().toEqualTypeOf<ThresholdEvent>();
    expectTypeOf<NotifyEvent['type']>().toEqualTypeOf<
      'notification_sent' | 'notification_retry' | 'notification_failed' | 'notification_dropped'
    >();
  });
});
