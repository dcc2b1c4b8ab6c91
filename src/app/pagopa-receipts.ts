import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { AuditLog } from '../modules/audit/index.ts';
import type { DeliveryHandler } from '../modules/delivery/index.ts';
import { createExchangeLog } from '../modules/pagopa-exchanges/index.ts';
import { createReceiptDeliveryHandler } from '../modules/pagopa-receipts/index.ts';
import { createPagopaSimulator } from '../modules/pagopa-simulator/index.ts';
import { createSubscriptionsService } from '../modules/subscriptions/index.ts';
import { subscriptionHooks } from './subscription-hooks.ts';
import { wirePagopaRegistry } from './pagopa-registry.ts';
import { wireStationServices } from './stations.ts';
import type { Logger } from './logger.ts';

// Wiring of receipt delivery for the workers (the outbox channel `soap`): the registry's receipt
// routes, the test EC simulator, the station caller (Varco's client certificate, mutual TLS) and the
// exchange log, with the configured timeout and retry schedule.

export interface ReceiptDelivery {
  handler: DeliveryHandler;
  /** Closes the station caller's connection pools. */
  close(): Promise<void>;
}

/**
 * The station's answer timeout, kept well inside the outbox lease: the worker abandons a delivery at
 * 80 % of the lease, and an attempt cut that way would not be recorded with the receipt.
 */
export function receiptTimeoutMs(config: Pick<Config, 'pagopaRtTimeoutMs' | 'outboxLeaseMs'>): number {
  return Math.max(1000, Math.min(config.pagopaRtTimeoutMs, Math.floor(config.outboxLeaseMs * 0.6)));
}

export function wireReceiptDelivery(deps: { config: Config; db: Kysely<Database>; clock: Clock; audit: AuditLog; masterKey: Buffer | undefined; logger: Logger }): ReceiptDelivery {
  const { config, db, clock, audit } = deps;
  const subscriptions = createSubscriptionsService({ db, clock, audit, publicUrl: config.publicUrl, hooks: subscriptionHooks });
  const { stationCaller } = wireStationServices({ config, db, clock, audit, masterKey: deps.masterKey, subscriptions });
  const handler = createReceiptDeliveryHandler({
    db, clock, directory: wirePagopaRegistry({ db, clock, audit, subscriptions }), simulator: createPagopaSimulator({ db, clock, audit }), stationCaller,
    exchanges: createExchangeLog({ db, clock }), responseTimeoutMs: receiptTimeoutMs(config), schedule: config.pagopaRtRetry, publicUrl: config.publicUrl,
    logger: deps.logger,
  });
  return { handler, close: () => stationCaller.close() };
}
