import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/index.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';
import { createAuditLog } from '../../src/modules/audit/index.ts';
import { createPlatformCa, issueServerCertificate } from '../../src/pki/index.ts';
import { SHA_IN } from '../../test/support/ecommerce.ts';
import { CLI, createOrganisation } from '../../test/support/subscriptions.ts';
import { freePort, sleep } from '../../test/support/processes.ts';
import { baseBackup, cluster, initPrimary, withClient, type Cluster } from './postgres.ts';
import { startReceiver, startTraffic, watchReadiness, type Receiver } from './traffic.ts';
import { startVarco, type VarcoInstance } from './varco.ts';
import { checkDrill, type DrillReport } from './verdict.ts';

// The disaster-recovery drill (docs/operations/dr.md): a primary and a synchronous streaming standby,
// two Varco instances on a multi-host DATABASE_URL, traffic, kill -9 of the primary, promotion of
// the standby, and the checks. `npm run drill` prints the report; test/operations/drill.test.ts asserts it.

const ROOT = resolve(import.meta.dirname, '../..');
const STANDBY_NAME = 'varco_dr_standby';

export interface DrillOptions {
  log(line: string): void;
  /** Traffic before the crash and after recovery, each (ms). */
  trafficMs?: number;
  /** Keep the working directory (logs of both clusters and instances) for inspection. */
  keep?: boolean;
}

interface Stage {
  work: string;
  primary: Cluster;
  standby: Cluster;
  passwords: Record<'superuser' | 'replication' | 'owner' | 'app', string>;
}

async function prepareClusters(options: DrillOptions, step: (text: string) => void): Promise<Stage> {
  const work = await mkdtemp(join(tmpdir(), 'varco-drill-'));
  await chmod(work, 0o755);
  const passwords = {
    superuser: randomBytes(12).toString('hex'),
    replication: randomBytes(12).toString('hex'),
    owner: randomBytes(12).toString('hex'),
    app: randomBytes(12).toString('hex'),
  };
  const clusters = join(work, 'pg');
  const primary = cluster({ name: 'primary', root: clusters, port: await freePort(), superuserPassword: passwords.superuser });
  const standby = cluster({ name: 'standby', root: clusters, port: await freePort(), superuserPassword: passwords.superuser });
  step(`primary: initdb and start on port ${primary.port}`);
  await initPrimary(primary, passwords.superuser, 'replicator');
  await primary.start();
  await withClient(primary.superuserUrl(), async (c) => {
    await c.query(`CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${passwords.replication}'`);
    await c.query(`CREATE ROLE varco_owner WITH LOGIN PASSWORD '${passwords.owner}'`);
    await c.query(`CREATE ROLE varco_app WITH LOGIN PASSWORD '${passwords.app}'`);
    await c.query('CREATE DATABASE varco OWNER varco_owner');
  });
  step(`standby: base backup (pg_backup_start, copy, pg_backup_stop) and start on port ${standby.port}`);
  await baseBackup(primary, standby, {
    slot: STANDBY_NAME,
    applicationName: STANDBY_NAME,
    replicationRole: 'replicator',
    replicationPassword: passwords.replication,
  });
  await standby.start();
  step('primary: synchronous commit to the standby (synchronous_standby_names)');
  await withClient(primary.superuserUrl(), async (c) => {
    await c.query(`ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (${STANDBY_NAME})'`);
    await c.query('SELECT pg_reload_conf()');
    for (let i = 0; ; i++) {
      const { rows } = await c.query<{ sync_state: string }>("SELECT sync_state FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'", [
        STANDBY_NAME,
      ]);
      if (rows[0]?.sync_state === 'sync') break;
      if (i > 200) throw new Error(`the standby is not a synchronous streaming standby (${rows[0]?.sync_state ?? 'not connected'})`);
      await sleep(50);
    }
  });
  void options;
  return { work, primary, standby, passwords };
}

const multiHost = (stage: Stage, role: string, password: string): string =>
  `postgres://${role}:${password}@127.0.0.1:${stage.primary.port},127.0.0.1:${stage.standby.port}/varco?target_session_attrs=read-write`;

/** Waits until every instance's latest /readyz sample after `since` has `status`; returns when. */
async function until(
  samples: Array<{ at: number; instance: string; status: number }>,
  instances: VarcoInstance[],
  since: number,
  green: boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = instances.map((i) => samples.filter((s) => s.instance === i.name && s.at > since).at(-1));
    if (seen.every((s) => s !== undefined && (s.status === 200) === green)) return Math.max(...seen.map((s) => s?.at ?? 0));
    if (performance.now() > deadline) throw new Error(`/readyz did not turn ${green ? 'green' : 'red'} on every instance within ${timeoutMs} ms`);
    await sleep(20);
  }
}

