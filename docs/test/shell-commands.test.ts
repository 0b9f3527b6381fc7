// Tests for the shell splitter: the forms the docs use, and a quoting round-trip property.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellCommands, shellQuote } from './shell-commands.js';

const words = (script: string) => shellCommands(script).map((c) => c.words);

describe('shellCommands', () => {
  it('splits on && || | ; and newlines', () => {
    expect(words('npx -y pnpm@10 install && npx -y pnpm@10 start\na || b | c; d')).toEqual([
      ['npx', '-y', 'pnpm@10', 'install'],
      ['npx', '-y', 'pnpm@10', 'start'],
      ['a'],
      ['b'],
      ['c'],
      ['d'],
    ]);
  });

  it('joins continued lines and keeps the line a command starts on', () => {
    const [first, second] = shellCommands('npm install a b \\\n  c d\nnode x.mjs\n');
    expect(first).toEqual({ words: ['npm', 'install', 'a', 'b', 'c', 'd'], line: 1, comment: '' });
    expect(second).toEqual({ words: ['node', 'x.mjs'], line: 3, comment: '' });
  });

  it('removes quotes and leaves variables as written', () => {
    expect(words(`printf '%s' "$KEY" | npx -p @tollgate/core tollgate hash-key`)).toEqual([
      ['printf', '%s', '$KEY'],
      ['npx', '-p', '@tollgate/core', 'tollgate', 'hash-key'],
    ]);
    expect(words(`curl -H 'X-Api-Key: k' -w '%{http_code}\\n' "a\\"b" it\\'s`)).toEqual([
      ['curl', '-H', 'X-Api-Key: k', '-w', '%{http_code}\\n', 'a"b', "it's"],
    ]);
  });

  it("gives a command the comment at the end of its line, not a comment line's", () => {
    const commands = shellCommands(
      [
        '# a backend key',
        'curl -i http://127.0.0.1:3000/v1/lookup   # 401 missing_key',
        '# the fourth call is a 429',
        "for i in 1 2 3 4; do curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:3000/; done # 429",
      ].join('\n'),
    );
    expect(commands.map((c) => [c.words[0], c.line, c.comment])).toEqual([
      ['curl', 2, '401 missing_key'],
      ['for', 4, ''],
      ['curl', 4, '429'],
    ]);
  });

  it('refuses an unclosed quote', () => {
    expect(() => shellCommands("echo 'open")).toThrow(/unclosed '/);
  });

  it('reads back every word shellQuote wrote (property)', () => {
    const word = fc.string({ minLength: 1, maxLength: 12 }).filter((w) => !w.includes('\n'));
    fc.assert(
      fc.property(
        fc.array(fc.array(word, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
        (cmds) => {
          const script = cmds.map((c) => c.map(shellQuote).join(' ')).join(' && ');
          expect(words(script)).toEqual(cmds);
        },
      ),
    );
  });
});
