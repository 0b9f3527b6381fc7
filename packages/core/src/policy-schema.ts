// The policy file's shape, validated with zod; errors name the key and the field.

import { z } from 'zod';
import { TollgateError } from './errors.js';
import { isInvalidNotifyTarget, parseNotifyTarget } from './notify-target.js';

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Keys travel in a header or a query string: visible ASCII only, so no encoding can smuggle
// a different key past a proxy.
const KEY_MATERIAL = /^[\x21-\x7e]+$/;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

const limit = z
  .number()
  .int('expected a whole number')
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER);

const keyMaterial = z
  .string()
  .min(8, 'at least 8 characters')
  .max(512, 'at most 512 characters')
  .regex(KEY_MATERIAL, 'visible ASCII characters only');
const keySha256 = z
  .string()
  .regex(SHA256_HEX, 'expected 64 lower-case hex digits (tollgate hash-key prints them)');

const credentialSchema = z.strictObject({
  key: keyMaterial.optional(),
  keySha256: keySha256.optional(),
  /** ISO 8601 date-time with an offset; the credential stops working at that instant. */
  expiresAt: z.iso
    .datetime({
      offset: true,
      message: 'expected an ISO 8601 date-time with a time zone, e.g. 2026-12-31T23:59:59Z',
    })
    .optional(),
});

// The notifier's own parser: a policy holds exactly the targets @tollgate/notify can take.
const notifyTarget = z.string().superRefine((text, ctx) => {
  const target = parseNotifyTarget(text);
  if (isInvalidNotifyTarget(target)) {
    // The reason only: a webhook URL may carry a token, an address is personal data.
    ctx.addIssue({
      code: 'custom',
      message: `expected an email address or an https:// URL (${target.error})`,
    });
  }
});

const keySchema = z.strictObject({
  id: z
    .string()
    .max(64, 'at most 64 characters')
    .regex(KEY_ID, 'letters, digits, ".", "_" and "-" only, starting with a letter or digit'),
  key: keyMaterial.optional(),
  keySha256: keySha256.optional(),
  credentials: z.array(credentialSchema).min(1, 'list at least one credential').max(16).optional(),
  disabled: z.boolean().optional(),
  notify: z.array(notifyTarget).max(50).optional(),
  allowedUrls: z.array(z.string()).max(10_000).optional(),
  dailyLimit: limit.optional(),
  perIpDailyLimit: limit.optional(),
  ipForwarding: z.boolean().optional(),
  timeZone: z.string().optional(),
});

const policySchema = z.strictObject({
  sourceIpHeader: z.string().regex(HEADER_NAME, 'must be a valid HTTP header name').optional(),
  ipv6Prefix: z.number().int('expected a whole number').min(1).max(128).optional(),
  keys: z.array(keySchema),
});

export type { KeyCredential, KeyPolicy, Policy } from './policy-types.js';

/** What the schema accepts for one key; test/policy-types.test.ts pins it to `KeyPolicy`. */
export type KeyPolicyInput = z.input<typeof keySchema>;

/** What the schema accepts for a policy; test/policy-types.test.ts pins it to `Policy`. */
export type PolicyInput = z.input<typeof policySchema>;

/** A policy that passed the schema; cross-field rules are checked when it is compiled. */
export type ValidPolicy = z.output<typeof policySchema>;

/** `keys[2] (shop-web).timeZone` for a path into the policy. */
export function describePath(path: readonly PropertyKey[], input: unknown): string {
  let out = '';
  let node: unknown = input;
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${part}]`;
      node = Array.isArray(node) ? node[part] : undefined;
      const id = node !== null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      if (typeof id === 'string' && KEY_ID.test(id) && id.length <= 64) out += ` (${id})`;
    } else {
      out += out === '' ? String(part) : `.${String(part)}`;
      node =
        node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[part] : undefined;
    }
  }
  return out === '' ? 'policy' : out;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${describePath([...issue.path, k], input)}: unknown field`);
  }
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    message =
      issue.input === undefined ? 'is required' : `expected ${issue.expected}, got ${typeOf(issue.input)}`;
  }
  return [`${describePath(issue.path, input)}: ${message}`];
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Validates a policy's shape. Throws `ERR_TOLLGATE_INVALID_POLICY` listing every problem.
 * Key material never appears in a message.
 */
export function parsePolicySchema(input: unknown): ValidPolicy {
  const result = policySchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((i) => describeIssue(i, input));
  throw policyError(issues);
}

/** The error for a list of policy problems. */
export function policyError(issues: readonly string[]): TollgateError {
  const head = issues.length === 1 ? 'invalid policy' : `invalid policy (${issues.length} problems)`;
  return new TollgateError('ERR_TOLLGATE_INVALID_POLICY', `${head}: ${issues.join('; ')}`, { issues });
}
