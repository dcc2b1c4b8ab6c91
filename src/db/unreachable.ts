import type { Config } from '../config/index.ts';

// A database that cannot be connected to, said the same way by the CLI and the server's start-up:
// what failed and the settings to check.

/** Node's (ECONNREFUSED, ENOTFOUND) and PostgreSQL's (08 connection, 28 authorisation, 3D000 no such database, 57P03 starting up) codes of a connection that failed. */
const CONNECTION_FAILURE = /^(E[A-Z]+|08...|28...|3D000|57P03)$/;

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** A database that cannot be connected to, said with the settings to check; undefined for other errors (a refused migration says itself what is wrong). */
export function unreachable(config: Config, error: unknown): Error | undefined {
  if (!CONNECTION_FAILURE.test(codeOf(error))) return undefined;
  return new Error(`cannot connect to the database: ${(error as Error).message}; ${databaseHint(config, error)}`, { cause: error });
}

/** What to check when the database refuses or does not answer with `error`. */
export function databaseHint(config: Config, error: unknown): string {
  if (config.databaseUrl === undefined) return `check the embedded PostgreSQL in ${config.dataDir} (VARCO_DATA_DIR), or set DATABASE_URL`;
  const settings = config.databaseOwnerUrl === undefined ? 'DATABASE_URL' : 'DATABASE_URL and VARCO_DATABASE_OWNER_URL';
  const code = codeOf(error);
  if (code.startsWith('28')) return `check the user and password in ${settings}`;
  if (code === '3D000') return `check the database name in ${settings}`;
  return `start PostgreSQL or check the host and port in ${settings}`;
}
