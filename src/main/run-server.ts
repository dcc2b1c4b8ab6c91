import type { AddressInfo } from 'node:net';
import { createLogger, flushThenExit } from '../app/logger.ts';
import { buildApp } from '../app/build.ts';
import { createContainer, pkiDirOf, type Container } from '../app/container.ts';
import { systemClock } from '../kernel/clock.ts';
import {
  collectStartupGarbage,
  databaseFailure,
  exitNotStarted,
  listenFailure,
  loadConfigOrExit,
  openMigratedDatabase,
  readTlsFiles,
  serverTls,
  stopSignals,
  type ServerTls,
} from './bootstrap.ts';
import { checkMasterKey, loadMasterKey } from '../app/master-key.ts';
import { createAuditLog } from '../modules/audit/index.ts';

// `npm start` (through src/main/server.js): embedded PostgreSQL (unless DATABASE_URL), migrations, TLS, HTTPS server.

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);

// Before anything starts: a signal during start-up is kept and acted on once started (bootstrap.ts).
const signals = stopSignals(logger);

async function main(): Promise<void> {
  // VARCO_TLS_CERT and VARCO_TLS_KEY first: a pair that cannot serve stops the start before anything starts.
  const tlsFiles = await readTlsFiles(config);
  // Tracing before anything makes a span; loaded only when on (the SDK is not imported otherwise).
  const tracing = config.otel ? (await import('../app/tracing.ts')).startTracing(config.otel) : undefined;
  const database = await openMigratedDatabase(config, logger, 'own', { warnAboutRole: true }).catch((error: unknown) => {
    throw databaseFailure(config, error);
  });
  let tls: ServerTls;
  let container: Container | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    const masterKey = await loadMasterKey(config);
    await checkMasterKey(database.db, masterKey);
    // One audit log for the services and the workers: its keys are derived from the master key.
    const audit = createAuditLog({ clock: systemClock, masterKey });
    // The one composition root of this process: the app and the workers ask it for their services.
    container = createContainer({ config, db: database.db, databaseUrl: database.url, logger, clock: systemClock, masterKey, audit });
    // The platform PKI first: the development HTTPS certificate is issued by its shared test CA.
    const platform = container.platform();
    const report = await platform.ensure();
    if (report.imported.length > 0) {
      logger.info(
        { environments: report.imported, dir: pkiDirOf(config) },
        'platform CA and client certificates imported from the data directory into the database; ' +
          'the private keys there are no longer read: delete them once every instance runs this version (docs/security.md, "Platform PKI")',
      );
    }
    tls = await serverTls(config, platform, tlsFiles);
    app = await buildApp(container, { tls });
    await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
      throw listenFailure(config, error);
    });
  } catch (error) {
    // What started stops, the embedded PostgreSQL included (an exit leaves it to the exit hook, which does not wait for it).
    await app?.close();
    await container?.close();
    await database.close();
    throw error;
  }
  const { services } = container;
  // Outbox workers (e-mail, feedback, receipts) in this process unless they run apart (VARCO_WORKERS=false).
  const workers = config.workers ? container.workers() : undefined;
  await workers?.start();
  const port = (app.server.address() as AddressInfo).port;
  const base = config.publicUrl.replace(`:${config.port}`, `:${port}`);

  const lines = [
    '',
    `Varco is running (TLS certificate: ${tls.source})`,
    `  Developer portal  ${base}/portal`,
    `  Back office       ${base}/admin`,
    `  API               ${base}/api`,
    `  Payment page      ${base}/ncol`,
    `  Health            ${base}/healthz  ${base}/readyz${config.metricsToken ? `  ${base}/metrics (Authorization: Bearer VARCO_METRICS_TOKEN)` : ''}`,
    `  Database          ${config.databaseUrl ? 'external (DATABASE_URL)' : `embedded, in ${config.dataDir}/pg`}`,
    `  E-mail            ${config.smtpUrl ? 'sent over SMTP (VARCO_SMTP_URL)' : `not sent (no VARCO_SMTP_URL): read it at ${base}/admin/mail`}`,
  ];
  const setupToken = await services.identity.issueSetupToken();
  if (setupToken) {
    lines.push(
      '',
      'No administrator exists yet. Create the first one with this one-time link (valid 24 hours):',
      `  ${base}/admin/setup?token=${setupToken}`,
      'or from a shell: npx varco admin create --email you@example.org',
    );
  } else {
    lines.push('', `Administrators sign in at ${base}/admin/sign-in`);
  }
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn('requests still in flight after the grace period; closing them');
      app.server.closeAllConnections();
    }, config.shutdownGraceMs);
    force.unref();
    // Node closes idle keep-alive connections once, when close begins. A connection whose request
    // finishes later stays open and would hold shutdown for the whole grace period: close each one
    // as soon as it goes idle.
    const reap = setInterval(() => app.server.closeIdleConnections(), 50);
    // How long each step took, in the "stopped" line: a slow stop says where it waited.
    const ms: Record<string, number> = {};
    const step = async (name: string, work: () => Promise<unknown> | undefined): Promise<void> => {
      const began = performance.now();
      await work();
      ms[name] = Math.round(performance.now() - began);
    };
    try {
      await step('http', () => app.close().finally(() => clearInterval(reap)));
      await step('workers', () => workers?.stop());
      await step('services', () => container.close());
      await step('database', () => database.close());
      // The spans still buffered go out before the process exits.
      await step('tracing', () => tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'tracing: spans not sent at shutdown')));
      logger.info({ ms }, 'stopped');
      process.exitCode = 0;
      // Exit explicitly: a forgotten timer or handle must not keep a stopped server alive (once the
      // log lines are written).
      setImmediate(() => flushThenExit(logger, 0));
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    }
  };
  if (signals.started((signal) => void stop(signal))) return;
  process.stdout.write(`${lines.join('\n')}\n\n`);
  collectStartupGarbage();
}

main().catch((error: unknown) => exitNotStarted(logger, error, 'Varco failed to start'));
