import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import { createReconciliation, RECONCILE_EVERY_MS, type Acquirer, type ReconciliationOptions } from '../modules/checkout/index.ts';
import type { EcommerceEnv, MerchantDirectory } from '../modules/merchants/index.ts';
import type { PeriodicJob } from './jobs.ts';

// The hosted page's reconciliation (docs/adr/0022-order-reconciliation.md): payments left "being
// processed" (99) by an acquirer call that threw or timed out are settled from the acquirer's
// status query, once a minute, by one instance at a time (the job's lease, src/app/jobs.ts); the
// guarded settle (row lock at 99) keeps a payment from being settled twice anyway.

export const RECONCILIATION_JOB = 'orders.reconcile';

export interface ReconciliationJobDeps {
  db: Kysely<Database>;
  clock: Clock;
  merchants: MerchantDirectory;
  acquirers: Partial<Record<EcommerceEnv, Acquirer>>;
  logger?: ReconciliationOptions['logger'];
  /** Tests shorten the times; production uses the module's constants. */
  tuning?: Pick<ReconciliationOptions, 'graceMs' | 'maxAgeMs' | 'queryTimeoutMs' | 'batch'>;
}

export function reconciliationJob(deps: ReconciliationJobDeps): PeriodicJob {
  const reconciliation = createReconciliation({ db: deps.db, clock: deps.clock, merchants: deps.merchants, acquirers: deps.acquirers,
    ...(deps.logger ? { logger: deps.logger } : {}), ...deps.tuning });
  return { name: RECONCILIATION_JOB, everyMs: RECONCILE_EVERY_MS, run: async (now) => ({ ...await reconciliation.run(now) }) };
}
