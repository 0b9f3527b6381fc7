// Keeps one current token: fetched on first use, refreshed ahead of expiry and after a 401, one refresh at a time.

import { backoffCap } from './backoff.js';
import { TokenRefreshError, type TokenRefreshReason } from './errors.js';
import type { Emit } from './events.js';
import type { FetchLike, TokenProvider } from './options.js';
import { untilAborted } from './sleep.js';
import { readGrant, type Token } from './token-grant.js';

export interface TokenSourceConfig {
  readonly provider: TokenProvider;
  readonly refreshMarginMs: number;
  readonly defaultLifetimeMs: number;
  readonly now: () => number;
  readonly emit: Emit;
  /** The credential-free fetch the provider is given. */
  readonly fetch: FetchLike;
}

export interface TokenSource {
  /** A token to send now: the current one, or a fresh one when it is due for refresh. */
  get(signal?: AbortSignal): Promise<string>;
  /**
   * A replacement for `rejected`, which the server answered 401 `invalid_token` to. If another
   * request has already replaced it, that newer token is returned without asking the provider again.
   */
  replace(rejected: string, signal?: AbortSignal): Promise<string>;
}

interface Held extends Token {
  readonly refreshAt: number;
}

// After a failed refresh while the old token still works, the provider is not asked again on
// every request: the next try waits 1 s, 2 s, 4 s ... up to a minute.
const COOLDOWN_BASE_MS = 1000;
const COOLDOWN_MAX_MS = 60_000;

/** A token source over `config.provider`. */
export function createTokenSource(config: TokenSourceConfig): TokenSource {
  const { now, emit } = config;
  let current: Held | undefined;
  let inflight: Promise<Held> | undefined;
  let failures = 0;
  let cooldownUntil = 0;

  // Every caller that needs a token while a refresh runs waits on that same refresh.
  const refresh = (reason: TokenRefreshReason): Promise<Held> => {
    inflight ??= run(reason).finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const run = async (reason: TokenRefreshReason): Promise<Held> => {
    let token: Token;
    const started = now();
    try {
      const grant = await config.provider({ fetch: config.fetch });
      token = readGrant(grant, now(), config.defaultLifetimeMs);
    } catch (cause) {
      failures++;
      cooldownUntil = now() + backoffCap(failures - 1, COOLDOWN_BASE_MS, COOLDOWN_MAX_MS);
      emit({ type: 'token_refresh_failed', reason, error: describe(cause), failures, at: now() });
      throw new TokenRefreshError(reason, `token refresh failed (${reason}); see cause`, { cause });
    }
    failures = 0;
    // A short-lived token would be "due" the moment it arrived if the margin were longer than
    // its life, so the margin is at most half of it.
    const margin = Math.min(config.refreshMarginMs, (token.expiresAt - started) / 2);
    current = { ...token, refreshAt: token.expiresAt - margin };
    emit({
      type: 'token_refreshed',
      reason,
      expiresAt: current.expiresAt,
      refreshAt: current.refreshAt,
      at: now(),
    });
    return current;
  };

  return {
    async get(signal) {
      const t = now();
      const held = current;
      if (held && t < held.refreshAt) return held.value;
      if (held && t < held.expiresAt) {
        // Refreshing ahead of expiry: if the provider fails, the current token still works.
        if (t < cooldownUntil && inflight === undefined) return held.value;
        try {
          return (await untilAborted(refresh('expiring'), signal)).value;
        } catch (error) {
          if (!(error instanceof TokenRefreshError) || now() >= held.expiresAt) throw error;
          return held.value;
        }
      }
      return (await untilAborted(refresh(held ? 'expired' : 'initial'), signal)).value;
    },

    async replace(rejected, signal) {
      if (current && current.value !== rejected) return current.value;
      // The server's word beats the expiry the client computed: the token counts as expired, so
      // if this refresh fails, later requests try again instead of sending it.
      if (inflight === undefined && current) current = { ...current, refreshAt: 0, expiresAt: 0 };
      return (await untilAborted(refresh('invalid_token'), signal)).value;
    },
  };
}

// An error's message may quote what the provider sent or received, credentials included, so
// events carry only its class name and code.
function describe(error: unknown): { name: string; code?: string } {
  if (error === null || typeof error !== 'object') return { name: typeof error };
  const name = typeof (error as Error).name === 'string' ? (error as Error).name : 'Error';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { name, code } : { name };
}
