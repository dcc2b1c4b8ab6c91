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
import { createListener, type Listener } from '../../db/index.ts';
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

interface Entry {
  config: MerchantConfig | undefined;
  storedAt: number;
}

export function createConfigCache(options: ConfigCacheOptions): ConfigCache {
  const { directory } = options;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  let epoch = 0;
  let listener: Listener | undefined;

  const invalidate = (): void => {
    epoch++;
    entries.clear();
  };
  const listening = (): boolean => listener?.listening === true;

  async function configFor(pspid: string, env: EcommerceEnv): Promise<MerchantConfig | undefined> {
    // PSPIDs are unique case-insensitively; unknown ones are remembered too, so junk cannot hammer the database.
    const key = `${env}:${pspid.toUpperCase()}`;
    const now = Date.now();
    if (listening()) {
      const hit = entries.get(key);
      if (hit && now - hit.storedAt < maxAgeMs) return hit.config;
    }
    const seen = epoch;
    const config = await directory.configFor(pspid, env);
    if (listening() && seen === epoch) {
      // Insertion order is age order: drop the oldest when full.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value ?? '');
      entries.set(key, { config, storedAt: now });
    }
    return config;
  }

  return {
    configFor,
    invalidate,
    get listening() {
      return listening();
    },
    start: async () => {
      if (options.databaseUrl === undefined || listener) return;
      listener = createListener({
        url: options.databaseUrl,
        channel: MERCHANT_CONFIG_CHANNEL,
        applicationName: 'varco-merchant-config',
        hooks: {
          onNotify: invalidate,
          onUp: invalidate,
          onDown: (error) => {
            invalidate();
            if (error)
              options.logger?.warn(
                { err: error.message },
                'merchant configuration listener lost its connection; reading every configuration from the database',
              );
          },
        },
      });
      await listener.start();
    },
    stop: async () => {
      await listener?.stop();
      listener = undefined;
      invalidate();
    },
  };
}
