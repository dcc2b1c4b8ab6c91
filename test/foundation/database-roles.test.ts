import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { APP_FUNCTIONS, APP_ROLE, auditRoleProblems, createPool, ensureAppRole, grantAppRole, migrate } from '../../src/db/index.ts';
import { openMigratedDatabase } from '../../src/main/bootstrap.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createEmptyDatabase, createTestDatabase } from '../support/db.ts';
import { testConfig } from '../support/app.ts';

// Varco connects as an application role that is no superuser, owns no table and may only SELECT and
// INSERT the audit tables: what it runs (a bug, an injected statement) cannot rewrite, delete or stop
// the audit log. Migrations and grants run as the owner.

const database = await createTestDatabase();
const app = database.pool;

test('the application role is no superuser and may not create roles or databases', async () => {
  const { rows } = await app.query<{ rolname: string; rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolbypassrls: boolean }>(
    'SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user',
  );
  assert.deepEqual(rows, [{ rolname: APP_ROLE, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolbypassrls: false }]);
  assert.deepEqual(await auditRoleProblems(app), []);
  assert.deepEqual(await auditRoleProblems(database.owner), ['database role "postgres" is a superuser']);
});

test('the application role cannot UPDATE, DELETE, TRUNCATE, ALTER or drop the audit tables, nor turn triggers off', async () => {
  for (const table of ['audit_log', 'audit_checkpoints']) {
    for (const statement of [
      `UPDATE ${table} SET at = at`,
      `DELETE FROM ${table}`,
      `TRUNCATE ${table}`,
      `ALTER TABLE ${table} DISABLE TRIGGER USER`,
      `ALTER TABLE ${table} DISABLE TRIGGER ALL`,
      `ALTER TABLE ${table} OWNER TO ${APP_ROLE}`,
      `DROP TABLE ${table}`,
    ]) {
      await assert.rejects(app.query(statement), /permission denied|must be owner/, statement);
    }
  }
  await assert.rejects(app.query('SET session_replication_role = replica'), /permission denied/);
  await assert.rejects(app.query('DROP TRIGGER audit_log_no_update ON audit_log'), /must be owner/);
  await assert.rejects(app.query('CREATE TABLE audit_log_copy (id text)'), /permission denied/);
  const { rows } = await database.owner.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND tgenabled = 'O'",
  );
  assert.ok(rows[0]!.n >= 2, 'the triggers are still on');
});

test('the migration runner works as the application role on a migrated database (it cannot CREATE)', async () => {
  const result = await migrate(app);
  assert.deepEqual(result.applied, []);
  await assert.rejects(app.query('INSERT INTO varco_migrations (version, name, checksum) VALUES (999, $1, $1)', ['x']), /permission denied/);
});

test('grants are idempotent and take back more than SELECT and INSERT on the audit tables', async () => {
  await database.owner.query(`GRANT UPDATE, DELETE, TRUNCATE ON audit_log, audit_checkpoints TO ${APP_ROLE}`);
  assert.deepEqual(await auditRoleProblems(app), [`database role "${APP_ROLE}" may UPDATE/DELETE/TRUNCATE audit rows`]);
  await grantAppRole(database.owner, APP_ROLE);
  await grantAppRole(database.owner, APP_ROLE);
  assert.deepEqual(await auditRoleProblems(app), []);
  await assert.rejects(app.query('DELETE FROM audit_log'), /permission denied/);
});

