import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

// ADR 0001 / 0011: only a module's own files query its tables; others go through its index.ts.
// Lint sees imports, not SQL, so this test reads the source: every table a file names in a Kysely
// call (selectFrom, insertInto, updateTable, deleteFrom, joins, sql.ref / sql.table) or in
// raw SQL must belong to the file's module. Trigger functions the migrations leave in place may only
// touch the tables of the module that owns the trigger's table. The owners are declared below, once;
// every table a migration creates must have exactly one. An exception must be an open row of ADR 0011.

const ROOT = join(import.meta.dirname, '..', '..');

/** Who owns each table. `db` is src/db (leases shared by every job runner). */
const OWNERS: Record<string, readonly string[]> = {
  audit: ['audit_log', 'audit_checkpoints'],
  identity: ['users', 'sessions', 'setup_tokens', 'signin_throttle', 'password_resets'],
  organisations: ['organisations', 'invitations'],
  subscriptions: ['products', 'subscriptions', 'user_products', 'api_keys', 'api_rate_windows'],
  stations: ['stations', 'station_versions', 'station_checks', 'certificate_warnings', 'trusted_cas'],
  delivery: ['outbox', 'outbox_attempts'],
  merchants: ['merchants', 'merchant_settings', 'pspid_claims', 'ecommerce_errors', 'ecommerce_error_counters', 'merchant_api_users'],
  checkout: ['orders', 'payment_attempts', 'page_templates', 'payment_operations', 'card_aliases', 'test_acquirer_transactions', 'test_acquirer_operations'],
  platform: ['platform_settings', 'platform_cas', 'platform_client_certificates'],
  'pagopa-registry': ['pagopa_psp_brokers', 'pagopa_psps', 'pagopa_channels', 'pagopa_ecs', 'pagopa_ec_links'],
  'pagopa-exchanges': ['pagopa_exchanges', 'pagopa_exchange_parties', 'pagopa_exchange_cart_keys'],
  'pagopa-node': ['pagopa_payments', 'pagopa_idempotency'],
  'pagopa-receipts': ['pagopa_receipts', 'pagopa_receipt_attempts'],
  'pagopa-simulator': ['pagopa_simulators', 'pagopa_simulator_receipts'],
  proposals: ['proposals'],
  db: ['job_leases'],
};

/**
 * Known exceptions, each an open row of docs/adr/0011 naming the module (first column) and the table
 * (second). None left since issue 12 (the ADR is closed); a new one needs an open row there first.
 */
const EXCEPTIONS: ReadonlyArray<{ module: string; table: string }> = [];

const ownerOf = new Map(Object.entries(OWNERS).flatMap(([owner, tables]) => tables.map((t) => [t, owner] as const)));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')).map((e) => join(e.parentPath, e.name));
}

async function migrationTexts(): Promise<Array<{ name: string; text: string }>> {
  const dir = join(ROOT, 'migrations');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  return Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, name), 'utf8') })));
}

const withoutSqlComments = (text: string): string => text.replace(/--[^\n]*/g, '');

/** Tables named in SQL text: after FROM, JOIN, INTO, UPDATE, TABLE (only names of known tables count). */
function tablesInSql(text: string): Set<string> {
  const found = new Set<string>();
  for (const m of withoutSqlComments(text).matchAll(/\b(?:from|join|into|update|table)\s+(?:only\s+)?([a-z_][a-z0-9_]*)/gi)) {
    const name = m[1]!.toLowerCase();
    if (ownerOf.has(name)) found.add(name);
  }
  return found;
}

