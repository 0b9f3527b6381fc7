// One way every CLI command reads its arguments: strict flags, --help, and exit code 2 for misuse.

import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What a command asks the process to do: print, then exit with the code. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/**
 * Parses `args` for `command`: `--help`/`-h` prints its usage (exit 0); an unknown flag, a
 * missing value or an unexpected argument prints the usage to stderr (exit 2). With
 * `echo: false` the message never repeats what was typed (hash-key: it may be a key).
 */
export function parseCommandArgs(
  command: string,
  usage: string,
  args: readonly string[],
  options: Options,
  { positionals = false, echo = true }: { positionals?: boolean; echo?: boolean } = {},
): ParsedArgs | CommandResult {
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) return { exitCode: 0, stdout: `${usage}\n` };
  try {
    const { values, positionals: rest } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: positionals,
    });
    return { values, positionals: rest };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw e;
    const why = reasonOf(code, echo ? (e as Error).message : '');
    return { exitCode: 2, stderr: `tollgate ${command}: ${why}\n\n${usage}\n` };
  }
}

/** A short reason; with `message` (Node's), the option it names is quoted too. */
function reasonOf(code: string, message: string): string {
  const named = /'(--?[^'\s]{1,40})/.exec(message)?.[1];
  const option = named === undefined ? '' : ` "${named}"`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option${option}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'this command takes no arguments';
  return `option${option} needs a value`;
}
