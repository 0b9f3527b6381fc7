// What every framework adapter accepts, read in one place: engine options or an engine, plus the adapter's own settings.

import { type Engine, engineWith } from './engine.js';
import { type KnownOptions, readOptions } from './option-reader.js';
import { type EngineOptions, parseOptions } from './options.js';

/** What an adapter does with a CORS preflight. See {@link AdapterSettings.preflight}. */
export type PreflightMode = 'answer' | 'next';

/** Settings of the adapter itself, beside the engine's options (or the engine). */
export interface AdapterSettings {
  /**
   * What the adapter does with a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`),
   * which is never charged and never refused, as browsers send no credentials on it.
   *
   * - `'answer'` (default): the adapter answers it with 204 and no body; the next middleware
   *   and the route never run. A CORS middleware mounted before Tollgate has answered it already.
   * - `'next'`: it goes on to the next middleware, unchecked. Only safe when nothing after
   *   Tollgate serves data to an `OPTIONS` request: a handler for every method (Express
   *   `app.all`/`app.use`, Koa `app.use(ctx => …)`, Fastify `app.all`, Hono `app.all`) would
   *   serve it with no key.
   */
  preflight?: PreflightMode | undefined;
}

/**
 * Options of every framework adapter: the same options as `createEngine`, or a ready `engine`
 * (to share one engine, and its counters, between several middlewares), plus the adapter's
 * own {@link AdapterSettings}.
 *
 * @example
 * app.use(tollgate({ policy }));                         // builds its own engine
 * app.use(tollgate({ engine: sharedEngine }));            // reuses one
 * app.use(tollgate({ policy, preflight: 'next' }));       // preflights go on to the app
 */
export type AdapterOptions = (EngineOptions | { engine: Engine }) & AdapterSettings;

/** AdapterSettings with every default applied, and the engine. */
export interface AdapterConfig {
  readonly engine: Engine;
  readonly preflight: PreflightMode;
}

// The compiler keeps this list in step with AdapterSettings.
const SETTINGS = { preflight: true } as const satisfies KnownOptions<keyof AdapterSettings>;
/** What the four framework adapters call their factory; messages name it (`tollgate: options.policy: ...`). */
export const ADAPTER_FACTORY = 'tollgate';
const PREFLIGHT_MODES: readonly PreflightMode[] = ['answer', 'next'];

/**
 * Reads adapter options: the settings with their defaults, and the given engine or one built
 * from the engine options. Throws `ERR_TOLLGATE_INVALID_OPTIONS` for a bad setting, or for
 * `engine` mixed with engine options; bad engine options throw as `createEngine` does. Messages
 * name `factory`, the adapter's own function (default `'tollgate'`).
 *
 * @example
 * const { engine, preflight } = parseAdapterOptions({ policy, preflight: 'next' });
 */
export function parseAdapterOptions(
  options: AdapterOptions,
  factory: string = ADAPTER_FACTORY,
): AdapterConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    // The engine's reader names what is wrong.
    return { engine: engineWith(parseOptions(options, factory)), preflight: 'answer' };
  }
  // The adapter's settings are taken out; everything else is the engine's (or `engine`).
  const settings: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (Object.hasOwn(SETTINGS, name)) settings[name] = value;
    else rest[name] = value;
  }
  const s = readOptions(factory, settings, SETTINGS, { expected: 'an object' });
  const preflight = s.oneOf('preflight', PREFLIGHT_MODES, 'answer');
  if (rest.engine !== undefined) {
    const given = readOptions(
      factory,
      rest,
      { engine: true },
      {
        expected: 'an object',
        unknown: 'not allowed together with options.engine (configure the engine instead)',
      },
    );
    return {
      engine: given.check('engine', isEngine, 'an engine from createEngine()', { required: true }),
      preflight,
    };
  }
  // `engine: undefined` is not given, like any option: the rest then configure an engine.
  delete rest.engine;
  return { engine: engineWith(parseOptions(rest, factory)), preflight };
}

/** Returns the given engine, or builds one from the options. Throws `ERR_TOLLGATE_INVALID_OPTIONS` for a mix of both. */
export function resolveEngine(options: AdapterOptions): Engine {
  return parseAdapterOptions(options).engine;
}

function isEngine(value: unknown): value is Engine {
  return value !== null && typeof value === 'object' && typeof (value as Engine).checkRequest === 'function';
}
