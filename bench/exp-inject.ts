import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { buildApp, createServices } from '../src/app/build.ts';
import { createLogger } from '../src/app/logger.ts';
import { loadConfig } from '../src/config/index.ts';
import { createKysely, createPool, ensureDatabase, migrate, startEmbedded } from '../src/db/index.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { generateSecretboxKey } from '../src/kernel/secretbox.ts';
import { seedApiKeys, seedOrganisation } from './seed.ts';
import { cleanupAll, freePort, tempDir } from './support.ts';

const dir = await tempDir('varco-inj-');
const pg = await startEmbedded({ dataDir: join(dir, 'data'), port: await freePort() });
try {
  await ensureDatabase(pg.url('postgres'), 'varco');
  const pool = createPool(pg.url('varco'), 5);
  await migrate(pool);
  const db = createKysely(pool);
  const [key] = await seedApiKeys(db, await seedOrganisation(db), 1);
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  for (const level of (process.argv[2] ?? 'info,silent').split(',')) {
    const config = loadConfig({ VARCO_DATA_DIR: join(dir, 'data'), DATABASE_URL: pg.url('varco'), VARCO_LOG_LEVEL: level });
    const deps = { config, db, logger: createLogger(level, sink), clock: systemClock, masterKey: generateSecretboxKey(), databaseUrl: pg.url('varco') };
    const app = await buildApp(deps, createServices(deps));
    const bare = Fastify();
    bare.get('/api/v1/ping', async () => ({ a: 1, serverTime: new Date().toISOString() }));
    for (const [name, a, headers] of [['varco', app, { 'ocp-apim-subscription-key': key! }], ['bare', bare, {}]] as const) {
      for (let i = 0; i < 2000; i++) await a.inject({ url: '/api/v1/ping', headers });
      const n = 20000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await a.inject({ url: '/api/v1/ping', headers });
      console.log(level, name, Math.round((performance.now() - t0) * 1000 / n), 'us/req');
    }
    await app.close();
    await bare.close();
  }
  await db.destroy();
} finally { await pg.stop(); await cleanupAll(); }
