import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

// Leases of periodic jobs (table job_leases, migration 0012): one row per job, claimed with one
// guarded UPDATE. The row lock serialises two instances claiming at the same moment; the loser
// re-reads the winner's lease and claims nothing. A claim is refused while another instance holds a
// live lease, and before the job's next run is due, so each job runs at most once per interval
// across all instances. A crashed instance's lease expires (leased_until) and the job is claimed again.

export interface JobClaim {
  name: string;
  owner: string;
  now: Date;
  /** How long the claim holds without being finished. */
  leaseMs: number;
}

/** Whether `owner` now holds the job's lease. */
export async function claimJob(db: Kysely<Database>, claim: JobClaim): Promise<boolean> {
  await db
    .insertInto('job_leases')
    .values({ name: claim.name, next_run_at: new Date(0) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const until = new Date(claim.now.getTime() + claim.leaseMs);
  const claimed = await db
    .updateTable('job_leases')
    .set({ owner: claim.owner, leased_until: until, last_started_at: claim.now })
    .where('name', '=', claim.name)
    .where('next_run_at', '<=', claim.now)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<=', claim.now)]))
    .executeTakeFirst();
  return claimed.numUpdatedRows > 0n;
}

export interface JobFinish {
  name: string;
  owner: string;
  now: Date;
  nextRunAt: Date;
  error: string | null;
  report: Record<string, number> | null;
}

/** Releases the lease and schedules the next run; a lease taken over meanwhile is left to its new owner. */
export async function finishJob(db: Kysely<Database>, finish: JobFinish): Promise<boolean> {
  const done = await db
    .updateTable('job_leases')
    .set({
      owner: null,
      leased_until: null,
      next_run_at: finish.nextRunAt,
      last_finished_at: finish.now,
      last_error: finish.error,
      last_report: finish.report === null ? null : JSON.stringify(finish.report),
    })
    .where('name', '=', finish.name)
    .where('owner', '=', finish.owner)
    .executeTakeFirst();
  return done.numUpdatedRows > 0n;
}

/** Every job's lease row, for operators and tests. */
export function listJobLeases(db: Kysely<Database>) {
  return db.selectFrom('job_leases').selectAll().orderBy('name').execute();
}
