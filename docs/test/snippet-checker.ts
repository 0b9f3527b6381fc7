// Checks Markdown code blocks: JS/TS type-checked (and run where marked), JSON against the engine, shell against the repo.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Probe, parseProbes, probeFromCurl, runBlock } from './block-run.js';
import { type CheckedFile, declaredNames, exportedNames, typecheck } from './block-typecheck.js';
import { jsonKind, policyProblem, problemBodyProblems, typedJsonSource } from './json-blocks.js';
import type { CodeBlock } from './markdown-blocks.js';
import { type Repo, shellCommandProblems } from './shell-check.js';
import { shellCommands } from './shell-commands.js';

const JS: ReadonlySet<string> = new Set(['js', 'javascript', 'mjs']);
const TS: ReadonlySet<string> = new Set(['ts', 'typescript', 'mts']);
const SHELL: ReadonlySet<string> = new Set(['sh', 'bash', 'shell']);
const CONTEXTS = fileURLToPath(new URL('./contexts/', import.meta.url));
const RUN_CONCURRENCY = 3;

/** What a checker works on. */
export interface CheckerSetup {
  readonly repo: Repo;
  /** Where generated files go: inside the repository, so `import 'express'` resolves as in an app. */
  readonly work: string;
  /** Each Markdown file's blocks, in file order (a curl block probes the run block before it). */
  readonly blocksByFile: ReadonlyMap<string, readonly CodeBlock[]>;
  /** Copied to `policy.json` in the directory blocks run in. */
  readonly runPolicy: string;
  /** The environment a run starts from (the marker's `env` is added). */
  readonly runEnvironment: () => Promise<NodeJS.ProcessEnv>;
}

export interface SnippetChecker {
  /** The blocks that are checked. */
  readonly checked: readonly CodeBlock[];
  /** The blocks that are not, each with why: listed, never counted as passing. */
  readonly notChecked: readonly { readonly block: CodeBlock; readonly reason: string }[];
  /** Writes the generated files and type-checks them in one program; returns the problems of the runner's own files. */
  prepare(): string[];
  /** Everything wrong with one block (after `prepare`); nothing when it does what the docs say. */
  check(block: CodeBlock): Promise<string[]>;
}

export const where = (b: CodeBlock): string => `${b.file}:${b.line}`;

