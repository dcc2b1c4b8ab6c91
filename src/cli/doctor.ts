import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Config } from '../config/index.ts';
import { auditRoleProblems, loadMigrations, openDatabase, type DatabaseHandle } from '../db/index.ts';
import { secretboxKeyId } from '../kernel/secretbox.ts';
import { describeCertificate, splitPemChain, PKI_ENVIRONMENTS } from '../pki/index.ts';
import { configuredMailer, pkiDirOf } from '../app/container.ts';
import { readMasterKey } from '../app/master-key.ts';
import { platformPkiCreated, recordedMasterKeyId, serverCertificatePaths } from '../modules/platform/index.ts';
import { EXPIRY_WARNING_DAYS } from '../modules/stations/index.ts';
import { databaseHint } from '../db/unreachable.ts';
import type { CliContext } from './context.ts';

// `varco doctor`: what an operator checks before and after a start, one ✔/✘ line each with the fix.
// Read-only: it migrates nothing, generates no master key, records none in the database and creates no
// certificate (the services it uses get the key as configured, never claimed). The checks that need the
// services (platform certificates, stations) run only when the database is reachable, migrated and
// opened by the right master key; otherwise they are reported as skipped, never guessed. What the
// first start creates (the master key's record, the platform PKI, the development HTTPS certificate)
// and no start made yet is a warning, "not created yet", never created here. The certificate files
// and SMTP need no database and are always checked. A check that throws is its own ✘, never the end
// of the report.

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** Not run because a check it needs failed (`detail` says which): not ok, yet no failure of its own. */
  skipped?: boolean;
  detail: string;
  /** What to do about a ✘. */
  fix?: string;
  /** Passed, with something to know (what the first start creates is not there yet): not a failure. */
  warning?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_SKEW_MS = 2_000;
const WARN_DAYS = Math.max(...EXPIRY_WARNING_DAYS);

const pass = (name: string, detail: string): DoctorCheck => ({ name, ok: true, detail });
const notCreatedYet = (name: string): DoctorCheck => ({ name, ok: true, warning: true, detail: 'not created yet: the first start creates it' });
const fail = (name: string, detail: string, fix: string): DoctorCheck => ({ name, ok: false, detail, fix });
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);

export interface DoctorOptions {
  /** Time limit of each network probe (DNS, TCP, SMTP). */
  timeoutMs?: number;
}

export async function runDoctor(ctx: CliContext, options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const { config } = ctx;
  const checks: DoctorCheck[] = [configurationCheck(config)];
  const { blocked, pkiCreated } = await databaseChecks(config, checks);
  const tls = config.tls;
  if (tls) checks.push(...(await guard('server certificate', () => certificateFilesCheck(tls, Date.now()))));
  if (blocked) checks.push(...skipped([...(tls ? [] : ['server certificate']), 'certificates', 'stations'], blocked));
  else
    checks.push(
      ...(tls ? [] : await guard('server certificate', () => developmentCertificateCheck(config))),
      ...(pkiCreated ? await guard('certificates', () => certificateChecks(ctx)) : [notCreatedYet('certificates')]),
      ...(await guard('stations', () => stationChecks(ctx, timeoutMs))),
    );
  checks.push(...(await guard('smtp', () => smtpCheck(config))));
  return checks;
}

/**
 * The database's checks, added to `checks`; what the checks that need the services are skipped for, if
 * anything, and whether the platform PKI exists (with the master key recorded) to be checked.
 */
