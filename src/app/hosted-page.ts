import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import {
  createEntryService, createOrdersService, createPaymentService, createTestAcquirer, type Acquirer, type EntryService, type OrdersService,
  type PaymentService,
} from '../modules/checkout/index.ts';
import { createConfigCache, type ConfigCache, type EcommerceEnv, type ErrorLogService, type MerchantDirectory } from '../modules/merchants/index.ts';
import type { DestinationPolicy } from '../modules/outbound/index.ts';
import type { StationServices } from '../modules/stations/index.ts';
import { createFeedbackSender, type FeedbackSender } from './feedback.ts';

// Wiring of the hosted payment page: the merchant directory and error log (merchant settings), the
// built-in test acquirer for `test` (`prod` has no payment processor yet, so its entry is refused),
// and the online server-to-server attempt through the outbound client.

export interface HostedPageServices {
  entry: EntryService;
  payment: PaymentService;
  orders: OrdersService;
  /** Closed with the app: its outbound pools. */
  feedback: FeedbackSender;
  /** Merchant configurations in memory, dropped on every change (LISTEN); started and stopped with the app. */
  configs: ConfigCache;
  /** The acquirer per environment; the reconciliation job of this process asks the same ones. */
  acquirers: Partial<Record<EcommerceEnv, Acquirer>>;
}

export interface HostedPageDeps extends Pick<StationServices, 'trust'> {
  /** Where server-to-server feedback may be delivered (VARCO_OUTBOUND_ALLOW_CIDRS). */
  destinations: DestinationPolicy;
  db: Kysely<Database>;
  clock: Clock;
  /** The merchant settings service (its configFor). */
  merchants: MerchantDirectory;
  errorLog: Pick<ErrorLogService, 'recordEntryError'>;
  /** For the configuration cache's LISTEN connection; without it every entry reads the settings. */
  databaseUrl: string | undefined;
  /** Warnings of the payment page (an interrupted acquirer call). */
  logger?: { warn(obj: object, msg?: string): void };
  /** Default: the built-in test acquirer for `test`. Tests give a twin they can make fail. */
  acquirers?: Partial<Record<EcommerceEnv, Acquirer>>;
}

export function wireHostedPage(deps: HostedPageDeps): HostedPageServices {
  const { db, clock, errorLog } = deps;
  const feedback = createFeedbackSender({ trust: deps.trust, destinations: deps.destinations });
  const merchants = createConfigCache({ directory: deps.merchants, databaseUrl: deps.databaseUrl });
  const acquirers = deps.acquirers ?? { test: createTestAcquirer() };
  return {
    entry: createEntryService({ db, clock, merchants, processors: new Set(['test']), recordError: async (error) => { await errorLog.recordEntryError(error); } }),
    payment: createPaymentService({ db, clock, merchants, acquirers, sendNow: feedback.online,
      ...(deps.logger ? { logger: deps.logger } : {}) }),
    orders: createOrdersService({ db }),
    feedback,
    configs: merchants,
    acquirers,
  };
}
