// `tollgate generate-key`: a new API key from the CSPRNG, in base62, with its keySha256.

import { randomBytes } from 'node:crypto';
import { keySha256 } from '../key-hash.js';
import { type CommandResult, parseCommandArgs } from './command-args.js';

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random characters after the prefix: 32 × log2(62) ≈ 190 bits, well above 128. */
export const KEY_RANDOM_CHARS = 32;

/** Letters, digits, ".", "_" and "-": safe in a header, a URL and a shell, as policies accept. */
const PREFIX = /^[A-Za-z0-9._-]{0,64}$/;

// 248 = 4 × 62: bytes from 248 up are thrown away, so each character is exactly uniform
// (taking every byte modulo 62 would make the first eight characters more likely).
const ACCEPT_BELOW = 248;

/**
 * A new key: `prefix` then `KEY_RANDOM_CHARS` base62 characters drawn from `random` (the
 * CSPRNG unless a test gives its own byte source).
 *
 * @example
 * generateKey('tg_live_'); // 'tg_live_' + 32 characters of [0-9A-Za-z]
 */
export function generateKey(prefix = '', random: (n: number) => Uint8Array = randomBytes): string {
  if (!PREFIX.test(prefix)) {
    throw new RangeError('the prefix may hold up to 64 letters, digits, ".", "_" and "-"');
  }
  let body = '';
  while (body.length < KEY_RANDOM_CHARS) {
    // Enough bytes for the rest on average (about 3% are thrown away), topped up if short.
    for (const byte of random(KEY_RANDOM_CHARS - body.length + 8)) {
      if (byte < ACCEPT_BELOW && body.length < KEY_RANDOM_CHARS) body += BASE62[byte % 62];
    }
  }
  return prefix + body;
}

export const GENERATE_KEY_USAGE = `usage: tollgate generate-key [--prefix PREFIX] [--json]

Prints a new API key and its SHA-256 (for a policy's "keySha256" field):

  key: PREFIX + 32 random characters of [0-9A-Za-z] (about 190 bits from the CSPRNG)
  keySha256: 64 hex digits

--prefix PREFIX  put PREFIX in front (up to 64 letters, digits, ".", "_" and "-"),
                 e.g. tg_live_, so a leaked key is easy to recognise and to search for
--json           print {"key": "...", "keySha256": "..."} instead

The key is printed once and stored nowhere: hand it to its user, and put only keySha256
in the policy file.`;

export function generateKeyCommand(args: readonly string[]): CommandResult {
  const parsed = parseCommandArgs('generate-key', GENERATE_KEY_USAGE, args, {
    prefix: { type: 'string' },
    json: { type: 'boolean' },
  });
  if ('exitCode' in parsed) return parsed;
  const prefix = (parsed.values.prefix as string | undefined) ?? '';
  if (!PREFIX.test(prefix)) {
    return {
      exitCode: 2,
      stderr: `tollgate generate-key: --prefix may hold up to 64 letters, digits, ".", "_" and "-"\n`,
    };
  }
  const key = generateKey(prefix);
  const sha = keySha256(key);
  const stdout =
    parsed.values.json === true
      ? `${JSON.stringify({ key, keySha256: sha })}\n`
      : `key: ${key}\nkeySha256: ${sha}\n`;
  return { exitCode: 0, stdout };
}
