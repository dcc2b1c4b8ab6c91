import type { Kysely } from 'kysely';
import type { Database, Environment, SubscriptionState } from '../../db/schema.ts';

// What other modules do inside the transaction of a change to subscriptions or products, without a
// trigger on this module's tables (docs/adr/0011, docs/adr/0023). The composition root hands the
// hooks to every service of this module that can change them; every path that creates, approves,
// reactivates, suspends or expires a subscription calls them, so a reaction (the merchants module
// reserving a PSPID on approval) commits or rolls back with the change itself.

/** One creation (`from` null) or state change of a subscription. */
export interface SubscriptionChange {
  readonly subscriptionId: string;
  readonly organisationId: string;
  readonly productCode: string;
  readonly environment: Environment;
  readonly from: SubscriptionState | null;
  readonly to: SubscriptionState;
  /** The transaction's clock reading. */
  readonly at: Date;
}

/** An update of a product; its code may have changed (what `activeSubscription(…, code, …)` answers with it). */
export interface ProductChange {
  readonly productId: string;
  readonly code: string;
  readonly previousCode: string;
}

export interface SubscriptionHooks {
  /** The subscription became active (created active, approved, reactivated), inside that transaction. */
  activated?(trx: Kysely<Database>, change: SubscriptionChange): Promise<void>;
  /** Every creation or state change, inside its transaction (after `activated`). */
  changed?(trx: Kysely<Database>, change: SubscriptionChange): Promise<void>;
  /** Every product update, inside its transaction. */
  productChanged?(trx: Kysely<Database>, change: ProductChange): Promise<void>;
}

export async function runChangeHooks(hooks: SubscriptionHooks, trx: Kysely<Database>, change: SubscriptionChange): Promise<void> {
  if (change.to === 'active' && change.from !== 'active') await hooks.activated?.(trx, change);
  await hooks.changed?.(trx, change);
}
