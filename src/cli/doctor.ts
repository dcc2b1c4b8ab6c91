import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Config } from '../config/index.ts';
import { auditRoleProblems, loadMigrations, openDatabase, type DatabaseHandle } from '../db/index.ts';
import { secretboxKeyId } from '../kernel/secretbox.ts';
import { describeCertificate, splitPemChain, PKI_ENVIRONMENTS } from '../pki/index.ts';
import { devServerCertificate } from '../app/container.ts';
import { readMasterKey } from '../app/master-key.ts';
import { recordedMasterKeyId } from '../modules/platform/index.ts';
import { EXPIRY_WARNING_DAYS } from '../modules/stations/index.ts';
import type { CliContext } from './context.ts';

// `varco doctor`: what an operator checks before and after a start, one ✔/✘ line each with the fix.
// Read-only: it migrates nothing and generates no master key. The checks that need the services
// (certificates, stations, SMTP) run only when the database is reachable, migrated and opened by
// the right master key; otherwise they are reported as skipped, never guessed.

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a ✘. */
  fix?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_SKEW_MS = 2_000;
const WARN_DAYS = Math.max(...EXPIRY_WARNING_DAYS);

const pass = (name: string, detail: string): DoctorCheck => ({ name, ok: true, detail });
const fail = (name: string, detail: string, fix: string): DoctorCheck => ({ name, ok: false, detail, fix });
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);

export interface DoctorOptions {
  /** Time limit of each network probe (DNS, TCP, SMTP). */
  timeoutMs?: number;
}

export async function runDoctor(ctx: CliContext, options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const checks: DoctorCheck[] = [configurationCheck(ctx.config)];
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openDatabase(ctx.config, { mode: 'share' });
    await sql`SELECT 1`.execute(handle.db);
    checks.push(pass('database', `reachable (${handle.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`));
  } catch (error) {
    checks.push(fail('database', `not reachable: ${messageOf(error)}`, 'start PostgreSQL or correct VARCO_DATABASE_URL; then run varco doctor again'));
    await handle?.close().catch(() => undefined);
    return [...checks, ...skipped(['database role', 'migrations', 'clock', 'master key', 'certificates', 'stations', 'smtp'], 'the database is not reachable')];
  }
  try {
    checks.push(await roleCheck(handle), await clockCheck(handle));
    const migrations = await migrationsCheck(handle);
    const key = await masterKeyCheck(ctx.config, handle);
    checks.push(migrations, key);
    if (!migrations.ok || !key.ok) return [...checks, ...skipped(['certificates', 'stations', 'smtp'], 'migrations or the master key need fixing first')];
  } finally {
    await handle.close();
  }
  checks.push(...(await certificateChecks(ctx)), ...(await stationChecks(ctx, timeoutMs)), await smtpCheck(ctx));
  return checks;
}

const skipped = (names: string[], why: string): DoctorCheck[] => names.map((name) => fail(name, `skipped: ${why}`, 'fix the ✘ above first'));

function configurationCheck(config: Config): DoctorCheck {
  const database = config.databaseUrl === undefined ? `embedded PostgreSQL in ${config.dataDir}` : 'VARCO_DATABASE_URL';
  return pass(
    'configuration',
    `read; public URL ${config.publicUrl}; database: ${database}; ${config.tls ? 'TLS certificate from files' : 'development TLS certificate'}`,
  );
}

async function roleCheck(handle: DatabaseHandle): Promise<DoctorCheck> {
  const problems = await auditRoleProblems(handle.pool);
  if (problems.length === 0) return pass('database role', 'the application role may not rewrite the audit log');
  return fail(
    'database role',
    `the application role ${problems.join('; ')}`,
    'connect with a role that may only SELECT and INSERT audit rows and give the owner as VARCO_DATABASE_OWNER_URL (docs/security.md)',
  );
}