test('a cluster that took EXECUTE on functions away from PUBLIC: the grants give Varco\u2019s functions (outbox, a cart\u2019s keys in the exchange log) back to the application role, and no other function', async () => {
  const lease = "SELECT count(*)::int AS n FROM varco_outbox_lease('w', '{http}', now(), now() + interval '1 minute', 1)";
  const record = "SELECT count(*)::int AS n FROM varco_outbox_record('w', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')";
  // A cart outcome's row: the INSERT's trigger writes its keys with pagopa_exchange_cart_keys_of (migration 0054).
  const cart = (id: string): string => `INSERT INTO pagopa_exchanges (id, environment, at, direction, operation, duration_ms, request, request_bytes,
    request_truncated, cart_notices) VALUES ('${id}', 'test', now(), 'in', 'sendPaymentOutcomeV2', 1, '<a/>', 4, false, '[{"token": "t1"}, {"token": "t2"}]')`;
  await database.owner.query(`REVOKE EXECUTE ON FUNCTION ${APP_FUNCTIONS.join(', ')} FROM PUBLIC, ${APP_ROLE}`);
  // A function of the schema that is none of Varco's, kept from PUBLIC on purpose (as a DBA does with dblink_connect_u).
  await database.owner.query('CREATE FUNCTION dba_only() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$');
  await database.owner.query('REVOKE EXECUTE ON FUNCTION dba_only() FROM PUBLIC');
  await assert.rejects(app.query(lease), /permission denied/);
  await assert.rejects(app.query(record), /permission denied/);
  await assert.rejects(app.query(cart('msg_00000000000000000000000001')), /permission denied/, 'no exchange is recorded');
  await grantAppRole(database.owner, APP_ROLE);
  assert.deepEqual((await app.query(lease)).rows, [{ n: 0 }]);
  assert.deepEqual((await app.query(record)).rows, [{ n: 0 }]);
  await app.query(cart('msg_00000000000000000000000002'));
  assert.deepEqual((await app.query('SELECT count(*)::int AS n FROM pagopa_exchange_cart_keys')).rows, [{ n: 2 }]);
  await assert.rejects(app.query('SELECT dba_only()'), /permission denied/);
});

test("grants on a schema older than the outbox functions (a restore migrates to the backup's version first) succeed", async () => {
  const { url, name } = await createEmptyDatabase('varco_roles_');
  const owner = createPool(url, 1);
  try {
    await migrate(owner, { target: 30 });
    await grantAppRole(owner, APP_ROLE);
    const { rows } = await owner.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_proc WHERE proname LIKE 'varco_outbox_%'");
    assert.deepEqual(rows, [{ n: 0 }], `${name} is at version 30`);
    await migrate(owner);
    await grantAppRole(owner, APP_ROLE);
    const granted = await owner.query<{ ok: boolean }>(`SELECT bool_and(has_function_privilege($1, f, 'EXECUTE')) AS ok FROM unnest($2::text[]) AS f`, [
      APP_ROLE,
      [...APP_FUNCTIONS],
    ]);
    assert.deepEqual(granted.rows, [{ ok: true }]);
  } finally {
    await owner.end();
  }
});

async function openWith(env: Record<string, string>): Promise<string> {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    }),
  );
  const handle = await openMigratedDatabase(await testConfig(env), logger, 'share', { warnAboutRole: true });
  await handle.close();
  return lines.join('');
}

test('an external DATABASE_URL that is a superuser starts with a clear warning; the owner as VARCO_DATABASE_OWNER_URL and a plain role do not', async () => {
  const warned = await openWith({ DATABASE_URL: database.ownerUrl });
  assert.match(warned, /"level":40/);
  assert.match(warned, /database role \\"postgres\\" is a superuser: the database does not stop this role from rewriting the audit log/);
  assert.match(warned, /VARCO_DATABASE_OWNER_URL/);
  const quiet = await openWith({ DATABASE_URL: database.url, VARCO_DATABASE_OWNER_URL: database.ownerUrl });
  assert.doesNotMatch(quiet, /"level":40/);
});

test('two starts making the role at once succeed even where the default isolation is repeatable read', async () => {
  // A database whose sessions default to REPEATABLE READ (ALTER DATABASE … SET, as an operator might).
  const { url, name } = await createEmptyDatabase();
  const admin = createPool(url, 1);
  await admin.query(`ALTER DATABASE ${name} SET default_transaction_isolation = 'repeatable read'`);
  const role = `varco_rr_${name.slice(-8)}`;
  // Both wait for the roles lock, their snapshots taken, while another session holds it.
  const holder = createPool(url, 1);
  const held = await holder.connect();
  await held.query("SELECT pg_advisory_lock(hashtext('varco.roles'))");
  try {
    const both = Promise.allSettled([ensureAppRole(url, role, 'first-password-1'), ensureAppRole(url, role, 'second-password-2')]);
    await new Promise((done) => setTimeout(done, 300));
    await held.query("SELECT pg_advisory_unlock(hashtext('varco.roles'))");
    const outcomes = await both;
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : String((o.reason as Error).message))),
      ['ok', 'ok'],
    );
    const { rows } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    assert.equal(rows.length, 1);
  } finally {
    held.release();
    await holder.end();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  }
});
