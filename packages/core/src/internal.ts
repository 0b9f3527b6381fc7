// The engine's building blocks, for the repository's own benchmarks and tests: not an entry of package.json `exports`.
//
// bench/ times one step of a check at a time and loads the built dist/internal.js by path; other packages' tests
// import this file's source. No user can import it by name, so none of it is public API.

export { createDayClock } from './day-window.js';
export { createIpKeyer } from './ip-key.js';
export { ipHasher } from './key-hash.js';
export { TOKEN_FAILURES } from './token-verifier.js';
export { compileUrlPatterns } from './url-pattern.js';
