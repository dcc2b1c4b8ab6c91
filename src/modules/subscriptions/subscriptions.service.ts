import type { Kysely } from 'kysely';
import type { Database, Environment, SubscriptionState } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import { fail, ok, VarcoError, type Result } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { AuditLog } from '../audit/index.ts';
import { keyPrefix } from './keys.ts';
import { mailAdminsSubmitted, mailReferents } from './subscription.mail.ts';
import { runChangeHooks, type SubscriptionHooks } from './subscription.hooks.ts';
import { approvalRequired, decideTransition, type PolicyActor, type SubscriptionAction } from './subscription.policy.ts';
import { findEnabledReferent } from '../identity/index.ts';
import * as repo from './subscriptions.repository.ts';

// Subscriptions: the referent subscribes, administrators decide, the referent may cancel, the system
// expires. Every change is one transaction: guarded state UPDATE, audit row, e-mail in the outbox and
// a NOTIFY so every instance stops trusting what it cached about the subscription's keys.

export interface SubscriptionActor {
  type: 'admin' | 'referent' | 'cli' | 'system';
  id: string | null;
  ip: string | null;
}

export interface SubscriptionsOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  /** Called after a commit that changed what a subscription's keys may do (this instance's own cache). */
  onKeysChanged?: (subscriptionId: string) => void;
  /** Other modules' reactions inside the transaction of every creation and state change (composition root). */
  hooks: SubscriptionHooks;
  /** VARCO_FOUR_EYES: every production subscription waits for approval (subscription.policy.ts, approvalRequired). */
  fourEyes?: boolean;
}

export interface SubscribeInput {
  productId: string;
  environment: string;
  name: string;
}

export type SubscribeProblem = 'product_not_allowed' | 'invalid_environment' | 'name_required';

export const SUBSCRIBE_PROBLEM_TEXT: Record<SubscribeProblem, string> = {
  product_not_allowed: 'This product is not among those you may subscribe to.',
  invalid_environment: 'Choose the test or the production environment.',
  name_required: 'Give the subscription a name (at most 100 characters).',
};

const MAIL: Partial<
  Record<
    SubscriptionAction,
    'subscription_approved' | 'subscription_rejected' | 'subscription_suspended' | 'subscription_reactivated' | 'subscription_cancelled'
  >
> = {
  approve: 'subscription_approved',
  reject: 'subscription_rejected',
  suspend: 'subscription_suspended',
  reactivate: 'subscription_reactivated',
  cancel: 'subscription_cancelled',
};

const PAST: Record<SubscriptionAction, string> = {
  approve: 'approved',
  reject: 'rejected',
  suspend: 'suspended',
  reactivate: 'reactivated',
  cancel: 'cancelled',
  expire: 'expired',
};

export function policyRole(actor: SubscriptionActor): PolicyActor {
  return actor.type === 'cli' ? 'admin' : actor.type;
}

export const isEnvironment = (value: string): value is Environment => value === 'test' || value === 'prod';

/** Placeholder key rows: the slots exist from the start, but no key material does until it is revealed. */
export async function insertSealedKeys(trx: Kysely<Database>, subscriptionId: string, environment: Environment, now: Date): Promise<void> {
  for (const slot of ['primary', 'secondary'] as const) {
    const id = newId('key');
    await repo.insertKey(trx, { id, subscriptionId, slot, hash: `sealed:${id}`, prefix: keyPrefix(environment), last4: '', now, revealedAt: null });
  }
}

