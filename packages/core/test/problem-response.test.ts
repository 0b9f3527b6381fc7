// The answer every adapter sends for a decision it answers itself: the decision's status and headers, the problem body as JSON.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAdapterCheck } from '../src/adapter-check.js';
import type { Decision, DecisionCode, ProblemBody } from '../src/decision.js';
import { createEngine } from '../src/engine.js';
import { PROBLEM_CONTENT_TYPE } from '../src/problem.js';
import { problemResponse } from '../src/problem-response.js';
import { examplePolicy, NOON_UTC } from './fixtures.js';

const request = (headers: Record<string, string>) => ({
  header: (name: string) => headers[name],
  url: '/lookup',
  ip: '203.0.113.7',
  method: headers['access-control-request-method'] === undefined ? 'GET' : 'OPTIONS',
  secure: true,
});

describe('problemResponse', () => {
  it('answers a refusal with its status, its headers, the problem type and the body as JSON', () => {
    const engine = createEngine({ policy: examplePolicy(), now: () => NOON_UTC });
    const decision = engine.checkRequest(request({})) as Decision;
    expect(decision.code).toBe('missing_key');
    const problem = problemResponse(decision);
    expect(problem.status).toBe(401);
    expect(problem.headers).toEqual({ ...decision.headers, 'Content-Type': PROBLEM_CONTENT_TYPE });
    expect(problem.headers['WWW-Authenticate']).toMatch(/^ApiKey /);
    expect(JSON.parse(problem.body ?? '')).toEqual(decision.body);
  });

  it('answers a preflight with 204, no body and no Content-Type', () => {
    const gate = createAdapterCheck({ policy: examplePolicy(), now: () => NOON_UTC });
    const decision = gate.check(
      request({ origin: 'https://shop.example.com', 'access-control-request-method': 'GET' }),
      undefined,
    ) as Decision;
    expect(problemResponse(decision)).toEqual({ status: 204, headers: {}, body: undefined });
  });

  const code = fc.constantFrom<DecisionCode>(
    'missing_key',
    'daily_limit',
    'ip_daily_limit',
    'store_unavailable',
  );
  const body: fc.Arbitrary<ProblemBody> = fc.record(
    {
      type: fc.string(),
      title: fc.string(),
      status: fc.integer({ min: 400, max: 599 }),
      detail: fc.string({ unit: 'grapheme' }),
      code,
      reason: fc.string(),
    },
    { requiredKeys: ['type', 'title', 'status', 'detail', 'code'] },
  );
  const headerName = fc
    .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,30}$/)
    .filter((n) => n.toLowerCase() !== 'content-type');
  const decision: fc.Arbitrary<Decision> = fc.record(
    {
      allowed: fc.constant(false),
      status: fc.integer({ min: 100, max: 599 }),
      code,
      headers: fc.dictionary(headerName, fc.string()),
      body,
      limits: fc.constant([]),
    },
    { requiredKeys: ['allowed', 'status', 'code', 'headers', 'limits'] },
  );

  it('for any decision: its status, every header unchanged, and Content-Type and a JSON body exactly when it has a body', () => {
    fc.assert(
      fc.property(decision, (d) => {
        const before = structuredClone(d);
        const problem = problemResponse(d);
        expect(problem.status).toBe(d.status);
        const { 'Content-Type': type, ...rest } = problem.headers;
        expect(rest).toEqual(d.headers);
        if (d.body === undefined) {
          expect(type).toBeUndefined();
          expect(problem.body).toBeUndefined();
        } else {
          expect(type).toBe(PROBLEM_CONTENT_TYPE);
          expect(JSON.parse(problem.body as string)).toEqual(d.body);
        }
        // The decision is left as it was: decisions may be frozen and shared.
        expect(d).toEqual(before);
      }),
    );
  });
});
