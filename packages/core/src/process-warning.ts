// Process warnings about an app's setup, each emitted at most once per process, with a stable code.

/** Codes of Tollgate's process warnings (`warning.code`). See docs/errors.md. */
export type TollgateWarningCode = 'TOLLGATE_PERMISSIVE_TRUST_PROXY';

/** The `name` of every warning from {@link warnOnce}, to filter them in a `process.on('warning')` handler. */
export const TOLLGATE_WARNING = 'TollgateWarning';

const emitted = new Set<TollgateWarningCode>();

/**
 * Emits a process warning with this code, the first time only: a setup mistake is reported once,
 * not once per request or per middleware. Never carries request data.
 *
 * @example
 * warnOnce('TOLLGATE_PERMISSIVE_TRUST_PROXY', 'tollgate: … See docs/frameworks/express.md#behind-a-proxy');
 */
export function warnOnce(code: TollgateWarningCode, message: string): void {
  if (emitted.has(code)) return;
  emitted.add(code);
  globalThis.process?.emitWarning?.(message, { type: TOLLGATE_WARNING, code });
}
