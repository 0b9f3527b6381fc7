// One benchmark server in its own process: `node bench/http/server.mjs <framework> <variant>`.
//
// Prints one JSON line, {"port":N}, once it listens on 127.0.0.1. It exits on SIGTERM or
// SIGINT, and when its stdin closes, so a parent that dies leaves no server behind. It always
// leaves through process.exit(), which is what lets `node --cpu-prof` write its profile.

import { startApp } from './apps.mjs';

const [framework, variant] = process.argv.slice(2);
let app;
try {
  app = await startApp(framework, variant);
} catch (e) {
  console.error(`server ${framework}/${variant}: ${e.stack ?? e}`);
  process.exit(1);
}

const stop = () => process.exit(0);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
if (!process.stdin.isTTY) {
  process.stdin.on('end', stop).on('close', stop).resume();
}
process.stdout.write(`${JSON.stringify({ port: app.port })}\n`);
