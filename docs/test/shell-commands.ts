// Splits a docs shell block into simple commands (words and trailing comment), enough of sh to check them.

/** One simple command: its words with quotes removed, and the `# comment` that ends its line. */
export interface ShellCommand {
  readonly words: readonly string[];
  /** 1-based line of the block the command starts on. */
  readonly line: number;
  /** The comment after the command on its (last) line, without `#`, trimmed; '' when none. */
  readonly comment: string;
}

const OPERATORS = ['&&', '||', '|', ';'];
// Reserved words that open or close a compound command; the command proper follows them.
const RESERVED: ReadonlySet<string> = new Set(['do', 'done', 'then', 'fi', 'else', '{', '}']);

/**
 * The simple commands of a POSIX shell snippet: quotes ('...', "...") and backslashes are
 * removed from words (`$VAR` is left as written), `\` line continuations join lines, `&&`,
 * `||`, `|`, `;` and newlines separate commands, and the reserved words of `for ...; do ...;
 * done` are dropped so the loop's body shows as a command of its own. Throws on an unclosed
 * quote. Sub-shells, redirections other than words and here-documents are not understood.
 */
export function shellCommands(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let quoted = false; // a quoted `do` is a word, not the reserved word
  let line = 1;
  let start = 1;
  let lastEnd = 0; // the line the last command ended on
  const endWord = () => {
    if (word !== undefined) {
      if (words.length > 0 || quoted || !RESERVED.has(word)) {
        if (words.length === 0) start = line;
        words.push(word);
      }
      word = undefined;
      quoted = false;
    }
  };
  const endCommand = (comment: string) => {
    endWord();
    if (words.length > 0) {
      commands.push({ words, line: start, comment });
      lastEnd = line;
    } else if (comment !== '' && lastEnd === line && commands.at(-1)?.comment === '') {
      // `cmd; # why` or `...; done # why`: the comment belongs to the command before it on the line.
      const last = commands.pop() as ShellCommand;
      commands.push({ ...last, comment });
    }
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    if (c === '\\' && script[i + 1] === '\n') {
      i++;
      line++;
      endWord();
      continue;
    }
    if (c === '\n') {
      endCommand('');
      line++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      continue;
    }
    if (c === '#' && word === undefined) {
      const eol = script.indexOf('\n', i);
      const stop = eol === -1 ? script.length : eol;
      endCommand(script.slice(i + 1, stop).trim());
      i = stop - 1;
      continue;
    }
    const op = OPERATORS.find((o) => script.startsWith(o, i));
    if (op !== undefined) {
      endCommand('');
      i += op.length - 1;
      continue;
    }
    if (c === "'") {
      const close = script.indexOf("'", i + 1);
      if (close === -1) throw new Error(`line ${line}: unclosed '`);
      const inner = script.slice(i + 1, close);
      word = (word ?? '') + inner;
      quoted = true;
      line += inner.split('\n').length - 1;
      i = close;
      continue;
    }
    if (c === '"') {
      // Inside double quotes a backslash escapes only $ ` " \ and a newline.
      let inner = '';
      let j = i + 1;
      for (; j < script.length && script[j] !== '"'; j++) {
        const d = script[j] as string;
        if (d === '\\' && j + 1 < script.length && '$`"\\\n'.includes(script[j + 1] as string)) {
          inner += script[++j];
        } else inner += d;
        if (script[j] === '\n') line++;
      }
      if (j >= script.length) throw new Error(`line ${line}: unclosed "`);
      word = (word ?? '') + inner;
      quoted = true;
      i = j;
      continue;
    }
    if (c === '\\') {
      word = (word ?? '') + (script[i + 1] ?? '');
      quoted = true;
      i++;
      continue;
    }
    word = (word ?? '') + c;
  }
  endCommand('');
  return commands;
}

/** Quotes a word so `shellCommands` (and sh) read it back as it is. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word) && !RESERVED.has(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
