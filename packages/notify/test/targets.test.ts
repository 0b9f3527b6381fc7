// Which targets the notifier takes: exactly what the policy schema accepts (one parser, in core), then what it is set up for.

import { createEngine, TollgateError } from '@tollgate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNotifier, type NotificationDroppedEvent, type NotifyEvent } from '../src/index.js';
import { isSkipped, takeTarget } from '../src/targets.js';
import { AT, onCleanup, recorder, SECRET, thresholdEvent } from './support/harness.js';
import { startSmtpServer } from './support/smtp-server.js';
import { startReceiver } from './support/webhook-receiver.js';

const ALL = { email: true, webhook: true, allowInsecureWebhooks: true };
const SCHEMA_PREFIX = 'keys[0] (web).notify[0]: ';

// The policy is checked as the engine checks it: one engine, whose reload() validates each policy as
// createEngine() does, without building a new store every time.
const engine = createEngine({ policy: { keys: [] } });

/** What the policy check says of one `notify` entry: undefined when accepted, else its message. */
function schemaVerdict(target: string): string | undefined {
  try {
    engine.reload({ keys: [{ id: 'web', key: 'pk_live_01234567', notify: [target] }] });
    return undefined;
  } catch (e) {
    if (!(e instanceof TollgateError)) throw e;
    const { issues } = e;
    expect(issues).toHaveLength(1);
    expect(issues[0]?.startsWith(SCHEMA_PREFIX)).toBe(true);
    return issues[0]?.slice(SCHEMA_PREFIX.length);
  }
}

/** The schema's message for a target the parser refused with `error`. */
const schemaMessage = (error: string) => `expected an email address or an https:// URL (${error})`;

describe('takeTarget', () => {
  it('takes plain http to a loopback address only with allowInsecureWebhooks, as not_configured otherwise', () => {
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://127.0.0.2/hook',
      'http://localhost:9000/hook',
      'http://[::1]:9/x',
    ]) {
      expect(isSkipped(takeTarget(url, ALL))).toBe(false);
      expect(takeTarget(url, { ...ALL, allowInsecureWebhooks: false })).toMatchObject({
        kind: 'webhook',
        reason: 'not_configured',
        error: expect.stringMatching(/allowInsecureWebhooks/),
      });
    }
    for (const url of ['http://hooks.example.com/x', 'http://10.0.0.1/x', 'http://api.localhost/x']) {
      expect(takeTarget(url, ALL)).toMatchObject({ kind: 'webhook', reason: 'invalid_target' });
    }
  });

  it('reports a channel that is not set up as not_configured, and a non-target as invalid_target', () => {
    expect(takeTarget('ops@example.com', { ...ALL, email: false })).toMatchObject({
      kind: 'email',
      label: '*@example.com',
      reason: 'not_configured',
      error: 'no email option',
    });
    expect(takeTarget('https://hooks.example.com/x', { ...ALL, webhook: false })).toMatchObject({
      kind: 'webhook',
      reason: 'not_configured',
      error: 'no webhook option',
    });
    // Not a target is not a target, whatever is set up.
    expect(takeTarget('a..b@example.com', { ...ALL, email: false })).toMatchObject({
      reason: 'invalid_target',
    });
    expect(takeTarget(42, ALL)).toMatchObject({ kind: 'unknown', reason: 'invalid_target' });
  });
});

