// `tollgate check-policy`: validates policy files with the engine's own compiler, listing every problem.

import { closeSync, openSync, readSync } from 'node:fs';
import { compilePolicy } from '../compile-policy.js';
import { TollgateError } from '../errors.js';
import { type CommandResult, parseCommandArgs } from './command-args.js';
import { jsonSyntaxError } from './json-error.js';

export const CHECK_POLICY_USAGE = `usage: tollgate check-policy FILE...

FILE may be - for standard input.

Validates each policy file as createEngine would, without starting anything. For a valid
file it prints "FILE: OK" and the number of keys; otherwise every problem, one per line,
each naming the key and the field, as the engine's ERR_TOLLGATE_INVALID_POLICY does:

  policy.json: keys[0] (web).timeZone: unknown time zone "Europe/Londn"

Invalid JSON is reported with its line and column. Messages never quote key material.
Exit status: 0 when every file is valid, 1 when one is not, 2 for a usage error.`;

export async function checkPolicyCommand(args: readonly string[]): Promise<CommandResult> {
  const parsed = parseCommandArgs('check-policy', CHECK_POLICY_USAGE, args, {}, { positionals: true });
  if ('exitCode' in parsed) return parsed;
  if (parsed.positionals.length === 0) {
    return { exitCode: 2, stderr: `tollgate check-policy: name a policy file\n\n${CHECK_POLICY_USAGE}\n` };
  }
  let stdout = '';
  let stderr = '';
  for (const file of parsed.positionals) {
    const result = await checkFile(file);
    if (result.ok) stdout += `${file}: ${result.summary}\n`;
    else stderr += result.problems.map((p) => `${file}: ${p}\n`).join('');
  }
  return { exitCode: stderr === '' ? 0 : 1, stdout, stderr };
}

type FileCheck = { ok: true; summary: string } | { ok: false; problems: readonly string[] };

async function checkFile(file: string): Promise<FileCheck> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : readCapped(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const why = typeof code === 'string' ? code : e instanceof Error ? e.message : 'error';
    return { ok: false, problems: [`cannot read the file (${why})`] };
  }
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    // Not Node's message: it quotes the text around the error, which may be a key.
    const where = jsonSyntaxError(text);
    return {
      ok: false,
      problems: [
        where === undefined ? 'invalid JSON' : `${where.line}:${where.column}: invalid JSON: ${where.reason}`,
      ],
    };
  }
  try {
    const compiled = compilePolicy(policy);
    const n = compiled.byId.size;
    return { ok: true, summary: `OK (${n} ${n === 1 ? 'key' : 'keys'})` };
  } catch (e) {
    if (e instanceof TollgateError && e.code === 'ERR_TOLLGATE_INVALID_POLICY') {
      return { ok: false, problems: e.issues };
    }
    throw e;
  }
}

// Far above any real policy (100 000 keys take about 10 MiB); stops `check-policy /dev/zero`
// from reading until memory runs out.
const MAX_BYTES = 64 * 1024 * 1024;

/** The file as UTF-8, read in chunks so that pipes and devices work and a cap can apply. */
function readCapped(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_BYTES) throw tooLarge();
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Standard input as UTF-8, under the same cap. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BYTES) {
      process.stdin.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(): Error {
  return new Error(`over ${MAX_BYTES / 1024 / 1024} MiB: not a policy file`);
}
