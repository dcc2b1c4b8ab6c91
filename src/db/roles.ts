import pg from 'pg';

// Two database roles (docs/adr/0015-audit-and-database-roles.md): the owner of the schema runs the
// migrations and grants; the server, its workers and CLI commands connect as the application role,
// which is no superuser, owns nothing, and may only SELECT and INSERT the audit tables — so neither a
// bug nor an injected statement can rewrite, delete or stop auditing (ALTER TABLE … DISABLE TRIGGER
// needs ownership).

/** The application role of the embedded cluster (an external cluster names its own in DATABASE_URL). */
export const APP_ROLE = 'varco_app';

/** Tables the application role may only read and append to. */
export const APPEND_ONLY_TABLES = ['audit_log', 'audit_checkpoints'] as const;

/**
 * The functions the application role runs (with its own rights): the outbox's lease and outcome
 * statements (migrations 0031, 0033; planner settings 0034), and the keys of a cart in the exchange
 * log (migration 0054: its INSERT trigger and the retention job). Named one by one: the schema may hold extension functions whose
 * EXECUTE a DBA took away from PUBLIC on purpose (dblink_connect_u, pg_stat_statements_reset, …).
 */
export const APP_FUNCTIONS = [
  'varco_outbox_lease(text, text[], timestamptz, timestamptz, integer)',
  'varco_outbox_record(text, text[], integer[], timestamptz[], integer[], boolean[], integer[], text[], timestamptz[], boolean[], timestamptz[])',
  'pagopa_exchange_cart_keys_of(jsonb)',
] as const;

/**
 * Creates the login role (or brings an existing one back to these attributes and password), as a
 * superuser. Under an advisory lock: a CLI command and the server starting together would otherwise
 * update the same catalogue row at once ("tuple concurrently updated").
 */
export async function ensureAppRole(superuserUrl: string, role: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    // READ COMMITTED whatever the cluster's default: the role is looked up after the lock, and under
    // REPEATABLE READ the lookup's snapshot would date from before it (a role made meanwhile unseen).
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('varco.roles'))");
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`;
    await client.query(`${found.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${client.escapeIdentifier(role)} WITH ${attributes}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** The role a connection string logs in as (it may come from the URL, PGUSER or the OS user). */
export async function currentRole(pool: pg.Pool): Promise<string> {
  return (await pool.query<{ role: string }>('SELECT current_user AS role')).rows[0]?.role ?? '';
}

/**
 * What the application role needs after the migrations, run by the owner; idempotent, so every start
 * applies it and tables added by later migrations are covered. In one transaction, so the role never
 * holds UPDATE on the audit tables in between.
 */
export async function grantAppRole(owner: pg.Pool, role: string): Promise<void> {
  const client = await owner.connect();
  try {
    const who = client.escapeIdentifier(role);
    const database = (await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0]?.name ?? '';
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('varco.grants'))");
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${client.escapeIdentifier(database)} TO ${who}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${who}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${who}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${who}`);
    // A cluster that took EXECUTE away from PUBLIC would otherwise stop every outbox worker. Only those
    // that exist: a restore migrates to the backup's version, which may come before them.
    const present = await client.query<{ name: string }>('SELECT name FROM unnest($1::text[]) AS name WHERE to_regprocedure(name) IS NOT NULL', [
      [...APP_FUNCTIONS],
    ]);
    if (present.rows.length > 0) await client.query(`GRANT EXECUTE ON FUNCTION ${present.rows.map((r) => r.name).join(', ')} TO ${who}`);
    const appendOnly = APPEND_ONLY_TABLES.join(', ');
    await client.query(`REVOKE ALL ON ${appendOnly}, varco_migrations FROM ${who}`);
    await client.query(`GRANT SELECT, INSERT ON ${appendOnly} TO ${who}`);
    await client.query(`GRANT SELECT ON varco_migrations TO ${who}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Why the role of `pool` could rewrite the audit log (empty: it cannot). Varco starts anyway — an
 * external DATABASE_URL without VARCO_DATABASE_OWNER_URL is allowed — but says so at start.
 */
export async function auditRoleProblems(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ role: string; superuser: boolean; owner: boolean; update: boolean; delete: boolean; truncate: boolean }>(`
    SELECT current_user AS role, r.rolsuper AS superuser, pg_has_role(current_user, c.relowner, 'MEMBER') AS owner,
      has_table_privilege(c.oid, 'UPDATE') AS update, has_table_privilege(c.oid, 'DELETE') AS delete,
      has_table_privilege(c.oid, 'TRUNCATE') AS truncate
    FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'public.audit_log'::regclass`);
  const row = rows[0];
  if (!row) return [];
  const problems: string[] = [];
  if (row.superuser) problems.push('is a superuser');
  if (row.owner && !row.superuser) problems.push('owns audit_log (it may disable its triggers)');
  const rights = (['update', 'delete', 'truncate'] as const).filter((r) => row[r]).map((r) => r.toUpperCase());
  if (rights.length > 0 && !row.superuser) problems.push(`may ${rights.join('/')} audit rows`);
  return problems.map((p) => `database role "${row.role}" ${p}`);
}
