// The fetch-standard check: a Request (and the connecting IP) in, a refusal Response or headers to add out.

import type { Decision, Engine } from '@tollgate/core';
import { type AdapterOptions, createAdapterCheck, problemResponse } from '@tollgate/core/adapter';

/** What a `Request` does not carry and the server must supply. */
export interface ConnectionInfo {
  /**
   * The client address: the socket's peer, or what your trusted proxy reports. Leave it
   * undefined only when the runtime cannot tell; such requests then share one per-IP counter.
   */
  readonly ip?: string | undefined;
  /**
   * Whether the client used HTTPS. Default: the request URL's scheme. Behind a TLS-terminating
   * proxy you trust, pass what it reports (its `X-Forwarded-Proto`).
   */
  readonly secure?: boolean | undefined;
}

/** The outcome of a check: either headers for the app's response, or the refusal to send. */
export type CheckResult =
  | {
      readonly allowed: true;
      readonly decision: Decision;
      /** RateLimit headers and the source-IP echo, to add to the app's response. */
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly allowed: false;
      readonly decision: Decision;
      /**
       * Send it as is: a refusal (status, RateLimit headers, `application/problem+json` body),
       * or the 204 answer to a CORS preflight (no body).
       */
      readonly response: Response;
    };

/** Checks one request. */
export type CheckHandler = ((request: Request, connection?: ConnectionInfo) => Promise<CheckResult>) & {
  readonly engine: Engine;
};

/**
 * Builds the check for a fetch-standard server (Bun, Deno, Workers, `@hono/node-server`).
 * Takes the same options as `createEngine`, or a ready `engine`, and `preflight`: a CORS
 * preflight comes back as `allowed: false` with a 204 response to send, unless `'next'`.
 * The client address is what you pass, so there is no trust-proxy setting to look at.
 *
 * @example
 * const check = createHandler({ policy });
 * export default {
 *   async fetch(request, server) {
 *     const result = await check(request, { ip: server.requestIP(request)?.address });
 *     if (!result.allowed) return result.response;
 *     return withHeaders(await app(request), result.headers);
 *   },
 * };
 */
export function createHandler(options: AdapterOptions): CheckHandler {
  return handlerFor(options, 'createHandler');
}

/** The check, with option errors naming `factory` (`createHandler`, or Hono's `tollgate`). Not exported from the package. */
export function handlerFor(options: AdapterOptions, factory: string): CheckHandler {
  const gate = createAdapterCheck(options, undefined, factory);
  const handler = async (request: Request, connection?: ConnectionInfo): Promise<CheckResult> => {
    const decision = await gate.check(
      {
        // Headers.get joins a repeated header with ", ", which the strict parsers then refuse.
        header: (name) => request.headers.get(name) ?? undefined,
        url: request.url,
        ip: connection?.ip,
        method: request.method,
        secure: connection?.secure ?? request.url.startsWith('https:'),
      },
      undefined,
    );
    if (decision.allowed) return { allowed: true, decision, headers: decision.headers };
    return { allowed: false, decision, response: refusal(decision) };
  };
  return Object.assign(handler, { engine: gate.engine });
}

/** The Response for a decision that is not allowed: a refusal, or the 204 answer to a preflight. */
export function refusal(decision: Decision): Response {
  const problem = problemResponse(decision);
  // A 204 has no body: null, since the Response constructor throws on any body with it.
  return new Response(problem.body ?? null, { status: problem.status, headers: problem.headers });
}

/**
 * Adds the check's headers to the app's response. Responses from `fetch()` have immutable
 * headers, so those are copied into a new Response first.
 */
export function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  let out = response;
  try {
    for (const name in headers) out.headers.set(name, headers[name] as string);
  } catch {
    out = new Response(response.body, response);
    for (const name in headers) out.headers.set(name, headers[name] as string);
  }
  return out;
}
