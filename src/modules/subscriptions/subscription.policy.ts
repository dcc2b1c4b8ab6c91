import type { SubscriptionState } from '../../db/schema.ts';

// Which subscription state changes are allowed, by whom (pure). The service applies a verdict with one
// guarded UPDATE (`WHERE state = <from>`), so two people acting at once cannot both succeed.

export const SUBSCRIPTION_STATES: readonly SubscriptionState[] = ['submitted', 'active', 'rejected', 'suspended', 'cancelled', 'expired'];

export type SubscriptionAction = 'approve' | 'reject' | 'suspend' | 'reactivate' | 'cancel' | 'expire';
export const SUBSCRIPTION_ACTIONS: readonly SubscriptionAction[] = ['approve', 'reject', 'suspend', 'reactivate', 'cancel', 'expire'];

/** The role in which someone acts; the CLI acts as an administrator. */
export type PolicyActor = 'admin' | 'referent' | 'system';
export const POLICY_ACTORS: readonly PolicyActor[] = ['admin', 'referent', 'system'];

interface Rule {
  actor: PolicyActor;
  from: readonly SubscriptionState[];
  to: SubscriptionState;
}

const RULES: Record<SubscriptionAction, Rule> = {
  approve: { actor: 'admin', from: ['submitted'], to: 'active' },
  reject: { actor: 'admin', from: ['submitted'], to: 'rejected' },
  suspend: { actor: 'admin', from: ['active'], to: 'suspended' },
  reactivate: { actor: 'admin', from: ['suspended'], to: 'active' },
  cancel: { actor: 'referent', from: ['submitted', 'active', 'suspended'], to: 'cancelled' },
  // Reaching `expires_at` ends a subscription that could still be used or approved.
  expire: { actor: 'system', from: ['submitted', 'active', 'suspended'], to: 'expired' },
};

export type TransitionVerdict = { ok: true; from: SubscriptionState; to: SubscriptionState } | { ok: false; reason: 'invalid_state_transition' };

export function decideTransition(state: SubscriptionState, action: SubscriptionAction, actor: PolicyActor): TransitionVerdict {
  const rule = RULES[action];
  if (rule.actor !== actor || !rule.from.includes(state)) return { ok: false, reason: 'invalid_state_transition' };
  return { ok: true, from: state, to: rule.to };
}

/** The actions an actor may take on a subscription in this state (for the buttons a page shows). */
export function allowedActions(state: SubscriptionState, actor: PolicyActor): SubscriptionAction[] {
  return SUBSCRIPTION_ACTIONS.filter((action) => decideTransition(state, action, actor).ok);
}

/** Only an active subscription's keys authenticate. */
export function keysWork(state: SubscriptionState): boolean {
  return state === 'active';
}

/** Keys can be revealed or regenerated while the subscription may be used (again). */
export function keysManageable(state: SubscriptionState): boolean {
  return state === 'active' || state === 'suspended';
}

/**
 * Whether a new subscription waits for an administrator's approval: as its product says for that
 * environment, except that under four-eyes (VARCO_FOUR_EYES) every production one waits, whatever the
 * product says: one administrator unticking the box must not turn four-eyes off for a product (ADR 0034).
 */
export function approvalRequired(
  product: { approval_required_test: boolean; approval_required_prod: boolean },
  environment: 'test' | 'prod',
  fourEyes: boolean,
): boolean {
  return environment === 'test' ? product.approval_required_test : product.approval_required_prod || fourEyes;
}
