// The example API: one lookup route behind Tollgate, events written as JSON lines.

import { readFileSync } from 'node:fs';
import { createEngine } from '@tollgate/core';
import { tollgate } from '@tollgate/express';
import express from 'express';

/** Reads and parses a policy file; a TollgateError from createEngine then names key and field. */
export function readPolicyFile(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read policy file ${path}: ${e.code ?? e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON.parse's message: it quotes the text near the error, which may be a key.
    throw new Error(
      `policy file ${path} is not valid JSON; \`npx -p @tollgate/core tollgate check-policy ${path}\` shows where`,
    );
  }
}

/** Builds the Express app. `log` receives each event (they never hold keys). */
export function createApp({ policy, log = () => {}, now }) {
  const engine = createEngine({ policy, onEvent: log, ...(now ? { now } : {}) });
  const app = express();
  app.disable('x-powered-by');
  // Kept for the server: it reloads the policy on SIGHUP and says whether HTTPS is required.
  app.locals.engine = engine;
  app.get('/health', (_req, res) => res.json({ ok: true }));
  app.use('/v1', tollgate({ engine }));
  app.get('/v1/lookup', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    res.json({ query: q, result: `looked up ${q.length} characters`, key: res.locals.tollgate.keyId });
  });
  return app;
}
