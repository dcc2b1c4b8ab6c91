import pg from 'pg';
import { Kysely, PostgresDialect, PostgresDriver, type DatabaseConnection, type Driver, type PostgresDialectConfig, type TransactionSettings } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from './schema.ts';
import { clientClassFor } from './failover.ts';
import { ensureDatabase, startEmbedded, type EmbeddedServer } from './embedded.ts';

// timestamptz and bigint come back as Date and number; counts we keep are far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export interface DatabaseHandle {
  /** As the application role: everything the server, workers and CLI commands do. */
  db: Kysely<Database>;
  pool: pg.Pool;
  url: string;
  /** The owner of the schema, for migrations and grants only (equal to `url` when no owner is configured). */
  ownerUrl: string;
  embedded: EmbeddedServer | undefined;
  /** Closes the pool and stops the embedded server if this process started it. */
  close(): Promise<void>;
}

export function createPool(url: string, max: number): pg.Pool {
  // Client: several hosts in DATABASE_URL are tried in order, keeping to the primary (src/db/failover.ts).
  const pool = new pg.Pool({ connectionString: url, Client: clientClassFor(url), max, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000 });
  // A dropped connection (database restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // The pool listens for errors only on idle clients. A client checked out (by Kysely, for a query)
  // whose connection drops emits 'error' too, and without a listener that is an uncaught exception
  // that kills the process; the query itself already rejects, so the event has nothing to add.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

// Every transaction Varco begins says READ COMMITTED unless it asks for another level. Code that takes
// a lock (an advisory lock, FOR UPDATE) and then reads — the audit chain's head, the last enabled
// administrator — relies on each statement seeing what was committed before it, including by whoever
// held the lock. Under a default of REPEATABLE READ or SERIALIZABLE (ALTER DATABASE/ROLE … SET
// default_transaction_isolation, or postgresql.conf) the snapshot is taken at the first statement,
// before the lock is granted, and such a read would miss the holder's rows (two audit rows chaining to
// one predecessor). Said in each BEGIN rather than set per session: it holds behind a pooler too.
class ReadCommittedDriver extends PostgresDriver {
  override beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return super.beginTransaction(connection, { ...settings, isolationLevel: settings.isolationLevel ?? 'read committed' });
  }
}

class ReadCommittedDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;
  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ReadCommittedDriver(this.#config);
  }
}

export function createKysely(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new ReadCommittedDialect({ pool }) });
}

/**
 * Embedded by default; DATABASE_URL switches to an external server and nothing embedded starts. The
 * pool connects as the application role (embedded: APP_ROLE; external: DATABASE_URL's role).
 */
export async function openDatabase(config: Config, options: { log?: (line: string) => void; mode?: 'own' | 'share' } = {}): Promise<DatabaseHandle> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  let ownerUrl = config.databaseOwnerUrl ?? url;
  if (url === undefined || ownerUrl === undefined) {
    embedded = await startEmbedded({ dataDir: config.dataDir, port: config.embeddedPgPort, ...options });
    await ensureDatabase(embedded.url('postgres'), 'varco');
    url = embedded.appUrl('varco');
    ownerUrl = embedded.url('varco');
  }
  const pool = createPool(url, config.dbPoolSize);
  const db = createKysely(pool);
  let closed = false;
  return {
    db,
    pool,
    url,
    ownerUrl,
    embedded,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      // Kysely ends the pool only if it ran a query; a command that only migrated (raw pg) would
      // otherwise keep an idle connection open and the process alive until the idle timeout.
      if (!pool.ended) await pool.end();
      await embedded?.stop();
    },
  };
}
