// `tollgate hash-key`: prints the keySha256 of an API key for the policy file, without the key touching argv.

import { keySha256 } from '../key-hash.js';
import { type CommandResult, parseCommandArgs } from './command-args.js';

export const HASH_KEY_USAGE = `usage: tollgate hash-key [--env NAME]

Prints the hex SHA-256 of an API key, for a policy's "keySha256" field.

Where the key is read from:
  standard input   its first line, without the whitespace around it;
                   piped in (printf '%s' "$KEY" | tollgate hash-key), or typed at the
                   prompt, where it is not shown (Enter ends it, Ctrl-C cancels)
  --env NAME       the whole value of the environment variable NAME, exactly as set

It is never taken as an argument: arguments end up in shell history and in the process list.`;

export async function hashKeyCommand(args: readonly string[]): Promise<CommandResult> {
  const parsed = parseCommandArgs(
    'hash-key',
    HASH_KEY_USAGE,
    args,
    { env: { type: 'string' } },
    { echo: false },
  );
  if ('exitCode' in parsed) {
    // A stray argument is most likely the key itself: say where keys go instead.
    if (parsed.exitCode === 2 && args.some((a) => !a.startsWith('-'))) {
      return {
        exitCode: 2,
        stderr: 'tollgate hash-key: the key is read from standard input or --env NAME, not from arguments\n',
      };
    }
    return parsed;
  }
  const name = parsed.values.env as string | undefined;
  let key: string;
  if (name !== undefined) {
    const value = process.env[name];
    if (value === undefined || value === '') {
      return {
        exitCode: 2,
        stderr: 'tollgate hash-key: --env needs the name of a set environment variable\n',
      };
    }
    key = value;
  } else {
    key = await readKey();
  }
  if (key === '') return { exitCode: 2, stderr: 'tollgate hash-key: no key given\n' };
  return { exitCode: 0, stdout: `${keySha256(key)}\n` };
}

// Keys are at most 512 characters (the policy's rule); a first line far longer is not a key,
// and reading on (cat /dev/urandom | tollgate hash-key) would only fill memory.
const MAX_LINE = 4096;

/** The first line of standard input, trimmed; typed at a terminal, it is not echoed. */
function readKey(): Promise<string> {
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  return new Promise((resolve, reject) => {
    let text = '';
    let done = false;
    const stop = () => {
      done = true;
      if (tty) {
        stdin.setRawMode(false);
        process.stderr.write('\n');
      }
      stdin.pause();
      stdin.removeAllListeners('data');
    };
    const finish = () => {
      if (done) return;
      stop();
      resolve((text.split(/\r?\n|\r/)[0] ?? '').trim());
    };
    if (tty) {
      process.stderr.write('API key (not shown): ');
      stdin.setRawMode(true);
    }
    stdin.setEncoding('utf8');
    stdin.on('data', (chunk: string) => {
      if (done) return;
      if (tty && chunk.includes('\u0003')) {
        stop();
        reject(new Error('cancelled'));
        return;
      }
      for (const ch of chunk) {
        // In raw mode the terminal does not edit the line: Backspace arrives as a character.
        if (tty && (ch === '\u007f' || ch === '\b')) text = text.slice(0, -1);
        else text += ch;
      }
      if (/[\r\n]/.test(text)) finish();
      else if (text.length > MAX_LINE) {
        stop();
        reject(new Error(`the first line of standard input is over ${MAX_LINE} characters: not a key`));
      }
    });
    stdin.on('end', finish);
    stdin.on('error', reject);
  });
}
