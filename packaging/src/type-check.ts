// Type-checks a consumer project with TypeScript 5 and 7 and keeps the errors that are ours: those
// in our packages' published types and those in the user's own files.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './workspace.js';

/** A compiler that reports the errors of ours a consumer project sees. */
export interface Compiler {
  readonly name: string;
  /** The errors, as `file(line,col): error TSnnnn: message` with paths relative to the project. */
  check(tsconfig: string): Promise<string[]>;
}

/**
 * Errors in other packages' types are theirs, not ours (today @types/koa clashes with the
 * content-disposition that Express 5.3 brings, for one): a user who keeps `skipLibCheck` off sees
 * those whatever they use, so only the user's files and ours count.
 */
function isOurs(projectDir: string, file: string): boolean {
  const relative = path.relative(projectDir, path.resolve(projectDir, file)).split(path.sep).join('/');
  if (relative.startsWith('node_modules/@tollgate/')) return true;
  return !relative.startsWith('..') && !relative.split('/').includes('node_modules');
}

/**
 * TypeScript 5, through its API: the same diagnostics `tsc` gives for our files and the user's,
 * without checking every other declaration file in node_modules (which `tsc` would spend most of a
 * minute on, and whose errors are dropped anyway).
 */
export const typescript5: Compiler = {
  name: `TypeScript ${ts.version}`,
  async check(tsconfig) {
    const dir = path.dirname(tsconfig);
    const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, undefined, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (parsed === undefined) throw new Error(`cannot read ${tsconfig}`);
    const program = ts.createProgram({
      rootNames: parsed.fileNames,
      options: parsed.options,
      configFileParsingDiagnostics: parsed.errors,
    });
    const files = program.getSourceFiles().filter((file) => isOurs(dir, file.fileName));
    const diagnostics = [
      ...program.getConfigFileParsingDiagnostics(),
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...files.flatMap((file) => [
        ...program.getSyntacticDiagnostics(file),
        ...program.getSemanticDiagnostics(file),
      ]),
    ];
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => dir,
      getNewLine: () => '\n',
    };
    return diagnostics.map((d) => ts.formatDiagnostic(d, host).trim());
  },
};

const ts7Dir = path.dirname(
  createRequire(path.join(REPO_ROOT, 'packaging', 'package.json')).resolve('typescript7/package.json'),
);
const ts7Version = (
  JSON.parse(fs.readFileSync(path.join(ts7Dir, 'package.json'), 'utf8')) as { version: string }
).version;

/** TypeScript 7 (the native compiler), through its `tsc`: it checks everything, fast; we keep ours. */
export const typescript7: Compiler = {
  name: `TypeScript ${ts7Version}`,
  check(tsconfig) {
    const dir = path.dirname(tsconfig);
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [path.join(ts7Dir, 'bin', 'tsc'), '-p', tsconfig, '--pretty', 'false'],
        { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const diagnostics = parseTscOutput(stdout);
          // Exit 1 or 2 means "errors were reported"; anything else, or errors we could not read,
          // means the compiler itself failed.
          if (error !== null && (diagnostics.length === 0 || ![1, 2].includes(Number(error.code)))) {
            reject(new Error(`${tsconfig}: tsc failed (${error.code}):\n${stdout}\n${stderr}`));
            return;
          }
          resolve(diagnostics.filter((d) => d.file === undefined || isOurs(dir, d.file)).map((d) => d.text));
        },
      );
    });
  },
};

/** `tsc --pretty false` output: one diagnostic per `file(line,col): error ...` line, plus indented continuations. */
function parseTscOutput(output: string): { file: string | undefined; text: string }[] {
  const out: { file: string | undefined; text: string }[] = [];
  for (const line of output.split(/\r?\n/)) {
    const located = /^(.+?)\(\d+,\d+\): error TS\d+: /.exec(line);
    if (located !== null) out.push({ file: located[1], text: line });
    else if (/^error TS\d+: /.test(line)) out.push({ file: undefined, text: line });
    else if (line.trim() !== '' && out.length > 0) (out.at(-1) as { text: string }).text += `\n${line}`;
  }
  return out;
}