async function clockCheck(handle: DatabaseHandle): Promise<DoctorCheck> {
  const before = Date.now();
  const row = await sql<{ now: Date }>`SELECT clock_timestamp() AS now`.execute(handle.db);
  const after = Date.now();
  const skew = (row.rows[0]?.now.getTime() ?? after) - (before + after) / 2;
  const text = `${Math.round(skew)} ms against the database`;
  if (Math.abs(skew) <= MAX_SKEW_MS) return pass('clock', text);
  return fail('clock', text, 'synchronise this host and the database host with NTP (leases, tokens and expiries compare times across instances)');
}

async function migrationsCheck(handle: DatabaseHandle): Promise<DoctorCheck> {
  const known = await loadMigrations();
  const table = await sql<{ found: string | null }>`SELECT to_regclass('varco_migrations')::text AS found`.execute(handle.db);
  const applied = table.rows[0]?.found
    ? (await sql<{ version: number }>`SELECT version FROM varco_migrations ORDER BY version`.execute(handle.db)).rows.map((r) => r.version)
    : [];
  const newest = applied.at(-1) ?? 0;
  if (newest > known.length)
    return fail(
      'migrations',
      `the database is at ${newest}, this Varco knows ${known.length}`,
      'run the newer Varco that migrated this database (never an older one)',
    );
  if (applied.length < known.length)
    return fail(
      'migrations',
      `${known.length - applied.length} pending (database at ${newest} of ${known.length})`,
      'run varco db migrate (or start Varco once)',
    );
  return pass('migrations', `up to date (${known.length})`);
}

async function masterKeyCheck(config: Config, handle: DatabaseHandle): Promise<DoctorCheck> {
  let key: Buffer | undefined;
  try {
    key = await readMasterKey(config);
  } catch (error) {
    return fail('master key', messageOf(error), 'set VARCO_MASTER_KEY to the key every instance of this database uses (32 bytes, base64)');
  }
  const recorded = await recordedMasterKeyId(handle.db);
  if (!key)
    return fail('master key', 'none: VARCO_MASTER_KEY is unset and the data directory has no master.key', 'set VARCO_MASTER_KEY (the same on every instance)');
  const kid = secretboxKeyId(key);
  if (recorded === undefined) return pass('master key', `key id ${kid}; the database records it at the first start`);
  if (recorded !== kid)
    return fail('master key', `key id ${kid}, the database was set up with ${recorded}`, 'give every instance the same VARCO_MASTER_KEY as the others');
  return pass('master key', `key id ${kid}, the same as the database's (every instance must show this id)`);
}

function expiryCheck(name: string, pem: string, now: number, fix: string): DoctorCheck {
  const info = describeCertificate(pem);
  const days = Math.floor((info.notAfter.getTime() - now) / DAY_MS);
  const text = `${info.subject}: expires ${info.notAfter.toISOString().slice(0, 10)} (${days} days)`;
  return days >= WARN_DAYS ? pass(name, text) : fail(name, days < 0 ? `${info.subject}: EXPIRED ${-days} days ago` : text, fix);
}

async function certificateChecks(ctx: CliContext): Promise<DoctorCheck[]> {
  const now = Date.now();
  const container = await ctx.container();
  const platform = container.platform();
  const serverPem = ctx.config.tls ? await readFile(ctx.config.tls.certFile, 'utf8') : (await devServerCertificate(ctx.config, platform)).certPem;
  const checks = [
    expiryCheck('server certificate', splitPemChain(serverPem)[0] ?? serverPem, now, 'renew the HTTPS certificate (VARCO_TLS_CERT / VARCO_TLS_KEY)'),
  ];
  for (const env of PKI_ENVIRONMENTS) {
    const material = await platform.material(env);
    checks.push(expiryCheck(`platform CA (${env})`, material.caCertPem, now, 'plan a new platform CA with the organisations: they trust it'));
    const leaf = splitPemChain(material.current.chainPem)[0] ?? material.current.chainPem;
    checks.push(expiryCheck(`client certificate (${env})`, leaf, now, `varco pki rotate-client --env ${env}, then varco pki activate-client --env ${env}`));
    for (const ca of await container.services.trust.list(env)) {
      const days = Math.floor((new Date(ca.not_after).getTime() - now) / DAY_MS);
      if (days < WARN_DAYS)
        checks.push(
          fail(`trusted CA (${env})`, `${ca.subject}: ${days < 0 ? 'EXPIRED' : `expires in ${days} days`}`, 'add the CA that replaces it, then remove it'),
        );
    }
  }
  return checks;
}

