// Finds the fenced code blocks of a Markdown file, each with the `<!-- snippet: ... -->` marker before it.

/** What a `<!-- snippet: ... -->` comment right before a fence says about the block. */
export interface SnippetMarker {
  /** Not checked (`skip reason="..."`): listed by the runner with its reason, never counted as passing. */
  readonly skip?: true;
  /** Why a skipped block cannot be checked. */
  readonly reason?: string;
  /** A fragment: names it uses but does not declare come from `docs/test/contexts/<context>`. */
  readonly context?: string;
  /** Run with Node after the type check (a server is probed, then stopped; a script must exit 0). */
  readonly run?: true;
  /** Requests for a server, `;`-separated: `METHOD [:PORT]PATH [API_KEY] STATUS [code]`. */
  readonly probe?: string;
  /** A JavaScript expression, evaluated after the block, that must be truthy. */
  readonly expect?: string;
  /** Extra environment for the run: `NAME=value` pairs, space-separated. */
  readonly env?: string;
}

/** One fenced block. */
export interface CodeBlock {
  /** Repository-relative path of the Markdown file. */
  readonly file: string;
  /** 1-based line of the opening fence; the code starts on the next line. */
  readonly line: number;
  /** The info string's first word, lower case ('' when the fence has none). */
  readonly lang: string;
  /** The block's text, its fence's indentation removed, with a final newline. */
  readonly code: string;
  readonly marker: SnippetMarker;
}

const ATTRIBUTES = {
  skip: true,
  reason: true,
  context: true,
  run: true,
  probe: true,
  expect: true,
  env: true,
} satisfies Record<keyof SnippetMarker, true>;
const FLAGS: ReadonlySet<string> = new Set(['skip', 'run']);

const OPEN = /^( *)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const MARKER = /^\s*<!--\s*snippet:(.*?)-->\s*$/;
const ATTRIBUTE = /\s*([a-z]+)(?:="([^"]*)")?(?=\s|$)/y;

/** A marker's attribute text (`skip reason="why"`, `run probe="..."`), parsed; throws on unknown or malformed attributes. */
export function parseMarker(text: string): SnippetMarker {
  const marker: Record<string, string | true> = {};
  ATTRIBUTE.lastIndex = 0;
  const rest = text.trimEnd();
  while (ATTRIBUTE.lastIndex < rest.length) {
    const at = ATTRIBUTE.lastIndex;
    const m = ATTRIBUTE.exec(rest);
    if (m === null || m[0].trim() === '') throw new Error(`cannot read the marker at "${rest.slice(at)}"`);
    const [, name, value] = m as unknown as [string, string, string | undefined];
    if (!Object.hasOwn(ATTRIBUTES, name)) throw new Error(`unknown marker attribute "${name}"`);
    if (Object.hasOwn(marker, name)) throw new Error(`marker attribute "${name}" given twice`);
    if (FLAGS.has(name) !== (value === undefined)) {
      throw new Error(
        FLAGS.has(name) ? `"${name}" takes no value` : `"${name}" needs a value: ${name}="..."`,
      );
    }
    if (value !== undefined && value.trim() === '') throw new Error(`marker attribute "${name}" is empty`);
    marker[name] = value ?? true;
  }
  if (marker.skip === true && (marker.reason === undefined || Object.keys(marker).length > 2)) {
    throw new Error('a skipped block takes a reason="..." and nothing else');
  }
  if (marker.reason !== undefined && marker.skip !== true) throw new Error('reason goes with skip');
  if (
    (marker.probe !== undefined || marker.expect !== undefined || marker.env !== undefined) &&
    !marker.run
  ) {
    throw new Error('probe, expect and env need run');
  }
  return marker as SnippetMarker;
}

/**
 * Every fenced block of `text` (backtick or tilde fences, indented ones inside list items
 * too). Throws, naming the line, on an unclosed fence, on a marker that no fence follows, and
 * on a marker the runner cannot read, so a misspelt marker never silently checks nothing.
 */
export function extractBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  let pending: { marker: SnippetMarker; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const markerText = MARKER.exec(line)?.[1];
    if (markerText !== undefined) {
      if (pending !== undefined)
        throw new Error(`${file}:${pending.line}: a snippet marker with no block after it`);
      try {
        pending = { marker: parseMarker(markerText), line: i + 1 };
      } catch (error) {
        throw new Error(`${file}:${i + 1}: ${(error as Error).message}`);
      }
      continue;
    }
    const open = OPEN.exec(line);
    if (open === null) {
      if (pending !== undefined && line.trim() !== '') {
        throw new Error(`${file}:${pending.line}: a snippet marker with no block after it`);
      }
      continue;
    }
    const [, indent, fence] = open as unknown as [string, string, string];
    const close = new RegExp(
      `^ {0,${indent.length + 3}}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`,
    );
    const body: string[] = [];
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end] as string)) {
      body.push(stripIndent(lines[end] as string, indent.length));
      end++;
    }
    if (end >= lines.length) throw new Error(`${file}:${i + 1}: the code block is never closed`);
    blocks.push({
      file,
      line: i + 1,
      lang: (open[3] ?? '').toLowerCase(),
      code: body.length === 0 ? '' : `${body.join('\n')}\n`,
      marker: pending?.marker ?? {},
    });
    pending = undefined;
    i = end;
  }
  if (pending !== undefined)
    throw new Error(`${file}:${pending.line}: a snippet marker with no block after it`);
  return blocks;
}

// Inside a list item the fence and its lines are indented; CommonMark removes up to the
// fence's own indentation from each line.
function stripIndent(line: string, indent: number): string {
  let n = 0;
  while (n < indent && line[n] === ' ') n++;
  return line.slice(n);
}
