// Reads the `code` of an RFC 9457 problem body, and recognises a 401 that asks for a new token.

import { readCapped } from './body.js';

// Only the code is read, from a clone, so the caller still gets the whole body; the size cap
// keeps a hostile or broken server from making the client buffer a huge error page.
const MAX_PROBLEM_BYTES = 64 * 1024;

/** The `code` member of a JSON (problem) body, or undefined. Reads a clone; never throws. */
export async function problemCode(res: Response): Promise<string | undefined> {
  if (!/json/i.test(res.headers.get('content-type') ?? '') || res.body === null || res.bodyUsed)
    return undefined;
  const bytes = await readCapped(res.clone(), MAX_PROBLEM_BYTES);
  if (bytes === undefined) return undefined;
  try {
    const code = (JSON.parse(new TextDecoder().decode(bytes)) as { code?: unknown } | null)?.code;
    return typeof code === 'string' && code.length <= 100 ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True for a 401 that says the bearer token is no longer good: `WWW-Authenticate: Bearer
 * error="invalid_token"` (RFC 6750 §3.1) or a problem body with `code: "invalid_token"`.
 */
export async function isInvalidToken(res: Response): Promise<boolean> {
  if (res.status !== 401) return false;
  if (/\berror\s*=\s*"?invalid_token\b/i.test(res.headers.get('www-authenticate') ?? '')) return true;
  return (await problemCode(res)) === 'invalid_token';
}
