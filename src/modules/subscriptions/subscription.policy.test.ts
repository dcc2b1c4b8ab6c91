import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowedActions,
  approvalRequired,
  decideTransition,
  keysWork,
  POLICY_ACTORS,
  SUBSCRIPTION_ACTIONS,
  SUBSCRIPTION_STATES,
  type PolicyActor,
  type SubscriptionAction,
} from './subscription.policy.ts';
import type { SubscriptionState } from '../../db/schema.ts';

// Exhaustive: every state x action x actor. The allowed ones are listed; everything else is refused.

const ALLOWED: Array<[SubscriptionState, SubscriptionAction, PolicyActor, SubscriptionState]> = [
  ['submitted', 'approve', 'admin', 'active'],
  ['submitted', 'reject', 'admin', 'rejected'],
  ['active', 'suspend', 'admin', 'suspended'],
  ['suspended', 'reactivate', 'admin', 'active'],
  ['submitted', 'cancel', 'referent', 'cancelled'],
  ['active', 'cancel', 'referent', 'cancelled'],
  ['suspended', 'cancel', 'referent', 'cancelled'],
  ['submitted', 'expire', 'system', 'expired'],
  ['active', 'expire', 'system', 'expired'],
  ['suspended', 'expire', 'system', 'expired'],
];

test('exactly the listed transitions are allowed, each to its target state', () => {
  let checked = 0;
  for (const state of SUBSCRIPTION_STATES) {
    for (const action of SUBSCRIPTION_ACTIONS) {
      for (const actor of POLICY_ACTORS) {
        const expected = ALLOWED.find(([s, a, who]) => s === state && a === action && who === actor);
        const verdict = decideTransition(state, action, actor);
        if (expected) assert.deepEqual(verdict, { ok: true, from: state, to: expected[3] }, `${actor} ${action} from ${state}`);
        else assert.deepEqual(verdict, { ok: false, reason: 'invalid_state_transition' }, `${actor} ${action} from ${state} must be refused`);
        checked++;
      }
    }
  }
  assert.equal(checked, 6 * 6 * 3);
});

test('final states allow nothing to anyone', () => {
  for (const state of ['rejected', 'cancelled', 'expired'] as const) {
    for (const actor of POLICY_ACTORS) assert.deepEqual(allowedActions(state, actor), [], `${actor} on ${state}`);
  }
});

test('a referent cannot approve or reactivate, an administrator cannot cancel for the referent', () => {
  assert.equal(decideTransition('submitted', 'approve', 'referent').ok, false);
  assert.equal(decideTransition('suspended', 'reactivate', 'referent').ok, false);
  assert.equal(decideTransition('active', 'cancel', 'admin').ok, false);
  assert.deepEqual(allowedActions('active', 'admin'), ['suspend']);
  assert.deepEqual(allowedActions('submitted', 'admin'), ['approve', 'reject']);
});

test('only an active subscription has working keys', () => {
  assert.deepEqual(SUBSCRIPTION_STATES.filter(keysWork), ['active']);
});

test('approvalRequired: the product decides per environment; four-eyes makes every production subscription wait, never a test one', () => {
  const open = { approval_required_test: false, approval_required_prod: false };
  const strict = { approval_required_test: true, approval_required_prod: true };
  assert.equal(approvalRequired(open, 'prod', false), false);
  assert.equal(approvalRequired(open, 'prod', true), true, 'the unticked box does not turn four-eyes off');
  assert.equal(approvalRequired(open, 'test', true), false, 'test stays as the product says');
  assert.equal(approvalRequired(strict, 'test', false), true);
  assert.equal(approvalRequired(strict, 'prod', false), true);
});
