import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, VarcoError, type Result } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { auditTrail, type AuditEntry, type AuditLog, type TrailRow } from '../audit/index.ts';
import { effectiveState, expiryOf, fourEyesApplies } from './proposals.policy.ts';
import * as repo from './proposals.repository.ts';
import type {
  ActionHandler,
  ActionHandlers,
  Decider,
  DecideProblem,
  ProposalKind,
  ProposalView,
  ProposedAction,
  Proposer,
  SubjectDescription,
} from './proposals.types.ts';

// Four-eyes (docs/adr/0034-four-eyes.md): in production an action that moves money or trust is stored
// as a proposal; another administrator approves (the action then runs once, through its owner's use
// case, as the approver) or rejects it; unanswered it expires. Every step is an audit row.

export interface ProposalsOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  /** VARCO_FOUR_EYES: off for single-administrator installations. */
  enabled: boolean;
  /** VARCO_PROPOSAL_TTL_HOURS */
  ttlHours: number;
  /** Each kind run through its owning module (given by the composition root). */
  handlers: ActionHandlers;
  /** Runs in the transaction that stores a new proposal: the composition root e-mails the other administrators. */
  onProposed?: (trx: Kysely<Database>, proposal: ProposalView) => Promise<void>;
}

export type GateOutcome = { proposed: false } | { proposed: true; proposal: ProposalView; created: boolean };

type Row = NonNullable<Awaited<ReturnType<typeof repo.findProposal>>>;

/** One person under two accounts (administrator and referent) has one address, whatever its case. */
const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function handlerOf(handlers: ActionHandlers, kind: ProposalKind): ActionHandler<ProposalKind> {
  // The union of handlers, each typed by its kind; the stored kind and params always go together.
  return handlers[kind] as unknown as ActionHandler<ProposalKind>;
}

