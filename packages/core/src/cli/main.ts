#!/usr/bin/env node
// `tollgate hash-key`: prints the keySha256 of an API key for the policy file, without the key touching argv.

import { keySha256 } from '../key-hash.js';

const USAGE = `usage: tollgate hash-key [--env NAME]

Prints the hex SHA-256 of an API key, for a policy's "keySha256" field.
The key is read from standard input (piped, or typed without echo), or from the
environment variable NAME with --env. It is never taken as an argument: arguments
end up in shell history and in the process list.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'hash-key') {
    process.stderr.write(`tollgate: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  let key: string;
  if (rest[0] === '--env') {
    const name = rest[1];
    const value = name === undefined ? undefined : process.env[name];
    if (name === undefined || value === undefined || value === '') {
      process.stderr.write(`tollgate hash-key: --env needs the name of a set environment variable\n`);
      return 2;
    }
    key = value;
  } else if (rest.length > 0) {
    process.stderr.write('tollgate hash-key: the key is read from standard input, not from arguments\n');
    return 2;
  } else {
    key = await readKey();
  }
  if (key === '') {
    process.stderr.write('tollgate hash-key: no key given\n');
    return 2;
  }
  process.stdout.write(`${keySha256(key)}\n`);
  return 0;
}

/** The first line of standard input; typed at a terminal, it is not echoed. */
function readKey(): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = () => {
      if (stdin.isTTY) {
        stdin.setRawMode(false);
        process.stderr.write('\n');
      }
      stdin.pause();
      resolve((text.split(/\r?\n|\r/)[0] ?? '').trim());
    };
    if (stdin.isTTY) {
      process.stderr.write('API key (not shown): ');
      stdin.setRawMode(true);
    }
    stdin.setEncoding('utf8');
    stdin.on('data', (chunk: string) => {
      if (stdin.isTTY && chunk.includes('\u0003')) {
        stdin.setRawMode(false);
        reject(new Error('cancelled'));
        return;
      }
      text += chunk;
      if (stdin.isTTY && /[\r\n]/.test(text)) finish();
    });
    stdin.on('end', finish);
    stdin.on('error', reject);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tollgate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
