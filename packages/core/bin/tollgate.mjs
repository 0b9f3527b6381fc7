#!/usr/bin/env node
// The `tollgate` command's entry: runs the built CLI. It exists before any build, so an install
// can always link it; in a checkout that was not built yet it says so instead of a stack trace.

import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) {
  await import(cli.href);
} else {
  process.stderr.write(
    'tollgate: @tollgate/core is not built (dist/cli/main.js is missing); run `pnpm build` in the repository first\n',
  );
  process.exitCode = 1;
}
