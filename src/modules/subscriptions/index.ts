import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { AuditLog } from '../audit/index.ts';
import { createKeyVerifier, type KeyVerifier, type VerifierLogger } from './key-verifier.ts';
import { createKeysService, type KeysService } from './keys.service.ts';
import { createProductsService, type ProductsService } from './products.service.ts';
import type { SubscriptionHooks } from './subscription.hooks.ts';
import { createSubscriptionsService, type SubscriptionsService } from './subscriptions.service.ts';

// Public surface of the subscriptions module: products, subscriptions and their states, API keys
// (reveal once, regenerate with overlap) and the verifier /api authenticates with.

export { createSubscriptionsService, SUBSCRIBE_PROBLEM_TEXT, policyRole } from './subscriptions.service.ts';
export type { SubscriptionsService, SubscriptionActor, SubscribeProblem } from './subscriptions.service.ts';
export { createKeysService, MAX_OVERLAP_HOURS, overlapAllowed } from './keys.service.ts';
export type { KeysService, KeyView, Slot, RevealProblem, RegenerateProblem } from './keys.service.ts';
export { createProductsService, ROUTE_GROUPS, PRODUCT_PROBLEM_TEXT } from './products.service.ts';
export type { ProductsService, ProductInput, ProductProblem, RouteGroup } from './products.service.ts';
export { createKeyVerifier } from './key-verifier.ts';
export type { KeyVerifier, KeyCheck, VerifierLogger } from './key-verifier.ts';
export type { AuthContext } from './key-cache.ts';
export { decideTransition, allowedActions, approvalRequired, keysManageable, SUBSCRIPTION_STATES } from './subscription.policy.ts';
export type { SubscriptionAction, PolicyActor } from './subscription.policy.ts';
export { checkKeyFormat, generateKey, hashKey, maskKey, KEY_LENGTH } from './keys.ts';
export type { RateVerdict } from './rate-limit.policy.ts';
export type { SubscriptionFilter, SubscriptionRow } from './subscriptions.repository.ts';
export { KEYS_CHANNEL } from './subscriptions.repository.ts';
// For other modules: whether a subscription is active, as an expression for their own query or a
// list (docs/adr/0011), and the hooks they register at wiring to act inside this module's transactions.
export { activeEnvironments, activeSubscription, submittedQueue, subscriptionProgress } from './subscriptions.repository.ts';
// Products as other modules need them, in their transaction (invitations).
export { existingProductIds, grantProducts, productsByCode } from './subscriptions.repository.ts';
export type { ProductChange, SubscriptionChange, SubscriptionHooks } from './subscription.hooks.ts';
// Generic LISTEN with reconnection; the hosted page's configuration cache uses it too.

export interface SubscriptionServices {
  subscriptions: SubscriptionsService;
  apiKeys: KeysService;
  products: ProductsService;
  keyVerifier: KeyVerifier;
}

export interface SubscriptionServicesOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  /** For the verifier's LISTEN connection; without it every /api request is checked against the database. */
  databaseUrl: string | undefined;
  logger?: VerifierLogger;
  /** Other modules' reactions inside this module's transactions (composition root). */
  hooks: SubscriptionHooks;
  /** VARCO_FOUR_EYES: every production subscription waits for approval, whatever its product says (ADR 0034). */
  fourEyes?: boolean;
}

/** The module's services wired together: a change made here drops this instance's cached verdicts at once. */
export function createSubscriptionServices(options: SubscriptionServicesOptions): SubscriptionServices {
  const { db, clock, audit, publicUrl, hooks } = options;
  // Called only after a commit, by which time the verifier below exists.
  const onKeysChanged = (id: string): void => keyVerifier.invalidate(id);
  const subscriptions = createSubscriptionsService({ db, clock, audit, publicUrl, onKeysChanged, hooks, fourEyes: options.fourEyes === true });
  const keyVerifier = createKeyVerifier({
    db,
    clock,
    databaseUrl: options.databaseUrl,
    ...(options.logger ? { logger: options.logger } : {}),
    everyMinute: () => subscriptions.expireDue(),
  });
  return {
    subscriptions,
    apiKeys: createKeysService({ db, clock, audit, publicUrl, onKeysChanged, hooks, fourEyes: options.fourEyes === true }),
    products: createProductsService({ db, clock, audit, hooks }),
    keyVerifier,
  };
}