/** Tables a TypeScript file touches: Kysely calls, sql.ref / sql.table, and raw SQL in sql`…` templates. */
export function tablesInSource(source: string): Set<string> {
  const code = source.replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, '');
  const found = new Set<string>();
  const call =
    /\b(?:selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin|mergeInto|using|table)\(\s*\[?\s*(['"`])([a-z_][a-z0-9_]*)(?:\s+as\s+\w+)?\1/g;
  for (const m of code.matchAll(call)) if (ownerOf.has(m[2]!)) found.add(m[2]!);
  for (const m of code.matchAll(/\bsql\.(?:ref|table|id)(?:<[^>]*>)?\(\s*(['"`])([a-z_][a-z0-9_]*)/g)) if (ownerOf.has(m[2]!)) found.add(m[2]!);
  for (const m of code.matchAll(/\bsql(?:<[^>`]*>)?`([^`]*)`/g)) for (const t of tablesInSql(m[1]!)) found.add(t);
  return found;
}

/** The owner a source file speaks for: its module, `db` for src/db, nobody for composition code (app, cli, main). */
function speakerOf(file: string): string {
  const parts = relative(join(ROOT, 'src'), file).split(/[\\/]/);
  if (parts[0] === 'modules') return parts[1]!;
  return parts[0]!;
}

function isException(module: string, table: string): boolean {
  return EXCEPTIONS.some((e) => e.module === module && e.table === table);
}

/** Tables `source`, a file of `speaker`, touches that another owner has, exceptions included. */
function foreignTables(speaker: string, source: string): string[] {
  return [...tablesInSource(source)].filter((table) => ownerOf.get(table) !== speaker).sort();
}

/** Trigger functions left by these migrations (in order) that touch another owner's table than their trigger table's. */
function foreignTriggerTables(migrations: ReadonlyArray<{ text: string }>): { triggers: number; foreign: string[] } {
  const functions = new Map<string, string>();
  const triggers = new Map<string, { table: string; fn: string }>();
  for (const { text } of migrations) {
    for (const m of text.matchAll(/CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+([a-z_0-9]+)\s*\([^)]*\)[^$]*\$\$([\s\S]*?)\$\$/gi)) functions.set(m[1]!, m[2]!);
    for (const m of text.matchAll(/DROP\s+FUNCTION\s+(?:IF EXISTS\s+)?([a-z_0-9]+)/gi)) functions.delete(m[1]!);
    for (const m of text.matchAll(/CREATE\s+TRIGGER\s+([a-z_0-9]+)[\s\S]*?\bON\s+([a-z_0-9]+)[\s\S]*?EXECUTE\s+(?:FUNCTION|PROCEDURE)\s+([a-z_0-9]+)/gi)) {
      triggers.set(`${m[1]} ON ${m[2]}`, { table: m[2]!, fn: m[3]! });
    }
    for (const m of text.matchAll(/DROP\s+TRIGGER\s+(?:IF EXISTS\s+)?([a-z_0-9]+)\s+ON\s+([a-z_0-9]+)/gi)) triggers.delete(`${m[1]} ON ${m[2]}`);
  }
  const foreign: string[] = [];
  for (const [name, { table, fn }] of triggers) {
    const owner = ownerOf.get(table)!;
    const body = functions.get(fn);
    assert.ok(body !== undefined, `trigger ${name} runs ${fn}, which the migrations define`);
    for (const touched of tablesInSql(body)) {
      if (ownerOf.get(touched) !== owner && !isException(owner, touched)) foreign.push(`${name}: ${fn} touches ${touched} (owned by ${ownerOf.get(touched)})`);
    }
  }
  return { triggers: triggers.size, foreign: foreign.sort() };
}

test('every table a migration creates has exactly one owner, and every owned table exists', async () => {
  const created = new Set<string>();
  for (const { text } of await migrationTexts()) {
    for (const m of withoutSqlComments(text).matchAll(/\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF NOT EXISTS\s+)?([a-z_][a-z0-9_]*)/gi))
      created.add(m[1]!.toLowerCase());
    for (const m of withoutSqlComments(text).matchAll(/\bDROP\s+TABLE\s+(?:IF EXISTS\s+)?([a-z_][a-z0-9_]*)/gi)) created.delete(m[1]!.toLowerCase());
  }
  const declared = Object.values(OWNERS).flat();
  assert.equal(new Set(declared).size, declared.length, 'a table is declared under two owners');
  assert.deepEqual([...created].filter((t) => !ownerOf.has(t)).sort(), [], 'tables without an owner: add them to OWNERS');
  assert.deepEqual(declared.filter((t) => !created.has(t)).sort(), [], 'owners declared for tables no migration creates');
});

test('the scanner sees Kysely calls, joins, column references and raw SQL', () => {
  assert.deepEqual([...tablesInSource(`db.selectFrom('orders').innerJoin(\n  'merchants as m', 'm.id', 'orders.merchant_id')`)].sort(), [
    'merchants',
    'orders',
  ]);
  assert.deepEqual([...tablesInSource("trx.insertInto('user_products').values(x); eb.selectFrom(['users'])")].sort(), ['user_products', 'users']);
  assert.deepEqual([...tablesInSource("eb.ref(sql.ref<string>('organisations.name'))")], ['organisations']);
  assert.deepEqual([...tablesInSource('await sql`SELECT 1 FROM stations s\n  JOIN pagopa_ecs e ON true`.execute(db)')].sort(), ['pagopa_ecs', 'stations']);
  assert.deepEqual([...tablesInSource("// reads the users table\nconst users = 'from users';")], []);
});

test('no module queries a table another module owns (docs/adr/0011)', async () => {
  const files = [
    ...(await filesUnder(join(ROOT, 'src', 'modules'))),
    ...(await filesUnder(join(ROOT, 'src', 'app'))),
    ...(await filesUnder(join(ROOT, 'src', 'cli'))),
    ...(await filesUnder(join(ROOT, 'src', 'main'))),
    ...(await filesUnder(join(ROOT, 'src', 'db'))),
  ];
  const foreign: string[] = [];
  const used = new Set<string>();
  for (const file of files) {
    if (file.endsWith(join('src', 'db', 'schema.ts'))) continue; // the table types, not queries
    const speaker = speakerOf(file);
    for (const table of foreignTables(speaker, await readFile(file, 'utf8'))) {
      const owner = ownerOf.get(table)!;
      if (isException(speaker, table)) used.add(`${speaker} ${table}`);
      else foreign.push(`${relative(ROOT, file)}: ${table} (owned by ${owner})`);
    }
  }
  assert.deepEqual(foreign.sort(), [], 'ask the owning module through its index.ts, or record the exception in ADR 0011');
  assert.deepEqual(
    EXCEPTIONS.map((e) => `${e.module} ${e.table}`).filter((e) => !used.has(e)),
    [],
    'exceptions no longer needed: remove them here and close their ADR 0011 row',
  );
});

test("trigger functions left by the migrations touch only the tables of the trigger table's owner", async () => {
  const { triggers, foreign } = foreignTriggerTables(await migrationTexts());
  assert.ok(triggers > 0, 'the parser found the triggers');
  assert.deepEqual(foreign, []);
});

test("with no exception left, a read of another module's table is still caught, in code and in a trigger", async () => {
  // How subscriptions read the organisation's name, and the registry a route's station, before issue 12.
  const join = "db.selectFrom('api_keys').innerJoin('subscriptions', 'subscriptions.id', 'api_keys.subscription_id')";
  assert.deepEqual(foreignTables('subscriptions', `${join}.innerJoin('organisations', 'organisations.id', 'subscriptions.organisation_id')`), [
    'organisations',
  ]);
  assert.deepEqual(foreignTables('pagopa-registry', 'await sql`SELECT s.code FROM pagopa_ec_links l JOIN stations s ON s.id = l.station_id`.execute(db)'), [
    'stations',
  ]);
  // What they do now: the owner's expression, its table named only in the owner's files.
  assert.deepEqual(foreignTables('subscriptions', `${join}.select(organisationFields(sql.ref('subscriptions.organisation_id')).name.as('n'))`), []);
  // Migration 0013's trigger on the registry's links read the stations table; the tree up to 0021 still has it.
  const before = (await migrationTexts()).filter((m) => m.name < '0022');
  assert.ok(
    foreignTriggerTables(before).foreign.includes(
      'pagopa_ec_links_station_environment ON pagopa_ec_links: pagopa_ec_links_station_environment touches stations (owned by stations)',
    ),
  );
});

test('every exception is an open row of ADR 0011, the ADR lists no open row without one, and it is closed when none is left', async () => {
  const adr = await readFile(join(ROOT, 'docs', 'adr', '0011-cross-module-table-access.md'), 'utf8');
  const rows = adr
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| module '))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((c) => ({ module: c[1]!, touches: c[2]!, open: !c[1]!.startsWith('~~') }));
  for (const e of EXCEPTIONS) {
    assert.ok(
      rows.some((r) => r.open && r.module.includes(e.module) && r.touches.includes(`\`${e.table}\``)),
      `ADR 0011 has an open row for ${e.module} → ${e.table}`,
    );
  }
  for (const row of rows.filter((r) => r.open)) {
    assert.ok(
      EXCEPTIONS.some((e) => row.module.includes(e.module)),
      `ADR 0011's open row "${row.module}" is an exception this test knows`,
    );
  }
  assert.ok(rows.length > 0, 'the parser found the rows');
  // Closed exactly when nothing is left open.
  assert.equal(/^Status: closed\b/m.test(adr), EXCEPTIONS.length === 0, 'ADR 0011 says closed when no exception is left, and only then');
});
