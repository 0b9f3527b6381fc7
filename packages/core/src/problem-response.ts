// The response an adapter sends for a decision it answers itself, built once here so every framework writes the same bytes.

import type { Decision } from './decision.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

/** Status, headers and body of the answer to a decision that is not `allowed`. */
export interface ProblemResponse {
  /** The decision's status: 400, 401, 403, 429 or 503 for a refusal, 204 for a preflight. */
  readonly status: number;
  /**
   * The decision's headers (RateLimit, Retry-After, WWW-Authenticate, the source-IP echo), and
   * `Content-Type: application/problem+json` when there is a body. Set every one.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The RFC 9457 problem body as JSON text; `undefined` for an answer with no body (a preflight's 204). */
  readonly body: string | undefined;
}

/**
 * What an adapter sends for a decision that is not `allowed` (a refusal, or a preflight it
 * answers): write `status`, every header, and `body` when there is one, in the framework's own
 * calls. The problem type is given as a header here, so a framework that guesses a type from
 * the body (Koa, Fastify) keeps this one.
 *
 * @example
 * if (!decision.allowed) {
 *   const problem = problemResponse(decision);
 *   res.statusCode = problem.status;
 *   for (const name in problem.headers) res.setHeader(name, problem.headers[name]);
 *   res.end(problem.body);
 * }
 */
export function problemResponse(decision: Decision): ProblemResponse {
  const { status, headers, body } = decision;
  // A 204 may carry no body, and no Content-Type for one.
  if (body === undefined) return { status, headers, body: undefined };
  return {
    status,
    headers: { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(body),
  };
}
