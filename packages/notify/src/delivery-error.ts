// Failed attempts: whether retrying can help, and error messages with secrets and personal data taken out.

/** A failed delivery attempt. `permanent` failures are not retried. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly permanent: boolean;
  /** A wait the receiver asked for (`Retry-After`), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, permanent: boolean, retryAfterMs?: number) {
    super(message);
    this.permanent = permanent;
    this.retryAfterMs = retryAfterMs;
  }
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const EMAIL_IN_TEXT = /[^\s<>"'(),;:@[\]]+@([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)/g;
const MAX_LENGTH = 300;

/**
 * An error's message as events may carry it: URLs cut to their origin (webhook paths and
 * queries carry tokens), mailboxes cut to their domain, each of `secrets` blanked, at most
 * 300 characters. Library messages (undici, nodemailer) quote URLs and recipients; this is
 * the one place that makes them safe to log.
 */
export function safeMessage(error: unknown, secrets: readonly string[]): string {
  let text = error instanceof Error ? error.message : String(error);
  // undici's "fetch failed" says nothing; the reason (ECONNREFUSED, a TLS error) is in `cause`.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message !== '' && !text.includes(cause.message)) {
    text = `${text}: ${cause.message}`;
  }
  for (const secret of secrets) {
    if (secret !== '') text = text.split(secret).join('[secret]');
  }
  text = text.replace(URL_IN_TEXT, (u) => {
    try {
      const url = new URL(u);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : `${url.protocol}[url]`;
    } catch {
      return '[url]';
    }
  });
  text = text.replace(EMAIL_IN_TEXT, (_, domain: string) => `*@${domain.toLowerCase()}`);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
