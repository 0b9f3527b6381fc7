// The JSON error locator agrees with JSON.parse on what is valid, and points inside the text.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonSyntaxError } from '../../src/cli/json-error.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Valid JSON with one character deleted, replaced or inserted: mostly invalid, sometimes not. */
const mutated = fc
  .tuple(
    fc.json(),
    fc.nat(),
    fc.constantFrom('delete', 'replace', 'insert'),
    fc.constantFrom(...'{}[],:"\\ \n\t0-.eE+tfnu1x\u0001\ufeff'),
  )
  .map(([json, at, how, ch]) => {
    const i = json.length === 0 ? 0 : at % json.length;
    if (how === 'delete') return json.slice(0, i) + json.slice(i + 1);
    if (how === 'replace') return json.slice(0, i) + ch + json.slice(i + 1);
    return json.slice(0, i) + ch + json.slice(i);
  });

function expectConsistent(text: string) {
  const found = jsonSyntaxError(text);
  expect(found === undefined, JSON.stringify(text)).toBe(parses(text));
  if (found === undefined) return;
  expect(found.offset).toBeGreaterThanOrEqual(0);
  expect(found.offset).toBeLessThanOrEqual(text.length);
  const before = text.slice(0, found.offset).split('\n');
  expect(found.line).toBe(before.length);
  expect(found.column).toBe((before.at(-1) as string).length + 1);
}

describe('jsonSyntaxError', () => {
  it('finds nothing wrong in valid JSON, however formatted', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        expect(jsonSyntaxError(JSON.stringify(value, null, indent))).toBeUndefined();
      }),
    );
  });

  it('agrees with JSON.parse on one-character mutations, and points inside the text', () => {
    fc.assert(fc.property(mutated, expectConsistent), { numRuns: 2000 });
  });

  it('agrees with JSON.parse on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'{}[],:"\\ 0123-.eEtruefalsn') }), expectConsistent),
      {
        numRuns: 2000,
      },
    );
  });

  it.each([
    ['{"keys": [1,]}', 1, 13, 'expected a value'],
    ['{\n  "keys": [\n    {"key": pk_live_0123456789}\n  ]\n}', 3, 13, 'expected a value'],
    ['{"a": 1,}', 1, 9, 'expected a property name in double quotes'],
    ['{"a" 1}', 1, 6, "expected ':' after a property name"],
    ['{"a": "x', 1, 9, 'unexpected end of input: a string is not closed'],
    ['{"a": "x\ny"}', 1, 9, 'a control character (such as a line break) inside a string'],
    ['{} {}', 1, 4, 'unexpected text after the end of the JSON value'],
    ['\ufeff{}', 1, 1, 'a byte order mark (BOM) before the JSON: save the file without it'],
    ['', 1, 1, 'unexpected end of input: expected a value'],
  ])('%j: line %i, column %i: %s', (text, line, column, reason) => {
    expect(jsonSyntaxError(text)).toMatchObject({ line, column, reason });
  });

  it('handles nesting far deeper than the call stack allows', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(jsonSyntaxError(deep)).toBeUndefined();
    expect(jsonSyntaxError(`${'['.repeat(200_000)}`)).toMatchObject({ offset: 200_000 });
  });
});
