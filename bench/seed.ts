import { randomBytes } from 'node:crypto';
import { createKysely, createPool, type Database, type Kysely } from '../src/db/index.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { createOrganisationsService } from '../src/modules/organisations/index.ts';
import { createKeysService, createProductsService } from '../src/modules/subscriptions/index.ts';
import { createMerchantsService, merchantSubscriptionHooks as subscriptionHooks } from '../src/modules/merchants/index.ts';
import { loadMasterKey } from '../src/app/master-key.ts';
import { loadConfig } from '../src/config/index.ts';
import { createAuditLog } from '../src/modules/audit/index.ts';
import { generateSecretboxKey } from '../src/kernel/secretbox.ts';

// Data the load runs need, made through the module services (as the CLI would) in the running
// server's database: an organisation and API keys of a product whose rate limit the load cannot hit.

const CLI = { type: 'cli', id: null, ip: null } as const;
// The benchmark's throwaway database: its audit rows are keyed with a key of their own (nobody
// verifies that chain), so seeding needs no master key.
export const benchAudit = createAuditLog({ clock: systemClock, masterKey: generateSecretboxKey() });

export interface BenchDatabase {
  db: Kysely<Database>;
  close(): Promise<void>;
}

export function openBenchDatabase(url: string): BenchDatabase {
  const pool = createPool(url, 4);
  const db = createKysely(pool);
  return {
    db,
    close: async () => {
      await db.destroy();
      if (!pool.ended) await pool.end();
    },
  };
}

export async function seedOrganisation(db: Kysely<Database>, type: 'psp' | 'merchant' = 'psp'): Promise<string> {
  const created = await createOrganisationsService({ db, clock: systemClock, audit: benchAudit }).create(
    {
      name: `Bench ${type} ${randomBytes(3).toString('hex')}`,
      taxCode: `BENCH-${randomBytes(5).toString('hex')}`,
      taxCodeKind: 'other',
      type,
      contactEmail: 'bench@varco.test',
    },
    CLI,
  );
  if (!created.ok) throw new Error(`seeding an organisation failed: ${created.reason}`);
  return created.value.id;
}

/**
 * `count` active subscriptions, one primary key each. Every load run uses its own subscription:
 * the product allows 1,000,000 requests a minute (the maximum), and a fresh window per run keeps
 * 429s out of the measurement whatever the machine's speed.
 */
export async function seedApiKeys(db: Kysely<Database>, organisationId: string, count: number): Promise<string[]> {
  const code = `bench${randomBytes(3).toString('hex')}`;
  const product = await createProductsService({ db, clock: systemClock, audit: benchAudit, hooks: subscriptionHooks }).create(
    {
      code,
      name: 'Benchmark',
      description: 'npm run bench',
      routeGroups: ['ping'],
      approvalRequiredTest: false,
      approvalRequiredProd: false,
      rateLimitPerMinute: 1_000_000,
    },
    CLI,
  );
  if (!product.ok) throw new Error(`seeding a product failed: ${product.reason}`);
  const keys = createKeysService({ db, clock: systemClock, audit: benchAudit, publicUrl: 'https://localhost', hooks: subscriptionHooks });
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await keys.createActive({ organisationId, productCode: code, environment: 'test', name: `bench ${i + 1}` }, CLI);
    if (!created.ok) throw new Error(`seeding a subscription failed: ${created.reason}`);
    out.push(created.value.primary);
  }
  return out;
}

export interface BenchMerchant {
  merchantId: string;
  pspid: string;
  /** SHA-IN passphrase of `test` (SHA-512, UTF-8, each parameter: the defaults). */
  shaIn: string;
}

/** A merchant with an active `ecommerce` subscription in test and a SHA-IN passphrase, sealed with the server's master key. */
export async function seedMerchant(db: Kysely<Database>, dataDir: string): Promise<BenchMerchant> {
  const organisationId = await seedOrganisation(db, 'merchant');
  const keys = createKeysService({ db, clock: systemClock, audit: benchAudit, publicUrl: 'https://localhost', hooks: subscriptionHooks });
  const subscription = await keys.createActive({ organisationId, productCode: 'ecommerce', environment: 'test', name: 'bench shop' }, CLI);
  if (!subscription.ok) throw new Error(`seeding an ecommerce subscription failed: ${subscription.reason}`);
  const masterKey = await loadMasterKey(loadConfig({ VARCO_DATA_DIR: dataDir }));
  const merchants = createMerchantsService({ db, clock: systemClock, audit: benchAudit, masterKey, publicUrl: 'https://localhost' });
  const pspid = `bench${randomBytes(3).toString('hex')}`;
  const created = await merchants.create({ organisationId, pspid }, CLI);
  if (!created.ok) throw new Error(`seeding a merchant failed: ${created.reason}`);
  const shaIn = `Bench-passphrase-${randomBytes(6).toString('hex')}!`;
  const updated = await merchants.updateSettings(created.value.id, 'test', { shaIn: { action: 'set', value: shaIn, confirm: shaIn } }, CLI);
  if (!updated.ok) throw new Error(`configuring the merchant failed: ${JSON.stringify(updated.problems)}`);
  return { merchantId: created.value.id, pspid, shaIn };
}
