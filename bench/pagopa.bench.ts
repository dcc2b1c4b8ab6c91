import { appendFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { Pool } from 'undici';
import type { Database, Kysely } from '../src/db/index.ts';
import type { BenchSettings } from './api-key.bench.ts';
import type { EcStats } from './ec-receiver.ts';
import { ask, closedLoop, outboundMaterial, POOL_SIZE, type Material } from './outbound.bench.ts';
import { rawFlow, varcoFlow } from './pagopa.flows.ts';
import { ecFiscalCode, seedEc, seedPsp, type BenchEc, type BenchPsp } from './pagopa.seed.ts';
import { fmt, type Row } from './report.ts';
import { cpuMs, median, postgresCpuMs, sleep, spawnTracked, waitForLine } from './support.ts';
import type { VarcoProcess } from './varco.ts';

// 5. The pagoPA flow (issue 11; target of issue 15 item 4): C PSP clients in a closed loop, each
// activatePaymentNoticeV2 (Varco asks the EC paGetPaymentV2) → sendPaymentOutcomeV2 OK (Varco
// schedules the receipt; its workers deliver paSendRTV2 through the outbox). A flow counts when its
// receipt reached the EC; the rate runs from the first activation to the last receipt. Baseline, same
// run: the raw round trips to the same EC station (paGetPaymentV2 then paSendRTV2, mutual TLS with
// the platform client certificate), same concurrency, the pool size of Varco's station caller.

const CONCURRENCY = 20;
const TARGET = 0.3;
const RECEIPT_WAIT_MS = 60_000;

interface EcReceiver {
  port: number;
  stats(): Promise<EcStats>;
  receipts(): Promise<string[]>;
  reset(): Promise<void>;
}

async function startEcReceiver(material: Material, ec: { fiscalCode: string; name: string }): Promise<EcReceiver> {
  const child = spawnTracked(['bench/ec-receiver.ts'], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...material.files, BENCH_EC_FISCAL_CODE: ec.fiscalCode, BENCH_EC_NAME: ec.name },
  });
  const match = await waitForLine(child, /listening (\d+)/, 20_000, 'EC receiver');
  child.stdout?.resume();
  return {
    port: Number(match[1]),
    stats: () => ask(child, 'stats', (m) => typeof m === 'object' && m !== null && 'handshakes' in m),
    receipts: async () => (await ask<{ receipts: string[] }>(child, 'receipts', (m) => typeof m === 'object' && m !== null && 'receipts' in m)).receipts,
    reset: async () => {
      await ask(child, 'reset', (m) => m === 'reset');
    },
  };
}

interface Context {
  varco: VarcoProcess;
  psp: BenchPsp;
  ec: BenchEc;
  receiver: EcReceiver;
  material: Material;
}

export interface FlowRun {
  /** Flows whose receipt reached the EC, per second from the first activation to the last receipt (raw: flows per second). */
  perSecond: number;
  flows: number;
  p50: number;
  p99: number;
  errors: number;
  faults: Record<string, number>;
  /** Varco only: receipts that arrived twice or more, receipts missing after the wait, receipts' lag after the last outcome. */
  duplicates: number;
  missing: number;
  receiptLagMs: number;
  activateP50: number;
  outcomeP50: number;
  /** Varco's server process (not PostgreSQL): CPU per flow, and share of one core over the run. */
  cpuMsPerFlow: number;
  cpuShare: number;
  /** The embedded PostgreSQL (all its processes): CPU per flow and share of one core over the run. */
  pgCpuMsPerFlow: number;
  pgCpuShare: number;
  ec: EcStats;
}

const count = (faults: Record<string, number>, fault: string): void => {
  faults[fault] = (faults[fault] ?? 0) + 1;
};

async function receiptsOf(receiver: EcReceiver, tokens: string[]): Promise<{ stats: EcStats; missing: number }> {
  const deadline = Date.now() + RECEIPT_WAIT_MS;
  let stats = await receiver.stats();
  while (stats.distinctReceipts < tokens.length && Date.now() < deadline) {
    await sleep(25);
    stats = await receiver.stats();
  }
  const seen = new Set(await receiver.receipts());
  return { stats, missing: tokens.filter((t) => !seen.has(t)).length };
}

