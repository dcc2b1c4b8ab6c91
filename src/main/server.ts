import { enableCompileCache } from 'node:module';

// `npm start`: the HTTPS server (src/main/run-server.ts). V8's compile cache — TypeScript's stripped
// output included — is turned on before the application's ~2,000 modules load, so a start with a
// warm cache (in the OS temp directory) skips type stripping and most compilation: about a quarter
// of the start-up time and 20 MB of resident memory (issue 6, docs/benchmarks.md). Static imports
// would all be loaded before this line runs; hence the dynamic import.
enableCompileCache();
await import('./run-server.ts');
