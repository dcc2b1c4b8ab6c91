import { enableCompileCache } from 'node:module';

// `node src/main/worker.js`: the outbox workers alone (src/main/run-worker.ts), started like the
// server (src/main/server.js says why the compile cache comes first and why the entry is JavaScript).
enableCompileCache();
await import('./run-worker.ts');
