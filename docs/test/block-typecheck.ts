// Type-checks the docs' JavaScript and TypeScript blocks in one TypeScript program, against the built packages.

import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** A generated file of the program, and how its lines map back to the Markdown. */
export interface CheckedFile {
  /** Absolute path of the generated file (.mjs for JavaScript blocks, .mts for TypeScript). */
  readonly path: string;
  readonly text: string;
  /** `file:line` of the Markdown line that the generated file's line `prelude + 1` came from. */
  readonly origin: { readonly file: string; readonly line: number };
  /** Lines the runner put before the block's first line. */
  readonly prelude: number;
}

/**
 * The settings of a reader's project as TypeScript's own `tsc --init` writes them (strict,
 * `noUncheckedIndexedAccess`, `exactOptionalPropertyTypes`, Node's ESM resolution, the default
 * libraries, DOM included), with Node's types, and JavaScript blocks checked as JavaScript: an
 * undeclared name, a missing export, a misspelt option or a wrong property of our types is an
 * error in both.
 */
export const SNIPPET_COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ESNext,
  types: ['node'],
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: ts.ModuleDetectionKind.Force,
  skipLibCheck: true,
  noEmit: true,
  allowJs: true,
  checkJs: true,
  resolveJsonModule: true,
};

// A JavaScript reader cannot annotate a parameter, so "implicitly has an 'any' type" is no
// fault of a JavaScript block; every other strict check holds, as for a TypeScript reader who
// pastes the block into a .ts file.
const IMPLICIT_ANY: ReadonlySet<number> = new Set([7005, 7006, 7008, 7010, 7011, 7019, 7031, 7034]);

/**
 * Checks every file in one program (one pass over the packages' types, which is most of the
 * cost). Being one program, a TypeScript block's `declare global` (docs/frameworks/express.md
 * types `res.locals.tollgate`) holds in every block, as in a reader's project that follows it. Returns each file's diagnostics as `docs/x.md:LINE: message`, and those of the other
 * files of the program the runner owns (`contexts/`), which must be none.
 */
export function typecheck(
  files: readonly CheckedFile[],
  contextFiles: readonly string[],
): { byFile: Map<string, string[]>; other: string[] } {
  const program = ts.createProgram({
    rootNames: [...files.map((f) => f.path), ...contextFiles],
    options: SNIPPET_COMPILER_OPTIONS,
  });
  const byPath = new Map(files.map((f) => [path.resolve(f.path), f]));
  const byFile = new Map<string, string[]>(files.map((f) => [f.path, []]));
  const other: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const file = d.file === undefined ? undefined : byPath.get(path.resolve(d.file.fileName));
    if (d.file === undefined || file === undefined) {
      const at =
        d.file === undefined
          ? ''
          : `${path.relative(process.cwd(), d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
      other.push(`${at}TS${d.code}: ${message}`);
      continue;
    }
    if (file.path.endsWith('.mjs') && IMPLICIT_ANY.has(d.code)) continue;
    const at = d.file.getLineAndCharacterOfPosition(d.start ?? 0).line;
    const line = at < file.prelude ? file.origin.line : file.origin.line + at - file.prelude;
    const note = at < file.prelude ? ' (in the line the runner put before the block)' : '';
    byFile.get(file.path)?.push(`${file.origin.file}:${line}${note}: TS${d.code}: ${message}`);
  }
  return { byFile, other };
}

/** The names a module exports as values (`export const a`, `export function f`, `export { b } from`). */
export function exportedNames(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ESNext, false);
  const names: string[] = [];
  for (const s of source.statements) {
    const exported =
      ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (
      ts.isExportDeclaration(s) &&
      !s.isTypeOnly &&
      s.exportClause !== undefined &&
      ts.isNamedExports(s.exportClause)
    ) {
      for (const e of s.exportClause.elements) if (!e.isTypeOnly) names.push(e.name.text);
    } else if (exported && ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) names.push(...bindingNames(d.name));
    } else if (
      exported &&
      (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) &&
      s.name !== undefined
    ) {
      names.push(s.name.text);
    }
  }
  return names;
}

/** The names a block declares at its top level (imports, variables, functions, classes). */
export function declaredNames(code: string, typescript: boolean): Set<string> {
  const source = ts.createSourceFile(
    typescript ? 'block.mts' : 'block.mjs',
    code,
    ts.ScriptTarget.ESNext,
    false,
    typescript ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const names = new Set<string>();
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && s.importClause !== undefined) {
      const c = s.importClause;
      if (c.name !== undefined) names.add(c.name.text);
      if (c.namedBindings !== undefined) {
        if (ts.isNamespaceImport(c.namedBindings)) names.add(c.namedBindings.name.text);
        else for (const e of c.namedBindings.elements) names.add(e.name.text);
      }
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) for (const n of bindingNames(d.name)) names.add(n);
    } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name !== undefined) {
      names.add(s.name.text);
    }
  }
  return names;
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}
