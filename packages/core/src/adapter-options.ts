// What every framework adapter accepts: engine options, or an engine built elsewhere.

import { createEngine, type Engine } from './engine.js';
import { TollgateError } from './errors.js';
import type { EngineOptions } from './options.js';

/**
 * Options of every framework adapter: the same options as `createEngine`, or a ready `engine`
 * (to share one engine, and its counters, between several middlewares).
 *
 * @example
 * app.use(tollgate({ policy }));            // builds its own engine
 * app.use(tollgate({ engine: sharedEngine })); // reuses one
 */
export type AdapterOptions = EngineOptions | { engine: Engine };

/** Returns the given engine, or builds one from the options. Throws `ERR_TOLLGATE_INVALID_OPTIONS` for a mix of both. */
export function resolveEngine(options: AdapterOptions): Engine {
  if (options !== null && typeof options === 'object' && 'engine' in options) {
    const extra = Object.keys(options).filter((k) => k !== 'engine');
    if (extra.length > 0) {
      throw new TollgateError(
        'ERR_TOLLGATE_INVALID_OPTIONS',
        `options.${extra[0]}: not allowed together with options.engine (configure the engine instead)`,
      );
    }
    const engine = options.engine;
    if (engine === null || typeof engine !== 'object' || typeof engine.checkRequest !== 'function') {
      throw new TollgateError(
        'ERR_TOLLGATE_INVALID_OPTIONS',
        'options.engine: expected an engine from createEngine()',
      );
    }
    return engine;
  }
  return createEngine(options);
}
