import { enableCompileCache } from 'node:module';

// `node src/main/worker.ts`: the outbox workers alone (src/main/run-worker.ts), started like the
// server (src/main/server.ts says why the compile cache comes first).
enableCompileCache();
await import('./run-worker.ts');