/** Flows through Varco alone for `seconds` (also bench/profile.ts pagopa, after `prepare`). */
export async function varcoRun(c: Context, seconds: number): Promise<FlowRun> {
  await c.receiver.reset();
  const pool = new Pool(`https://127.0.0.1:${c.varco.port}`, { connections: CONCURRENCY, connect: { servername: 'localhost', ca: c.varco.ca } });
  const tokens: string[] = [];
  const faults: Record<string, number> = {};
  const timing = { activateMs: [] as number[], outcomeMs: [] as number[] };
  const cpuBefore = (await cpuMs(c.varco.pid)) ?? Number.NaN;
  const pgBefore = (await postgresCpuMs(c.varco.dataDir)) ?? Number.NaN;
  const started = Date.now();
  try {
    const loop = await closedLoop(CONCURRENCY, seconds, async () => {
      const flow = await varcoFlow(pool, c.psp, c.ec, timing);
      if (flow.token !== undefined) tokens.push(flow.token);
      else count(faults, flow.fault ?? 'unknown');
      return flow.token !== undefined;
    });
    const loopEnded = Date.now();
    const { stats, missing } = await receiptsOf(c.receiver, tokens);
    const cpu = ((await cpuMs(c.varco.pid)) ?? Number.NaN) - cpuBefore;
    const pgCpu = ((await postgresCpuMs(c.varco.dataDir)) ?? Number.NaN) - pgBefore;
    const finished = Math.max(stats.lastReceiptAt, loopEnded);
    const delivered = tokens.length - missing;
    return {
      perSecond: delivered / ((finished - started) / 1000),
      flows: delivered,
      p50: loop.p50,
      p99: loop.p99,
      errors: loop.errors,
      faults,
      duplicates: stats.receiptRequests - stats.distinctReceipts,
      missing,
      receiptLagMs: Math.max(0, stats.lastReceiptAt - loopEnded),
      activateP50: median(timing.activateMs),
      outcomeP50: median(timing.outcomeMs),
      cpuMsPerFlow: cpu / Math.max(1, tokens.length),
      cpuShare: cpu / (finished - started),
      pgCpuMsPerFlow: pgCpu / Math.max(1, tokens.length),
      pgCpuShare: pgCpu / (finished - started),
      ec: stats,
    };
  } finally {
    await pool.close();
  }
}

async function rawRun(c: Context, seconds: number): Promise<FlowRun> {
  await c.receiver.reset();
  const m = c.material;
  const pool = new Pool(`https://127.0.0.1:${c.receiver.port}`, {
    connections: POOL_SIZE,
    connect: { servername: 'localhost', ca: m.trust.roots, cert: m.identity.certChainPem, key: m.identity.keyPem, minVersion: 'TLSv1.2' },
  });
  const faults: Record<string, number> = {};
  try {
    const loop = await closedLoop(CONCURRENCY, seconds, async () => {
      const flow = await rawFlow(pool, c.psp, c.ec);
      if (flow.fault !== undefined) count(faults, flow.fault);
      return flow.fault === undefined;
    });
    const stats = await c.receiver.stats();
    return {
      perSecond: loop.perSecond,
      flows: stats.distinctReceipts,
      p50: loop.p50,
      p99: loop.p99,
      errors: loop.errors,
      faults,
      duplicates: stats.receiptRequests - stats.distinctReceipts,
      missing: 0,
      receiptLagMs: 0,
      activateP50: Number.NaN,
      outcomeP50: Number.NaN,
      cpuMsPerFlow: Number.NaN,
      cpuShare: Number.NaN,
      pgCpuMsPerFlow: Number.NaN,
      pgCpuShare: Number.NaN,
      ec: stats,
    };
  } finally {
    await pool.close();
  }
}

/** The EC receiver started, the PSP and the EC seeded in the running server's database. */
export async function prepare(varco: VarcoProcess, db: Kysely<Database>, workDir: string): Promise<Context> {
  const material = await outboundMaterial(varco.dataDir, workDir);
  // The EC demands Varco's client certificate: it trusts the platform CA of test, which lives in the
  // database (docs/adr/0024-platform-module.md), besides the baseline's own CA.
  const platformCa = await db.selectFrom('platform_cas').select('cert_pem').where('environment', '=', 'test').executeTakeFirstOrThrow();
  await appendFile(material.files.BENCH_CLIENT_CA_FILE ?? '', platformCa.cert_pem);
  const fiscalCode = ecFiscalCode();
  const name = `Comune del benchmark ${fiscalCode.slice(-4)}`;
  const receiver = await startEcReceiver(material, { fiscalCode, name });
  // The receiver serves the development server certificate (its root: the development CA of test), trusted for the EC alone.
  const ec = await seedEc(db, varco.dataDir, { fiscalCode, name, port: receiver.port, serverRootPem: material.trust.roots[0] ?? '' });
  const psp = await seedPsp(db, varco.dataDir);
  return { varco, psp, ec, receiver, material };
}

function describe(r: FlowRun): string {
  const faults = Object.entries(r.faults)
    .map(([f, n]) => `${f} ×${n}`)
    .join(', ');
  return `${Math.round(r.perSecond)} flows/s (${r.flows} flows) p50 ${fmt.ms(r.p50)} p99 ${fmt.ms(r.p99)} errors ${r.errors}${faults ? ` (${faults})` : ''}`;
}

