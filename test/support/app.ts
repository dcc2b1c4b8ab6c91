import { after } from 'node:test';
import { Writable } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { buildApp, createServices, type AppDeps, type Services } from '../../src/app/build.ts';
import { createLogger } from '../../src/app/logger.ts';
import type { HttpLimits } from '../../src/app/http-server.ts';
import { systemClock, type Clock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { createAuditLog, type AuditLog } from '../../src/modules/audit/index.ts';
import type { Acquirer } from '../../src/modules/checkout/index.ts';
import type { EcommerceEnv } from '../../src/modules/merchants/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { TEST_OUTBOUND_ENV } from './outbound.ts';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  services: Services;
  database: TestDatabase;
  /** The app's master key (give it to a CLI or a second instance on the same database) and its audit log. */
  masterKey: Buffer;
  audit: AuditLog;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  rawLogs: () => string;
}

/** Outbound calls may reach loopback peers (TEST_OUTBOUND_ENV) unless `env` says otherwise. */
export async function testConfig(env: Record<string, string> = {}): Promise<Config> {
  const dataDir = await mkdtemp(join(tmpdir(), 'varco-test-'));
  return loadConfig({ VARCO_DATA_DIR: dataDir, VARCO_PORT: '0', VARCO_LOG_LEVEL: 'info', ...TEST_OUTBOUND_ENV, ...env });
}

/** An audit log as the entry points make it; share the master key with any CLI or server on the same database. */
export function testAudit(masterKey: Buffer = generateSecretboxKey(), clock: Clock = systemClock): AuditLog {
  return createAuditLog({ clock, masterKey });
}

/** The production app on a fresh migrated database, for inject() tests; closed after the file. */
export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  tls?: { cert: string; key: string };
  masterKey?: Buffer;
  httpLimits?: HttpLimits;
  /** The hosted page's acquirers (a test twin made to fail); default the built-in test acquirer. */
  acquirers?: Partial<Record<EcommerceEnv, Acquirer>>;
  /** Replaces services before the app is built (e.g. the pagoPA node with a test receipts scheduler). */
  customise?: (services: Services, deps: AppDeps) => void;
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = await testConfig({ DATABASE_URL: database.url, ...options.env });
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); cb(); } });
  const logger = createLogger(config.logLevel, sink);
  const clock = options.clock ?? systemClock;
  const masterKey = options.masterKey ?? generateSecretboxKey();
  const audit = testAudit(masterKey, clock);
  const deps: AppDeps = { config, db: database.db, logger, clock, masterKey, audit, ...(options.tls ? { tls: options.tls } : {}),
    ...(options.httpLimits ? { httpLimits: options.httpLimits } : {}), ...(options.acquirers ? { acquirers: options.acquirers } : {}) };
  const services = createServices(deps);
  options.customise?.(services, deps);
  const app = await buildApp(deps, services);
  after(() => app.close());
  return {
    app, config, services, database, masterKey, audit,
    get logs() { return lines.map((l) => JSON.parse(l) as Record<string, unknown>); },
    rawLogs: () => lines.join('\n'),
  };
}
