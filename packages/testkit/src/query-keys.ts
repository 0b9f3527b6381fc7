// Hostile query strings around the api_key name, and the keys Tollgate reads from a URL, for parser-agreement properties.

import { inputFromRequest } from '@tollgate/core/adapter';
import fc from 'fast-check';

// Parameter names around api_key: its spellings with escapes, qs brackets, and near misses.
const NAMES = [
  'api_key',
  'api%5Fkey',
  'api%5fkey',
  '%61pi_key',
  '%61%70%69%5F%6B%65%79',
  'API_KEY',
  'api+key',
  'api_key ',
  'api_key[]',
  'api_key[0]',
  'api_key[x]',
  'api_key[',
  'api_key]',
  'api_key%5B%5D',
  'api_key%5B0%5D',
  '[api_key]',
  '%5Bapi_key%5D',
  '[api_key]x',
  'api_key[a=b]',
  'api%5Fkey%zz',
  'api%5Fkey%E0',
];
// Values: plain keys, escapes that decode and ones that do not, separators that qs splits on.
const VALUES = [
  'A',
  'B',
  'pk_live_0123',
  '',
  'a+b',
  '%41',
  '%E2%82%AC',
  '%E0',
  '%E0%A4A',
  '%ED%A0%80',
  '%zz',
  'A%41%zz',
  '%',
  '%2',
  '%26',
  '%3D',
  '%5B%5D',
  ']=C',
  '=B',
  'x]=y',
];
const junk = fc.string({ maxLength: 5, unit: fc.constantFrom(...'ap_kiy%5Fe6[]=+&#;AB0zE'.split('')) });
const name = fc.oneof(fc.constantFrom(...NAMES), junk);
const value = fc.oneof(fc.constantFrom(...VALUES), junk);
const part = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(name, value).map(([n, v]) => `${n}=${v}`) },
  { weight: 1, arbitrary: name },
  { weight: 1, arbitrary: junk },
);

/** Query strings (no `?`): pairs of api_key-like names and hostile values, and junk. */
export const apiKeyQuery: fc.Arbitrary<string> = fc
  .array(part, { maxLength: 6 })
  .map((parts) => parts.join('&'));

/** The distinct non-empty keys Tollgate reads from a request URL with no key header. */
export function tollgateUrlKeys(url: string): string[] {
  const { apiKey } = inputFromRequest({ url, ip: '192.0.2.1', header: () => undefined }, 'x-source-ip');
  return apiKey === undefined ? [] : typeof apiKey === 'string' ? [apiKey] : [...apiKey];
}

/** Every string inside a parsed query value (qs nests arrays and objects). */
export function leaves(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [];
}
