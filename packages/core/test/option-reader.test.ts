// The one option reader: unknown keys refused, undefined read as not given, every error naming the factory and the field.

import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ACTIVITY_OPTION_KEYS, ActivityMonitorOptions } from '../src/activity-monitor.js';
import { TollgateError } from '../src/errors.js';
import {
  describeValue,
  invalidOption,
  type KnownOptions,
  type OptionReader,
  readOptions,
} from '../src/option-reader.js';
import type { ENGINE_OPTION_KEYS, EngineOptions } from '../src/options.js';
import type { TOKEN_OPTION_KEYS, TokenOptions } from '../src/token-options.js';
import { errorOf } from './fixtures.js';

/** A made-up options type with one field per reader. */
interface SampleOptions {
  count?: number | undefined;
  ratio?: number | undefined;
  flag?: boolean | undefined;
  mode?: 'fast' | 'safe' | undefined;
  label?: string | undefined;
  hook?: (() => void) | undefined;
  audience?: string | string[] | undefined;
  nested?: { depth?: number | undefined } | undefined;
}
const KNOWN = {
  count: true,
  ratio: true,
  flag: true,
  mode: true,
  label: true,
  hook: true,
  audience: true,
  nested: true,
} as const satisfies KnownOptions<keyof SampleOptions>;
const NESTED = { depth: true } as const;
const FIELDS = Object.keys(KNOWN) as (keyof SampleOptions)[];

function readSample(options: unknown) {
  const o = readOptions('createSample', options, KNOWN, { expected: 'an object', optional: true });
  const nested = o.object('nested', NESTED, 'an object');
  return {
    count: o.integer('count', { min: 1, max: 100, default: 10 }),
    ratio: o.number('ratio', { min: 0, max: 1, default: 0.5 }),
    flag: o.boolean('flag', false),
    mode: o.oneOf('mode', ['fast', 'safe'], 'safe'),
    label: o.string('label', { maxLength: 8 }),
    hook: o.fn<() => void>('hook'),
    audience: o.stringOrList('audience'),
    depth: nested?.integer('depth', { min: 0, max: 9, default: 0 }),
  };
}

const hook = () => {};
const nonEmpty = fc.string({ minLength: 1, maxLength: 8 });
/** Any set of valid values, each field present or not. */
const validOptions = fc.record(
  {
    count: fc.integer({ min: 1, max: 100 }),
    ratio: fc.double({ min: 0, max: 1, noNaN: true }),
    flag: fc.boolean(),
    mode: fc.constantFrom('fast' as const, 'safe' as const),
    label: nonEmpty,
    hook: fc.constant(hook),
    audience: fc.oneof(nonEmpty, fc.array(nonEmpty, { minLength: 1, maxLength: 3 })),
    nested: fc.record({ depth: fc.integer({ min: 0, max: 9 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const notKnown = fc.string({ maxLength: 50 }).filter((name) => !Object.hasOwn(KNOWN, name));

const given = fc.anything().filter((v) => v !== undefined);
/** Wrong values per field, any of which must be refused with that field's path. */
const wrong: Record<keyof SampleOptions, fc.Arbitrary<unknown>> = {
  count: given.filter((v) => !(Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 100)),
  ratio: given.filter((v) => !(typeof v === 'number' && v >= 0 && v <= 1)),
  flag: given.filter((v) => typeof v !== 'boolean'),
  mode: given.filter((v) => v !== 'fast' && v !== 'safe'),
  label: fc.oneof(
    fc.constant(''),
    fc.string({ minLength: 9 }),
    given.filter((v) => typeof v !== 'string'),
  ),
  hook: given.filter((v) => typeof v !== 'function'),
  audience: fc.oneof(
    fc.constant(''),
    fc.constant([]),
    fc.array(fc.oneof(fc.constant(''), fc.integer()), { minLength: 1 }),
    given.filter((v) => typeof v !== 'string' && !Array.isArray(v)),
  ),
  nested: given.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
};

describe('readOptions', () => {
  it('accepts every valid value, and reads each back (or its default when absent)', () => {
    fc.assert(
      fc.property(validOptions, (options) => {
        expect(readSample(options)).toEqual({
          count: options.count ?? 10,
          ratio: options.ratio ?? 0.5,
          flag: options.flag ?? false,
          mode: options.mode ?? 'safe',
          label: options.label,
          hook: options.hook,
          audience: options.audience,
          depth: options.nested === undefined ? undefined : (options.nested.depth ?? 0),
        });
      }),
    );
  });

  it('reads undefined exactly as an absent field, at the top and nested', () => {
    fc.assert(
      fc.property(validOptions, fc.subarray(FIELDS), fc.boolean(), (options, cleared, clearDepth) => {
        const withUndefined: Record<string, unknown> = { ...options };
        const without: Record<string, unknown> = { ...options };
        for (const name of cleared) {
          withUndefined[name] = undefined;
          delete without[name];
        }
        if (clearDepth && without.nested !== undefined) {
          withUndefined.nested = { depth: undefined };
          without.nested = {};
        }
        expect(readSample(withUndefined)).toEqual(readSample(without));
      }),
    );
    expect(readSample(undefined)).toEqual(readSample({}));
  });

  it('refuses every unknown key, whatever its value (undefined too), naming the factory and the key', () => {
    fc.assert(
      fc.property(validOptions, notKnown, fc.anything(), (options, name, value) => {
        const e = errorOf(() => readSample({ ...options, [name]: value }));
        expect(e.code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
        expect(e.message).toMatch(/^createSample: options\.[\x20-\x7e]*: unknown option$/);
      }),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 50 }).filter((n) => n !== 'depth'),
        (name) => {
          const e = errorOf(() => readSample({ nested: { [name]: 1 } }));
          expect(e.message).toMatch(/^createSample: options\.nested\.[\x20-\x7e]*: unknown option$/);
        },
      ),
    );
  });

  it('names a key that shadows Object.prototype as unknown, not as known', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const options = Object.defineProperty({}, name, { value: 1, enumerable: true });
      expect(errorOf(() => readSample(options)).message).toBe(
        `createSample: options.${name}: unknown option`,
      );
    }
  });

  it('refuses a wrong value of any field with that field path, and never quotes a string', () => {
    for (const field of FIELDS) {
      fc.assert(
        fc.property(wrong[field], (value) => {
          const e = errorOf(() => readSample({ [field]: value }));
          expect(e.code).toBe('ERR_TOLLGATE_INVALID_OPTIONS');
          expect(e.message.startsWith(`createSample: options.${field}: expected `)).toBe(true);
        }),
      );
    }
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), fc.string(), (field, tail) => {
        const secret = `S3CR3T-${tail}-LONGER-THAN-EIGHT`;
        fc.pre(field !== 'audience');
        expect(errorOf(() => readSample({ [field]: secret })).message).not.toContain('S3CR3T');
      }),
    );
  });

  it('refuses options that are not an object, unless undefined is allowed', () => {
    const notObject = fc.oneof(
      fc.constant(null),
      fc.array(fc.anything()),
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.func(fc.anything()),
    );
    fc.assert(
      fc.property(notObject, (value) => {
        expect(errorOf(() => readSample(value)).message).toMatch(
          /^createSample: options: expected an object, got /,
        );
      }),
    );
    expect(
      errorOf(() => readOptions('createThing', undefined, KNOWN, { expected: 'an object' })).message,
    ).toBe('createThing: options: expected an object, got undefined');
  });

  it('reads own properties only: a polluted prototype supplies no option', () => {
    const inherited = Object.create({ count: 0, flag: 'yes', mode: 'fast' }) as object;
    expect(readSample(inherited)).toEqual(readSample({}));
  });

  it('says "is required" for a missing required field, and names nested paths', () => {
    const o = readOptions('createThing', { nested: {} }, KNOWN, { expected: 'an object' });
    expect(() => o.string('label', { required: true })).toThrow(
      'createThing: options.label: is required (expected a non-empty string)',
    );
    expect(() => o.required('count')).toThrow('createThing: options.count: is required');
    const nested = o.object('nested', NESTED, 'an object') as OptionReader<'depth'>;
    expect(nested.path).toBe('options.nested');
    expect(nested.fail('depth', 'too deep').message).toBe('createThing: options.nested.depth: too deep');
    expect(nested.fail(undefined, 'broken').message).toBe('createThing: options.nested: broken');
  });

  it('keeps unknown key names printable and short in the message', () => {
    const e = errorOf(() => readSample({ [`a\nforged: line\u0000${'x'.repeat(100)}`]: 1 }));
    expect(e.message).toBe(`createSample: options.a?forged: line?${'x'.repeat(25)}...: unknown option`);
  });
});

