import { join } from 'node:path';
import { benchApiKey, type BenchSettings } from './api-key.bench.ts';
import { benchHostedPage } from './hosted-page.bench.ts';
import { benchOutbound } from './outbound.bench.ts';
import { benchOutbox } from './outbox.bench.ts';
import { benchPagopa } from './pagopa.bench.ts';
import { benchScaleOut } from './scale-out.bench.ts';
import { withMemory } from './memory.ts';
import { machineLine, textTable, writeReport, type Report, type Row } from './report.ts';
import { openBenchDatabase, seedApiKeys, seedOrganisation } from './seed.ts';
import { measureStartups, startupRow, type StartupResult } from './startup.bench.ts';
import { cleanupAll, freePort, loadAverageNow, machine, tempDir } from './support.ts';
import { startVarco } from './varco.ts';

// `npm run bench [-- --quick] [-- --only=1,2,3,4,5,6]`: the benchmarks of issue 6, the pagoPA flow
// (issue 11, row 5) and the scale-out figure (issue 15, row 6) on this machine, with the embedded database, each against a baseline measured in the same run. Prints a table,
// writes bench/results.json and the results section of docs/benchmarks.md.
// --quick: 3 runs of 3 s (for trying changes; the published figures come from a full run).

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = new Set((args.find((a) => a.startsWith('--only='))?.slice(7) ?? '1,2,3,4,5,6').split(','));
const settings: BenchSettings = {
  runs: 3,
  seconds: quick ? 3 : 10,
  connections: 50,
  warmUpSeconds: quick ? 1 : 3,
  log: (line) => process.stdout.write(`${line}\n`),
};
const GLOBAL_TIMEOUT_MS = (quick ? 10 : 20) * 60_000;

let finishing = false;
async function abort(reason: string, code: number): Promise<never> {
  if (!finishing) {
    finishing = true;
    process.stderr.write(`\nbench: ${reason}; cleaning up\n`);
    await cleanupAll();
  }
  process.exit(code);
}
const watchdog = setTimeout(() => void abort(`global timeout of ${GLOBAL_TIMEOUT_MS / 60_000} min reached`, 124), GLOBAL_TIMEOUT_MS);
watchdog.unref();
process.once('SIGINT', () => void abort('interrupted', 130));
process.once('SIGTERM', () => void abort('terminated', 143));

async function main(): Promise<Report> {
  const started = new Date();
  const info = machine();
  settings.log(`Varco benchmark on ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GB, Node.js ${info.node}${quick ? ' (quick)' : ''}`);
  const workDir = await tempDir('varco-bench-');
  const dataDir = join(workDir, 'data');
  const base = { dataDir, port: await freePort(), pgPort: await freePort(), logFile: join(workDir, 'varco.log') };
  const rows: Row[] = [];
  const skipped: Report['skipped'] = [];

  settings.log('\n▶ first start: initialise the data directory (cluster, migrations, PKI, master key)');
  await (await startVarco({ ...base, readyTimeoutMs: 120_000 })).stop();

  let startup: StartupResult | undefined;
  if (only.has('4')) {
    settings.log('▶ 4. start-up and idle memory');
    startup = await measureStartups(3, base, settings.log);
  }

  settings.log('▶ starting Varco for the load runs');
  // The load comes from one address and names one PSPID: the entry's rate limits (ADR 0014) are raised
  // so the benchmark measures the entry, not the 429 page.
  const varco = await startVarco({ ...base, env: { VARCO_NCOL_RATE_LIMIT_PER_IP: '1000000', VARCO_NCOL_RATE_LIMIT_PER_PSPID: '1000000' } });
  const database = openBenchDatabase(await varco.databaseUrl());
  const rssUnderLoadMb: Record<string, number> = {};
  const measured = async (bench: () => Promise<Row>): Promise<void> => {
    const row = await withMemory(varco.pid, bench);
    rssUnderLoadMb[row.name.slice(0, row.name.indexOf('.'))] = (row.data.rssUnderLoadMb as { varco: number }).varco;
    rows.push(row);
  };
  try {
    const organisationId = await seedOrganisation(database.db);
    if (only.has('1') || only.has('4')) {
      settings.log('▶ 1. API key check: GET /api/v1/ping vs bare Fastify');
      const keys = await seedApiKeys(database.db, organisationId, settings.runs + 1);
      await measured(() => benchApiKey(varco, keys, workDir, settings));
    }
    if (only.has('2')) {
      settings.log('▶ 2. hosted page entry vs bare INSERT');
      await measured(() => benchHostedPage(varco, database.db, workDir, settings));
    }
    if (only.has('3')) {
      settings.log('▶ 3. outbound mutual TLS: outbox deliveries vs raw undici');
      await measured(() => benchOutbox(varco, database.db, workDir, settings));
    }
    if (only.has('6')) {
      settings.log('▶ 6. scale-out: 1, 2 and 4 instances on one PostgreSQL, connections spread round-robin');
      rows.push(await benchScaleOut(varco, database.db, organisationId, settings));
    }
    if (only.has('5')) {
      settings.log('▶ 5. pagoPA flow: activate → getPayment → outcome → receipt vs the raw SOAP round trips to the EC');
      await measured(() => benchPagopa(varco, database.db, workDir, settings));
    }
  } finally {
    await database.close();
    await varco.stop();
  }
  if (only.has('3')) {
    settings.log('▶ 3b. the outbound client alone vs raw undici');
    rows.push(await benchOutbound(dataDir, workDir, settings));
  }
  if (startup) rows.push(startupRow(startup, rssUnderLoadMb));
  rows.sort((a, b) => a.name.localeCompare(b.name));
  return {
    startedAt: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: info,
    loadAverageAtEnd: loadAverageNow(),
    settings: { runs: settings.runs, seconds: settings.seconds, connections: settings.connections },
    rows,
    skipped,
  };
}

try {
  const report = await main();
  process.stdout.write(`\n${machineLine(report)}\n${textTable(report)}\n`);
  await writeReport(report);
  process.stdout.write('\nWrote bench/results.json and docs/benchmarks.md\n');
  finishing = true;
  await cleanupAll();
  clearTimeout(watchdog);
} catch (error) {
  await abort(`failed: ${(error as Error).stack ?? String(error)}`, 1);
}
