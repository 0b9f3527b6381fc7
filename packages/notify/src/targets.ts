// Which notification targets are valid (an email address, an https webhook URL), and how events may name them.

/** How a target is delivered to. */
export type TargetKind = 'email' | 'webhook';

/** A target that passed validation, with the label events may show of it. */
export type Target =
  | { readonly kind: 'email'; readonly address: string; readonly label: string; readonly id: string }
  | { readonly kind: 'webhook'; readonly url: URL; readonly label: string; readonly id: string };

/** A target that did not: `label` is what may be shown of it, `error` says why (without the value). */
export interface InvalidTarget {
  readonly kind: TargetKind | 'unknown';
  readonly label: string;
  readonly error: string;
}

// Pragmatic, not RFC 5322: dot-atom local part, a host name of LDH labels with a dot in it.
// Quoted local parts, display names ("Ops <ops@example.com>"), comments and IP-literal domains
// are refused: a target is one bare address, and nothing in it can reach a mail header as
// anything but an address. Internationalised domains go in their punycode (xn--) form.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** True for a bare email address the notifier will send to: `ops@example.com`, not `Ops <ops@example.com>`. */
export function isEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return local.length <= 64 && LOCAL_PART.test(local) && DOMAIN.test(domain);
}

/**
 * True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`: plain HTTP there never leaves
 * the machine, which is the only place `allowInsecureWebhooks` lets it go.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '[::1]') return true;
  // URL has already turned other IPv4 spellings (0x7f.1, 2130706433) into dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * What an event may show of an email address: its domain only (`*@example.com`), as the
 * mailbox is personal data that monitoring pipelines should not collect.
 */
export function emailLabel(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '*' : `*@${address.slice(at + 1).toLowerCase()}`;
}

/**
 * What an event may show of a webhook URL: its origin. Webhook URLs often carry a token in the
 * path or query (`https://hooks.example.com/services/T000/B000/XXXX`), so nothing past the port
 * is ever shown.
 */
export function webhookLabel(url: URL): string {
  return url.origin;
}

/**
 * Parses one entry of a key's notification list. Email addresses are matched case-insensitively
 * for deduplication (`id`); webhook URLs by their normalised form, fragment dropped (it is never sent).
 */
export function parseTarget(raw: unknown, allowInsecureWebhooks: boolean): Target | InvalidTarget {
  if (typeof raw !== 'string') return { kind: 'unknown', label: '', error: 'not a string' };
  const value = raw.trim();
  if (URL_LIKE.test(value)) return parseWebhook(value, allowInsecureWebhooks);
  if (value.includes('@')) {
    if (!isEmailAddress(value)) {
      return { kind: 'email', label: emailLabel(value), error: 'not a plain email address' };
    }
    return { kind: 'email', address: value, label: emailLabel(value), id: `email:${value.toLowerCase()}` };
  }
  return { kind: 'unknown', label: '', error: 'neither an email address nor an https URL' };
}

function parseWebhook(value: string, allowInsecure: boolean): Target | InvalidTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { kind: 'webhook', label: '', error: 'not a valid URL' };
  }
  const label = url.protocol === 'http:' || url.protocol === 'https:' ? webhookLabel(url) : url.protocol;
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and proxies; a token belongs in the path or the signature.
    return { kind: 'webhook', label, error: 'webhook URLs must not carry a user name or password' };
  }
  if (url.protocol === 'http:' && allowInsecure && isLoopbackHost(url.hostname)) {
    // allowed: a local receiver during development and tests
  } else if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    return { kind: 'webhook', label, error: 'plain http; set allowInsecureWebhooks for a loopback receiver' };
  } else if (url.protocol !== 'https:') {
    return { kind: 'webhook', label, error: 'webhook URLs must use https' };
  }
  url.hash = '';
  return { kind: 'webhook', url, label, id: `webhook:${url.href}` };
}

/** True when `parseTarget` refused the entry. */
export function isInvalid(t: Target | InvalidTarget): t is InvalidTarget {
  return 'error' in t;
}
