// Property: a policy with independent faults (each in its own key or field) is refused with
// exactly one problem per fault, whether the schema or a later rule finds it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine.js';
import { keySha256 } from '../src/key-hash.js';
import { errorOf } from './fixtures.js';

type Entry = Record<string, unknown>;

/** One fault: what it does to a key entry, and where and what its one problem says. */
interface Fault {
  /** The field it spoils; two faults of one key never share one. */
  readonly slot: string;
  apply(entry: Entry, i: number): void;
  /** The problem's path after the key's label (`.timeZone`), or '' for the entry itself. */
  readonly path: string;
  readonly says: string;
}

const FAULTS: readonly Fault[] = [
  {
    slot: 'dailyLimit',
    apply: (e) => (e.dailyLimit = -1),
    path: '.dailyLimit',
    says: 'must not be negative',
  },
  { slot: 'dailyLimit', apply: (e) => (e.dailyLimit = '10'), path: '.dailyLimit', says: 'expected number' },
  { slot: 'perIpDailyLimit', apply: (e) => (e.perIpDailyLimit = 2.5), path: '.perIpDailyLimit', says: '' },
  {
    slot: 'timeZone',
    apply: (e) => (e.timeZone = 'Europe/Londn'),
    path: '.timeZone',
    says: 'unknown time zone "Europe/Londn"',
  },
  { slot: 'timeZone', apply: (e) => (e.timeZone = 7), path: '.timeZone', says: 'expected string' },
  { slot: 'allowedUrls', apply: (e) => (e.allowedUrls = ['foo*.com']), path: '.allowedUrls[0]', says: '' },
  {
    slot: 'allowedUrls',
    apply: (e) => (e.allowedUrls = []),
    path: '.allowedUrls',
    says: 'an empty whitelist',
  },
  {
    slot: 'allowedUrls',
    apply: (e) => (e.allowedUrls = 'https://a.example'),
    path: '.allowedUrls',
    says: '',
  },
  { slot: 'notify', apply: (e) => (e.notify = ['ftp://x']), path: '.notify[0]', says: 'expected an email' },
  { slot: 'disabled', apply: (e) => (e.disabled = 'no'), path: '.disabled', says: 'expected boolean' },
  {
    slot: 'ipForwarding',
    apply: (e) => (e.ipForwarding = 1),
    path: '.ipForwarding',
    says: 'expected boolean',
  },
  { slot: 'unknown', apply: (e) => (e.dailyCap = 5), path: '.dailyCap', says: 'unknown field' },
  { slot: 'key', apply: (e) => (e.key = 'short'), path: '.key', says: 'at least 8 characters' },
  {
    slot: 'key',
    apply: (e) => {
      delete e.key;
    },
    path: '',
    says: 'give exactly one of key, keySha256 or credentials',
  },
  {
    slot: 'key',
    apply: (e, i) => (e.keySha256 = keySha256(`other-${i}`)),
    path: '',
    says: '(several given)',
  },
  {
    slot: 'key',
    apply: (e) => {
      delete e.key;
      e.keySha256 = 'ABC';
    },
    path: '.keySha256',
    says: 'expected 64 lower-case hex',
  },
  {
    slot: 'key',
    apply: (e, i) => {
      delete e.key;
      e.credentials = [{ key: `pk_test_${i}_cred_0123`, expiresAt: '2026-12-31 12:00' }];
    },
    path: '.credentials[0].expiresAt',
    says: 'expected an ISO 8601 date-time',
  },
  {
    slot: 'key',
    apply: (e, i) => {
      delete e.key;
      e.credentials = [{ key: `pk_test_${i}_cred_0123`, keySha256: keySha256(`c-${i}`) }];
    },
    path: '.credentials[0]',
    says: 'give exactly one of key or keySha256',
  },
  // A bad id drops the key's label from every path of that key (a label must be a valid id).
  { slot: 'id', apply: (e) => (e.id = 'bad id!'), path: '.id', says: 'letters, digits' },
];

/** A key: no fault, some distinct-field faults, or (rarely) not an object at all. */
const keyArb = fc.oneof(
  { weight: 6, arbitrary: fc.uniqueArray(fc.nat(FAULTS.length - 1), { selector: (f) => FAULTS[f]?.slot }) },
  { weight: 1, arbitrary: fc.constant('not an object' as const) },
);

const topArb = fc.record({
  header: fc.boolean(),
  prefix: fc.boolean(),
  extra: fc.boolean(),
});

describe('policy problems', () => {
  it('lists exactly one problem per independent fault', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { minLength: 1, maxLength: 6 }), topArb, (keys, top) => {
        const expected: { prefix: string; says: string }[] = [];
        const entries = keys.map((faults, i) => {
          if (faults === 'not an object') {
            expected.push({ prefix: `keys[${i}]: `, says: 'expected object, got string' });
            return `key ${i}`;
          }
          const entry: Entry = { id: `k${i}`, key: `pk_test_${i}_0123456789`, dailyLimit: 10 };
          const chosen = faults.map((f) => FAULTS[f] as Fault);
          for (const f of chosen) f.apply(entry, i);
          const label = chosen.some((f) => f.slot === 'id') ? `keys[${i}]` : `keys[${i}] (k${i})`;
          for (const f of chosen) expected.push({ prefix: `${label}${f.path}: `, says: f.says });
          return entry;
        });
        const policy: Entry = { keys: entries };
        if (top.header) {
          policy.sourceIpHeader = 'X Source';
          expected.push({ prefix: 'sourceIpHeader: ', says: 'valid HTTP header name' });
        }
        if (top.prefix) {
          policy.ipv6Prefix = 129;
          expected.push({ prefix: 'ipv6Prefix: ', says: '' });
        }
        if (top.extra) {
          policy.dailyCap = 1;
          expected.push({ prefix: 'dailyCap: ', says: 'unknown field' });
        }

        if (expected.length === 0) {
          expect(() => createEngine({ policy: policy as never })).not.toThrow();
          return;
        }
        const e = errorOf(() => createEngine({ policy: policy as never }));
        expect(e.code).toBe('ERR_TOLLGATE_INVALID_POLICY');
        expect(e.issues).toHaveLength(expected.length);
        for (const { prefix, says } of expected) {
          const found = e.issues.filter((issue) => issue.startsWith(prefix));
          expect(found, `${prefix} in ${JSON.stringify(e.issues)}`).toHaveLength(1);
          expect(found[0]).toContain(says);
        }
        // Key material stays out of every message.
        expect(e.message).not.toMatch(/pk_test_|short/);
      }),
    );
  });
});
