#!/usr/bin/env node
// The `tollgate` command: dispatches to hash-key, generate-key and check-policy; misuse exits 2.

import { CHECK_POLICY_USAGE, checkPolicyCommand } from './check-policy.js';
import type { CommandResult } from './command-args.js';
import { GENERATE_KEY_USAGE, generateKeyCommand } from './generate-key.js';
import { HASH_KEY_USAGE, hashKeyCommand } from './hash-key.js';
import { packageVersion } from './version.js';

const COMMANDS: Record<string, (args: readonly string[]) => CommandResult | Promise<CommandResult>> = {
  'hash-key': hashKeyCommand,
  'generate-key': generateKeyCommand,
  'check-policy': checkPolicyCommand,
};

const firstLine = (usage: string) => usage.split('\n')[0]?.replace(/^usage: /, '  ') ?? '';

const USAGE = `usage: tollgate COMMAND [OPTIONS]

Commands:
${[HASH_KEY_USAGE, GENERATE_KEY_USAGE, CHECK_POLICY_USAGE].map(firstLine).join('\n')}

  tollgate COMMAND --help   what a command does and where it reads its input
  tollgate --version        the version of @tollgate/core

Without installing: npx -p @tollgate/core tollgate COMMAND`;

async function main(argv: readonly string[]): Promise<CommandResult> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    return { exitCode: 0, stdout: `${USAGE}\n` };
  }
  if (command === '--version') return { exitCode: 0, stdout: `${packageVersion()}\n` };
  if (command === undefined) return { exitCode: 2, stderr: `${USAGE}\n` };
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    const what = command.startsWith('-') ? 'unknown option' : 'unknown command';
    // Named only when it looks like a command or a flag: a mistyped key stays off the screen.
    const shown = /^-{0,2}[a-z][a-z-]{0,30}$/.test(command) ? ` "${command}"` : '';
    return { exitCode: 2, stderr: `tollgate: ${what}${shown}\n\n${USAGE}\n` };
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  ({ exitCode, stdout, stderr }) => {
    if (stdout) process.stdout.write(stdout);
    if (stderr) process.stderr.write(stderr);
    process.exitCode = exitCode;
  },
  (e: unknown) => {
    process.stderr.write(`tollgate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
