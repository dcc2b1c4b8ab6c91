import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Kysely } from '../src/db/index.ts';
import { signShaIn } from '../src/protocols/ogone/index.ts';
import type { BenchSettings } from './api-key.bench.ts';
import { serverCertificateFiles, startBaseline } from './api-key.bench.ts';
import { alternate, runLoad, type LoadRun } from './load.ts';
import { fmt, type Row } from './report.ts';
import { seedMerchant, type BenchMerchant } from './seed.ts';
import type { VarcoProcess } from './varco.ts';

// 2. Hosted page entry: a signed order form POSTed to /ncol/test/orderstandard_utf8.asp → form
// decoding, merchant settings (passphrase opened with the master key), SHA-IN check, validation,
// order row → 303 to the payment page; against a bare Fastify route that INSERTs an order row of
// the same shape into the same PostgreSQL (bench/baseline-insert.ts). Every request has its own ORDERID.

export const ENTRY_PATH = '/ncol/test/orderstandard_utf8.asp';

/** A fresh signed order body per request: what a shop's checkout posts. */
export function orderBody(m: BenchMerchant, prefix: string, n: number): string {
  const pairs: Array<[string, string]> = [
    ['PSPID', m.pspid],
    ['ORDERID', `${prefix}-${n}`],
    ['AMOUNT', '1250'],
    ['CURRENCY', 'EUR'],
    ['LANGUAGE', 'en_US'],
    ['CN', 'Ada Lovelace'],
    ['EMAIL', 'ada@example.org'],
    ['ACCEPTURL', 'https://shop.example/ok'],
    ['DECLINEURL', 'https://shop.example/ko'],
  ];
  const digest = signShaIn(pairs, m.shaIn, { alg: 'sha512', method: 'each-parameter', encoding: 'utf8' });
  return new URLSearchParams([...pairs, ['SHASIGN', digest]]).toString();
}

async function orderCount(db: Kysely<Database>, merchantId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM orders WHERE merchant_id = ${merchantId}`.execute(db);
  return rows[0]?.n ?? 0;
}

export async function benchHostedPage(varco: VarcoProcess, db: Kysely<Database>, workDir: string, s: BenchSettings): Promise<Row> {
  const merchant = await seedMerchant(db, varco.dataDir);
  const files = await serverCertificateFiles(varco.dataDir, workDir);
  const baseline = await startBaseline('insert', {
    BENCH_CERT_FILE: files.certFile,
    BENCH_KEY_FILE: files.keyFile,
    BENCH_DATABASE_URL: await varco.databaseUrl(),
    BENCH_MERCHANT_ID: merchant.merchantId,
    BENCH_POOL_SIZE: '10',
  });
  let run = 0;
  const load = async (port: number, pid: number, seconds: number): Promise<LoadRun> => {
    const prefix = `b${run++}${randomBytes(3).toString('hex')}`;
    let n = 0;
    return runLoad(
      {
        url: `https://127.0.0.1:${port}${ENTRY_PATH}`,
        servername: 'localhost',
        connections: s.connections,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            path: ENTRY_PATH,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            setupRequest: (request) => ({ ...request, body: orderBody(merchant, prefix, n++) }),
          },
        ],
      },
      { expect: '3xx', serverPid: pid },
    );
  };
  try {
    const before = await orderCount(db, merchant.merchantId);
    let varcoAccepted = 0;
    const result = await alternate(
      s.runs,
      {
        subject: async () => {
          varcoAccepted += (await load(varco.port, varco.pid, s.warmUpSeconds)).total;
        },
        baseline: () => load(baseline.port, baseline.pid, s.warmUpSeconds),
      },
      async () => {
        const r = await load(varco.port, varco.pid, s.seconds);
        varcoAccepted += r.total;
        return r;
      },
      () => load(baseline.port, baseline.pid, s.seconds),
      s.log,
    );
    // Every 303 Varco gave must be an order row: the answer was not sent before the commit.
    const varcoRows = (await orderCount(db, merchant.merchantId)) - before;
    const v = result.subject;
    const b = result.baseline;
    const ratio = v.rps / b.rps;
    return {
      name: '2. Hosted page entry (signed POST → order → 303)',
      varco: `${fmt.int(v.rps)} orders/s; ${fmt.int(v.cpuUsPerRequest)} µs CPU/order`,
      baseline: `${fmt.int(b.rps)} orders/s; ${fmt.int(b.cpuUsPerRequest)} µs CPU/order (bare Fastify + INSERT, pool 10, p99 ${fmt.ms(b.p99)})`,
      ratio: fmt.ratio(ratio),
      p50: fmt.ms(v.p50),
      p99: fmt.ms(v.p99),
      errors: String(v.errors),
      targets: [
        { what: 'ratio ≥ 0.50', met: ratio >= 0.5 },
        { what: '0 errors', met: v.errors === 0 },
        { what: 'every 303 has its order row', met: varcoRows >= varcoAccepted },
      ],
      data: { ratio, varco: v, baseline: b, varcoAccepted, varcoRows, baselineErrors: b.errors },
    };
  } finally {
    baseline.stop();
  }
}
