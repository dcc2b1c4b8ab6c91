import type { Kysely } from 'kysely';
import { claimJob, finishJob, type Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';

// The one scheduler of every periodic job of the workers: retention (sessions included), order
// reconciliation, station re-verification and certificate expiry warnings. Each job has one lease row (src/db/job-leases.ts): whichever instance claims it runs it, the others skip it, and
// nobody runs it again before its interval has passed. A job that fails is tried again sooner.

export interface PeriodicJob {
  /** Stable name: the lease row's key. */
  name: string;
  everyMs: number;
  /** Does the work as of `now`; returns counts for the log (e.g. rows deleted). A long job stops early when `signal` aborts (the workers stop). */
  run(now: Date, signal?: AbortSignal): Promise<Record<string, number>>;
}

export interface JobLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface JobRunnerOptions {
  db: Kysely<Database>;
  clock: Clock;
  logger: JobLogger;
  /** This process's name in the lease (host, pid, random). */
  owner: string;
  jobs: readonly PeriodicJob[];
  /** How often to look for due jobs. */
  tickMs?: number;
  /** How long a claim holds: past it, a job whose instance died is claimed again. */
  leaseMs?: number;
  /** After a failure, the next try comes after this (or the interval, if shorter). */
  retryMs?: number;
}

export interface JobOutcome {
  name: string;
  /** false: another instance holds it, or it is not due. */
  ran: boolean;
  report?: Record<string, number>;
  error?: string;
}

export interface JobRunner {
  /** One pass: claims and runs every due job, one after another. */
  runDue(): Promise<JobOutcome[]>;
  start(): void;
  /** Stops the loop and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, clock, logger, owner } = options;
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  const retryMs = options.retryMs ?? 5 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopping = false;
  let abort = new AbortController();

  async function runOne(job: PeriodicJob): Promise<JobOutcome> {
    const now = clock.now();
    if (!(await claimJob(db, { name: job.name, owner, now, leaseMs }))) return { name: job.name, ran: false };
    try {
      const report = await job.run(now, abort.signal);
      await finishJob(db, { name: job.name, owner, now: clock.now(), nextRunAt: new Date(now.getTime() + job.everyMs), error: null, report });
      if (Object.values(report).some((n) => n > 0)) logger.info({ job: job.name, ...report }, 'periodic job ran');
      return { name: job.name, ran: true, report };
    } catch (error) {
      const message = (error as Error).message.slice(0, 500);
      await finishJob(db, {
        name: job.name,
        owner,
        now: clock.now(),
        nextRunAt: new Date(now.getTime() + Math.min(job.everyMs, retryMs)),
        error: message,
        report: null,
      }).catch(() => undefined); // The lease then expires on its own.
      logger.warn({ job: job.name, err: message }, 'periodic job failed; it will be tried again');
      return { name: job.name, ran: true, error: message };
    }
  }

  async function runDue(): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    for (const job of options.jobs) {
      if (stopping) break;
      outcomes.push(await runOne(job));
    }
    return outcomes;
  }

  const loop = (): void => {
    running = runDue()
      .catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'periodic jobs could not run; retrying at the next tick'))
      .finally(() => {
        running = undefined;
        if (timer !== undefined) timer = setTimeout(loop, options.tickMs ?? 60_000);
      });
  };

  return {
    runDue,
    start(): void {
      if (timer !== undefined) return;
      stopping = false;
      abort = new AbortController();
      timer = setTimeout(loop, 0);
    },
    async stop(): Promise<void> {
      stopping = true;
      abort.abort();
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
