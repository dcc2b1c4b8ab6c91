import { sql, type Expression, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../../db/index.ts';
import { likePrefix } from '../../kernel/like.ts';

// The back office's audit-log viewer (its search, pages and CSV): the newest rows first, narrowed by
// organisation, action, who and subject, a page at a time by `seq` (the chain's own order, so a page
// link stays exact while rows are appended). Read only; the log stays append-only.

export interface AuditSearch {
  organisationId?: string;
  /** The rows of these organisations only: a subquery of ids (organisations' organisationsMatching). */
  organisationIdsIn?: SelectQueryBuilder<never, never, { id: string }>;
  /** An action code or its start: `subscription.` finds every subscription event. */
  actionPrefix?: string;
  actorType?: string;
  /** The rows of these actors only: a subquery of account ids (identity's accountsWithEmailContaining). */
  actorIdsIn?: Expression<string> | SelectQueryBuilder<never, never, { id: string }>;
  /** A subject's id (`sub_…`, `sta_…`), whatever its type. */
  subjectId?: string;
  from?: Date;
  until?: Date;
  /** Rows older than this `seq` (the page link's cursor). */
  beforeSeq?: number;
  limit: number;
}

export interface AuditRow {
  seq: number;
  id: string;
  at: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  organisationId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export async function searchAudit(db: Kysely<Database>, search: AuditSearch): Promise<AuditRow[]> {
  let q = db
    .selectFrom('audit_log')
    .select(['seq', 'id', 'at', 'actor_type', 'actor_id', 'action', 'subject_type', 'subject_id', 'organisation_id', 'ip', 'details']);
  if (search.organisationId !== undefined) q = q.where('organisation_id', '=', search.organisationId);
  if (search.organisationIdsIn !== undefined) q = q.where('organisation_id', 'in', search.organisationIdsIn);
  if (search.actionPrefix !== undefined) q = q.where(sql<boolean>`action LIKE ${likePrefix(search.actionPrefix)}`);
  if (search.actorType !== undefined) q = q.where('actor_type', '=', search.actorType);
  if (search.actorIdsIn !== undefined) q = q.where('actor_id', 'in', search.actorIdsIn);
  if (search.subjectId !== undefined) q = q.where('subject_id', '=', search.subjectId);
  if (search.from !== undefined) q = q.where('at', '>=', search.from);
  if (search.until !== undefined) q = q.where('at', '<', search.until);
  if (search.beforeSeq !== undefined) q = q.where('seq', '<', search.beforeSeq);
  const rows = await q.orderBy('seq', 'desc').limit(search.limit).execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    id: r.id,
    at: r.at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    organisationId: r.organisation_id,
    ip: r.ip,
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
  }));
}
