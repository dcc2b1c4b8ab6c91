import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import type pg from 'pg';
import type { Kysely } from 'kysely';
import { createKysely, createPool, type Database } from '../../src/db/index.ts';

// A database per test file, cloned from the migrated template `npm test` prepares.

export interface TestDatabase {
  url: string;
  name: string;
  pool: pg.Pool;
  db: Kysely<Database>;
  adminUrl: string;
}

export function testServerUrl(): string {
  const url = process.env.VARCO_TEST_PG_URL;
  if (!url) throw new Error('VARCO_TEST_PG_URL is not set: run tests with `npm test` (or `npm test -- --quick path/to/file.test.ts`).');
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
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
  const url = withDatabase(adminUrl, name);
  const pool = createPool(url, poolSize);
  const db = createKysely(pool);
  after(async () => {
    await db.destroy().catch(() => undefined);
    // Kysely ends the pool only if it was used; a file that queried through `pool` alone would hang.
    if (!pool.ended) await pool.end().catch(() => undefined);
    const drop = createPool(adminUrl, 1);
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await drop.end();
  });
  return { url, name, pool, db, adminUrl };
}