describe('the policy schema and the notifier agree', () => {
  it('on the four entries that used to differ, with a real notifier delivering', async () => {
    const smtp = await startSmtpServer();
    onCleanup(smtp.close);
    const local = await startReceiver(() => 204, 'localhost');
    onCleanup(local.close);
    const second = await startReceiver(() => 204, '127.0.0.2');
    onCleanup(second.close);
    const entries = ['a..b@example.com', '.ops@example.com', `${local.origin}/hook`, `${second.origin}/hook`];
    expect(entries.map((t) => schemaVerdict(t) === undefined)).toEqual([false, false, true, true]);

    for (const allowInsecureWebhooks of [true, false]) {
      const rec = recorder();
      const n = createNotifier({
        targets: () => entries,
        email: { transport: smtp.transport, from: 'alerts@tollgate.example' },
        webhook: { secret: SECRET },
        ...rec.deps,
        allowInsecureWebhooks,
      });
      onCleanup(n.close);
      n.handle(thresholdEvent({ day: allowInsecureWebhooks ? '2026-11-23' : '2026-11-24' }));
      await n.idle();
      const drops = rec.ofType('notification_dropped');
      // The schema's reason is the notifier's: one parser.
      expect(drops.slice(0, 2).map((d) => [d.reason, d.kind, schemaMessage(d.error ?? '')])).toEqual([
        ['invalid_target', 'email', schemaVerdict(entries[0] as string)],
        ['invalid_target', 'email', schemaVerdict(entries[1] as string)],
      ]);
      if (allowInsecureWebhooks) {
        expect(drops).toHaveLength(2);
        expect(
          rec
            .ofType('notification_sent')
            .map((e) => e.target)
            .sort(),
        ).toEqual([local.origin, second.origin].sort());
      } else {
        // Valid targets, which this notifier was not set up to send plain HTTP to.
        expect(drops.slice(2).map((d) => [d.reason, d.target])).toEqual([
          ['not_configured', local.origin],
          ['not_configured', second.origin],
        ]);
      }
    }
    expect(local.requests).toHaveLength(1);
    expect(second.requests).toHaveLength(1);
    expect(smtp.mails).toHaveLength(0);
  });

  it('for any string: the schema accepts exactly what the notifier takes, and refuses with its reason (property)', async () => {
    // A closed notifier still sorts every entry (invalid_target, not_configured, or closed for
    // one it would have sent) without sending anything.
    let current = '';
    const events: NotifyEvent[] = [];
    const setup = (allowInsecureWebhooks: boolean) =>
      createNotifier({
        targets: () => [current],
        email: { transport: { host: '127.0.0.1', port: 9 }, from: 'alerts@tollgate.example' },
        webhook: { secret: SECRET },
        onEvent: (e) => events.push(e),
        now: () => AT,
        allowInsecureWebhooks,
      });
    const lenient = setup(true);
    const strict = setup(false);
    await Promise.all([lenient.close(), strict.close()]);
    const sort = (n: typeof lenient, raw: string): NotificationDroppedEvent => {
      current = raw;
      events.length = 0;
      n.handle(thresholdEvent());
      expect(events).toHaveLength(1);
      return events[0] as NotificationDroppedEvent;
    };

    fc.assert(
      fc.property(targetLike, (raw) => {
        const verdict = schemaVerdict(raw);
        const taken = sort(lenient, raw);
        const byDefault = sort(strict, raw);
        if (verdict === undefined) {
          expect(taken.reason).toBe('closed');
          expect(['closed', 'not_configured']).toContain(byDefault.reason);
          if (byDefault.reason === 'not_configured') expect(raw.trim()).toMatch(/^http:/i);
        } else {
          expect(taken.reason).toBe('invalid_target');
          expect(schemaMessage(taken.error ?? '')).toBe(verdict);
          expect(byDefault).toEqual(taken);
        }
        expect(byDefault.kind).toBe(taken.kind);
      }),
      { verbose: true, numRuns: 600 },
    );
  });
});

// Strings near the rules' edges, and arbitrary ones.
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
const noise = fc.string({ unit: pick(...'aZ09.-_@:/?#[]<>%+ \t\r\n"\'!~é\u0000\u00a0'), maxLength: 12 });
const hostLike = fc.oneof(
  pick(
    'localhost',
    'LOCALHOST',
    'localhost.',
    'api.localhost',
    '127.0.0.1',
    '127.0.0.2',
    '127.255.255.254',
    '127.1',
    '0x7f.1',
    '2130706433',
    '[::1]',
    '[0:0:0:0:0:0:0:1]',
    '[::ffff:127.0.0.1]',
    '10.0.0.1',
    'hooks.example.com',
    'example',
    'xn--bcher-kva.example',
    '-bad-.example.com',
    'a..b.example',
  ),
  noise,
);
const urlLike = fc
  .tuple(
    pick('https', 'http', 'HTTP', 'hTtPs', 'ftp', 'ws', 'h'),
    pick('', 'user@', 'user:pass@', ':@'),
    hostLike,
    pick('', ':9000', ':0', ':65536', ':x'),
    pick('', '/', '/hook', '/a b', '/a\tb', '/?q=1#f', '/%zz'),
    noise,
  )
  .map(([scheme, auth, host, port, path, tail]) => `${scheme}://${auth}${host}${port}${path}${tail}`);
const localLike = fc.oneof(
  pick(
    'ops',
    'a..b',
    '.ops',
    'ops.',
    'first.last+tag',
    '"q"',
    'Ops <ops',
    "o'brien",
    'a'.repeat(64),
    'a'.repeat(65),
  ),
  noise,
);
const emailLike = fc
  .tuple(localLike, pick('@', '@@', ' @'), hostLike, pick('', '.com', '.123', '>', ' '))
  .map(([local, at, domain, end]) => `${local}${at}${domain}${end}`);
const targetLike = fc.oneof(
  urlLike,
  emailLike,
  fc.tuple(pick(' ', '\t', '\n', '\u00a0'), fc.oneof(urlLike, emailLike)).map(([ws, t]) => `${ws}${t}${ws}`),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
