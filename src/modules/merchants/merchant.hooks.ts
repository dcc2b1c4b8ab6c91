import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { SubscriptionHooks } from '../subscriptions/index.ts';
import { MERCHANT_CONFIG_CHANNEL } from './config.cache.ts';
import { ECOMMERCE_PRODUCT, claimOnActivation } from './merchants.repository.ts';

// What the merchants module does inside the subscriptions module's transactions (registered by the
// composition root; replaces the triggers migrations 0007 and 0010 put on subscriptions and
// products, docs/adr/0023-ecommerce-split.md):
// - an `ecommerce` subscription becoming active reserves the merchant's PSPID in that environment,
//   whichever path approved it (portal, back office, CLI, operator's createActive), atomically;
// - any change of an `ecommerce` subscription, or of the `ecommerce` product's code, changes what
//   the hosted page may accept: every instance's configuration cache is dropped at commit.

async function notifyConfigChanged(trx: Kysely<Database>, subject: string): Promise<void> {
  await sql`SELECT pg_notify(${MERCHANT_CONFIG_CHANNEL}, ${subject})`.execute(trx);
}

export const merchantSubscriptionHooks: SubscriptionHooks = {
  activated: async (trx, change) => {
    if (change.productCode === ECOMMERCE_PRODUCT) await claimOnActivation(trx, change.organisationId, change.environment, change.at);
  },
  changed: async (trx, change) => {
    if (change.productCode === ECOMMERCE_PRODUCT) await notifyConfigChanged(trx, 'subscriptions');
  },
  productChanged: async (trx, change) => {
    if (change.code !== change.previousCode && [change.code, change.previousCode].includes(ECOMMERCE_PRODUCT)) await notifyConfigChanged(trx, 'products');
  },
};
