// The PostgreSQL a test run uses, shared by `npm test` (scripts/test.ts) and the per-file profile
// (scripts/test-profile.ts): one embedded cluster per port, and a migrated template database that
// each test file clones (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of migrations.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_ROLE, startEmbedded, ensureDatabase, createPool, grantAppRole, migrate } from '../src/db/index.ts';

export interface TestCluster {
  dataDir: string;
  /** Environment the test files read (test/support/db.ts). */
  env: Record<string, string>;
  stop: () => Promise<void>;
}

export async function startTestCluster(root: string, port: number): Promise<TestCluster> {
  const dataDir = join(root, '.test-data', String(port));
  await mkdir(dataDir, { recursive: true });
  const server = await startEmbedded({ dataDir, port, mode: 'own' });
  try {
    const adminUrl = server.url('postgres');
    const admin = createPool(adminUrl, 2);
    await admin.query('DROP DATABASE IF EXISTS varco_template WITH (FORCE)');
    // Databases left by an interrupted earlier run.
    const stale = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'varco_t_%'");
    for (const row of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await admin.end();
    await ensureDatabase(adminUrl, 'varco_template');
    const templatePool = createPool(server.url('varco_template'), 2);
    await migrate(templatePool);
    // startEmbedded created the application role in the cluster; databases cloned from the template
    // inherit these grants, so tests connect as Varco does (test/support/db.ts).
    await grantAppRole(templatePool, APP_ROLE);
    await templatePool.end();
    const env = { VARCO_TEST_PG_URL: adminUrl, VARCO_TEST_APP_PG_URL: server.appUrl('postgres'), VARCO_TEST_TEMPLATE: 'varco_template' };
    return { dataDir, env, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
