// Starts the example API: PORT (default 3000) and POLICY_FILE (default: the bundled example policy).

import { fileURLToPath } from 'node:url';
import { createApp, readPolicyFile } from './app.mjs';

const port = portFrom(process.env.PORT);
const policyFile =
  process.env.POLICY_FILE ?? fileURLToPath(new URL('./policy.example.json', import.meta.url));

let app;
try {
  const policy = readPolicyFile(policyFile);
  app = createApp({ policy, log: (event) => console.log(JSON.stringify({ event })) });
} catch (e) {
  console.error(`tollgate example: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  process.exit(1);
}

// Express 5 hands a listen error (a taken port) to this callback instead of throwing it.
const server = app.listen(port, '127.0.0.1', (error) => {
  if (error) {
    console.error(`tollgate example: ${listenProblem(error)}`);
    process.exit(1);
  }
  const { port: actual } = server.address();
  const base = `http://127.0.0.1:${actual}`;
  console.log(`Tollgate example API listening on ${base} (policy: ${policyFile})`);
  console.log(
    process.env.NODE_ENV === 'production'
      ? 'HTTPS required: yes (NODE_ENV=production); plain-HTTP requests get 403 https_required'
      : 'HTTPS required: no (NODE_ENV is not production); run behind TLS in production',
  );
  console.log(`Reload the policy without a restart: kill -HUP ${process.pid}`);
  console.log('Try it (keys from the bundled example policy):');
  console.log(`  curl -i ${base}/v1/lookup?q=hello                                   # 401: no key`);
  console.log(`  curl -i -H 'X-Api-Key: sk_test_backend_8d2b6e04a1' ${base}/v1/lookup?q=hello`);
  console.log(
    `  curl -i -H 'X-Api-Key: sk_test_backend_8d2b6e04a1' -H 'X-Source-IP: 198.51.100.7' ${base}/v1/lookup`,
  );
  console.log(
    `  curl -i -H 'X-Api-Key: sk_test_backend_8d2b6e04a1' -H 'X-Source-IP: not-an-ip' ${base}/v1/lookup  # 400`,
  );
  console.log(
    `  curl -i -H 'Origin: https://shop.example.com' '${base}/v1/lookup?api_key=pk_test_web_3f9a1c7e52'`,
  );
  console.log(
    `  curl -i -H 'Origin: https://evil.example.net' '${base}/v1/lookup?api_key=pk_test_web_3f9a1c7e52'  # 403`,
  );
  console.log(
    `  for i in 1 2 3 4; do curl -s -o /dev/null -w '%{http_code}\\n' -H 'X-Api-Key: pk_test_trial_5c0e9b2f77' ${base}/v1/lookup; done  # 429 on the 4th`,
  );
});
// A changed policy file is picked up on SIGHUP; a bad one is refused and the running policy stays.
process.on('SIGHUP', () => {
  try {
    app.locals.engine.reload(readPolicyFile(policyFile));
    console.log(`tollgate example: policy reloaded from ${policyFile}`);
  } catch (e) {
    console.error(`tollgate example: policy not reloaded: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  }
});

/** PORT as a port number: unset or empty means 3000, 0 picks a free port; anything else exits 1. */
function portFrom(text) {
  if (text === undefined || text === '') return 3000;
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 0 && n <= 65535)) {
    console.error(
      `tollgate example: PORT must be a port number from 0 to 65535, got ${JSON.stringify(text)}`,
    );
    process.exit(1);
  }
  return n;
}

/** What went wrong opening the port, in words a user can act on. */
function listenProblem(error) {
  if (error.code === 'EADDRINUSE') {
    return `port ${port} is in use by another process; stop it or choose another port with PORT (e.g. PORT=${port === 3000 ? 3001 : 3000}, or PORT=0 for any free port)`;
  }
  if (error.code === 'EACCES') {
    return `no permission to listen on port ${port}; choose a port above 1023 with PORT`;
  }
  return `cannot listen on port ${port}: ${error.code ? `${error.code}: ` : ''}${error.message}`;
}