export function createProposalsService(options: ProposalsOptions) {
  const { db, clock, audit, handlers } = options;

  const entry = (row: Row, action: string, actor: { type: AuditEntry['actorType']; id: string | null; ip: string | null }, extra = {}): AuditEntry => ({
    actorType: actor.type,
    actorId: actor.id,
    ip: actor.ip,
    action,
    subjectType: 'proposal',
    subjectId: row.id,
    organisationId: row.organisation_id,
    details: { kind: row.kind, environment: row.environment, target: `${row.subject_type}:${row.subject_id}`, ...extra },
  });

  /**
   * Where four-eyes applies, stores the action as a proposal (or returns the one already waiting for
   * the same subject) and the caller does nothing else; otherwise the caller runs its use case now.
   */
  async function gate(action: ProposedAction, who: Proposer | (() => Promise<Proposer>)): Promise<GateOutcome> {
    const handler = handlerOf(handlers, action.kind);
    const subject = await handler.resolve(action.params);
    if (subject === undefined || !fourEyesApplies(options.enabled, subject.environment)) return { proposed: false };
    if (subject.problem !== undefined) throw new VarcoError('invalid_state_transition', subject.problem);
    // The CLI names its administrator only when the change is a proposal (`--as`).
    const proposer = typeof who === 'function' ? await who() : who;
    const waiting = await repo.findPending(db, action.kind, subject.subjectId);
    if (waiting && effectiveState(repo.toView(waiting), clock.now()) === 'pending') return { proposed: true, proposal: repo.toView(waiting), created: false };
    return db.transaction().execute(async (trx) => {
      const now = clock.now();
      // An expired one still marked pending would hold the one-pending index: expire it first.
      await expireRows(trx, now);
      const row = await repo.insertProposal(trx, {
        id: newId('prp'),
        kind: action.kind,
        params: { ...action.params, ...subject.keep },
        subject,
        proposer,
        now,
        expiresAt: expiryOf(now, options.ttlHours),
      });
      if (!row) {
        const other = await repo.findPending(trx, action.kind, subject.subjectId);
        if (!other) throw new VarcoError('conflict', 'The proposal changed at the same moment; reload the page.');
        return { proposed: true as const, proposal: repo.toView(other), created: false };
      }
      await audit.append(trx, entry(row, 'proposal.proposed', proposer, { proposerEmail: proposer.email }));
      await options.onProposed?.(trx, repo.toView(row));
      return { proposed: true as const, proposal: repo.toView(row), created: true };
    });
  }

  async function whyNot(id: string, decider: Decider): Promise<DecideProblem> {
    const row = await repo.findProposal(db, id);
    if (!row) return 'not_found';
    if (row.proposer_id === decider.id || sameAddress(row.proposer_email, decider.email)) return 'own_proposal';
    // Expired by time, or withdrawn with its proposer's disabled account (stored as expired): not "someone decided first".
    if (row.state === 'expired' || (row.state === 'pending' && row.expires_at.getTime() <= clock.now().getTime())) return 'expired';
    return 'already_decided';
  }

  /** The approval claims the proposal (one guarded UPDATE), then runs the action once and records how it went. */
  async function approve(id: string, decider: Decider): Promise<Result<ProposalView, DecideProblem>> {
    const claimed = await db.transaction().execute(async (trx) => {
      const row = await repo.decide(trx, { id, to: 'approved', decider, comment: null, now: clock.now() });
      if (row) await audit.append(trx, entry(row, 'proposal.approved', decider, { deciderEmail: decider.email, proposerEmail: row.proposer_email }));
      return row;
    });
    if (!claimed) return fail(await whyNot(id, decider));
    let outcome: Result<string, string>;
    try {
      outcome = await handlerOf(handlers, claimed.kind).execute(claimed.params as ProposedAction['params'], decider);
    } catch (error) {
      outcome = fail(error instanceof VarcoError ? error.code : 'internal_error', (error as Error).message);
    }
    const finished = await db.transaction().execute(async (trx) => {
      const text = outcome.ok ? outcome.value : `${outcome.reason}${outcome.message ? `: ${outcome.message}` : ''}`;
      const row = await repo.finish(trx, { id, to: outcome.ok ? 'executed' : 'failed', outcome: text, now: clock.now() });
      if (row) await audit.append(trx, entry(row, outcome.ok ? 'proposal.executed' : 'proposal.failed', decider, { outcome: text.slice(0, 200) }));
      return row;
    });
    return ok(repo.toView(finished ?? claimed));
  }

  async function reject(id: string, decider: Decider, comment: string): Promise<Result<ProposalView, DecideProblem>> {
    const text = comment.trim();
    if (text === '' || text.length > 1000) return fail('comment_required');
    const row = await db.transaction().execute(async (trx) => {
      const decided = await repo.decide(trx, { id, to: 'rejected', decider, comment: text, now: clock.now() });
      if (decided)
        await audit.append(trx, entry(decided, 'proposal.rejected', decider, { deciderEmail: decider.email, proposerEmail: decided.proposer_email }));
      return decided;
    });
    return row ? ok(repo.toView(row)) : fail(await whyNot(id, decider));
  }

  /** Pending proposals past their expiry, or a disabled proposer's (`reason`), become expired, each audited. */
  async function expireRows(trx: Kysely<Database>, now: Date, which: { due: true } | { proposerId: string } = { due: true }, reason?: string): Promise<number> {
    const rows = await repo.expirePending(trx, now, which);
    const details = { expiredAt: now.toISOString(), ...(reason === undefined ? {} : { reason }) };
    for (const row of rows) await audit.append(trx, entry(row, 'proposal.expired', { type: 'system', id: null, ip: null }, details));
    return rows.length;
  }

  /**
   * In the transaction that disables an account, administrator or referent (identity's account-access.ts, through the
   * composition root): their pending proposals end, each audited, so none can be approved afterwards.
   */
  function withdrawPendingOf(trx: Kysely<Database>, proposerId: string): Promise<number> {
    return expireRows(trx, clock.now(), { proposerId }, 'proposer_disabled');
  }

  /** The periodic job's work (src/app/container.ts): pending proposals past their expiry become expired, each audited. */
  async function expire(now: Date = clock.now()): Promise<number> {
    return db.transaction().execute((trx) => expireRows(trx, now));
  }

  const view = (row: Row): ProposalView => {
    const v = repo.toView(row);
    return { ...v, state: effectiveState(v, clock.now()) };
  };

  return {
    gate,
    approve,
    reject,
    expire,
    withdrawPendingOf,
    /** Whether four-eyes is on at all (VARCO_FOUR_EYES): the back office home warns when it is off. */
    enabled: (): boolean => options.enabled,
    applies: (environment: 'test' | 'prod'): boolean => fourEyesApplies(options.enabled, environment),
    get: async (id: string): Promise<ProposalView | undefined> => {
      const row = await repo.findProposal(db, id);
      return row ? view(row) : undefined;
    },
    list: async (filter: repo.ListFilter = {}): Promise<ProposalView[]> => (await repo.listProposals(db, filter)).map(view),
    countPending: () => repo.countPending(db),
    /** What the proposal is about, described by the subject's owner (for the approver's page); {} when it says nothing. */
    describe: async (p: ProposalView): Promise<SubjectDescription> => {
      const handler = handlerOf(handlers, p.kind);
      return (await handler.describe?.(p.params).catch(() => undefined)) ?? {};
    },
    /** The proposal's audit rows, oldest first (proposed, approved or rejected, executed or failed, expired). */
    history: (id: string): Promise<TrailRow[]> => auditTrail(db, 'proposal', id),
  };
}

export type ProposalsService = ReturnType<typeof createProposalsService>;
