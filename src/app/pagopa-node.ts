import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { AuditLog } from '../modules/audit/index.ts';
import type { ExchangeLog } from '../modules/pagopa-exchanges/index.ts';
import { createPagopaNode, type NodeLogger, type PagopaNode, type ReceiptScheduler } from '../modules/pagopa-node/index.ts';
import type { PagopaDirectory } from '../modules/pagopa-registry/index.ts';
import type { PagopaSimulator } from '../modules/pagopa-simulator/index.ts';
import type { StationCaller } from '../modules/stations/index.ts';

// Wiring of the pagoPA node (issue 11): the registry routes and authorises, the station caller (or the
// test EC simulator) carries paForNode calls, the exchange log records every message, and the receipts
// module schedules receipts inside the outcome's transaction.

export interface PagopaNodeWiring {
  config: Pick<Config, 'pagopaVerifyTimeoutMs' | 'pagopaGetPaymentTimeoutMs'>;
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  pagopaRegistry: PagopaDirectory;
  stationCaller: Pick<StationCaller, 'send'>;
  pagopaSimulator: Pick<PagopaSimulator, 'isEnabled' | 'send'>;
  exchanges: Pick<ExchangeLog, 'record'>;
  receipts: ReceiptScheduler;
  logger: NodeLogger;
}

export function wirePagopaNode(wiring: PagopaNodeWiring): PagopaNode {
  return createPagopaNode({
    db: wiring.db, clock: wiring.clock, audit: wiring.audit, registry: wiring.pagopaRegistry, stationCaller: wiring.stationCaller, simulator: wiring.pagopaSimulator,
    exchanges: wiring.exchanges, receipts: wiring.receipts, logger: wiring.logger,
    timeouts: { verifyMs: wiring.config.pagopaVerifyTimeoutMs, getPaymentMs: wiring.config.pagopaGetPaymentTimeoutMs },
  });
}
