import type { Database, Kysely } from '../src/db/index.ts';
import type { BenchSettings } from './api-key.bench.ts';
import type { Row } from './report.ts';
import { httpsStatus, type VarcoProcess } from './varco.ts';

// 2. Hosted page entry: signed order form POST → SHA-IN check → order row → redirect, against a
// bare concurrent INSERT of an order row of the same shape into the same PostgreSQL.

export async function benchHostedPage(varco: VarcoProcess, _db: Kysely<Database>, _workDir: string, _s: BenchSettings): Promise<{ row: Row } | { skipped: string }> {
  const status = await httpsStatus(varco.port, '/ncol/test/orderstandard.asp', varco.ca);
  if (status === 404) return { skipped: 'the hosted page (/ncol/test/orderstandard.asp) is not available in this build' };
  return { skipped: 'not implemented yet' };
}
