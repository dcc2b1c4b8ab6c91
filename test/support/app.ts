import { after } from 'node:test';
import { Writable } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { buildApp } from '../../src/app/build.ts';
import { createContainer, type Container, type ContainerDeps, type Services } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import type { Database } from '../../src/db/index.ts';
import type { HttpLimits } from '../../src/app/http-server.ts';
import { systemClock, type Clock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { createAuditLog, type AuditLog } from '../../src/modules/audit/index.ts';
import type { Acquirer } from '../../src/modules/checkout/index.ts';
import type { EcommerceEnv } from '../../src/modules/merchants/index.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { TEST_OUTBOUND_ENV, TEST_FOUR_EYES_ENV } from './outbound.ts';
import { recordAppClock } from './cookies.ts';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  services: Services;
  /** The app's composition root (its services, its workers: `container.workers()`); closed after the file. */
  container: Container;
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
  return loadConfig({ VARCO_DATA_DIR: dataDir, VARCO_PORT: '0', VARCO_LOG_LEVEL: 'info', ...TEST_OUTBOUND_ENV, ...TEST_FOUR_EYES_ENV, ...env });
}

/** An audit log as the entry points make it; share the master key with any CLI or server on the same database. */
export function testAudit(masterKey: Buffer = generateSecretboxKey(), clock: Clock = systemClock): AuditLog {
  return createAuditLog({ clock, masterKey });
}

/** The production app on a fresh migrated database, for inject() tests; closed after the file. */
type TestAcquirers = Partial<Record<EcommerceEnv, Acquirer>>;

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  tls?: { cert: string; key: string };
  masterKey?: Buffer;
  httpLimits?: HttpLimits;
  /**
   * The hosted page's acquirers (a test twin made to fail); default the built-in test acquirer. A function
   * receives the app's database and clock, which a twin (createTestAcquirer) keeps its ledger with.
   */
  acquirers?: TestAcquirers | ((deps: { db: Kysely<Database>; clock: Clock }) => TestAcquirers);
  /**
   * Replaces services before the app is built (e.g. the pagoPA node with a test receipts scheduler).
   * Services are built on first read: one assigned here is what every service built afterwards receives.
   */
  customise?: (services: Services, deps: ContainerDeps) => void;
}

/** The services of another composition root (a second instance's), for tests that need no app; silent unless given a logger. */
export function testServices(deps: Omit<ContainerDeps, 'logger'> & { logger?: ContainerDeps['logger'] }): Services {
  return createContainer({ logger: createLogger('silent'), ...deps }).services;
}

/**
 * Another composition root on `t`'s database, with `deps` overriding (e.g. a configuration with SMTP),
 * as a separate worker process would make; closed after the file (after its workers, if started, are stopped).
 */
export function testContainer(t: Pick<TestApp, 'config' | 'database' | 'masterKey' | 'audit'>, deps: Partial<ContainerDeps> = {}): Container {
  const container = containerOn(t, deps);
  after(() => container.close());
  return container;
}

/** A composition root on `t`'s database as another process would make it, silent unless given a logger. */
function containerOn(t: Pick<TestApp, 'config' | 'database' | 'masterKey' | 'audit'>, deps: Partial<ContainerDeps>): Container {
  return createContainer({
    config: t.config,
    db: t.database.db,
    databaseUrl: t.database.url,
    logger: createLogger('silent'),
    clock: systemClock,
    masterKey: t.masterKey,
    audit: t.audit,
    ...deps,
  });
}

/**
 * The outbox workers and jobs of another composition root on `t`'s database (as `varco worker` runs
 * them), started now; after the file they are stopped, then their container is closed.
 */
export async function startTestWorkers(t: Pick<TestApp, 'config' | 'database' | 'masterKey' | 'audit'>, deps: Partial<ContainerDeps> = {}): Promise<Container> {
  const container = containerOn(t, deps);
  const workers = container.workers();
  await workers.start();
  after(async () => {
    await workers.stop();
    await container.close();
  });
  return container;
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = await testConfig({ DATABASE_URL: database.url, ...options.env });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const clock = options.clock ?? systemClock;
  const masterKey = options.masterKey ?? generateSecretboxKey();
  const audit = testAudit(masterKey, clock);
  const container = createContainer({
    config,
    db: database.db,
    logger,
    clock,
    masterKey,
    audit,
    ...(options.acquirers ? { acquirers: typeof options.acquirers === 'function' ? options.acquirers({ db: database.db, clock }) : options.acquirers } : {}),
  });
  const { services } = container;
  options.customise?.(services, container.deps);
  const app = await buildApp(container, { ...(options.tls ? { tls: options.tls } : {}), ...(options.httpLimits ? { httpLimits: options.httpLimits } : {}) });
  recordAppClock(app, () => clock.now().getTime());
  after(async () => {
    await app.close();
    await container.close();
  });
  return {
    app,
    config,
    services,
    container,
    database,
    masterKey,
    audit,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    rawLogs: () => lines.join('\n'),
  };
}
