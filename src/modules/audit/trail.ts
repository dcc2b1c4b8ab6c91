import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';

// Reading the audit log for one subject, oldest first: a page shows what happened to it (the four-eyes
// proposal page shows who proposed and who decided). A subject with more rows than `limit` (a station
// whose checks flapped for months) shows its newest ones, so the latest change is never cut off.
// Read only; the log stays append-only.

export interface TrailRow {
  at: Date;
  action: string;
  actorType: string;
  actorId: string | null;
  details: Record<string, unknown>;
}

/** The subject's newest `limit` rows, oldest first. */
export async function auditTrail(db: Kysely<Database>, subjectType: string, subjectId: string, limit = 100): Promise<TrailRow[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select(['at', 'action', 'actor_type', 'actor_id', 'details'])
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((r) => ({
    at: r.at,
    action: r.action,
    actorType: r.actor_type,
    actorId: r.actor_id,
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
  }));
}
