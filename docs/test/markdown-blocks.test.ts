// Tests for the Markdown block finder: the marker grammar, the documented refusals, and a round-trip property.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractBlocks, parseMarker, type SnippetMarker } from './markdown-blocks.js';

describe('parseMarker', () => {
  it.each([
    [
      'skip reason="needs a Cloudflare Workers runtime"',
      { skip: true, reason: 'needs a Cloudflare Workers runtime' },
    ],
    ['context="express"', { context: 'express' }],
    ['run', { run: true }],
    [
      ' run probe="GET /v1/lookup 401; GET /v1/lookup k 200" env="NODE_ENV=production" ',
      { run: true, probe: 'GET /v1/lookup 401; GET /v1/lookup k 200', env: 'NODE_ENV=production' },
    ],
    [
      'context="request" run expect="decision.allowed"',
      { context: 'request', run: true, expect: 'decision.allowed' },
    ],
  ])('%s', (text, marker) => {
    expect(parseMarker(text)).toEqual(marker);
  });

  it.each([
    ['skip', /reason/],
    ['reason="why"', /reason goes with skip/],
    ['skip reason="why" run', /nothing else/],
    ['probe="GET / 200"', /need run/],
    ['runn', /unknown marker attribute "runn"/],
    ['context', /needs a value/],
    ['run="yes"', /takes no value/],
    ['context="a" context="b"', /given twice/],
    ['context=""', /empty/],
    ['context="unclosed', /cannot read/],
  ])('refuses %s', (text, message) => {
    expect(() => parseMarker(text)).toThrow(message);
  });
});

describe('extractBlocks', () => {
  it('finds fenced blocks with their language, line, code and marker', () => {
    const text = [
      '# Title',
      '',
      '<!-- snippet: context="express" -->',
      '```js',
      "app.set('trust proxy', 1);",
      '```',
      '',
      '- a list item:',
      '',
      '  ```sh',
      '  npm install @tollgate/core',
      '  ```',
      '',
      '~~~',
      'output',
      '~~~',
    ].join('\n');
    expect(extractBlocks('x.md', text)).toEqual([
      {
        file: 'x.md',
        line: 4,
        lang: 'js',
        code: "app.set('trust proxy', 1);\n",
        marker: { context: 'express' },
      },
      { file: 'x.md', line: 10, lang: 'sh', code: 'npm install @tollgate/core\n', marker: {} },
      { file: 'x.md', line: 14, lang: '', code: 'output\n', marker: {} },
    ]);
  });

  it('keeps a shorter fence inside a longer one as code', () => {
    const blocks = extractBlocks('x.md', ['````md', '```js', 'x', '```', '````'].join('\n'));
    expect(blocks).toEqual([{ file: 'x.md', line: 1, lang: 'md', code: '```js\nx\n```\n', marker: {} }]);
  });

  it('reads no marker inside a block', () => {
    const blocks = extractBlocks('x.md', ['```text', '<!-- snippet: runn -->', '```'].join('\n'));
    expect(blocks[0]?.code).toBe('<!-- snippet: runn -->\n');
  });

  it.each([
    [['```js', 'never closed'], /x\.md:1: the code block is never closed/],
    [['<!-- snippet: run -->', 'prose', '```js', '```'], /x\.md:1: a snippet marker with no block after it/],
    [['<!-- snippet: run -->'], /x\.md:1: a snippet marker with no block after it/],
    [['<!-- snippet: run -->', '<!-- snippet: run -->', '```js', '```'], /x\.md:1: a snippet marker/],
    [['', '<!-- snippet: runs -->', '```js', '```'], /x\.md:2: unknown marker attribute "runs"/],
  ])('refuses %j', (lines, message) => {
    expect(() => extractBlocks('x.md', lines.join('\n'))).toThrow(message);
  });

  // Prose, then blocks with any language, indentation, marker and code (no line of the code
  // that would close its fence): the finder gives back exactly what was written, at its line.
  it('gives back every block written, at its line (property)', () => {
    const codeLine = fc
      .stringMatching(/^[ a-z0-9(){};'"=.`~-]{0,30}$/)
      .filter((l) => !/^\s*(`{3,}|~{3,})/.test(l));
    const markers: SnippetMarker[] = [
      {},
      { run: true },
      { context: 'express' },
      { skip: true, reason: 'why not' },
      { run: true, probe: 'GET / 200' },
    ];
    const block = fc.record({
      prose: fc.array(fc.stringMatching(/^[A-Za-z ,.]{0,40}$/), { maxLength: 3 }),
      lang: fc.constantFrom('', 'js', 'ts', 'json', 'sh', 'text'),
      indent: fc.constantFrom('', '  ', '   '),
      fence: fc.constantFrom('```', '````', '~~~'),
      marker: fc.constantFrom(...markers),
      code: fc.array(codeLine, { maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(block, { maxLength: 6 }), (parts) => {
        const lines: string[] = [];
        const expected = [];
        for (const p of parts) {
          lines.push(...p.prose, '');
          const attrs = Object.entries(p.marker).map(([k, v]) => (v === true ? k : `${k}="${v}"`));
          if (attrs.length > 0) lines.push(`${p.indent}<!-- snippet: ${attrs.join(' ')} -->`);
          lines.push(`${p.indent}${p.fence}${p.lang}`);
          expected.push({ file: 'p.md', line: lines.length, lang: p.lang, marker: p.marker });
          lines.push(...p.code.map((l) => `${p.indent}${l}`), `${p.indent}${p.fence}`);
        }
        const found = extractBlocks('p.md', lines.join('\n'));
        expect(found.map(({ code: _, ...rest }) => rest)).toEqual(expected);
        // The fence's indentation comes off each line, and nothing else.
        expect(found.map((b) => b.code)).toEqual(
          parts.map((p) => (p.code.length === 0 ? '' : `${p.code.join('\n')}\n`)),
        );
      }),
    );
  });
});