export function createSnippetChecker(setup: CheckerSetup): SnippetChecker {
  const blocks = [...setup.blocksByFile.values()].flat();
  const checked: CodeBlock[] = [];
  const notChecked: { block: CodeBlock; reason: string }[] = [];
  for (const b of blocks) {
    if (b.marker.skip === true) notChecked.push({ block: b, reason: b.marker.reason ?? '' });
    else if (b.lang === 'text') notChecked.push({ block: b, reason: 'output or a diagram, not code' });
    else checked.push(b);
  }

  // One generated file per JS/TS block, and per JSON block checked against a published type.
  const files = new Map<CodeBlock, CheckedFile>();
  const setupProblems = new Map<CodeBlock, string>();
  for (const b of checked) {
    try {
      const generated = generate(b, setup.work);
      if (generated !== undefined) files.set(b, generated);
    } catch (error) {
      setupProblems.set(b, (error as Error).message);
    }
  }
  let diagnostics: Map<string, string[]> | undefined;

  let running = 0;
  const waiting: (() => void)[] = [];
  async function inRunSlot<T>(f: () => Promise<T>): Promise<T> {
    while (running >= RUN_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await f();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  // The sh block right after a run block, when it holds only curl lines: they are its probes.
  function curlBlockAfter(block: CodeBlock): CodeBlock | undefined {
    const list = setup.blocksByFile.get(block.file) ?? [];
    const next = list[list.indexOf(block) + 1];
    if (next === undefined || !SHELL.has(next.lang) || next.marker.skip === true) return undefined;
    const commands = shellCommands(next.code);
    return commands.length > 0 && commands.every((c) => c.words[0] === 'curl') ? next : undefined;
  }

  function probesOf(block: CodeBlock): Probe[] {
    const probes = block.marker.probe === undefined ? [] : parseProbes(block.marker.probe, where(block));
    const after = curlBlockAfter(block);
    if (after !== undefined) {
      for (const c of shellCommands(after.code))
        probes.push(probeFromCurl(c, `${after.file}:${after.line + c.line}`));
    }
    return probes;
  }

  function typeProblems(block: CodeBlock): string[] {
    const file = files.get(block);
    if (diagnostics === undefined) throw new Error('prepare() first');
    return file === undefined ? ['no file was generated for the block'] : (diagnostics.get(file.path) ?? []);
  }

  async function runProblems(block: CodeBlock): Promise<string[]> {
    const file = files.get(block) as CheckedFile;
    const extra = Object.fromEntries(
      (block.marker.env ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((pair) => {
          const eq = pair.indexOf('=');
          return eq <= 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
        }),
    );
    const env = { ...(await setup.runEnvironment()), ...extra };
    const probes = probesOf(block);
    return inRunSlot(() => runBlock(file.path, { cwd: setup.work, env, probes }));
  }

  async function check(block: CodeBlock): Promise<string[]> {
    const failed = setupProblems.get(block);
    if (failed !== undefined) return [failed];
    if (JS.has(block.lang) || TS.has(block.lang)) {
      // A block that fails its type check is run all the same, so a failure shows both.
      const problems = [...typeProblems(block)];
      if (block.marker.run) problems.push(...(await runProblems(block)));
      return problems;
    }
    if (block.lang === 'json') {
      let value: unknown;
      try {
        value = JSON.parse(block.code);
      } catch (error) {
        return [`${where(block)}: not JSON: ${(error as Error).message}`];
      }
      const kind = jsonKind(value);
      if (kind === undefined)
        return [`${where(block)}: a JSON block of no kind docs/test/json-blocks.ts knows`];
      if (kind === 'policy') {
        const problem = policyProblem(value);
        return problem === undefined ? [] : [`${where(block)}: the engine refuses this policy: ${problem}`];
      }
      if (kind === 'problem body') {
        return (await problemBodyProblems(value as Record<string, unknown>)).map(
          (p) => `${where(block)}: ${p}`,
        );
      }
      return typeProblems(block);
    }
    if (SHELL.has(block.lang)) {
      try {
        return shellCommands(block.code).flatMap((c) =>
          shellCommandProblems(c, setup.repo).map((p) => `${block.file}:${block.line + c.line}: ${p}`),
        );
      } catch (error) {
        return [`${where(block)}: ${(error as Error).message}`];
      }
    }
    if (block.lang === '')
      return [`${where(block)}: give the block a language (text for output or a diagram)`];
    return [`${where(block)}: no checker for ${block.lang}; mark it <!-- snippet: skip reason="..." -->`];
  }

  return {
    checked,
    notChecked,
    prepare() {
      fs.mkdirSync(setup.work, { recursive: true });
      fs.copyFileSync(setup.runPolicy, path.join(setup.work, 'policy.json'));
      for (const f of files.values()) fs.writeFileSync(f.path, f.text);
      const contexts = fs.readdirSync(CONTEXTS).map((f) => path.join(CONTEXTS, f));
      const result = typecheck([...files.values()], contexts);
      diagnostics = result.byFile;
      // The contexts must compile, or blocks using them would be checked against nothing.
      return result.other;
    },
    check,
  };
}

// The file the type check (and a run) sees for a block: its context's names imported first,
// its `expect` appended, so both are checked with it.
function generate(b: CodeBlock, work: string): CheckedFile | undefined {
  const ext = JS.has(b.lang) ? '.mjs' : '.mts';
  const name = `${b.file.replace(/[/.]/g, '_')}-${b.line}${ext}`;
  const at = (text: string, prelude: number): CheckedFile => ({
    path: path.join(work, name),
    text,
    origin: { file: b.file, line: b.line + 1 },
    prelude,
  });
  if (b.lang === 'json') {
    let kind: ReturnType<typeof jsonKind>;
    try {
      kind = jsonKind(JSON.parse(b.code));
    } catch {
      return undefined;
    }
    if (kind !== 'event' && kind !== 'key entry' && kind !== 'webhook body') return undefined;
    const { text, prelude } = typedJsonSource(kind, b.code);
    return at(text, prelude);
  }
  if (!JS.has(b.lang) && !TS.has(b.lang)) return undefined;
  let prelude = '';
  if (b.marker.context !== undefined) {
    const file = ['.mjs', '.d.mts']
      .map((e) => path.join(CONTEXTS, `${b.marker.context}${e}`))
      .find(fs.existsSync);
    if (file === undefined)
      throw new Error(`${where(b)}: no context docs/test/contexts/${b.marker.context}.mjs`);
    const own = declaredNames(b.code, TS.has(b.lang));
    const names = exportedNames(file).filter((n) => !own.has(n));
    const from = path
      .relative(work, path.join(CONTEXTS, `${b.marker.context}.mjs`))
      .split(path.sep)
      .join('/');
    prelude = `import { ${names.join(', ')} } from '${from}';\n`;
  }
  if (
    b.marker.run &&
    b.marker.context !== undefined &&
    !fs.existsSync(path.join(CONTEXTS, `${b.marker.context}.mjs`))
  ) {
    throw new Error(
      `${where(b)}: the context ${b.marker.context} has types only (.d.mts), so the block cannot run`,
    );
  }
  const expectation =
    b.marker.expect === undefined
      ? ''
      : `\nif (!(${b.marker.expect})) {\n  console.error(${JSON.stringify(`docs expectation failed: ${b.marker.expect}`)});\n  process.exit(1);\n}\n`;
  // Deno's `npm:` specifiers name the npm package; Node resolves the bare name to the same one.
  const code = b.code.replace(/(from\s+['"])npm:/g, '$1');
  return at(`${prelude}${code}${expectation}`, prelude === '' ? 0 : 1);
}
