// The policy's shape as written interfaces, so editors show every field's meaning and default; the schema is pinned to them.
//
// policy-schema.ts validates this shape; test/policy-types.test.ts fails when the two drift apart, and
// docs/policy.md is the same reference for people (its tables list exactly these fields).

/**
 * One of a key's credentials, for rotation: give exactly one of `key` and `keySha256`.
 *
 * @example
 * const rotating: KeyCredential[] = [
 *   { keySha256: oldKeyHash, expiresAt: '2026-07-01T00:00:00Z' }, // stops working then
 *   { keySha256: newKeyHash },
 * ];
 */
export interface KeyCredential {
  /**
   * The secret the client sends: visible ASCII, 8 to 512 characters, unique across the policy.
   * Default: none; give this or `keySha256`.
   */
  key?: string | undefined;
  /**
   * The key's SHA-256 instead of the key, as 64 lower-case hex digits (`tollgate hash-key` or
   * `keySha256()` prints it), so the policy holds no secret. Default: none; give this or `key`.
   */
  keySha256?: string | undefined;
  /**
   * When the credential stops working: an ISO 8601 date-time with a zone (`2026-12-31T23:59:59Z`,
   * `2026-12-31T23:59:59+01:00`). From then on it is refused with 401 `key_expired`, and tokens
   * issued from it with `invalid_token`. Default: it never expires.
   */
  expiresAt?: string | undefined;
}

/**
 * One API key's rules. `id` and exactly one way to recognise the key are required: `key`,
 * `keySha256`, or `credentials` (checked when the policy is compiled, with the other rules
 * a type cannot say: unique ids and keys, a valid time zone, URL patterns that parse).
 *
 * @example
 * const web: KeyPolicy = {
 *   id: 'shop-web',
 *   keySha256: '5c0f…', // 64 hex digits from `tollgate hash-key`
 *   allowedUrls: ['https://shop.example.com'],
 *   dailyLimit: 1000,
 *   perIpDailyLimit: 50,
 *   timeZone: 'Europe/London',
 * };
 */
export interface KeyPolicy {
  /**
   * Names the key in events, logs, counter keys and token claims: letters, digits, `.`, `_` and
   * `-`, starting with a letter or digit, at most 64 characters, unique across the policy.
   * Required.
   */
  id: string;
  /**
   * The secret the client sends (`X-Api-Key`, `api_key`): visible ASCII, 8 to 512 characters,
   * unique across the policy. Default: none; give exactly one of `key`, `keySha256` and `credentials`.
   */
  key?: string | undefined;
  /**
   * The key's SHA-256 instead of the key, as 64 lower-case hex digits (`tollgate hash-key`
   * prints it), so the policy holds no secret. Default: none; give exactly one of `key`,
   * `keySha256` and `credentials`.
   */
  keySha256?: string | undefined;
  /**
   * Several credentials for the same key, 1 to 16, each with an optional `expiresAt`: add the
   * new one, let the old one expire, and rotate without downtime. Default: none; give exactly
   * one of `key`, `keySha256` and `credentials`.
   */
  credentials?: KeyCredential[] | undefined;
  /** Refuse every request with the key with 403 `key_disabled` (incident response). Default: `false`. */
  disabled?: boolean | undefined;
  /**
   * Email addresses and webhook URLs (`https://`, or `http://` to loopback) that
   * `@tollgate/notify` tells at 90% and 100% of `dailyLimit`; at most 50, each checked when the
   * policy loads (docs/policy.md, "Notify targets"). Default: none.
   */
  notify?: string[] | undefined;
  /**
   * The URL whitelist, checked against `Origin` and `Referer`: a request whose headers match no
   * pattern is refused with 403 (docs/url-whitelist.md has the pattern forms). Not empty, at most
   * 10 000 patterns, and not together with `ipForwarding`. Default: none, so any origin (and a
   * request with neither header) is allowed.
   */
  allowedUrls?: string[] | undefined;
  /**
   * Allowed requests per local day for the key, a whole number of at least 0 (0 refuses
   * everything); over it, 429 `daily_limit`. Default: none, no cap.
   */
  dailyLimit?: number | undefined;
  /**
   * Allowed requests per local day per client address (per `ipv6Prefix` for IPv6), a whole
   * number of at least 0; over it, 429 `ip_daily_limit`. Default: none, no cap.
   */
  perIpDailyLimit?: number | undefined;
  /**
   * Believe the policy's `sourceIpHeader` for the per-IP cap: for backend keys whose server
   * sends its end user's address. Not allowed together with `allowedUrls`, where any browser
   * could set the header. Default: `false` (the header is never read).
   */
  ipForwarding?: boolean | undefined;
  /**
   * The IANA time zone (`Europe/London`) whose midnight starts and ends the key's day, and
   * resets its counters. Default: `'UTC'`.
   */
  timeZone?: string | undefined;
}

/**
 * The policy: the policy file's object form, given as `policy` to `createEngine` (or to an
 * adapter) and to `engine.reload()`. Unknown fields are errors, so a misspelt cap never
 * silently goes missing.
 *
 * @example
 * const policy: Policy = {
 *   sourceIpHeader: 'X-Source-IP',
 *   keys: [{ id: 'shop-web', key: process.env.SHOP_WEB_KEY!, allowedUrls: ['https://shop.example.com'], dailyLimit: 1000 }],
 * };
 */
export interface Policy {
  /**
   * The header a backend sends its end user's address in (read only for keys with
   * `ipForwarding`), and the header the limited address is echoed in. A valid header name.
   * Default: `'X-Source-IP'`.
   */
  sourceIpHeader?: string | undefined;
  /**
   * IPv6 addresses are counted per prefix of this many bits, 1 to 128: one user usually holds
   * a whole /64 and could otherwise rotate through 2^64 addresses. Default: `64`.
   */
  ipv6Prefix?: number | undefined;
  /**
   * One entry per API key. Required; it may be empty when a `keySource` holds the keys.
   */
  keys: KeyPolicy[];
}
