// The policy types are written interfaces, pinned to the schema, with a doc and a default on every field that editors show.

import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { KeyPolicyInput, PolicyInput } from '../src/policy-schema.js';
import type { KeyCredential, KeyPolicy, Policy } from '../src/policy-types.js';
import { CONDITIONS, declarationsOf, loadDeclarations } from './declarations.js';

// Checked by the compiler (the root `tsc -p tsconfig.json` covers test files): a field added to,
// dropped from or retyped in either the schema or the interfaces fails the type check.
describe('the schema accepts exactly the written interfaces', () => {
  it('Policy', () => {
    expectTypeOf<PolicyInput>().toEqualTypeOf<Policy>();
    expectTypeOf<Policy>().toEqualTypeOf<PolicyInput>();
    expectTypeOf<PolicyInput>().toExtend<Policy>();
    expectTypeOf<Policy>().toExtend<PolicyInput>();
  });

  it('KeyPolicy', () => {
    expectTypeOf<KeyPolicyInput>().toEqualTypeOf<KeyPolicy>();
    expectTypeOf<KeyPolicy>().toEqualTypeOf<KeyPolicyInput>();
    expectTypeOf<KeyPolicyInput>().toExtend<KeyPolicy>();
    expectTypeOf<KeyPolicy>().toExtend<KeyPolicyInput>();
  });

  it('KeyCredential', () => {
    type CredentialInput = NonNullable<KeyPolicyInput['credentials']>[number];
    expectTypeOf<CredentialInput>().toEqualTypeOf<KeyCredential>();
    expectTypeOf<KeyCredential>().toEqualTypeOf<CredentialInput>();
  });
});

/** The field names of the table under `## heading` in docs/policy.md, each with its default column. */
function docsTable(heading: string): Map<string, string> {
  const text = readFileSync(new URL('../../../docs/policy.md', import.meta.url), 'utf8');
  const section = text.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0];
  if (section === undefined) throw new Error(`docs/policy.md has no "${heading}" section`);
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const field = /^`(\w+)`$/.exec(cells[1] ?? '')?.[1];
    if (field !== undefined) rows.set(field, cells[3] ?? '');
  }
  return rows;
}

/** What a field's doc must say of its default, given the docs table's default column. */
function defaultClause(cell: string): RegExp {
  const value = cell.replaceAll('`', '');
  if (value === 'required') return /\bRequired\b/;
  if (value.startsWith('none') || value.startsWith('one of')) return /\bDefault: none\b/;
  return new RegExp(`\\bDefault: \`'?${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'?\``);
}

const TABLES = [
  ['Policy', 'Top level'],
  ['KeyPolicy', 'A key'],
] as const;

// What editors show: the published declarations, as a user's compiler resolves them.
const files = CONDITIONS.map(
  ([condition]) => [condition, declarationsOf('@tollgate/core', condition)] as const,
);
const declarations = loadDeclarations(files.map(([, file]) => file));

describe.each(files)('the published policy types (%s)', (_condition, file) => {
  const exported = declarations.exportsOf(file);
  const fieldsOf = (name: string) => {
    const symbol = exported.get(name);
    if (symbol === undefined) throw new Error(`${name} is not exported`);
    return declarations.checker.getDeclaredTypeOfSymbol(symbol).getProperties();
  };
  const docOf = (field: ts.Symbol) =>
    ts.displayPartsToString(field.getDocumentationComment(declarations.checker));

  it.each(['Policy', 'KeyPolicy', 'KeyCredential'])(
    '%s: every field has a doc comment that gives its default',
    (name) => {
      const fields = fieldsOf(name);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) {
        expect.soft(docOf(field), `${name}.${field.name}`).toMatch(/\b(Default: |Required\b)/);
      }
    },
  );

  it.each(TABLES)('%s: the fields and defaults docs/policy.md lists under "%s"', (name, heading) => {
    const table = docsTable(heading);
    const fields = fieldsOf(name);
    expect(fields.map((f) => f.name).sort()).toEqual([...table.keys()].sort());
    for (const field of fields) {
      const cell = table.get(field.name) ?? '';
      expect.soft(docOf(field), `${name}.${field.name} (docs: ${cell})`).toMatch(defaultClause(cell));
    }
  });
});
