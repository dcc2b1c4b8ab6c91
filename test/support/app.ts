import { after } from 'node:test';
import { Writable } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { buildApp, createServices, type Services } from '../../src/app/build.ts';
import { createLogger } from '../../src/app/logger.ts';
import type { HttpLimits } from '../../src/app/http-server.ts';
import { systemClock, type Clock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  services: Services;
  database: TestDatabase;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  rawLogs: () => string;
}

export async function testConfig(env: Record<string, string> = {}): Promise<Config> {
  const dataDir = await mkdtemp(join(tmpdir(), 'varco-test-'));
  return loadConfig({ VARCO_DATA_DIR: dataDir, VARCO_PORT: '0', VARCO_LOG_LEVEL: 'info', ...env });
}

/** The production app on a fresh migrated database, for inject() tests; closed after the file. */
export async function buildTestApp(options: { env?: Record<string, string>; clock?: Clock; tls?: { cert: string; key: string }; masterKey?: Buffer; httpLimits?: HttpLimits } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = await testConfig({ DATABASE_URL: database.url, ...options.env });
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); cb(); } });
  const logger = createLogger(config.logLevel, sink);
  const deps = { config, db: database.db, logger, clock: options.clock ?? systemClock, masterKey: options.masterKey ?? generateSecretboxKey(),
    ...(options.tls ? { tls: options.tls } : {}), ...(options.httpLimits ? { httpLimits: options.httpLimits } : {}) };
  const services = createServices(deps);
  const app = await buildApp(deps, services);
  after(() => app.close());
  return {
    app, config, services, database,
    get logs() { return lines.map((l) => JSON.parse(l) as Record<string, unknown>); },
    rawLogs: () => lines.join('\n'),
  };
}
