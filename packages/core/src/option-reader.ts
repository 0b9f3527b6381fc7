// The one way Tollgate's packages read an options object: known keys only, `undefined` as not given, every error naming the factory and the field.

import { TollgateError } from './errors.js';

/**
 * The fields of an options type, each `true`. Write every list with
 * `satisfies Record<keyof XOptions, true>`: the compiler then fails when the type gains or loses
 * a field and the list does not follow.
 *
 * @example
 * const KEYS = { prefix: true, timeoutMs: true } as const satisfies Record<keyof StoreOptions, true>;
 */
export type KnownOptions<K extends string> = Readonly<Record<K, true>>;

/** A field, or a place inside one, as a message names it: `timeoutMs`, `jwks.keys[1].kty`. */
export type OptionPath<K extends string> = K | `${K}.${string}` | `${K}[${number}]${string}`;

/** A value that must be given, or the one taken when it is not. */
export type Presence<T> = { readonly default: T } | { readonly required: true };

/** Bounds of a number, both inclusive. */
export interface NumberRule {
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

/** Bounds of an integer; `unit` (`'seconds'`) makes the message say "a whole number of seconds". */
export interface IntegerRule extends NumberRule {
  readonly unit?: string | undefined;
}

/**
 * What a string must be. `test` adds a check of its own; `expected` then describes the whole
 * rule in the message (`'a non-empty string without "{" or "}"'`). String values are never
 * quoted in messages: one in the wrong place may be a secret or a URL with a password.
 */
export interface StringRule {
  /** Default: 1, so an empty string is refused. */
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
  readonly test?: ((value: string) => boolean) | undefined;
  readonly expected?: string | undefined;
}

/** How {@link readOptions} takes the options object itself. */
export interface ObjectRule {
  /** What the object should be, for the message when it is not one: `'an object with at least \`client\`'`. */
  readonly expected: string;
  /** Read `undefined` as `{}` (every field then takes its default). Default: `undefined` is refused. */
  readonly optional?: boolean | undefined;
  /** What is said of a key `known` does not list. Default: `'unknown option'`. */
  readonly unknown?: string | undefined;
}

// Longer than any option name; a longer unknown name is cut in the message.
const MAX_NAME_IN_MESSAGE = 40;

/**
 * The error every option reader throws: `ERR_TOLLGATE_INVALID_OPTIONS` with the message
 * `<factory>: <path>: <problem>`, e.g. `createRedisStore: options.timeoutMs: expected an
 * integer from 1 to 2147483647, got 0`. For checks the typed readers cannot express; the
 * problem text must not quote a secret.
 *
 * @example
 * throw invalidOption('createRedisStore', 'options.client', 'its keyPrefix must not contain "{" or "}"');
 */
export function invalidOption(
  factory: string,
  path: string,
  problem: string,
  cause?: unknown,
): TollgateError {
  return new TollgateError(
    'ERR_TOLLGATE_INVALID_OPTIONS',
    `${factory}: ${path}: ${problem}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Starts reading the options given to `factory`. Refuses, here, anything but a plain object
 * (`undefined` too, unless `optional`) and every own key that `known` does not list, whatever
 * its value: a misspelt option is a mistake even when it holds `undefined`. Only own
 * properties are read, so a polluted `Object.prototype` cannot supply an option.
 *
 * @example
 * const KEYS = { client: true, timeoutMs: true } as const satisfies Record<keyof RedisStoreOptions, true>;
 * const o = readOptions('createRedisStore', options, KEYS, { expected: 'an object with at least `client`' });
 * const timeoutMs = o.integer('timeoutMs', { min: 1, max: 2_147_483_647, default: 50 });
 */
export function readOptions<K extends string>(
  factory: string,
  options: unknown,
  known: KnownOptions<K>,
  rule: ObjectRule,
): OptionReader<K> {
  const value = options === undefined && rule.optional === true ? {} : options;
  return new OptionReader<K>(factory, 'options', value, known, rule.expected, rule.unknown);
}

/**
 * Typed readers over one options object (or a nested one, from {@link OptionReader.object}).
 * Each reads one own field, takes `undefined` as not given, and throws
 * `ERR_TOLLGATE_INVALID_OPTIONS` naming the factory and the field's path.
 */
export class OptionReader<K extends string> {
  /** The function the options were given to, as messages name it: `createRedisStore`. */
  readonly factory: string;
  /** Where this object sits: `options`, or `options.tokens` for a nested one. */
  readonly path: string;
  readonly #values: object;

  /** Use {@link readOptions}, or {@link OptionReader.object} for a nested object. */
  constructor(
    factory: string,
    path: string,
    value: unknown,
    known: KnownOptions<K>,
    expected: string,
    unknown = 'unknown option',
  ) {
    this.factory = factory;
    this.path = path;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalidOption(factory, path, `expected ${expected}, got ${describeValue(value)}`);
    }
    for (const name of Object.keys(value)) {
      if (!Object.hasOwn(known, name)) throw invalidOption(factory, `${path}.${printable(name)}`, unknown);
    }
    this.#values = value;
  }

  /** An error for this object (`at` omitted) or a place in it, in the readers' format. */
  fail(at: OptionPath<K> | undefined, problem: string, cause?: unknown): TollgateError {
    return invalidOption(this.factory, at === undefined ? this.path : `${this.path}.${at}`, problem, cause);
  }

  /** The field's own value; `undefined` when it is absent or `undefined`. */
  value(name: K): unknown {
    return Object.hasOwn(this.#values, name) ? (this.#values as Record<string, unknown>)[name] : undefined;
  }

  /** Whether the field is given (present and not `undefined`). */
  given(name: K): boolean {
    return this.value(name) !== undefined;
  }

  /** The field's value, of any type; throws "is required" when it is not given. */
  required(name: K, expected?: string): unknown {
    const value = this.value(name);
    if (value === undefined) throw this.fail(name, missing(expected));
    return value;
  }

  /** An integer within the bounds (safe integers only). */
  integer(name: K, rule: IntegerRule & Presence<number>): number;
  integer(name: K, rule?: IntegerRule): number | undefined;
  integer(name: K, rule: IntegerRule & Partial<AnyPresence<number>> = {}): number | undefined {
    const min = rule.min ?? Number.MIN_SAFE_INTEGER;
    const max = rule.max ?? Number.MAX_SAFE_INTEGER;
    const kind = rule.unit === undefined ? 'an integer' : `a whole number of ${rule.unit}`;
    const expected = `${kind}${range(rule)}`;
    return this.#read(
      name,
      rule,
      expected,
      (v) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max,
    ) as number | undefined;
  }

  /** A finite number within the bounds. */
  number(name: K, rule: NumberRule & Presence<number>): number;
  number(name: K, rule?: NumberRule): number | undefined;
  number(name: K, rule: NumberRule & Partial<AnyPresence<number>> = {}): number | undefined {
    const min = rule.min ?? Number.NEGATIVE_INFINITY;
    const max = rule.max ?? Number.POSITIVE_INFINITY;
    const expected = `a finite number${range(rule)}`;
    const fits = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
    return this.#read(name, rule, expected, fits) as number | undefined;
  }

  /** `true` or `false`. */
  boolean(name: K, fallback: boolean): boolean {
    return this.#read(name, { default: fallback }, 'true or false', (v) => typeof v === 'boolean') as boolean;
  }

  /** One of `values`. */
  oneOf<V extends string>(name: K, values: readonly V[], fallback: V): V {
    const expected = `one of ${values.map((v) => `"${v}"`).join(', ')}`;
    return this.#read(name, { default: fallback }, expected, (v) => values.includes(v as V), true) as V;
  }

  /** A function; `F` is what the option's type says it is (the reader checks only `typeof`). */
  fn<F extends (...args: never[]) => unknown>(name: K, rule: Presence<F>): F;
  fn<F extends (...args: never[]) => unknown>(name: K): F | undefined;
  fn(name: K, rule: Partial<AnyPresence<unknown>> = {}): unknown {
    return this.#read(name, rule, 'a function', (v) => typeof v === 'function');
  }

  /** A string within the length bounds (in UTF-16 units) that passes `test`. Never quoted in a message. */
  string(name: K, rule: StringRule & Presence<string>): string;
  string(name: K, rule?: StringRule): string | undefined;
  string(name: K, rule: StringRule & Partial<AnyPresence<string>> = {}): string | undefined {
    const minLength = rule.minLength ?? 1;
    const maxLength = rule.maxLength ?? Number.POSITIVE_INFINITY;
    const expected = rule.expected ?? stringExpected(minLength, rule.maxLength);
    const fits = (v: unknown) =>
      typeof v === 'string' &&
      v.length >= minLength &&
      v.length <= maxLength &&
      (rule.test === undefined || rule.test(v));
    return this.#read(name, rule, expected, fits, true) as string | undefined;
  }

  /** A non-empty string, or a non-empty list of them (`issuer`, `audience`). A list comes back copied. */
  stringOrList(name: K): string | string[] | undefined {
    const value = this.#read(
      name,
      {},
      'a non-empty string or a non-empty list of them',
      (v) =>
        (typeof v === 'string' && v !== '') ||
        (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '')),
      true,
    ) as string | string[] | undefined;
    return Array.isArray(value) ? [...value] : value;
  }

  /**
   * A value `test` accepts (a store, a meter, a client); `expected` says what it should be.
   * The value comes back as the type `test` guards.
   */
  check<T>(name: K, test: (value: unknown) => value is T, expected: string, rule: Presence<T>): T;
  check<T>(name: K, test: (value: unknown) => value is T, expected: string): T | undefined;
  check(
    name: K,
    test: (value: unknown) => boolean,
    expected: string,
    rule: Partial<AnyPresence<unknown>> = {},
  ): unknown {
    return this.#read(name, rule, expected, test);
  }

  /**
   * A nested options object, read like the top one: its own known keys, its fields named
   * `options.<name>.<field>`. `undefined` when it is not given.
   */
  object<J extends string>(name: K, known: KnownOptions<J>, expected: string): OptionReader<J> | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    return new OptionReader<J>(this.factory, `${this.path}.${name}`, value, known, expected);
  }

  #read(
    name: K,
    rule: Partial<AnyPresence<unknown>>,
    expected: string,
    fits: (value: unknown) => boolean,
    textual = false,
  ): unknown {
    const value = this.value(name);
    if (value === undefined) {
      if (rule.required === true) throw this.fail(name, missing(expected));
      return rule.default;
    }
    if (!fits(value)) {
      // Where a string is what is asked for, "got a string" says nothing, and its text is not shown.
      const got = textual && typeof value === 'string' ? '' : `, got ${describeValue(value)}`;
      throw this.fail(name, `expected ${expected}${got}`);
    }
    return value;
  }
}

/** The union of both presence forms, for the implementations' loose reading. */
interface AnyPresence<T> {
  readonly default: T;
  readonly required: true;
}

function missing(expected: string | undefined): string {
  return expected === undefined ? 'is required' : `is required (expected ${expected})`;
}

function range({ min, max }: NumberRule): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

function stringExpected(minLength: number, maxLength: number | undefined): string {
  if (maxLength !== undefined) return `a string of ${minLength} to ${maxLength} characters`;
  if (minLength <= 1) return 'a non-empty string';
  return `a string of at least ${minLength} characters`;
}

/**
 * What a wrong value was, for a message: numbers, booleans and null as they are; strings, and
 * everything else, by kind only (a string may be a secret).
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'string') return 'a string';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** An unknown option's name as a message shows it: printable ASCII, and short. */
function printable(name: string): string {
  // Cut first: a huge name costs nothing to show.
  const cut = name.length > MAX_NAME_IN_MESSAGE;
  const clean = (cut ? name.slice(0, MAX_NAME_IN_MESSAGE) : name).replace(/[^\x20-\x7e]/g, '?');
  return cut ? `${clean}...` : clean;
}
