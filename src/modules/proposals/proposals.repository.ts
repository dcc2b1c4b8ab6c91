import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Proposals } from '../../db/schema.generated.ts';
import { jsonbText } from '../../kernel/storable.ts';
import type { Decider, ProposalKind, ProposalParams, ProposalState, ProposalView, Proposer, ProposalSubject } from './proposals.types.ts';

// SQL of the proposals table (this module's only table). Every decision is one guarded UPDATE: of two
// administrators clicking at once, exactly one gets the row back.

type Row = Selectable<Proposals>;

export function toView(row: Row): ProposalView {
  return {
    id: row.id,
    kind: row.kind,
    environment: row.environment,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    organisationId: row.organisation_id,
    params: row.params as ProposalParams[ProposalKind],
    state: row.state,
    proposer: { type: row.proposer_type, id: row.proposer_id, email: row.proposer_email },
    decider: row.decider_type && row.decider_id ? { type: row.decider_type, id: row.decider_id, email: row.decider_email ?? '' } : null,
    comment: row.comment,
    outcome: row.outcome,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    finishedAt: row.finished_at,
  };
}

export async function insertProposal(
  trx: Kysely<Database>,
  p: { id: string; kind: ProposalKind; params: unknown; subject: ProposalSubject; proposer: Proposer; now: Date; expiresAt: Date },
): Promise<Row | undefined> {
  return (
    trx
      .insertInto('proposals')
      .values({
        id: p.id,
        kind: p.kind,
        environment: p.subject.environment,
        subject_type: p.subject.subjectType,
        subject_id: p.subject.subjectId,
        organisation_id: p.subject.organisationId,
        params: jsonbText(p.params),
        proposer_type: p.proposer.type,
        proposer_id: p.proposer.id,
        proposer_email: p.proposer.email,
        created_at: p.now,
        expires_at: p.expiresAt,
      })
      // The one-pending-per-subject index: the caller then shows the proposal already waiting.
      .onConflict((oc) => oc.columns(['kind', 'subject_id']).where('state', '=', 'pending').doNothing())
      .returningAll()
      .executeTakeFirst()
  );
}

export function findPending(db: Kysely<Database>, kind: ProposalKind, subjectId: string): Promise<Row | undefined> {
  return db.selectFrom('proposals').selectAll().where('kind', '=', kind).where('subject_id', '=', subjectId).where('state', '=', 'pending').executeTakeFirst();
}

export function findProposal(db: Kysely<Database>, id: string): Promise<Row | undefined> {
  return db.selectFrom('proposals').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface ListFilter {
  subjectId?: string;
  proposerId?: string;
  organisationId?: string;
  limit?: number;
}

/** Pending first (oldest first, the next to decide), then the others newest first. */
export function listProposals(db: Kysely<Database>, filter: ListFilter = {}): Promise<Row[]> {
  let q = db.selectFrom('proposals').selectAll();
  if (filter.subjectId !== undefined) q = q.where('subject_id', '=', filter.subjectId);
  if (filter.proposerId !== undefined) q = q.where('proposer_id', '=', filter.proposerId);
  if (filter.organisationId !== undefined) q = q.where('organisation_id', '=', filter.organisationId);
  return q
    .orderBy((eb) => eb.case().when('state', '=', 'pending').then(0).else(1).end())
    .orderBy((eb) => eb.case().when('state', '=', 'pending').then(eb.ref('created_at')).else(null).end(), 'asc')
    .orderBy('created_at', 'desc')
    .limit(filter.limit ?? 200)
    .execute();
}

/**
 * pending → approved or rejected, never by the proposer, never past expiry; undefined when someone else
 * decided first. The proposer is the account and the person: an address may hold an administrator and
 * a referent (docs/security.md 43), so the decider's e-mail must differ from the one the proposal stored.
 */
export function decide(
  trx: Kysely<Database>,
  d: { id: string; to: 'approved' | 'rejected'; decider: Decider; comment: string | null; now: Date },
): Promise<Row | undefined> {
  return trx
    .updateTable('proposals')
    .set({ state: d.to, decider_type: d.decider.type, decider_id: d.decider.id, decider_email: d.decider.email, comment: d.comment, decided_at: d.now })
    .where('id', '=', d.id)
    .where('state', '=', 'pending')
    .where('expires_at', '>', d.now)
    .where('proposer_id', '<>', d.decider.id)
    .where((eb) => eb(eb.fn('lower', ['proposer_email']), '<>', eb.fn('lower', [eb.val(d.decider.email)])))
    .returningAll()
    .executeTakeFirst();
}

/** approved → executed or failed, once. */
export function finish(trx: Kysely<Database>, f: { id: string; to: 'executed' | 'failed'; outcome: string; now: Date }): Promise<Row | undefined> {
  return trx
    .updateTable('proposals')
    .set({ state: f.to, outcome: f.outcome.slice(0, 500), finished_at: f.now })
    .where('id', '=', f.id)
    .where('state', '=', 'approved')
    .returningAll()
    .executeTakeFirst();
}

/**
 * pending → expired, each row returned for its audit row in the same transaction: those past their expiry
 * (`{ due: now }`), or a disabled account's (`{ proposerId }`: nobody may approve what a possibly
 * stolen account proposed).
 */
export function expirePending(trx: Kysely<Database>, now: Date, which: { due: true } | { proposerId: string }): Promise<Row[]> {
  const pending = trx.updateTable('proposals').set({ state: 'expired', finished_at: now }).where('state', '=', 'pending');
  return ('due' in which ? pending.where('expires_at', '<=', now) : pending.where('proposer_id', '=', which.proposerId)).returningAll().execute();
}

export function countPending(db: Kysely<Database>): Promise<number> {
  return db
    .selectFrom('proposals')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

export type { ProposalState };
