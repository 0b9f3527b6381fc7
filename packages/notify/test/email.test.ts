// Email delivery against a real SMTP server: recipients, subject and body, and which SMTP refusals are retried.

import nodemailer from 'nodemailer';
import { describe, expect, it, vi } from 'vitest';
import { createNotifier, type NotifierOptions } from '../src/index.js';
import { deliveryId } from '../src/webhook-signature.js';
import { onCleanup, recorder, thresholdEvent } from './support/harness.js';
import { type SmtpBehaviour, startSmtpServer } from './support/smtp-server.js';

async function setup(
  targets: readonly string[],
  behaviour: SmtpBehaviour = {},
  options: Partial<NotifierOptions> = {},
) {
  const smtp = await startSmtpServer(behaviour);
  onCleanup(smtp.close);
  const rec = recorder();
  const notifier = createNotifier({
    targets: () => targets,
    email: { transport: smtp.transport, from: 'Tollgate <alerts@tollgate.example>' },
    ...rec.deps,
    ...options,
  });
  onCleanup(notifier.close);
  return { smtp, notifier, ...rec };
}

describe('email delivery', () => {
  it('sends one message per address, saying which key, threshold, count, day and reset', async () => {
    const { smtp, notifier, ofType } = await setup(['ops@example.com', 'Billing@Example.org']);
    notifier.handle(thresholdEvent());
    await notifier.idle();

    // nodemailer lower-cases the domain; the mailbox keeps its case.
    expect(smtp.mails.map((m) => m.rcptTo)).toEqual(
      expect.arrayContaining([['ops@example.com'], ['Billing@example.org']]),
    );
    expect(smtp.mails).toHaveLength(2);
    for (const mail of smtp.mails) {
      expect(mail.mailFrom).toBe('alerts@tollgate.example');
      expect(mail.headers.get('subject')).toBe('[Tollgate] shop-web reached 90% of its daily cap');
      expect(mail.headers.get('x-tollgate-delivery')).toBe(deliveryId('shop-web', 0.9, '2026-11-23'));
      expect(mail.text).toContain('API key shop-web has used 900 of its 1000 requests for 2026-11-23');
      expect(mail.text).toContain('90% of its daily cap');
      expect(mail.text).toContain("resets at midnight in the key's time zone, when 2026-11-24 begins");
      expect(mail.text).toContain('2026-11-23T14:30:00.000Z');
      expect(mail.html).toContain('<p>API key shop-web has used 900 of its 1000 requests');
    }
    // Only the domain of each address is reported.
    expect(
      ofType('notification_sent')
        .map((e) => e.target)
        .sort(),
    ).toEqual(['*@example.com', '*@example.org']);
  });

  it('says the cap is used up at 100%', async () => {
    const { smtp, notifier } = await setup(['ops@example.com']);
    notifier.handle(thresholdEvent({ threshold: 1, count: 1000, day: '2026-12-31' }));
    await notifier.idle();
    const [mail] = smtp.mails;
    expect(mail?.headers.get('subject')).toBe('[Tollgate] shop-web reached its daily cap (100%)');
    expect(mail?.text).toContain(
      'API key shop-web has used all 1000 requests of its daily cap for 2026-12-31',
    );
    expect(mail?.text).toContain('refused with 429');
    expect(mail?.text).toContain('when 2027-01-01 begins');
  });

  it('uses a custom subject, on one line', async () => {
    const smtp = await startSmtpServer();
    onCleanup(smtp.close);
    const notifier = createNotifier({
      targets: () => ['ops@example.com'],
      email: {
        transport: smtp.transport,
        from: 'alerts@tollgate.example',
        subject: (e) => `${e.keyId} at ${e.threshold * 100}%\r\nBcc: victim@example.net`,
      },
    });
    onCleanup(notifier.close);
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]?.headers.get('subject')).toBe('shop-web at 90% Bcc: victim@example.net');
    expect(smtp.mails[0]?.headers.has('bcc')).toBe(false);
    expect(smtp.mails[0]?.rcptTo).toEqual(['ops@example.com']);
  });

  it('falls back to the default subject when a custom one throws', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const smtp = await startSmtpServer();
      onCleanup(smtp.close);
      const notifier = createNotifier({
        targets: () => ['ops@example.com'],
        email: {
          transport: smtp.transport,
          from: 'alerts@tollgate.example',
          subject: () => {
            throw new Error('template missing');
          },
        },
      });
      onCleanup(notifier.close);
      notifier.handle(thresholdEvent());
      await notifier.idle();
      expect(smtp.mails[0]?.headers.get('subject')).toBe('[Tollgate] shop-web reached 90% of its daily cap');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('template missing'));
    } finally {
      warn.mockRestore();
    }
  });

  it('retries a temporary SMTP refusal (4xx) and delivers', async () => {
    const { smtp, notifier, delays, ofType } = await setup(['ops@example.com'], {
      data: (n) => (n <= 2 ? { code: 451, message: 'try again later' } : undefined),
    });
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(smtp.mails).toHaveLength(1);
    expect(delays).toHaveLength(2);
    expect(ofType('notification_retry')).toHaveLength(2);
    expect(ofType('notification_sent')).toMatchObject([{ kind: 'email', attempt: 3 }]);
  });

  it('does not retry a permanent SMTP refusal (5xx), and keeps the mailbox out of the event', async () => {
    const { smtp, notifier, delays, ofType, events } = await setup(['nobody.here@example.com'], {
      rcpt: (address) => ({ code: 550, message: `<${address}>: mailbox unavailable` }),
    });
    notifier.handle(thresholdEvent());
    await notifier.idle();
    expect(smtp.mails).toHaveLength(0);
    expect(delays).toEqual([]);
    const [failed] = ofType('notification_failed');
    expect(failed).toMatchObject({ kind: 'email', target: '*@example.com', attempt: 1, permanent: true });
    expect(failed?.error).toContain('mailbox unavailable');
    expect(JSON.stringify(events)).not.toContain('nobody.here');
  });

  it('sends through a transporter passed in, and leaves it open at close()', async () => {
    const smtp = await startSmtpServer();
    onCleanup(smtp.close);
    const transporter = nodemailer.createTransport(smtp.transport);
    onCleanup(async () => transporter.close());
    const notifier = createNotifier({
      targets: () => ['ops@example.com'],
      email: { transport: transporter, from: 'alerts@tollgate.example' },
    });
    notifier.handle(thresholdEvent());
    await notifier.idle();
    await notifier.close();
    expect(smtp.mails).toHaveLength(1);
    await expect(transporter.verify()).resolves.toBe(true);
  });
});
