// `tollgate check-policy`: validates policy files with the engine's own compiler, listing every problem.

import { readFileSync } from 'node:fs';
import { compilePolicy } from '../compile-policy.js';
import { TollgateError } from '../errors.js';
import { type CommandResult, parseCommandArgs } from './command-args.js';
import { jsonSyntaxError } from './json-error.js';

export const CHECK_POLICY_USAGE = `usage: tollgate check-policy FILE...

Validates each policy file as createEngine would, without starting anything. For a valid
file it prints "FILE: OK" and the number of keys; otherwise every problem, one per line,
each naming the key and the field, as the engine's ERR_TOLLGATE_INVALID_POLICY does:

  policy.json: keys[0] (web).timeZone: unknown time zone "Europe/Londn"

Invalid JSON is reported with its line and column. Messages never quote key material.
Exit status: 0 when every file is valid, 1 when one is not, 2 for a usage error.`;

export function checkPolicyCommand(args: readonly string[]): CommandResult {
  const parsed = parseCommandArgs('check-policy', CHECK_POLICY_USAGE, args, {}, { positionals: true });
  if ('exitCode' in parsed) return parsed;
  if (parsed.positionals.length === 0) {
    return { exitCode: 2, stderr: `tollgate check-policy: name a policy file\n\n${CHECK_POLICY_USAGE}\n` };
  }
  let stdout = '';
  let stderr = '';
  for (const file of parsed.positionals) {
    const result = checkFile(file);
    if (result.ok) stdout += `${file}: ${result.summary}\n`;
    else stderr += result.problems.map((p) => `${file}: ${p}\n`).join('');
  }
  return { exitCode: stderr === '' ? 0 : 1, stdout, stderr };
}

type FileCheck = { ok: true; summary: string } | { ok: false; problems: readonly string[] };

function checkFile(file: string): FileCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, problems: [`cannot read the file (${(e as { code?: string }).code ?? 'error'})`] };
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
