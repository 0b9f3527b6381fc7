// The one parser of notification targets (a bare email address, a webhook URL): the policy schema and @tollgate/notify both use it.

/** How a target is delivered to. */
export type NotifyTargetKind = 'email' | 'webhook';

/** An email target: one bare address. */
export interface EmailNotifyTarget {
  readonly kind: 'email';
  /** The address as written, surrounding white space removed. */
  readonly address: string;
  /** What events may show of it: `*@example.com`, the domain only (the mailbox is personal data). */
  readonly label: string;
  /** Equal for the same address in another case, so a list naming it twice is told once. */
  readonly id: string;
}

/** A webhook target: an https URL, or plain http to a loopback address. */
export interface WebhookNotifyTarget {
  readonly kind: 'webhook';
  /** The parsed URL, fragment removed (a fragment is never sent). A fresh object per parse. */
  readonly url: URL;
  /**
   * True for `http:` to a loopback address. Such a target is valid in a policy; whether plain
   * HTTP is sent is the notifier's choice (`allowInsecureWebhooks`), not the policy's.
   */
  readonly plainHttp: boolean;
  /** What events may show of it: its origin. Paths and queries often carry a token. */
  readonly label: string;
  /** Equal for the same normalised URL, so a list naming it twice is told once. */
  readonly id: string;
}

/** A valid notification target. */
export type NotifyTarget = EmailNotifyTarget | WebhookNotifyTarget;

/** A refused entry: what kind it looked like, what may be shown of it, and why (never the value). */
export interface InvalidNotifyTarget {
  readonly kind: NotifyTargetKind | 'unknown';
  readonly label: string;
  readonly error: string;
}

/** The longest entry looked at; longer ones are refused before any parsing. */
export const MAX_NOTIFY_TARGET_LENGTH = 2048;

// Pragmatic, not RFC 5322: a dot-atom local part and a host name of LDH labels with a dot in it.
// Quoted local parts, display names ("Ops <ops@example.com>"), comments and IP-literal domains are
// refused: a target is one bare address, and nothing in it can reach a mail header as anything but
// an address. Internationalised domains go in their punycode (xn--) form.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// An all-digit last label makes `ops@10.0.0.1` an IP address in disguise (RFC 3696, section 2).
const NUMERIC_LABEL = /\.[0-9]+$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
// The URL parser would silently drop tabs and line breaks and encode spaces: allow only visible
// ASCII and non-ASCII beyond the C1 controls and no-break space, so the URL called is the one written.
const URL_CHARS = /^[\x21-\x7e\u00a1-\uffff]+$/;
// What of a refused address may still be shown as its domain: nothing that could be a path or query.
const LABEL_SAFE = /^[A-Za-z0-9.<>[\]:_-]{1,253}$/;

/**
 * Parses one entry of a key's `notify` list. The rules (docs/policy.md):
 * - an email target is one bare address: a dot-atom local part of at most 64 characters, `@`, a
 *   host name with a dot whose last label is not all digits; at most 254 characters in all;
 * - a webhook target is an `https://` URL, or an `http://` URL whose host is a loopback address
 *   (`localhost`, 127.0.0.0/8, `[::1]`); never with a user name or password, and without white
 *   space or control characters;
 * - surrounding white space is ignored; an entry over 2048 characters is refused.
 *
 * @example
 * parseNotifyTarget('ops@example.com');          // { kind: 'email', address: 'ops@example.com', label: '*@example.com', … }
 * parseNotifyTarget('http://127.0.0.2/hook');    // { kind: 'webhook', plainHttp: true, label: 'http://127.0.0.2', … }
 * parseNotifyTarget('a..b@example.com').error;   // 'the part before the @ must be …'
 */
export function parseNotifyTarget(raw: unknown): NotifyTarget | InvalidNotifyTarget {
  if (typeof raw !== 'string') return { kind: 'unknown', label: '', error: 'not a string' };
  if (raw.length > MAX_NOTIFY_TARGET_LENGTH) {
    return { kind: 'unknown', label: '', error: `longer than ${MAX_NOTIFY_TARGET_LENGTH} characters` };
  }
  const value = raw.trim();
  if (URL_LIKE.test(value)) return parseWebhook(value);
  if (value.includes('@')) return parseEmail(value);
  return { kind: 'unknown', label: '', error: 'neither an email address nor a webhook URL' };
}

/** True when `parseNotifyTarget` refused the entry. */
export function isInvalidNotifyTarget(t: NotifyTarget | InvalidNotifyTarget): t is InvalidNotifyTarget {
  return 'error' in t;
}

/**
 * True for `localhost`, 127.0.0.0/8 and `[::1]`, as `URL` spells a hostname: plain HTTP there
 * stays on the machine. Names under `.localhost` are not included: glibc's resolver asks DNS for
 * them (`api.localhost` is ENOTFOUND on a stock Linux), and a DNS answer could point anywhere.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]') return true;
  // URL has already turned other IPv4 spellings (0x7f.1, 2130706433, 127.1) into dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function parseEmail(value: string): NotifyTarget | InvalidNotifyTarget {
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const label = LABEL_SAFE.test(domain) ? `*@${domain.toLowerCase()}` : '*';
  const refuse = (error: string): InvalidNotifyTarget => ({ kind: 'email', label, error });
  if (value.length > 254) return refuse('an email address has at most 254 characters');
  if (local.length > 64) return refuse('the part before the @ has at most 64 characters');
  if (!LOCAL_PART.test(local)) {
    return refuse(
      "the part before the @ must be letters, digits and !#$%&'*+/=?^_`{|}~- in dot-separated runs " +
        '(no leading, trailing or double dots, quotes, spaces or display name)',
    );
  }
  if (!DOMAIN.test(domain)) {
    return refuse(
      'the domain must be a host name with a dot: letters, digits and inner hyphens (xn-- for international names)',
    );
  }
  if (NUMERIC_LABEL.test(domain)) return refuse('the domain must be a host name, not an IP address');
  return { kind: 'email', address: value, label, id: `email:${value.toLowerCase()}` };
}

function parseWebhook(value: string): NotifyTarget | InvalidNotifyTarget {
  if (!URL_CHARS.test(value)) {
    return {
      kind: 'webhook',
      label: '',
      error: 'a webhook URL must not hold white space or control characters',
    };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { kind: 'webhook', label: '', error: 'not a valid URL' };
  }
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  const label = web ? url.origin : url.protocol;
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and proxies; a token belongs in the path or the signature.
    return { kind: 'webhook', label, error: 'a webhook URL must not carry a user name or password' };
  }
  const plainHttp = url.protocol === 'http:';
  if (plainHttp && !isLoopbackHostname(url.hostname)) {
    return {
      kind: 'webhook',
      label,
      error: 'plain http is allowed only to a loopback address (localhost, 127.0.0.0/8, [::1]); use https',
    };
  }
  if (!web) return { kind: 'webhook', label, error: 'a webhook URL must use https' };
  url.hash = '';
  return { kind: 'webhook', url, plainHttp, label, id: `webhook:${url.href}` };
}
