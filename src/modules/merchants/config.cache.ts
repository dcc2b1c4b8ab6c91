/**
 * The hosted page's memory of merchant configurations (MerchantDirectory in front of the merchant
 * settings service), so an entry costs one database round trip (the order) instead of two.
 *
 * Kept correct by PostgreSQL: `varco_merchant_config` is notified at the commit of any change to
 * merchants, their settings or PSPID claims (triggers on this module's tables, migrations 0007 and
 * 0010) and of e-commerce subscriptions or the product's code (merchant.hooks.ts, called inside the
 * subscriptions module's transactions), and every instance drops its cache. As with API keys (docs/adr/0005-api-keys.md): while the LISTEN
 * connection is down nothing is cached (slower, never stale) and the cache starts empty once it
 * is back; a lookup that started before an invalidation does not store what it read (epoch).
 * A one-minute age limit is a safety net only. In the process that made a change, the notification
 * arrives a moment after its commit; `invalidate()` lets that process drop the cache at once.
 */
import { createNotifiedMemo } from '../../db/index.ts';
import type { EcommerceEnv, MerchantConfig, MerchantDirectory } from './merchant.types.ts';

export const MERCHANT_CONFIG_CHANNEL = 'varco_merchant_config';

export interface ConfigCache extends MerchantDirectory {
  /** Starts listening; until then (and without a database URL) every lookup reads the database. */
  start(): Promise<void>;
  stop(): Promise<void>;
  invalidate(): void;
  readonly listening: boolean;
}

export interface ConfigCacheOptions {
  directory: MerchantDirectory;
  /** For the LISTEN connection; without it nothing is cached. */
  databaseUrl: string | undefined;
  maxAgeMs?: number;
  maxEntries?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export function createConfigCache(options: ConfigCacheOptions): ConfigCache {
  const memo = createNotifiedMemo({
    databaseUrl: options.databaseUrl,
    channel: MERCHANT_CONFIG_CHANNEL,
    applicationName: 'varco-merchant-config',
    maxAgeMs: options.maxAgeMs,
    maxEntries: options.maxEntries,
    downMessage: 'merchant configuration listener lost its connection; reading every configuration from the database',
    logger: options.logger,
  });
  return {
    // PSPIDs are unique case-insensitively; unknown ones are remembered too, so junk cannot hammer the database.
    configFor: (pspid: string, env: EcommerceEnv): Promise<MerchantConfig | undefined> =>
      memo.remember(`${env}:${pspid.toUpperCase()}`, () => options.directory.configFor(pspid, env)),
    invalidate: memo.changed,
    start: memo.start,
    stop: memo.stop,
    get listening() {
      return memo.listening;
    },
  };
}