describe('invalidOption and describeValue', () => {
  it('format every message as <factory>: <path>: <problem>, with the code and the cause', () => {
    const cause = new Error('inner');
    const e = invalidOption(
      'createRedisStore',
      'options.client',
      'its keyPrefix must not contain "{"',
      cause,
    );
    expect(e).toBeInstanceOf(TollgateError);
    expect(e).toMatchObject({
      code: 'ERR_TOLLGATE_INVALID_OPTIONS',
      message: 'createRedisStore: options.client: its keyPrefix must not contain "{"',
      cause,
    });
  });

  it('describe a value by kind, never by a string it holds', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const text = describeValue(value);
        if (typeof value === 'string') expect(text).toBe('a string');
        expect(text).toMatch(/^(an? [a-z]+|null|undefined|true|false|NaN|-?Infinity|-?[0-9.e+-]+)$/);
      }),
    );
  });
});

describe('types', () => {
  it('readers take only the listed fields', () => {
    const o = readOptions('createSample', {}, KNOWN, { expected: 'an object' });
    expectTypeOf(o).toEqualTypeOf<OptionReader<keyof SampleOptions>>();
    // @ts-expect-error: `counts` is not a field of SampleOptions.
    expect(() => o.integer('counts')).not.toThrow();
    expectTypeOf(() => o.integer('count', { default: 1 })).returns.toEqualTypeOf<number>();
    expectTypeOf(() => o.integer('count')).returns.toEqualTypeOf<number | undefined>();
    expectTypeOf(() => o.string('label', { required: true })).returns.toEqualTypeOf<string>();
  });

  it('a known-key list must name every field of its type, and nothing else', () => {
    // @ts-expect-error: `ratio` and the rest are missing.
    const missing = { count: true } as const satisfies KnownOptions<keyof SampleOptions>;
    // @ts-expect-error: `extra` is no field of SampleOptions.
    const extra = { ...KNOWN, extra: true } as const satisfies KnownOptions<keyof SampleOptions>;
    expect([missing, extra]).toHaveLength(2);
  });

  it('the lists core reads with are the fields of their option types', () => {
    expectTypeOf<keyof typeof ENGINE_OPTION_KEYS>().toEqualTypeOf<keyof EngineOptions>();
    expectTypeOf<keyof typeof TOKEN_OPTION_KEYS>().toEqualTypeOf<keyof TokenOptions>();
    expectTypeOf<keyof typeof ACTIVITY_OPTION_KEYS>().toEqualTypeOf<keyof ActivityMonitorOptions>();
  });
});
