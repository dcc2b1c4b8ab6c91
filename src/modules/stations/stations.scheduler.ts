import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { ExpiryWarnings } from './expiry.service.ts';
import * as repo from './stations.repository.ts';
import type { VerificationService } from './verification.service.ts';

// The stations' periodic work, run by the one job scheduler of the workers (src/app/jobs.ts, one
// lease per job across instances): re-verify approved stations whose last check is older than the
// interval (hourly by default), and once a day send certificate expiry warnings. Which stations are
// due is read from last_check_at, so instances taking turns never verify a station twice in one
// interval. (Old checks are dropped by the retention jobs, src/app/retention.ts.)

export interface SchedulerLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

/** The shape of a periodic job of src/app/jobs.ts (a module does not import src/app). */
export interface StationJob {
  name: string;
  everyMs: number;
  run(now: Date, signal?: AbortSignal): Promise<Record<string, number>>;
}

export interface StationJobOptions {
  db: Kysely<Database>;
  verification: Pick<VerificationService, 'verify'>;
  expiry: ExpiryWarnings;
  /** A station is re-verified when its last check is older than this. */
  intervalMinutes: number;
  logger: SchedulerLogger;
  /** How often to look for due stations; default one minute. */
  everyMs?: number;
  /** Stations verified per run, at most; the rest are due at the next run. */
  batchSize?: number;
}

export const STATION_REVERIFY_JOB = 'stations.reverify';
export const CERTIFICATE_EXPIRY_JOB = 'stations.expiry_warnings';
const DAY_MS = 24 * 60 * 60 * 1000;

export function stationJobs(options: StationJobOptions): StationJob[] {
  const { db, logger } = options;
  const reverify: StationJob = {
    name: STATION_REVERIFY_JOB,
    everyMs: options.everyMs ?? 60_000,
    async run(now, signal) {
      const before = new Date(now.getTime() - options.intervalMinutes * 60_000);
      const verified: string[] = [];
      let failed = 0;
      for (const station of await repo.dueForCheck(db, before, options.batchSize ?? 50)) {
        // Stopping: leave the rest for the next run (here or on another instance).
        if (signal?.aborted) break;
        try {
          const outcome = await options.verification.verify(station.id, 'schedule');
          if (outcome.ok) verified.push(`${station.environment}/${station.code}:${outcome.value.state}`);
        } catch (error) {
          failed += 1;
          logger.warn({ station: station.id, err: (error as Error).message }, 'scheduled station verification failed');
        }
      }
      if (verified.length > 0) logger.info({ verified }, 'stations re-verified');
      return { verified: verified.length, failed };
    },
  };
  const expiry: StationJob = {
    name: CERTIFICATE_EXPIRY_JOB,
    everyMs: DAY_MS,
    async run() {
      const { sent } = await options.expiry.run();
      if (sent.length > 0) logger.info({ warnings: sent }, 'certificate expiry warnings sent');
      return { warnings: sent.length };
    },
  };
  return [reverify, expiry];
}
