// What every framework adapter accepts, read in one place: engine options or an engine, plus the adapter's own settings.

import { createEngine, type Engine } from './engine.js';
import { TollgateError } from './errors.js';
import type { EngineOptions } from './options.js';

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
const SETTINGS = { preflight: true } as const satisfies Record<keyof AdapterSettings, true>;
const PREFLIGHT_MODES: readonly PreflightMode[] = ['answer', 'next'];

/**
 * Reads adapter options: the settings with their defaults, and the given engine or one built
 * from the engine options. Throws `ERR_TOLLGATE_INVALID_OPTIONS` for a bad setting, or for
 * `engine` mixed with engine options; bad engine options throw as `createEngine` does.
 *
 * @example
 * const { engine, preflight } = parseAdapterOptions({ policy, preflight: 'next' });
 */
export function parseAdapterOptions(options: AdapterOptions): AdapterConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    // createEngine names what is wrong.
    return { engine: createEngine(options as EngineOptions), preflight: 'answer' };
  }
  // The adapter's settings are taken out; everything else is the engine's (or `engine`).
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) if (!Object.hasOwn(SETTINGS, name)) rest[name] = value;
  const preflight = (options as AdapterSettings).preflight ?? 'answer';
  if (!PREFLIGHT_MODES.includes(preflight)) {
    throw invalid(`options.preflight: expected "answer" or "next", got ${describe(preflight)}`);
  }
  if ('engine' in rest) {
    const extra = Object.keys(rest).filter((k) => k !== 'engine');
    if (extra.length > 0) {
      throw invalid(
        `options.${extra[0]}: not allowed together with options.engine (configure the engine instead)`,
      );
    }
    const engine = rest.engine as Engine | null;
    if (engine === null || typeof engine !== 'object' || typeof engine.checkRequest !== 'function') {
      throw invalid('options.engine: expected an engine from createEngine()');
    }
    return { engine, preflight };
  }
  return { engine: createEngine(rest as unknown as EngineOptions), preflight };
}

/** Returns the given engine, or builds one from the options. Throws `ERR_TOLLGATE_INVALID_OPTIONS` for a mix of both. */
export function resolveEngine(options: AdapterOptions): Engine {
  return parseAdapterOptions(options).engine;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}

function invalid(message: string): TollgateError {
  return new TollgateError('ERR_TOLLGATE_INVALID_OPTIONS', message);
}
