// Checks the docs' JSON blocks: a policy is compiled by the engine, a problem body is compared with the engine's own.

import { createEngine, type Decision, type Policy } from '@tollgate/core';

/** What a JSON block shows, told from its shape. */
export type JsonKind = 'policy' | 'key entry' | 'problem body' | 'event' | 'webhook body';

/** The kind of a parsed JSON block, or undefined when it is none the runner knows. */
export function jsonKind(value: unknown): JsonKind | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.keys)) return 'policy';
  if (typeof v.type === 'string') {
    if (v.type.startsWith('urn:tollgate:problem:')) return 'problem body';
    if (v.type === 'tollgate.threshold') return 'webhook body';
    return 'event';
  }
  if (typeof v.id === 'string') return 'key entry';
  return undefined;
}

/**
 * The TypeScript a shape-only kind is checked as: the block must satisfy the published type
 * (`satisfies` also refuses fields the type does not have). `prelude` lines come before the JSON.
 */
export function typedJsonSource(
  kind: 'key entry' | 'event' | 'webhook body',
  json: string,
): { text: string; prelude: number } {
  const [type, from] =
    kind === 'event'
      ? ['TollgateEvent', '@tollgate/core']
      : kind === 'key entry'
        ? ['KeyPolicy', '@tollgate/core']
        : ['WebhookPayload', '@tollgate/notify'];
  return {
    text: `import type { ${type} } from '${from}';\nexport const value = (\n${json}) satisfies ${type};\n`,
    prelude: 2,
  };
}

/** Why the engine refuses this policy, or undefined when it compiles. */
export function policyProblem(policy: unknown): string | undefined {
  try {
    createEngine({ policy: policy as Policy, requireHttps: false });
    return undefined;
  } catch (error) {
    return `${(error as { code?: string }).code ?? 'Error'}: ${(error as Error).message}`;
  }
}

const KEY = 'pk_docs_test_0123456789';

// A refusal of each code the docs show a body for, produced by the engine itself.
const REFUSALS: Record<string, () => Decision | Promise<Decision>> = {
  missing_key: () => engineWith({}).check({ secure: true }),
  unknown_key: () => engineWith({}).check({ apiKey: 'pk_docs_test_unknown', secure: true }),
  https_required: () =>
    createEngine({ policy: { keys: [] }, requireHttps: true }).check({ apiKey: KEY, secure: false }),
  daily_limit: async () => {
    const engine = engineWith({ dailyLimit: 1 });
    await engine.check({ apiKey: KEY, secure: true });
    return engine.check({ apiKey: KEY, secure: true });
  },
  ip_daily_limit: async () => {
    const engine = engineWith({ dailyLimit: 10, perIpDailyLimit: 1 });
    await engine.check({ apiKey: KEY, ip: '203.0.113.7', secure: true });
    return engine.check({ apiKey: KEY, ip: '203.0.113.7', secure: true });
  },
};

function engineWith(limits: Record<string, number>) {
  return createEngine({ policy: { keys: [{ id: 'docs', key: KEY, dailyLimit: 1000, ...limits }] } });
}

/**
 * How a documented problem body differs from the one the engine sends for its code: every
 * field the docs show must be the engine's, except a value written as `…` (elided).
 */
export async function problemBodyProblems(shown: Record<string, unknown>): Promise<string[]> {
  const code = String(shown.type).slice('urn:tollgate:problem:'.length);
  const refuse = REFUSALS[code];
  if (refuse === undefined)
    return [`no way to produce a ${code} refusal: add one to REFUSALS in docs/test/json-blocks.ts`];
  const decision = await refuse();
  if (decision.code !== code || decision.body === undefined)
    return [`the engine answered ${decision.code}, not ${code}`];
  const real = decision.body as unknown as Record<string, unknown>;
  const problems: string[] = [];
  for (const [field, value] of Object.entries(shown)) {
    if (value === '…' || value === '...') continue;
    if (!Object.hasOwn(real, field)) problems.push(`"${field}" is not in the engine's body`);
    else if (JSON.stringify(real[field]) !== JSON.stringify(value)) {
      problems.push(
        `"${field}" is ${JSON.stringify(value)}; the engine sends ${JSON.stringify(real[field])}`,
      );
    }
  }
  return problems;
}
