import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Database, Kysely } from '../src/db/index.ts';
import type { BenchSettings } from './api-key.bench.ts';
import { ENTRY_PATH, orderBody } from './hosted-page.bench.ts';
import { runLoad, type LoadRun } from './load.ts';
import { fmt, type Row } from './report.ts';
import { seedApiKeys, seedMerchant, type BenchMerchant } from './seed.ts';
import { tempDir } from './support.ts';
import { startVarco, type VarcoProcess } from './varco.ts';

// Issue 15, item 5: 1, 2 and 4 Varco processes on one PostgreSQL (the first one's embedded cluster;
// the others join it through DATABASE_URL with the same master key, as a scaled-out deployment does),
// driven by one load generator that spreads its connections round-robin over the instances (one
// autocannon per instance, run together, connections split evenly). Key-check and hosted-page
// throughput for each count: a figure, not a target. One short run per count (--quick friendly).

const COUNTS = [1, 2, 4];

interface Instances {
  all: VarcoProcess[];
  stop(): Promise<void>;
}

async function startExtra(main: VarcoProcess, count: number): Promise<Instances> {
  const workDir = await tempDir('varco-scale-');
  const owner = await main.databaseUrl();
  const app = new URL(owner);
  app.username = 'varco_app';
  app.password = (await readFile(join(main.dataDir, 'pg-app-password'), 'utf8')).trim();
  const masterKey = (await readFile(join(main.dataDir, 'master.key'), 'utf8')).trim();
  const extra: VarcoProcess[] = [];
  try {
    for (let i = 1; i < count; i++) {
      extra.push(
        await startVarco({
          dataDir: join(workDir, `data-${i}`),
          logFile: join(workDir, `varco-${i}.log`),
          readyTimeoutMs: 120_000,
          env: {
            DATABASE_URL: app.toString(),
            VARCO_DATABASE_OWNER_URL: owner,
            VARCO_MASTER_KEY: masterKey,
            VARCO_NCOL_RATE_LIMIT_PER_IP: '1000000',
            VARCO_NCOL_RATE_LIMIT_PER_PSPID: '1000000',
          },
        }),
      );
    }
  } catch (error) {
    await Promise.all(extra.map((v) => v.stop()));
    throw error;
  }
  return { all: [main, ...extra], stop: async () => void (await Promise.all(extra.map((v) => v.stop()))) };
}

/** The same load split over the instances at once; requests/s summed, CPU per request over all of them. */
/** Summed answers/s, and every answer that was not the expected one, by status code, over the instances. */
async function spread(
  instances: VarcoProcess[],
  connections: number,
  one: (v: VarcoProcess, connections: number) => Promise<LoadRun>,
): Promise<{ rps: number; errors: number; codes: string }> {
  const per = Math.max(1, Math.round(connections / instances.length));
  const runs = await Promise.all(instances.map((v) => one(v, per)));
  const codes = runs
    .map(
      (r, i) =>
        `#${i + 1} ${Object.entries(r.statusCodes)
          .map(([code, n]) => `${code}×${n}`)
          .join(' ')}`,
    )
    .join('; ');
  return { rps: runs.reduce((sum, r) => sum + r.rps, 0), errors: runs.reduce((sum, r) => sum + r.errors, 0), codes };
}

export async function benchScaleOut(main: VarcoProcess, db: Kysely<Database>, organisationId: string, s: BenchSettings): Promise<Row> {
  const seconds = Math.min(s.seconds, 5);
  const [key] = await seedApiKeys(db, organisationId, 1);
  const merchant: BenchMerchant = await seedMerchant(db, main.dataDir);
  const ping = (v: VarcoProcess, connections: number) =>
    runLoad(
      {
        url: `https://127.0.0.1:${v.port}/api/v1/ping`,
        servername: 'localhost',
        connections,
        duration: seconds,
        headers: { 'ocp-apim-subscription-key': key ?? '' },
      },
      { serverPid: v.pid },
    );
  const order = (v: VarcoProcess, connections: number) => {
    const prefix = `s${v.port}${randomBytes(3).toString('hex')}`;
    let n = 0;
    return runLoad(
      {
        url: `https://127.0.0.1:${v.port}${ENTRY_PATH}`,
        servername: 'localhost',
        connections,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            path: ENTRY_PATH,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            setupRequest: (r) => ({ ...r, body: orderBody(merchant, prefix, n++) }),
          },
        ],
      },
      { expect: '3xx', serverPid: v.pid },
    );
  };
  const figures: Array<{ instances: number; keyChecks: number; orders: number; errors: number; codes: string }> = [];
  for (const count of COUNTS) {
    const group = await startExtra(main, count);
    try {
      // A warm-up of every instance (JIT, pools, caches), then the measured runs.
      await spread(group.all, s.connections, ping);
      const keys = await spread(group.all, s.connections, ping);
      const orders = await spread(group.all, s.connections, order);
      figures.push({
        instances: count,
        keyChecks: keys.rps,
        orders: orders.rps,
        errors: keys.errors + orders.errors,
        codes: `${keys.codes} | ${orders.codes}`,
      });
      s.log(
        `    ${count} instance(s): ${Math.round(keys.rps)} key checks/s · ${Math.round(orders.rps)} orders/s · ${keys.errors + orders.errors} errors (status codes per instance: ${keys.codes} | ${orders.codes})`,
      );
    } finally {
      await group.stop();
    }
  }
  const first = figures[0];
  const growth = (pick: (f: (typeof figures)[number]) => number): string =>
    figures.map((f) => `${f.instances}: ${fmt.int(pick(f))} (× ${first ? (pick(f) / pick(first)).toFixed(2) : '—'})`).join(', ');
  const cores = cpus().length;
  const saturates =
    cores <= 2
      ? `what saturates: the ${cores} cores — the instances, PostgreSQL and the load generator share them, so more instances split the same CPU`
      : 'near-linear until the cores or PostgreSQL saturate: read the growth factors';
  return {
    name: '6. Scale-out (1, 2, 4 instances, one PostgreSQL)',
    varco: `key checks/s ${growth((f) => f.keyChecks)}; orders/s ${growth((f) => f.orders)}; ${saturates}`,
    baseline: '—',
    ratio: '—',
    p50: '—',
    p99: '—',
    errors: figures.map((f) => `${f.instances}: ${f.errors}`).join(', '),
    targets: [],
    data: { figures, cores, saturates },
  };
}
