// Only in the consumer that installs the optional peers: with them present, the types that use
// them are the real ones (not `any`), and the real objects fit Tollgate's options.

import { metrics } from '@opentelemetry/api';
import { createEngine } from '@tollgate/core';
import { tollgate } from '@tollgate/fetch';
import { Hono } from 'hono';

const policy = { keys: [{ id: 'shop-web', key: 'pk_live_0123456789abcdef' }] };

// A real OpenTelemetry Meter is accepted where Tollgate takes one.
export const engine = createEngine({ policy, meter: metrics.getMeter('tollgate') });

// The Hono middleware's types come from hono itself: the app learns `c.get('tollgate')`.
export const app = new Hono()
  .use(tollgate({ engine, ip: (c) => c.req.header('x-test-ip') }))
  .get('/lookup', (c) => c.json({ key: c.get('tollgate').keyId }));

app.get('/typed', (c) => {
  // @ts-expect-error The decision is a Decision, not a number: fails if hono's types went missing (any).
  const wrong: number = c.get('tollgate');
  return c.text(String(wrong));
});