export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  let n = 0;
  const step = (text: string): void => options.log(`[drill ${++n}] ${text}`);
  const trafficMs = options.trafficMs ?? 3000;
  const cleanups: Array<() => Promise<void>> = [];
  let stage: Stage | undefined;
  try {
    stage = await prepareClusters(options, step);
    const s = stage;
    cleanups.push(
      () => s.standby.stop(),
      () => s.primary.stop(),
    );
    const masterKey = generateSecretboxKey();
    const env = {
      DATABASE_URL: multiHost(s, 'varco_app', s.passwords.app),
      VARCO_DATABASE_OWNER_URL: multiHost(s, 'varco_owner', s.passwords.owner),
      VARCO_MASTER_KEY: masterKey.toString('base64'),
      VARCO_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
      VARCO_OUTBOX_LEASE_SECONDS: '5',
      VARCO_NCOL_RATE_LIMIT_PER_IP: '100000',
      VARCO_NCOL_RATE_LIMIT_PER_PSPID: '100000',
      VARCO_LOG_LEVEL: 'warn',
    };
    step('Varco: two instances (node src/main/server.js) on the multi-host DATABASE_URL');
    const instances: VarcoInstance[] = [];
    for (const name of ['a', 'b']) {
      const instance = await startVarco(name, join(s.work, `varco-${name}`), join(s.work, `varco-${name}.log`), env);
      instances.push(instance);
      cleanups.push(() => instance.stop());
    }
    const report = await exercise(s, instances, env, masterKey, trafficMs, step, cleanups);
    step(report.ok ? 'verdict: PASS' : `verdict: FAIL (${report.problems.join('; ')})`);
    return report;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    if (stage && !options.keep) await rm(stage.work, { recursive: true, force: true, maxRetries: 3 });
    else if (stage) options.log(`[drill] kept ${stage.work}`);
  }
}

async function exercise(
  s: Stage,
  instances: VarcoInstance[],
  env: Record<string, string>,
  masterKey: Buffer,
  trafficMs: number,
  step: (text: string) => void,
  cleanups: Array<() => Promise<void>>,
): Promise<DrillReport> {
  // The drill's own connection (the CLI's way) follows the primary through the same failover code.
  const db = createKysely(createPool(env.DATABASE_URL ?? '', 4));
  cleanups.push(() => db.destroy());
  const container = createContainer({
    config: loadConfig(env, ROOT),
    db,
    logger: createLogger('silent'),
    clock: systemClock,
    masterKey,
    audit: createAuditLog({ clock: systemClock, masterKey }),
  });
  cleanups.push(() => container.close());
  const { services } = container;
  const ca = await createPlatformCa('test', new Date());
  const server = await issueServerCertificate({ certPem: ca.certPem, keyPem: ca.keyPem }, ['localhost'], new Date());
  const receiver: Receiver = await startReceiver({ chainPem: server.certPem + ca.certPem, keyPem: server.keyPem });
  cleanups.push(() => receiver.close());
  step(`set-up: organisation, API key, merchant with SHA-IN, trusted receiver CA (HTTPS receiver on port ${receiver.port})`);
  const organisationId = await createOrganisation(db);
  const keys = await services.apiKeys.createActive({ organisationId, productCode: 'ecommerce', environment: 'test' }, CLI);
  if (!keys.ok) throw new Error(`API key: ${keys.reason}`);
  const created = await services.merchants.create({ organisationId, pspid: `drill${Date.now().toString(36)}` }, CLI);
  if (!created.ok) throw new Error(`merchant: ${created.reason}`);
  await services.merchants.updateSettings(created.value.id, 'test', { shaIn: { action: 'set', value: SHA_IN, confirm: SHA_IN } }, CLI);
  await services.trust.add('test', ca.certPem, { allOrganisations: true }, CLI);
  const merchant = { organisationId, merchantId: created.value.id, pspid: created.value.pspid };

  const readiness = watchReadiness(instances);
  const traffic = startTraffic({ instances, merchant, apiKey: keys.value.primary, db, receiverPort: receiver.port });
  cleanups.push(
    () => traffic.stop(),
    () => readiness.stop(),
  );
  step(`traffic: hosted-page orders, API-key calls and outbox messages on both instances for ${trafficMs} ms`);
  await sleep(trafficMs);
  const before = { accepted: traffic.tally.accepted.length, acknowledged: traffic.tally.acknowledged.length };
  step(`kill -9 of the primary postmaster (pid ${s.primary.pid()}) after ${before.accepted} orders and ${before.acknowledged} outbox messages`);
  const killedAt = performance.now();
  s.primary.kill();
  const redAt = await until(readiness.samples, instances, killedAt, false, 20_000);
  step(`/readyz red on both instances ${Math.round(redAt - killedAt)} ms after the crash; promoting the standby (pg_promote)`);
  await withClient(s.standby.superuserUrl(), (c) => c.query('SELECT pg_promote(true, 30)'));
  const promotedAt = performance.now();
  const greenAt = await until(readiness.samples, instances, promotedAt, true, 30_000);
  const rtoMs = Math.round(greenAt - killedAt);
  step(`/readyz green on both instances ${Math.round(greenAt - promotedAt)} ms after the promotion: recovered ${rtoMs} ms after the crash`);
  await sleep(trafficMs);
  await traffic.stop();
  await readiness.stop();
  step(
    `traffic stopped: ${traffic.tally.accepted.length} orders accepted, ${traffic.tally.acknowledged.length} outbox messages acknowledged; waiting for deliveries`,
  );
  const deadline = performance.now() + 30_000;
  const ids = traffic.tally.acknowledged;
  const undelivered = async (): Promise<number> =>
    Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox WHERE id = ANY(${ids}) AND state <> 'delivered'`.execute(db)).rows[0]?.n ?? 0);
  while ((await undelivered()) > 0 && performance.now() < deadline) await sleep(200);
  const firstOrderAfter = traffic.tally.firstAcceptedAfter(killedAt);
  return checkDrill({
    db,
    instances,
    apiKey: keys.value.primary,
    tally: traffic.tally,
    samples: readiness.samples,
    received: receiver.received,
    times: { killedAt, redAt, promotedAt, greenAt, firstOrderAfter },
    merchantId: merchant.merchantId,
  });
}
