import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { AuditLog } from '../modules/audit/index.ts';
import { createPagopaRegistry, type Environment, type PagopaRegistry } from '../modules/pagopa-registry/index.ts';
import type { SubscriptionsService } from '../modules/subscriptions/index.ts';

// Wiring of the pagoPA registry for the server and the CLI. Referents manage the registry of an
// environment only while their organisation has an active `node` subscription there (the product
// whose key the node's SOAP endpoint takes), which the subscriptions module knows.

/** Whether the organisation has an active subscription to the `node` product in `env`. */
export function nodeActiveFrom(subscriptions: Pick<SubscriptionsService, 'list'>) {
  return async (organisationId: string, env: Environment): Promise<boolean> =>
    (await subscriptions.list({ organisationId, state: 'active' })).some((s) => s.product_code === 'node' && s.environment === env);
}

export function wirePagopaRegistry(wiring: { db: Kysely<Database>; clock: Clock; audit: AuditLog; subscriptions: Pick<SubscriptionsService, 'list'> }): PagopaRegistry {
  return createPagopaRegistry({ db: wiring.db, clock: wiring.clock, audit: wiring.audit, nodeActive: nodeActiveFrom(wiring.subscriptions) });
}