export function createSubscriptionsService(options: SubscriptionsOptions) {
  const { db, clock, publicUrl, audit, hooks } = options;

  /** A referent asks for a subscription; active at once when the product needs no approval in that environment. */
  async function subscribe(
    input: SubscribeInput,
    actor: SubscriptionActor & { type: 'referent'; id: string },
  ): Promise<Result<{ id: string; state: SubscriptionState }, SubscribeProblem>> {
    const name = input.name.trim();
    if (!isEnvironment(input.environment)) return fail('invalid_environment');
    if (name === '' || name.length > 100) return fail('name_required');
    const environment = input.environment;
    // The organisation comes from the referent's own account, never from the form.
    const referent = await findEnabledReferent(db, actor.id);
    if (!referent?.organisation_id) return fail('product_not_allowed');
    const organisationId = referent.organisation_id;
    const allowed = (await repo.productsOfUser(db, actor.id)).find((p) => p.id === input.productId);
    if (!allowed) return fail('product_not_allowed');
    const approval = approvalRequired(allowed, environment, options.fourEyes === true);
    const state: SubscriptionState = approval ? 'submitted' : 'active';
    const id = newId('sub');
    await db.transaction().execute(async (trx) => {
      const now = clock.now();
      await repo.insertSubscription(trx, { id, organisationId, productId: allowed.id, environment, name, state, createdBy: actor.id, now });
      await insertSealedKeys(trx, id, environment, now);
      const row = await repo.findSubscription(trx, id);
      if (!row) throw new Error('subscription vanished inside its own transaction');
      await runChangeHooks(hooks, trx, { subscriptionId: id, organisationId, productCode: allowed.code, environment, from: null, to: state, at: now });
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: approval ? 'subscription.submitted' : 'subscription.created',
        subjectType: 'subscription',
        subjectId: id,
        organisationId,
        details: { product: allowed.code, environment, name, state },
      });
      if (approval) await mailAdminsSubmitted(trx, row, publicUrl);
      else await mailReferents(trx, row, 'subscription_approved', publicUrl);
    });
    return ok({ id, state });
  }

  /**
   * Applies one policy action. Throws not_found (also for another organisation's subscription when
   * `organisationId` scopes the call) and invalid_state_transition; a rejection needs a comment.
   */
  async function change(
    id: string,
    action: SubscriptionAction,
    actor: SubscriptionActor,
    scope: { organisationId?: string; comment?: string } = {},
  ): Promise<Result<{ state: SubscriptionState }, 'comment_required'>> {
    const comment = scope.comment?.trim().slice(0, 1000) ?? '';
    if (action === 'reject' && comment === '') return fail('comment_required');
    const state = await db.transaction().execute(async (trx) => {
      const s = await repo.findSubscription(trx, id, scope.organisationId);
      if (!s) throw new VarcoError('not_found', 'No such subscription.');
      const verdict = decideTransition(s.state, action, policyRole(actor));
      if (!verdict.ok) throw new VarcoError('invalid_state_transition', `This subscription is ${s.state}; it cannot be ${PAST[action]}.`);
      const now = clock.now();
      const applied = await repo.applyTransition(trx, { id, from: verdict.from, to: verdict.to, comment: comment || null, now });
      if (!applied) throw new VarcoError('invalid_state_transition', 'The subscription changed meanwhile; reload the page and decide again.');
      await runChangeHooks(hooks, trx, {
        subscriptionId: id,
        organisationId: s.organisation_id,
        productCode: s.product_code,
        environment: s.environment,
        from: verdict.from,
        to: verdict.to,
        at: now,
      });
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: `subscription.${PAST[action]}`,
        subjectType: 'subscription',
        subjectId: id,
        organisationId: s.organisation_id,
        details: { from: verdict.from, to: verdict.to, ...(comment ? { comment } : {}) },
      });
      await repo.notifyKeysChanged(trx, id);
      const template = MAIL[action];
      if (template) await mailReferents(trx, s, template, publicUrl, comment);
      return verdict.to;
    });
    options.onKeysChanged?.(id);
    return ok({ state });
  }

  /** Moves subscriptions past their `expires_at` to expired; safe to run on every instance. */
  async function expireDue(): Promise<number> {
    let expired = 0;
    for (const row of await repo.dueForExpiry(db, clock.now())) {
      try {
        await change(row.id, 'expire', { type: 'system', id: null, ip: null });
        expired++;
      } catch (error) {
        // Another instance (or a person) changed it first: nothing to do.
        if (!(error instanceof VarcoError && error.code === 'invalid_state_transition')) throw error;
      }
    }
    return expired;
  }

  return {
    subscribe,
    change,
    expireDue,
    get: (id: string, organisationId?: string) => repo.findSubscription(db, id, organisationId),
    list: (filter: repo.SubscriptionFilter = {}) => repo.listSubscriptions(db, filter),
  };
}

export type SubscriptionsService = ReturnType<typeof createSubscriptionsService>;
