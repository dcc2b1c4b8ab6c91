import pg from 'pg';
import { splitDatabaseUrl } from '../config/index.ts';

// Host failover for a DATABASE_URL naming several hosts (docs/adr/0033-database-failover.md).
// node-postgres connects to one host only, so every connection Varco opens — pooled or LISTEN — is a
// FailoverClient: it connects to the host that last answered as a primary; when that host refuses,
// or answers read-only (a standby, or a demoted primary), the host is forgotten, the failure is
// reported to the caller (one failed query, like any database blip) and the next connection probes
// the hosts again in the order given, as libpq does with target_session_attrs=read-write.

interface Target {
  host: string;
  port: number;
}

/** Thrown when no host accepts a read-write session; retryable, like a dropped connection. */
export class NoPrimaryError extends Error {
  readonly code = 'database_no_primary';
}

function targetOf(url: string): Target {
  const parsed = new pg.Client({ connectionString: url });
  return { host: parsed.host, port: parsed.port };
}

async function isReadOnly(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
  return rows[0]?.transaction_read_only === 'on';
}

/** The hosts of one URL and which of them answered as wanted last; shared by every client of the URL. */
class HostChoice {
  private current: number | undefined;
  private probing: Promise<number> | undefined;
  private readonly urls: string[];
  readonly readWrite: boolean;
  constructor(urls: string[], readWrite: boolean) {
    this.urls = urls;
    this.readWrite = readWrite;
  }

  get targets(): Target[] {
    return this.urls.map(targetOf);
  }

  /** The index to connect to: the remembered one, or the first host (in order) that answers as wanted. */
  async choose(): Promise<number> {
    if (this.current !== undefined) return this.current;
    this.probing ??= this.probe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  forget(index: number): void {
    if (this.current === index) this.current = undefined;
  }

  private async probe(): Promise<number> {
    const problems: string[] = [];
    for (const [index, url] of this.urls.entries()) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, application_name: 'varco-probe' });
      client.on('error', () => undefined);
      try {
        await client.connect();
        if (this.readWrite && (await isReadOnly(client))) problems.push(`${index + 1}: read-only`);
        else {
          this.current = index;
          return index;
        }
      } catch (error) {
        problems.push(`${index + 1}: ${(error as Error).message}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw new NoPrimaryError(`No database host accepts ${this.readWrite ? 'read-write ' : ''}connections (${problems.join('; ')})`);
  }
}

type ConnectCallback = ((err: Error) => void) | ((err: null, c: pg.Client) => void);

/**
 * A pg.Client class for `url`: plain pg.Client for a single host without target_session_attrs,
 * a failover client otherwise. Pass it as the pool's `Client`, or construct it for a LISTEN connection.
 */
export function clientClassFor(url: string): typeof pg.Client {
  // One host choice per URL for the whole process: the pool and the LISTEN connections learn together.
  let known = classes.get(url);
  if (!known) {
    known = makeClientClass(url);
    classes.set(url, known);
  }
  return known;
}

const classes = new Map<string, typeof pg.Client>();

/** How long `end()` waits for the server's goodbye before it closes the socket itself. */
const END_WITHIN_MS = 2_000;

/**
 * A client whose `end()` is bounded. node-postgres ends an idle connection by sending Terminate and
 * waiting for the socket to close; on a connection that died without a word (a NAT or firewall dropped
 * it: no reset, writes still "succeed") that wait lasts until TCP gives up, minutes later, and held a
 * server's shutdown (the pool's end, a LISTEN connection's stop) for as long. After END_WITHIN_MS the
 * socket is destroyed, which ends the client as a lost connection would.
 */
class BoundedEndClient extends pg.Client {
  override end(): Promise<void>;
  override end(callback: (error: Error) => void): void;
  override end(callback?: (error: Error) => void): Promise<void> | void {
    const socket = (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
    const timer = setTimeout(() => socket?.destroy(), END_WITHIN_MS);
    timer.unref();
    const ended = super.end().finally(() => clearTimeout(timer));
    if (!callback) return ended;
    ended.then(
      () => (callback as (error?: Error) => void)(),
      (error: Error) => callback(error),
    );
  }
}

function makeClientClass(url: string): typeof pg.Client {
  const split = splitDatabaseUrl(url);
  if (!split || (split.urls.length === 1 && !split.readWrite)) return BoundedEndClient;
  const choice = new HostChoice(split.urls, split.readWrite);
  const targets = choice.targets;
  class FailoverClient extends BoundedEndClient {
    constructor(config?: pg.ClientConfig) {
      // The first host's URL supplies user, password, database and options; the host is chosen at connect.
      super({ ...config, connectionString: split?.urls[0] });
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<pg.Client> | void {
      const done = this.connectToChosen().then(() => this);
      if (!callback) return done;
      done.then(
        (client) => (callback as (err: null, c: pg.Client) => void)(null, client),
        (error: Error) => (callback as (err: Error) => void)(error),
      );
    }

    private async connectToChosen(): Promise<void> {
      const index = await choice.choose();
      const target = targets[index];
      if (!target) throw new NoPrimaryError('no database host');
      // Read by pg.Client when it opens the socket (connect → _connect), not before.
      this.host = target.host;
      this.port = target.port;
      Object.assign((this as unknown as { connectionParameters: object }).connectionParameters, target);
      try {
        await super.connect();
      } catch (error) {
        choice.forget(index);
        throw error;
      }
      if (choice.readWrite && (await isReadOnly(this).catch(() => true))) {
        choice.forget(index);
        await this.end().catch(() => undefined);
        throw new NoPrimaryError(`Database host ${target.host}:${target.port} is read-only now (promoted elsewhere?)`);
      }
    }
  }
  return FailoverClient;
}

/** One client for `url` (a LISTEN connection), following the primary like the pool does. */
export function createClient(url: string, config: Omit<pg.ClientConfig, 'connectionString'>): pg.Client {
  const Client = clientClassFor(url);
  return new Client({ ...config, connectionString: url });
}
