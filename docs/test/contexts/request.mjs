// What the "without a framework" fragments take as given: a policy, and the parts of one HTTPS request with a valid key.

import { readFileSync } from 'node:fs';

/** @type {import('@tollgate/core').Policy} */
export const policy = JSON.parse(
  readFileSync(new URL('../../../examples/basic/policy.example.json', import.meta.url), 'utf8'),
);

// The example policy's backend key, from a client at a documentation address, over HTTPS.
/** @type {string | undefined} */
export const apiKey = 'sk_test_backend_8d2b6e04a1';
/** @type {string | undefined} */
export const origin = undefined;
/** @type {string | undefined} */
export const referer = undefined;
/** @type {string | undefined} */
export const ip = '203.0.113.7';
/** @type {string | undefined} */
export const sourceIp = undefined;
/** @type {boolean} */
export const secure = true;
