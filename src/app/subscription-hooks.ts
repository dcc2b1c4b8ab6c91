import { merchantSubscriptionHooks } from '../modules/merchants/index.ts';
import type { SubscriptionHooks } from '../modules/subscriptions/index.ts';

// What other modules do inside the subscriptions module's transactions (no triggers on its tables,
// docs/adr/0023-ecommerce-split.md). Every place that builds a service of that module passes these,
// so every path that approves a subscription (portal, back office, CLI, automatic approval) reserves
// the merchant's PSPID in the same transaction. The option is required: a new construction site
// cannot forget it.
export const subscriptionHooks: SubscriptionHooks = merchantSubscriptionHooks;
