// Where a JSON text first goes wrong, and why, without quoting it (a policy file may hold keys).

/** The first syntax error of a JSON text: its offset, line and column (1-based), and the reason. */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class Stop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/**
 * Scans `text` as RFC 8259 JSON (what `JSON.parse` accepts) and returns its first error, or
 * undefined for valid JSON. Node's own messages quote the text around the error, so they
 * could put part of a key on a terminal or in a CI log; these reasons never do.
 *
 * @example
 * jsonSyntaxError('{"keys": [1,]}'); // { offset: 12, line: 1, column: 13, reason: 'expected a value' }
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const skip = () => {
    while (i < text.length && WHITESPACE.has(text[i] as string)) i++;
  };
  const fail = (reason: string): never => {
    throw new Stop(i, i >= text.length ? `unexpected end of input: ${reason}` : reason);
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail('a string is not closed');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('a control character (such as a line break) inside a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i++;
            fail('\\u must be followed by four hex digits');
          }
          i += 6;
          continue;
        }
        if (e === undefined || !ESCAPES.has(e)) {
          i++;
          fail('an unknown escape after \\');
        }
        i += 2;
        continue;
      }
      i++;
    }
  };
  // Iterative over an explicit stack, so deep nesting cannot overflow the call stack.
  const value = () => {
    const stack: ('{' | '[')[] = [];
    for (;;) {
      skip();
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skip();
        const close = c === '{' ? '}' : ']';
        if (text[i] === close) {
          i++;
        } else {
          stack.push(c);
          if (c === '{') member();
          continue;
        }
      } else if (c === '"') {
        string();
      } else if (c !== undefined && (c === '-' || (c >= '0' && c <= '9'))) {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (m === null || m[0] === '-') fail('expected a number');
        i += (m as RegExpExecArray)[0].length;
      } else if (text.startsWith('true', i)) {
        i += 4;
      } else if (text.startsWith('false', i)) {
        i += 5;
      } else if (text.startsWith('null', i)) {
        i += 4;
      } else {
        fail('expected a value');
      }
      // After a value: close containers, or go on to the next element or member.
      for (;;) {
        const top = stack.at(-1);
        if (top === undefined) return;
        skip();
        const close = top === '{' ? '}' : ']';
        if (text[i] === close) {
          stack.pop();
          i++;
          continue;
        }
        if (text[i] === ',') {
          i++;
          if (top === '{') member();
          break;
        }
        fail(
          top === '{' ? "expected ',' or '}' after a property value" : "expected ',' or ']' after an element",
        );
      }
    }
  };
  const member = () => {
    skip();
    if (text[i] !== '"') fail('expected a property name in double quotes');
    string();
    skip();
    if (text[i] !== ':') fail("expected ':' after a property name");
    i++;
  };

  try {
    // JSON.parse refuses a byte order mark, and some editors save one unseen.
    if (text.charCodeAt(0) === 0xfeff)
      fail('a byte order mark (BOM) before the JSON: save the file without it');
    value();
    skip();
    if (i < text.length) fail('unexpected text after the end of the JSON value');
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return locate(text, e.offset, e.reason);
  }
}

function locate(text: string, offset: number, reason: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let j = 0; j < offset && j < text.length; j++) {
    if (text[j] === '\n') {
      line++;
      lineStart = j + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1, reason };
}
