import { createLogger, flushThenExit } from '../app/logger.ts';
import { createContainer } from '../app/container.ts';
import { systemClock } from '../kernel/clock.ts';
import { collectStartupGarbage, databaseFailure, exitNotStarted, loadConfigOrExit, openMigratedDatabase, stopSignals } from './bootstrap.ts';
import { checkMasterKey, loadMasterKey } from '../app/master-key.ts';
import { createAuditLog } from '../modules/audit/index.ts';

// `node src/main/worker.js` (through its compile-cache entry): only the outbox workers, for deployments that run them apart from the
// HTTPS servers (set VARCO_WORKERS=false on those). Delivery is at least once: killed at any moment,
// a message whose lease was taken is delivered again once the lease expires.

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
// Before anything starts: a signal during start-up is kept and acted on once started (bootstrap.ts).
const signals = stopSignals(logger);

async function main(): Promise<void> {
  // 'share': with the embedded database, use the cluster a running server owns.
  // Tracing before anything makes a span; loaded only when on (the SDK is not imported otherwise).
  const tracing = config.otel ? (await import('../app/tracing.ts')).startTracing(config.otel) : undefined;
  const database = await openMigratedDatabase(config, logger, 'share', { warnAboutRole: true }).catch((error: unknown) => {
    throw databaseFailure(config, error);
  });
  let masterKey: Buffer;
  try {
    // The workers append audit rows (station re-verification): the same key as the servers, or none.
    masterKey = await loadMasterKey(config);
    await checkMasterKey(database.db, masterKey);
  } catch (error) {
    await database.close();
    throw error;
  }
  const container = createContainer({
    config,
    db: database.db,
    databaseUrl: database.url,
    logger,
    clock: systemClock,
    audit: createAuditLog({ clock: systemClock, masterKey }),
    masterKey,
  });
  const workers = container.workers();
  if (workers.channels.length === 0) logger.warn('no delivery channel is configured (set VARCO_SMTP_URL): this worker will deliver nothing');
  collectStartupGarbage();
  await workers.start();
  process.stdout.write(`Varco worker running (channels: ${workers.channels.join(', ') || 'none'})\n`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down: finishing deliveries in flight');
    try {
      await workers.stop();
      await container.close();
      await database.close();
      // The spans still buffered go out before the process exits.
      await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'tracing: spans not sent at shutdown'));
      logger.info('worker stopped');
      process.exitCode = 0;
      setImmediate(() => flushThenExit(logger, 0));
    } catch (error) {
      logger.error({ err: error }, 'worker shutdown failed');
      process.exitCode = 1;
    }
  };
  signals.started((signal) => void stop(signal));
}

main().catch((error: unknown) => exitNotStarted(logger, error, 'Varco worker failed to start'));