async function databaseChecks(config: Config, checks: DoctorCheck[]): Promise<{ blocked?: string; pkiCreated: boolean }> {
  let opened: DatabaseHandle | undefined;
  try {
    opened = await openDatabase(config, { mode: 'share' });
    await sql`SELECT 1`.execute(opened.db);
    checks.push(pass('database', `reachable (${opened.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`));
  } catch (error) {
    checks.push(fail('database', `not reachable: ${messageOf(error)}`, `${databaseHint(config, error)}; then run varco doctor again`));
    await opened?.close().catch(() => undefined);
    checks.push(...skipped(['database role', 'clock', 'migrations', 'master key'], 'the database is not reachable'));
    return { blocked: 'the database is not reachable', pkiCreated: false };
  }
  const handle = opened;
  try {
    const start = checks.length;
    checks.push(
      ...(await guard('database role', () => roleCheck(handle))),
      ...(await guard('clock', () => clockCheck(handle))),
      ...(await guard('migrations', () => migrationsCheck(handle))),
      ...(await guard('master key', () => masterKeyCheck(config, handle))),
    );
    const needed = checks.slice(start).filter((c) => !c.ok && (c.name === 'migrations' || c.name === 'master key'));
    if (needed.length) return { blocked: `needs ${needed.map((c) => `the ${c.name}`).join(' and ')} fixed first (✘ above)`, pkiCreated: false };
    // Made by the first start (which records its master key first): checking them before would create them.
    return { pkiCreated: (await recordedMasterKeyId(handle.db)) !== undefined && (await platformPkiCreated(handle.db)) };
  } finally {
    await handle.close();
  }
}

const skipped = (names: string[], why: string): DoctorCheck[] => names.map((name) => ({ name, ok: false, skipped: true, detail: `skipped: ${why}` }));

/** A check that throws (a query refused, a file unreadable) is its own ✘, not the end of the report. */
async function guard(name: string, check: () => Promise<DoctorCheck | DoctorCheck[]>): Promise<DoctorCheck[]> {
  try {
    return [await check()].flat();
  } catch (error) {
    return [fail(name, `could not be checked: ${messageOf(error)}`, 'correct what the error names, then run varco doctor again')];
  }
}

function configurationCheck(config: Config): DoctorCheck {
  const database = config.databaseUrl === undefined ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL';
  return pass(
    'configuration',
    `read; public URL ${config.publicUrl}; database: ${database}; ${config.tls ? 'TLS certificate from files' : 'development TLS certificate'}`,
  );
}

