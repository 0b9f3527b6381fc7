// The built package's published declarations, as a TypeScript user's compiler resolves and reads them.

import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** `import` and `require`, as the resolution modes TypeScript resolves `exports` conditions with. */
export const CONDITIONS = [
  ['import', ts.ModuleKind.ESNext],
  ['require', ts.ModuleKind.CommonJS],
] as const;

export type Condition = (typeof CONDITIONS)[number][0];

const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  strict: true,
  noEmit: true,
  types: ['node'],
};

// From inside its own folder the package resolves itself by name (a self-reference through `exports`).
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** The declaration file a TypeScript user gets for `specifier` under `condition` (node16 resolution). */
export function declarationsOf(specifier: string, condition: Condition): string {
  const mode = condition === 'import' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS;
  const importer = `${HERE}consumer.${condition === 'import' ? 'mts' : 'cts'}`;
  const resolved = ts.resolveModuleName(specifier, importer, OPTIONS, ts.sys, undefined, undefined, mode);
  if (resolved.resolvedModule === undefined) throw new Error(`TypeScript cannot resolve ${specifier}`);
  return resolved.resolvedModule.resolvedFileName;
}

/** A program over these declaration files, and each file's exported symbols (aliases followed). */
export function loadDeclarations(files: readonly string[]): {
  checker: ts.TypeChecker;
  exportsOf(file: string): Map<string, ts.Symbol>;
} {
  const program = ts.createProgram(files, OPTIONS);
  const checker = program.getTypeChecker();
  return {
    checker,
    exportsOf(file) {
      const source = program.getSourceFile(file);
      const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
      if (module === undefined) throw new Error(`no module symbol for ${file}`);
      const out = new Map<string, ts.Symbol>();
      for (const symbol of checker.getExportsOfModule(module)) {
        out.set(symbol.name, symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
      }
      return out;
    },
  };
}
