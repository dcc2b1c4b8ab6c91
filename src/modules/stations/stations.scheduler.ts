import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { ExpiryWarnings } from './expiry.service.ts';
import * as repo from './stations.repository.ts';
import type { VerificationService } from './verification.service.ts';

// The stations' schedule, run by the workers: re-verify approved stations whose last check is
// older than the interval (hourly by default), and once a day send certificate expiry warnings.
// (Old checks are dropped by the retention jobs, src/app/retention.ts.)
// A PostgreSQL advisory lock, held on one pooled connection for the length of a run, lets only one
// instance run at a time; the others skip that tick. Which stations are due is read from
// last_check_at, so instances taking turns do not verify a station twice in one interval.

export interface SchedulerLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface SchedulerOptions {
  db: Kysely<Database>;
  clock: Clock;
  verification: Pick<VerificationService, 'verify'>;
  expiry: ExpiryWarnings;
  intervalMinutes: number;
  logger: SchedulerLogger;
  /** How often to look for due work; default one minute. */
  tickMs?: number;
  /** Stations verified per tick, at most; the rest are due at the next tick. */
  batchSize?: number;
}

export interface TickReport {
  /** false when another instance held the lock. */
  ran: boolean;
  verified: string[];
  expiryRan: boolean;
  warnings: string[];
}

const LOCK_KEY = 'varco.stations.schedule';
const DAY_MS = 24 * 60 * 60 * 1000;

export function createStationScheduler(options: SchedulerOptions) {
  const { db, clock, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  // In memory: after a restart the expiry pass runs again, which is harmless (warnings are claimed once).
  let lastExpiryRun: number | undefined;
  let stopping = false;

  async function work(): Promise<Omit<TickReport, 'ran'>> {
    const before = new Date(clock.now().getTime() - options.intervalMinutes * 60_000);
    const verified: string[] = [];
    for (const station of await repo.dueForCheck(db, before, options.batchSize ?? 50)) {
      // Stopping: leave the rest for the next run (here or on another instance).
      if (stopping) break;
      try {
        const outcome = await options.verification.verify(station.id, 'schedule');
        if (outcome.ok) verified.push(`${station.environment}/${station.code}:${outcome.value.state}`);
      } catch (error) {
        logger.warn({ station: station.id, err: (error as Error).message }, 'scheduled station verification failed');
      }
    }
    const now = clock.now().getTime();
    const expiryDue = lastExpiryRun === undefined || now - lastExpiryRun >= DAY_MS;
    const warnings = expiryDue ? (await options.expiry.run()).sent : [];
    if (expiryDue) lastExpiryRun = now;
    return { verified, expiryRan: expiryDue, warnings };
  }

  /** One run if this instance gets the lock. */
  async function tick(): Promise<TickReport> {
    return db.connection().execute(async (connection) => {
      const locked = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(hashtext(${LOCK_KEY})) AS locked`.execute(connection);
      if (locked.rows[0]?.locked !== true) return { ran: false, verified: [], expiryRan: false, warnings: [] };
      try {
        const report = await work();
        if (report.verified.length > 0 || report.warnings.length > 0)
          logger.info({ verified: report.verified, warnings: report.warnings }, 'station schedule ran');
        return { ran: true, ...report };
      } finally {
        await sql`SELECT pg_advisory_unlock(hashtext(${LOCK_KEY}))`.execute(connection);
      }
    });
  }

  const loop = (): void => {
    running = tick()
      .catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'station schedule failed; retrying at the next tick'))
      .finally(() => {
        running = undefined;
        if (timer !== undefined) timer = setTimeout(loop, options.tickMs ?? 60_000);
      });
  };

  return {
    tick,
    start(): void {
      if (timer !== undefined) return;
      stopping = false;
      timer = setTimeout(loop, 0);
    },
    /** Stops the loop and waits for a run in progress. */
    async stop(): Promise<void> {
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

export type StationScheduler = ReturnType<typeof createStationScheduler>;
