// issueToken's once-per-process warning for a lifetime the default verifier refuses (its own file: the state is per process).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../src/issue-token.js';

const SECRET = 'issue-token-warning-secret-3c9e1a7f5b2d8e4a';

describe('a token over the default maxLifetimeSec', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  beforeEach(() => process.on('warning', onWarning));
  afterEach(() => process.off('warning', onWarning));
  // emitWarning delivers on a later tick.
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('is still issued (the documented range holds), and reported once per process with a code', async () => {
    await issueToken({ keyId: 'k', secret: SECRET });
    await issueToken({ keyId: 'k', secret: SECRET, expiresInSec: 3600 });
    await settle();
    expect(warnings).toEqual([]);

    const day = await issueToken({ keyId: 'partner-key-id', secret: SECRET, expiresInSec: 86_400 });
    expect(day.expiresIn).toBe(86_400);
    await issueToken({ keyId: 'k', secret: SECRET, expiresInSec: 7200 });
    await settle();
    expect(warnings.map((w) => (w as Error & { code?: string }).code)).toEqual(['TOLLGATE_LONG_LIVED_TOKEN']);
    const message = warnings[0]?.message ?? '';
    expect(message).toMatch(/maxLifetimeSec/);
    for (const secret of [SECRET, day.token, 'partner-key-id']) expect(message).not.toContain(secret);
  });
});
