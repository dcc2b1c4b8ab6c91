import { join } from 'node:path';
import { runLoad } from './load.ts';
import { openBenchDatabase, seedApiKeys, seedOrganisation } from './seed.ts';
import { cleanupAll, cpuMs, freePort, tempDir } from './support.ts';
import { startVarco } from './varco.ts';
import { serverCertificateFiles, startBaseline } from './api-key.bench.ts';

const workDir = await tempDir('varco-exp-');
const base = { dataDir: join(workDir, 'data'), port: await freePort(), pgPort: await freePort(), logFile: join(workDir, 'varco.log') };
try {
  await (await startVarco({ ...base, readyTimeoutMs: 120_000 })).stop();
  const files = await serverCertificateFiles(base.dataDir, workDir);
  const bl = await startBaseline('ping', { BENCH_CERT_FILE: files.certFile, BENCH_KEY_FILE: files.keyFile });
  for (const level of (process.argv[2] ?? 'info,warn').split(',')) {
    const varco = await startVarco({ ...base, env: { VARCO_LOG_LEVEL: level } });
    const database = openBenchDatabase(await varco.databaseUrl());
    const keys = await seedApiKeys(database.db, await seedOrganisation(database.db), 4);
    await database.close();
    for (let i = 0; i < 3; i++) {
      const c0 = await cpuMs(varco.pid) ?? 0;
      const v = await runLoad({ url: `https://127.0.0.1:${varco.port}/api/v1/ping`, servername: 'localhost', connections: 50, duration: 4, headers: { 'ocp-apim-subscription-key': keys[i]! } });
      const c1 = await cpuMs(varco.pid) ?? 0;
      const b0 = await cpuMs(bl.pid) ?? 0;
      const b = await runLoad({ url: `https://127.0.0.1:${bl.port}/api/v1/ping`, servername: 'localhost', connections: 50, duration: 4 });
      const b1 = await cpuMs(bl.pid) ?? 0;
      console.log('cpu us/req varco', Math.round((c1 - c0) * 1000 / v.total), 'bare', Math.round((b1 - b0) * 1000 / b.total));
      console.log(level, 'varco', Math.round(v.rps), v.p99, v.errors, JSON.stringify(v.statusCodes), '| bare', Math.round(b.rps), b.p99);
    }
    await varco.stop();
  }
  bl.stop();
} finally { await cleanupAll(); }