export async function benchPagopa(varco: VarcoProcess, db: Kysely<Database>, workDir: string, s: BenchSettings): Promise<Row> {
  const c = await prepare(varco, db, workDir);
  await varcoRun(c, s.warmUpSeconds);
  await rawRun(c, s.warmUpSeconds);
  const v: FlowRun[] = [];
  const b: FlowRun[] = [];
  for (let i = 0; i < s.runs; i++) {
    const mine = await varcoRun(c, s.seconds);
    v.push(mine);
    s.log(
      `    run ${i + 1}/${s.runs} varco    ${describe(mine)}; receipts +${(mine.receiptLagMs / 1000).toFixed(1)} s after the last outcome, ${mine.duplicates} duplicates, ${mine.missing} missing; ${fmt.ms(mine.cpuMsPerFlow)} CPU/flow, PostgreSQL ${fmt.ms(mine.pgCpuMsPerFlow)}`,
    );
    const theirs = await rawRun(c, s.seconds);
    b.push(theirs);
    s.log(`    run ${i + 1}/${s.runs} raw      ${describe(theirs)}`);
  }
  return pagopaRow(v, b);
}

/** Why the ratio was missed, from what the runs measured. */
function cause(v: FlowRun, base: FlowRun): string {
  if (v.errors > 0) return `${v.errors} flows failed (${Object.keys(v.faults).join(', ')})`;
  const split = `activate p50 ${fmt.ms(v.activateP50)} + outcome p50 ${fmt.ms(v.outcomeP50)} against ${fmt.ms(base.p50)} for the raw round trips`;
  if (v.receiptLagMs > 0.2 * (v.flows / v.perSecond) * 1000)
    return `receipts trailed the outcomes by ${(v.receiptLagMs / 1000).toFixed(1)} s (outbox delivery); ${split}`;
  if (v.cpuShare > 0.85) return `Varco CPU-bound (${Math.round(v.cpuShare * 100)} % of a core, ${fmt.ms(v.cpuMsPerFlow)} CPU per flow); ${split}`;
  // Varco and its PostgreSQL together near the machine's cores (the EC and the clients need some too).
  const together = v.cpuShare + v.pgCpuShare;
  if (together > 0.7 * cpus().length)
    return (
      `CPU-bound on the machine: Varco ${Math.round(v.cpuShare * 100)} % and PostgreSQL ${Math.round(v.pgCpuShare * 100)} % of a core ` +
      `(${fmt.ms(v.cpuMsPerFlow)} + ${fmt.ms(v.pgCpuMsPerFlow)} CPU per flow) on ${cpus().length} cores; ${split}`
    );
  // A busy machine starves Varco of CPU: a low share then means waiting for a core, not for the database.
  const busy = loadavg()[0] ?? 0;
  const machine = busy > cpus().length ? `; the machine was busy (load ${busy.toFixed(1)} on ${cpus().length} cores)` : '';
  return `latency-bound (Varco at ${Math.round(v.cpuShare * 100)} % of a core${machine}): ${split}`;
}

export function pagopaRow(v: FlowRun[], b: FlowRun[]): Row {
  const rate = median(v.map((r) => r.perSecond));
  const base = median(b.map((r) => r.perSecond));
  const ratio = rate / base;
  const errors = v.reduce((sum, r) => sum + r.errors, 0);
  const duplicates = v.reduce((sum, r) => sum + r.duplicates, 0);
  const missing = v.reduce((sum, r) => sum + r.missing, 0);
  const middle = [...v].sort((x, y) => x.perSecond - y.perSecond)[Math.floor(v.length / 2)] ?? v[0];
  const baseMiddle = [...b].sort((x, y) => x.perSecond - y.perSecond)[Math.floor(b.length / 2)] ?? b[0];
  const ratioMet = ratio >= TARGET;
  return {
    name: '5. pagoPA flow (activate → getPayment → outcome → receipt)',
    varco: `${fmt.int(rate)} flows/s with the receipt at the EC (${CONCURRENCY} PSP clients; ${fmt.ms(median(v.map((r) => r.cpuMsPerFlow)))} Varco CPU/flow, ${fmt.ms(median(v.map((r) => r.pgCpuMsPerFlow)))} PostgreSQL CPU/flow)`,
    baseline: `${fmt.int(base)} flows/s (raw paGetPaymentV2 + paSendRTV2, mutual TLS, ${CONCURRENCY} in flight, pool ${POOL_SIZE}; p50 ${fmt.ms(median(b.map((r) => r.p50)))}, p99 ${fmt.ms(median(b.map((r) => r.p99)))})`,
    ratio: fmt.ratio(ratio),
    p50: fmt.ms(median(v.map((r) => r.p50))),
    p99: fmt.ms(median(v.map((r) => r.p99))),
    errors: `${errors} errors; ${duplicates} duplicate, ${missing} missing receipts`,
    targets: [
      {
        what: ratioMet || !middle || !baseMiddle ? `ratio ≥ ${TARGET.toFixed(2)}` : `ratio ≥ ${TARGET.toFixed(2)} (missed: ${cause(middle, baseMiddle)})`,
        met: ratioMet,
      },
      { what: 'every flow OK', met: errors === 0 && b.every((r) => r.errors === 0) },
      { what: 'each receipt delivered once', met: duplicates === 0 && missing === 0 },
    ],
    data: { ratio, concurrency: CONCURRENCY, varco: v, baseline: b },
  };
}
