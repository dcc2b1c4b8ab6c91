import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import type pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { createKysely, createPool, type Database } from '../../src/db/index.ts';

// A database per test file, cloned from the migrated template `npm test` prepares. Tests use it as
// Varco does, through the application role (no superuser, only SELECT and INSERT on the audit
// tables), so a missing grant fails a test; `owner` is the superuser, for tampering behind Varco.

export interface TestDatabase {
  /** As the application role (`varco_app`): give it as DATABASE_URL. */
  url: string;
  name: string;
  pool: pg.Pool;
  db: Kysely<Database>;
  /** As the superuser that owns the tables (VARCO_DATABASE_OWNER_URL, or edits behind Varco's back). */
  ownerUrl: string;
  owner: pg.Pool;
  adminUrl: string;
}

export function testServerUrl(): string {
  const url = process.env.VARCO_TEST_PG_URL;
  if (!url) throw new Error('VARCO_TEST_PG_URL is not set: run tests with `npm test` (or `npm test -- --quick path/to/file.test.ts`).');
  return url;
}

/** The test cluster as the application role (`npm test` creates it once per cluster and grants it on the template). */
export function testAppUrl(): string {
  const url = process.env.VARCO_TEST_APP_PG_URL;
  if (!url) throw new Error('VARCO_TEST_APP_PG_URL is not set: run tests with `npm test` (or `npm test -- --quick path/to/file.test.ts`).');
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Statements run as the owner with triggers off (`session_replication_role = replica`, superuser
 * only), in one transaction: what someone with the database's superuser could do behind Varco.
 */
export async function tamper(owner: pg.Pool, statements: Array<[string, unknown[]?]>): Promise<void> {
  const client = await owner.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    for (const [text, params] of statements) await client.query(text, params ?? []);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Creates an empty database (no migrations) on the test server; dropped after the file. */
export async function createEmptyDatabase(prefix = 'varco_t_'): Promise<{ url: string; name: string }> {
  const adminUrl = testServerUrl();
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  const admin = createPool(adminUrl, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  after(async () => {
    const drop = createPool(adminUrl, 1);
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await drop.end();
  });
  return { url: withDatabase(adminUrl, name), name };
}

/** A migrated database for this test file, closed and dropped when the file ends. */
export async function createTestDatabase(poolSize = 5): Promise<TestDatabase> {
  const adminUrl = testServerUrl();
  const template = process.env.VARCO_TEST_TEMPLATE ?? 'varco_template';
  const name = `varco_t_${randomBytes(6).toString('hex')}`;
  const admin = createPool(adminUrl, 1);
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = withDatabase(testAppUrl(), name);
  const ownerUrl = withDatabase(adminUrl, name);
  const pool = createPool(url, poolSize);
  const db = createKysely(pool);
  const owner = createPool(ownerUrl, 2);
  after(async () => {
    await db.destroy().catch(() => undefined);
    // Kysely ends the pool only if it was used; a file that queried through `pool` alone would hang.
    if (!pool.ended) await pool.end().catch(() => undefined);
    await owner.end().catch(() => undefined);
    const drop = createPool(adminUrl, 1);
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await drop.end();
  });
  return { url, name, pool, db, ownerUrl, owner, adminUrl };
}

/**
 * One connection to `ownerUrl` on which auto_explain reports, as notices, the plan of every statement
 * (nested ones included, with the rows PostgreSQL counted): `notices` collects them. auto_explain is
 * loaded per session, which takes the superuser (the owner), not Varco's role.
 */
export async function explainedConnection(ownerUrl: string): Promise<{ db: Kysely<Database>; notices: string[] }> {
  const pool = createPool(ownerUrl, 1);
  const notices: string[] = [];
  pool.on('connect', (client) => client.on('notice', (notice) => notices.push(String(notice.message))));
  const db = createKysely(pool);
  try {
    await sql`LOAD 'auto_explain'`.execute(db);
    for (const setting of ['log_min_duration = 0', 'log_analyze = on', 'log_nested_statements = on', 'log_level = notice']) {
      await sql.raw(`SET auto_explain.${setting}`).execute(db);
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, notices };
}