async function roleCheck(handle: DatabaseHandle): Promise<DoctorCheck> {
  const table = await sql<{ found: string | null }>`SELECT to_regclass('public.audit_log')::text AS found`.execute(handle.db);
  if (!table.rows[0]?.found) return pass('database role', 'no audit log yet to protect (the migrations make it)');
  const problems = await auditRoleProblems(handle.pool);
  if (problems.length === 0) return pass('database role', 'the application role may not rewrite the audit log');
  return fail(
    'database role',
    problems.map((p) => p.replace(/^database role /, 'the application role ')).join('; '),
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
    ? (await sql<{ version: number; checksum: string }>`SELECT version, checksum FROM varco_migrations ORDER BY version`.execute(handle.db)).rows
    : [];
  const newest = applied.at(-1)?.version ?? 0;
  if (newest > known.length)
    return fail(
      'migrations',
      `the database is at ${newest}, this Varco knows ${known.length}`,
      'run the newer Varco that migrated this database (never an older one)',
    );
  // What `varco db migrate` and every start refuse: the file differs from the one the database ran.
  const changed = applied.flatMap((row) => {
    const file = known[row.version - 1];
    return file && file.checksum !== row.checksum ? [`${String(file.version).padStart(4, '0')}_${file.name}.sql`] : [];
  });
  if (changed.length)
    return fail(
      'migrations',
      `changed after the database applied ${changed.length === 1 ? 'it' : 'them'}: migrations/${changed.join(', migrations/')}`,
      'restore the file as this Varco release ships it (migrations are forward-only: a schema change goes in a new migration)',
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

const TLS_FILES_FIX = 'VARCO_TLS_CERT names the PEM certificate (chain) and VARCO_TLS_KEY the PEM private key it was issued for';

/** VARCO_TLS_CERT and VARCO_TLS_KEY as the server would load them: each PEM of its kind, a matching pair, not expiring. */
async function certificateFilesCheck(tls: { certFile: string; keyFile: string }, now: number): Promise<DoctorCheck> {
  const name = 'server certificate';
  const certPem = await readFile(tls.certFile, 'utf8');
  const leafPem = splitPemChain(certPem)[0];
  if (!leafPem) return fail(name, `VARCO_TLS_CERT (${tls.certFile}) holds no PEM certificate`, `${TLS_FILES_FIX} (are the two swapped?)`);
  let key: KeyObject;
  try {
    key = createPrivateKey(await readFile(tls.keyFile, 'utf8'));
  } catch (error) {
    return fail(name, `VARCO_TLS_KEY (${tls.keyFile}) holds no usable PEM private key: ${messageOf(error)}`, `${TLS_FILES_FIX} (are the two swapped?)`);
  }
  if (!new X509Certificate(leafPem).checkPrivateKey(key))
    return fail(name, `the key in VARCO_TLS_KEY (${tls.keyFile}) does not match the certificate in VARCO_TLS_CERT (${tls.certFile})`, TLS_FILES_FIX);
  return expiryCheck(name, leafPem, now, 'renew the HTTPS certificate (VARCO_TLS_CERT / VARCO_TLS_KEY)');
}

/** This instance's development server certificate (issued by the shared test platform CA) as on disk: never made here. */
async function developmentCertificateCheck(config: Config): Promise<DoctorCheck> {
  const certPem = await readFile(serverCertificatePaths(pkiDirOf(config)).cert, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (certPem === undefined) return notCreatedYet('server certificate');
  return expiryCheck('server certificate', splitPemChain(certPem)[0] ?? certPem, Date.now(), 'renew the HTTPS certificate (VARCO_TLS_CERT / VARCO_TLS_KEY)');
}

async function certificateChecks(ctx: CliContext): Promise<DoctorCheck[]> {
  const now = Date.now();
  const container = await ctx.readOnlyContainer();
  const platform = container.platform();
  const checks: DoctorCheck[] = [];
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
  const container = await ctx.readOnlyContainer();
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

/** The mail server as the server's mailer reaches it (greeting, TLS, sign-in); needs no database, sends nothing. */
async function smtpCheck(config: Config): Promise<DoctorCheck> {
  const mailer = configuredMailer(config);
  if (!mailer) return pass('smtp', 'VARCO_SMTP_URL is not set: e-mails wait in the outbox (back office, Mail)');
  try {
    const problem = await mailer.verify();
    if (problem === undefined) return pass('smtp', 'the server greets, and TLS and sign-in work');
    // The mailer words it for a message it refused to send; doctor sends none.
    const detail = problem.replace(', so nothing was sent', '');
    return /no usable STARTTLS/.test(problem)
      ? fail(
          'smtp',
          detail,
          'use a mail server with STARTTLS, or smtps:// in VARCO_SMTP_URL; to send to a plain relay without credentials, remove them from VARCO_SMTP_URL and set VARCO_SMTP_REQUIRE_TLS=false',
        )
      : fail('smtp', detail, 'correct VARCO_SMTP_URL (host, port, credentials, TLS) or the mail server');
  } finally {
    mailer.close();
  }
}

/** The report as a terminal shows it: one line per check, the fix under each ✘. */
export function doctorText(checks: DoctorCheck[]): string {
  const lines = checks.map(
    (c) => `${c.warning ? '!' : c.ok ? '✔' : c.skipped ? '–' : '✘'} ${c.name}: ${c.detail}${c.ok || !c.fix ? '' : `\n    fix: ${c.fix}`}`,
  );
  const failed = checks.filter((c) => !c.ok && !c.skipped).length;
  const skippedCount = checks.filter((c) => c.skipped).length;
  const warnings = checks.filter((c) => c.warning).length;
  if (failed === 0 && skippedCount === 0) return `${lines.join('\n')}\nAll checks passed${warnings ? ` (${warnings} with a warning: !)` : ''}.`;
  return `${lines.join('\n')}\n${failed} check(s) failed${skippedCount ? `, ${skippedCount} skipped` : ''}.`;
}
