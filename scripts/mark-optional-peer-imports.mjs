// Marks the imports of optional peer dependencies in a package's built declaration files with
// `// @ts-ignore`, so that its types still compile for a user who has not installed that peer (with
// `skipLibCheck` off, an import that does not resolve is an error). With the peer installed the
// types are the real ones; without it, only the declarations that use it become `any`.
//
// Run from a package folder after its build: `tsup && node ../../scripts/mark-optional-peer-imports.mjs hono`.
// Fails when a named peer is not an optional peer of the package, or when no declaration imports it
// (the step would then be stale).

import * as fs from 'node:fs';
import * as path from 'node:path';

const MARKER = '// @ts-ignore optional peer dependency: without it, what this import brings is `any`';

const peers = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8'));
for (const peer of peers) {
  if (manifest.peerDependenciesMeta?.[peer]?.optional !== true) {
    fail(`${peer} is not an optional peer dependency of ${manifest.name}`);
  }
}
if (peers.length === 0) fail('name the optional peers whose imports to mark');

const declarationFiles = fs
  .readdirSync('dist', { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.d\.[cm]?ts$/.test(file))
  .map((file) => path.join('dist', file));

const marked = new Map(peers.map((peer) => [peer, 0]));
for (const file of declarationFiles) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out = [];
  for (const line of lines) {
    const peer = peers.find((p) => importsFrom(line, p));
    if (peer !== undefined) {
      if (out.at(-1)?.trim() !== MARKER) out.push(`${line.match(/^\s*/)[0]}${MARKER}`);
      marked.set(peer, marked.get(peer) + 1);
    }
    out.push(line);
  }
  fs.writeFileSync(file, out.join('\n'));
}
for (const [peer, count] of marked) {
  if (count === 0) fail(`no declaration file in dist/ imports ${peer}: remove it from the build script`);
}

/**
 * Whether the line holds the module specifier of an import from `peer` (or a subpath of it). Lines
 * of comments (a doc comment's example) are not imports.
 */
function importsFrom(line, peer) {
  if (/^\s*(\*|\/\/|\/\*)/.test(line)) return false;
  const escaped = peer.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(\\s*|^\\s*import\\s+)['"]${escaped}(/[^'"]*)?['"]`).test(
    line,
  );
}

function fail(message) {
  console.error(`mark-optional-peer-imports: ${message}`);
  process.exit(1);
}
