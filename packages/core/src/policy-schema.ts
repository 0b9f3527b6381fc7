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

/** One entry of `keys`, as far as the schema let it through. */
export interface KeyFields {
  /** The fields that passed the schema, as it outputs them. */
  readonly fields: KeyPolicyFields;
  /** Fields that were given but failed the schema; their problems are already listed. */
  readonly invalid: ReadonlySet<string>;
}

/** A policy checked against the schema without stopping at the first bad field. */
export interface PolicySchemaCheck {
  /** Every schema problem, each naming its key and field. */
  readonly issues: readonly string[];
  /** The whole policy, when it passed. */
  readonly policy: ValidPolicy | undefined;
  /** Each entry of `keys`; undefined for one that is not an object (or all, if `keys` is not a list). */
  readonly keys: readonly (KeyFields | undefined)[];
}

// Every field optional and nothing unknown: the fields of an entry that passed one by one.
const keyFieldsSchema = keySchema.partial();

/** The fields of a key entry that passed the schema, any of them possibly absent. */
export type KeyPolicyFields = z.output<typeof keyFieldsSchema>;

/**
 * Checks a policy's shape and keeps, for each key entry, the fields that passed, so the
 * compiler can check those too and a file's problems are all listed at once (a bad cap on
 * one key no longer hides a misspelt time zone on the same or another key).
 */
export function checkPolicySchema(input: unknown): PolicySchemaCheck {
  const result = policySchema.safeParse(input, { reportInput: true });
  if (result.success) {
    const keys = result.data.keys.map((fields) => ({ fields, invalid: new Set<string>() }));
    return { issues: [], policy: result.data, keys };
  }
  const issues = result.error.issues.flatMap((i) => describeIssue(i, input));
  const invalid = new Map<number, Set<string>>();
  for (const { path } of result.error.issues) {
    const [top, index, field] = path;
    if (top !== 'keys' || typeof index !== 'number' || typeof field !== 'string') continue;
    const set = invalid.get(index) ?? new Set<string>();
    set.add(field);
    invalid.set(index, set);
  }
  const entries = isRecord(input) && Array.isArray(input.keys) ? (input.keys as unknown[]) : [];
  const keys = entries.map((entry, i): KeyFields | undefined => {
    if (!isRecord(entry)) return undefined;
    const failed = invalid.get(i) ?? new Set<string>();
    const passed: Record<string, unknown> = {};
    for (const field of Object.keys(keySchema.shape)) {
      if (!failed.has(field) && Object.hasOwn(entry, field)) passed[field] = entry[field];
    }
    const parsed = keyFieldsSchema.safeParse(passed);
    // Each field passed on its own and the schema has no cross-field rules, so this holds;
    // if it ever did not, the entry's problems are listed already and its checks are skipped.
    return parsed.success ? { fields: parsed.data, invalid: failed } : undefined;
  });
  return { issues, policy: undefined, keys };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The error for a list of policy problems. */
export function policyError(issues: readonly string[]): TollgateError {
  const head = issues.length === 1 ? 'invalid policy' : `invalid policy (${issues.length} problems)`;
  return new TollgateError('ERR_TOLLGATE_INVALID_POLICY', `${head}: ${issues.join('; ')}`, { issues });
}
