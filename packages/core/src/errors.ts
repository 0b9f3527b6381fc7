// The one error class Tollgate throws, with stable codes that callers and tests can rely on.

/** Every configuration and setup error code Tollgate throws. See docs/errors.md. */
export type TollgateErrorCode =
  | 'ERR_TOLLGATE_INVALID_OPTIONS'
  | 'ERR_TOLLGATE_INVALID_POLICY'
  | 'ERR_TOLLGATE_INVALID_URL_PATTERN'
  | 'ERR_TOLLGATE_INVALID_TIME_ZONE'
  | 'ERR_TOLLGATE_POLICY_FILE'
  | 'ERR_TOLLGATE_STORE';

/**
 * Thrown for bad configuration (at setup, never per request) and store faults.
 * Match on `code`, not on the message text.
 *
 * @example
 * try { createEngine({ policy }) } catch (e) {
 *   if (e instanceof TollgateError && e.code === 'ERR_TOLLGATE_INVALID_POLICY') console.error(e.message);
 * }
 */
export class TollgateError extends Error {
  override readonly name = 'TollgateError';
  readonly code: TollgateErrorCode;
  /** For policy errors: every problem found, each naming its key and field. */
  readonly issues: readonly string[];

  constructor(
    code: TollgateErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly string[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options?.issues ?? [message];
  }
}
