// The permissive trust-proxy warning on Express 4, in a process of its own (the warning is once per process).

import { watchWarnings } from '@tollgate/testkit/warnings';
import { describe, expect, it } from 'vitest';
import { startApp, webRequest } from './support/trust-proxy-app.js';

describe('Express 4', () => {
  it('warns once for trust proxy true with a per-IP cap', async () => {
    const watch = watchWarnings('TOLLGATE_PERMISSIVE_TRUST_PROXY');
    const app = await startApp(4, true);
    try {
      for (const i of [1, 2, 3]) expect(await app.send(i === 2 ? '/b' : '/a', webRequest(i))).toBe(200);
      expect(await watch.seen()).toHaveLength(1);
    } finally {
      watch.stop();
      await app.close();
    }
  });
});