/** Every approved station's endpoints: DNS still gives the reviewed address, the policy allows it, a TCP connection opens. */
async function stationChecks(ctx: CliContext, timeoutMs: number): Promise<DoctorCheck[]> {
  const container = await ctx.container();
  const { stations } = container.services;
  const destinations = container.destinations();
  const approved = (await stations.list()).filter((s) => s.approved_version_id !== null);
  if (approved.length === 0) return [pass('stations', 'no approved station yet')];
  const checks: DoctorCheck[] = [];
  for (const row of approved) {
    const version = (await stations.detail(row.id))?.approved;
    if (!version) continue;
    const endpoints = [
      { site: 'primary', host: version.primary_host, ip: version.primary_ip, port: version.primary_port },
      ...(version.secondary_host && version.secondary_ip && version.secondary_port
        ? [{ site: 'DR', host: version.secondary_host, ip: version.secondary_ip, port: version.secondary_port }]
        : []),
    ];
    for (const endpoint of endpoints) {
      const name = `station ${row.environment}/${row.code} (${endpoint.site})`;
      checks.push(await endpointCheck(name, endpoint, destinations, timeoutMs));
    }
  }
  return checks;
}

async function endpointCheck(
  name: string,
  endpoint: { host: string; ip: string; port: number },
  destinations: { judge(address: string): { allowed: boolean } },
  timeoutMs: number,
): Promise<DoctorCheck> {
  const where = `${endpoint.host} → ${endpoint.ip}:${endpoint.port}`;
  if (!destinations.judge(endpoint.ip).allowed)
    return fail(name, `${where}: the address is not public and not allowed`, 'VARCO_OUTBOUND_ALLOW_CIDRS, if the operator means it');
  const resolved = await withTimeout(lookup(endpoint.host, { all: true }), timeoutMs).catch((error: unknown) => messageOf(error));
  if (typeof resolved === 'string')
    return fail(name, `${where}: DNS: ${resolved}`, 'fix the DNS record, or the organisation submits the station with its new name');
  if (!resolved.some((a) => a.address === endpoint.ip))
    return fail(
      name,
      `${where}: DNS now gives ${resolved.map((a) => a.address).join(', ')}`,
      'the organisation submits a change with the new address for review',
    );
  const problem = await tcpProbe(endpoint.ip, endpoint.port, timeoutMs);
  return problem === undefined
    ? pass(name, `${where}: TCP connection opens`)
    : fail(name, `${where}: ${problem}`, 'ask the organisation to open the port to Varco');
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      done(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      done(`no answer within ${timeoutMs} ms`);
    });
    socket.once('error', (error) => done(messageOf(error)));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function smtpCheck(ctx: CliContext): Promise<DoctorCheck> {
  const mailer = (await ctx.container()).mailer();
  if (!mailer) return pass('smtp', 'VARCO_SMTP_URL is not set: e-mails wait in the outbox (back office, Mail)');
  const problem = await mailer.verify();
  return problem === undefined
    ? pass('smtp', 'the server greets, and TLS and sign-in work')
    : fail('smtp', problem, 'correct VARCO_SMTP_URL (host, port, credentials, TLS) or the mail server');
}

/** The report as a terminal shows it: one line per check, the fix under each ✘. */
export function doctorText(checks: DoctorCheck[]): string {
  const lines = checks.map((c) => `${c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}${c.ok || !c.fix ? '' : `\n    fix: ${c.fix}`}`);
  const failed = checks.filter((c) => !c.ok).length;
  return `${lines.join('\n')}\n${failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`}`;
}
