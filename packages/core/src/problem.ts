// RFC 9457 problem bodies for every refusal code: stable titles, details that never echo input.

import type { ProblemBody, RefusalCode } from './decision.js';

/** Media type of every refusal body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const PROBLEMS: Record<RefusalCode, { title: string; detail: string }> = {
  missing_key: {
    title: 'API key required',
    detail: 'Send your API key in the X-Api-Key header or the api_key query parameter.',
  },
  https_required: {
    title: 'HTTPS required',
    detail: 'This API accepts requests over HTTPS only. Send the request to the https:// address.',
  },
  unknown_key: { title: 'Unknown API key', detail: 'The API key is not recognised.' },
  key_expired: {
    title: 'API key expired',
    detail: 'This credential has been rotated out. Use the current key for this account.',
  },
  invalid_token: {
    title: 'Invalid bearer token',
    detail: 'The bearer token was not accepted. Fetch a new token and retry.',
  },
  key_disabled: { title: 'API key disabled', detail: 'This API key has been disabled by the provider.' },
  ambiguous_key: {
    title: 'Conflicting API keys',
    detail: 'The request carries more than one API key; send exactly one.',
  },
  origin_required: {
    title: 'Origin required',
    detail:
      'This key is restricted to whitelisted websites, and the request carries no Origin or Referer header.',
  },
  origin_not_allowed: {
    title: 'Origin not allowed',
    detail: "The request's Origin or Referer is not on this key's URL whitelist.",
  },
  invalid_source_ip: {
    title: 'Invalid forwarded IP address',
    detail: 'The source-IP header must hold exactly one IPv4 or IPv6 address, with no port and no list.',
  },
  ip_daily_limit: {
    title: 'Daily limit for this IP address reached',
    detail:
      'This IP address has used its daily allowance for this key. It resets at midnight in the key time zone.',
  },
  daily_limit: {
    title: 'Daily limit reached',
    detail: 'This key has used its daily allowance. It resets at midnight in the key time zone.',
  },
  store_unavailable: {
    title: 'Rate-limit store unavailable',
    detail: 'The request could not be checked against its limits. Retry shortly.',
  },
  policy_unavailable: {
    title: 'Key policy unavailable',
    detail: 'The key could not be looked up. Retry shortly.',
  },
};

/** The problem body for a refusal code. `type` is a URN naming the code, documented in docs/errors.md. */
export function problemFor(code: RefusalCode, status: number): ProblemBody {
  const p = PROBLEMS[code];
  return { type: `urn:tollgate:problem:${code}`, title: p.title, status, detail: p.detail, code };
}
