// A caller's fetch arguments turned into one request the client can send, redirect and retry.

import { resolveUrl } from './secure-url.js';

/** One request as the client handles it: its body kept so the request can be sent again. */
export interface OutgoingRequest {
  readonly url: URL;
  /** Upper-case. */
  readonly method: string;
  readonly headers: Headers;
  readonly body: NonNullable<RequestInit['body']> | null;
  /** False for a streamed body: it can be sent once, so never retried or redirected with 307/308. */
  readonly replayable: boolean;
  readonly signal: AbortSignal | undefined;
  /** What the caller asked of redirects: the client follows them itself (checked) unless told otherwise. */
  readonly redirect: NonNullable<RequestInit['redirect']>;
  /** The caller's other init fields (credentials, mode, keepalive, duplex, ...), passed through. */
  readonly rest: RequestInit;
}

// RFC 9110 §9.2.2: sending these twice has the effect of sending them once.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** True for idempotent methods, and for any request carrying an `Idempotency-Key` header. */
export function safeToRepeat(req: OutgoingRequest): boolean {
  return IDEMPOTENT.has(req.method) || req.headers.has('idempotency-key');
}

/** Reads `fetch(input, init)`'s arguments; a path is resolved under `base`. */
export async function toOutgoing(
  input: string | URL | Request,
  init: RequestInit | undefined,
  base: URL,
): Promise<OutgoingRequest> {
  const { method, headers, body, signal, redirect, ...rest } = init ?? {};
  let fromRequest: Request | undefined;
  let url: URL;
  if (typeof input === 'string') url = resolveUrl(input, base);
  else if (input instanceof URL) url = new URL(input.href);
  else {
    fromRequest = input;
    url = new URL(input.url);
  }
  url.hash = '';

  let sendBody: NonNullable<RequestInit['body']> | null = body ?? null;
  if (body === undefined && fromRequest?.body) {
    // A Request's body is a stream; read it once so retries and redirects can send it again.
    sendBody = await fromRequest.arrayBuffer();
  }
  return {
    url,
    method: (method ?? fromRequest?.method ?? 'GET').toUpperCase(),
    headers: new Headers(headers ?? fromRequest?.headers),
    body: sendBody,
    replayable: !(typeof ReadableStream !== 'undefined' && sendBody instanceof ReadableStream),
    signal: signal ?? fromRequest?.signal ?? undefined,
    redirect: redirect ?? fromRequest?.redirect ?? 'follow',
    rest,
  };
}
