import { enableCompileCache } from 'node:module';

// `npm start`: the HTTPS server (src/main/run-server.ts). V8's compile cache — TypeScript's stripped
// output included — is turned on before the application's ~2,000 modules load, so a start with a
// warm cache (in the OS temp directory) skips type stripping and most compilation (issue 6,
// docs/benchmarks.md). This entry is plain JavaScript, like bin/varco.js: a .ts entry is itself
// stripped before it runs, so Node loaded its TypeScript stripper (WebAssembly) on every start, after
// all, for this one file: ~12 MB of idle RSS (issue 15). Static imports would all be loaded before
// the cache is on; hence the dynamic import.
enableCompileCache();
await import('./run-server.ts');
