import { execFileSync, spawn } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverCertificateFiles } from './api-key.bench.ts';
import { runLoad, type LoadRun } from './load.ts';
import { openBenchDatabase, seedApiKeys, seedOrganisation } from './seed.ts';
import { childEnv, cleanupAll, freePort, onCleanup, ROOT, sleep, stopOrphanPostgres, tempDir, within } from './support.ts';
import { httpsStatus, SERVER_NODE_FLAGS, startVarco } from './varco.ts';

// `node bench/instructions.ts [requests] [varco|baseline] [--env NAME=VALUE …] [--keep DIR]
//  [--layers A,B+C,…]`: machine
// instructions per request of benchmark 1 (Varco's keyed GET /api/v1/ping against bare Fastify's),
// counted by valgrind's callgrind. Unlike CPU time, an instruction count does not depend on what the
// other core runs nor on what a system call costs in this sandbox (a system call's own work is not
// counted at all): it says how much code each request runs (docs/benchmarks.md, row 1, ninth
// session). Each server runs under callgrind with counting off; 2 × requests warm it up (the JIT), then
// counting is switched on for `requests` more (10 connections) and the counts are read per thread:
// the main thread's is the request path, the others are V8's compiler and collector helpers and
// libuv's pool. Slow (valgrind runs the server ~50 times slower): about a minute per side for 4,000.
// Work a server does per second of wall time (timers, the access log's 20 ms batches) is spread
// over ~50 times fewer requests than at full speed, which inflates Varco's figure a little (and the
// layer sets with `api`, whose key verifier flushes its usage stamps each second, by ~3 k).
// `--layers` counts, in place of the two servers, bench/layers-server.ts once per comma-separated set
// of layers (e.g. `--layers options,options+security`): Varco's request path rebuilt part by part,
// whose counts repeat within ±1 k where the whole server's spread ±5 % (docs/benchmarks.md, row 1).
// Like the bare baseline, it runs with Node's default flags (Varco's server runs with SERVER_NODE_FLAGS,
// a larger young generation: its collector's share is not the same).

const args = process.argv.slice(2);
const requests = Number(args.find((a) => /^\d+$/.test(a)) ?? 4000);
const only = args.find((a) => a === 'varco' || a === 'baseline');
const envArgs = args.flatMap((a, i) => (a === '--env' && args[i + 1] !== undefined ? [args[i + 1] as string] : []));
const extraEnv = Object.fromEntries(envArgs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const keepIndex = args.indexOf('--keep');
const keep = keepIndex >= 0 ? args[keepIndex + 1] : undefined;
const layersIndex = args.indexOf('--layers');
const layerSets = layersIndex >= 0 ? (args[layersIndex + 1] ?? '').split(',').filter(Boolean) : undefined;
if (layerSets?.length === 0) {
  process.stderr.write('--layers needs a comma-separated list of layer sets, e.g. --layers options,options+security\n');
  process.exit(64);
}

/** `amount` requests over 10 connections (the bench's load generator); `duration` only bounds the wait, as valgrind is slow. */
const load = (url: string, amount: number, headers: Record<string, string>): Promise<LoadRun> =>
  runLoad({ url, connections: 10, amount, duration: 900, headers, servername: 'localhost', timeout: 60 }, { expect: '2xx' });

interface Count {
  all: number;
  main: number;
  ok: number;
}

/** Starts `nodeArgs` under callgrind, warms it up, counts `requests` requests. `port`: known, or read from a `listening <port>` line. */
async function count(
  label: string,
  nodeArgs: string[],
  env: NodeJS.ProcessEnv,
  port: number | undefined,
  headers: Record<string, string>,
  dir: string,
  /** Varco's data directory: its embedded PostgreSQL is stopped after it if still running (a killed server leaves it). */
  dataDir?: string,
): Promise<Count> {
  const out = join(dir, `callgrind-${label}.out`);
  const errors = join(dir, `callgrind-${label}.stderr`);
  const stderr = openSync(errors, 'a');
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${out}`, process.execPath, ...nodeArgs],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', stderr] },
  );
  closeSync(stderr);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Stopped before the cleanup removes its directory, on success and failure alike.
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // A graceful stop under valgrind is slow; after 30 s it is killed.
    await within(30_000, `${label} stopping under valgrind`, exited).catch(async () => {
      child.kill('SIGKILL');
      await exited;
    });
  };
  const stopAll = async (): Promise<void> => {
    await stop();
    if (dataDir !== undefined) await stopOrphanPostgres(dataDir);
  };
  onCleanup(stopAll);
  let listening = port ?? 0;
  child.stdout?.on('data', (data: Buffer) => {
    const match = /listening (\d+)/.exec(data.toString());
    if (match) listening = Number(match[1]);
  });
  for (let tries = 0; ; tries++) {
    if (listening !== 0 && typeof (await httpsStatus(listening, '/api/v1/ping', undefined)) === 'number') break;
    if (tries > 600 || child.exitCode !== null) throw new Error(`${label} did not start under valgrind; see ${errors}`);
    await sleep(500);
  }
  const url = `https://127.0.0.1:${listening}/api/v1/ping`;
  await load(url, 2 * requests, headers);
  const control = (option: string): void => {
    execFileSync('callgrind_control', [option, String(child.pid)], { stdio: 'ignore' });
  };
  control('--instr=on');
  control('--zero');
  const run = await load(url, requests, headers);
  control('--instr=off');
  control('--dump=measured');
  await sleep(2000);
  const counted: Count = { all: 0, main: 0, ok: run.total };
  const files = readdirSync(dir).filter((f) => f.startsWith(`callgrind-${label}.out`));
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (!text.includes('Trigger: dump measured')) continue;
    const total = Number(/^totals: (\d+)/m.exec(text)?.[1] ?? 0);
    counted.all += total;
    if (/^thread: 1$/m.test(text)) counted.main += total;
    if (keep !== undefined) cpSync(join(dir, file), join(keep, file));
  }
  await stopAll();
  if (counted.main === 0) throw new Error(`${label}: callgrind wrote no counts for the measured requests; see ${errors}`);
  if (counted.ok < requests) throw new Error(`${label}: ${counted.ok} of ${requests} requests answered 2xx`);
  return counted;
}

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  if (keep !== undefined) mkdirSync(keep, { recursive: true });
  const workDir = await tempDir('varco-instructions-');
  const base = { dataDir: join(workDir, 'data'), port: await freePort(), pgPort: await freePort(), logFile: join(workDir, 'varco.log') };
  // Initialised and seeded by a normal start; the counted server then starts on the same data directory.
  const first = await startVarco({ ...base, readyTimeoutMs: 120_000 });
  const databaseUrl = await first.databaseUrl();
  const database = openBenchDatabase(databaseUrl);
  const [key] = await seedApiKeys(database.db, await seedOrganisation(database.db), 1);
  await database.close();
  const results: Array<[string, Count]> = [];
  const files = await serverCertificateFiles(base.dataDir, workDir);
  const certEnv = { ...process.env, BENCH_CERT_FILE: files.certFile, BENCH_KEY_FILE: files.keyFile };
  // The layers' key verifier is Varco's, on the database of the first server, which runs meanwhile
  // (idle: its own instructions are not counted).
  for (const [i, layers] of (layerSets ?? []).entries()) {
    const env = { ...certEnv, DATABASE_URL: databaseUrl, BENCH_LOG_FILE: join(workDir, `layers-${i}.log`) };
    const headers = { 'ocp-apim-subscription-key': key ?? '' };
    results.push([`layers ${layers}`, await count(`layers-${i}`, ['bench/layers-server.ts', layers], env, undefined, headers, workDir)]);
  }
  await first.stop();
  if (layerSets === undefined && only !== 'varco') {
    results.push(['bare Fastify', await count('baseline', ['bench/baseline-server.ts', 'ping'], certEnv, undefined, {}, workDir)]);
  }
  if (layerSets === undefined && only !== 'baseline') {
    const env = childEnv({
      VARCO_DATA_DIR: base.dataDir,
      VARCO_PORT: String(base.port),
      VARCO_EMBEDDED_PG_PORT: String(base.pgPort),
      VARCO_HOST: '127.0.0.1',
      ...extraEnv,
    });
    results.push([
      'Varco',
      await count('varco', [...SERVER_NODE_FLAGS, 'src/main/server.js'], env, base.port, { 'ocp-apim-subscription-key': key ?? '' }, workDir, base.dataDir),
    ]);
  }
  const k = (n: number): string => `${(n / requests / 1000).toFixed(1)} k`;
  for (const [label, c] of results)
    process.stdout.write(
      `${label}: ${c.ok}/${requests} answered 2xx; instructions per request ${k(c.all)} (main thread ${k(c.main)}, other threads ${k(c.all - c.main)})\n`,
    );
  const [bare, varco] = [results.find(([l]) => l === 'bare Fastify')?.[1], results.find(([l]) => l === 'Varco')?.[1]];
  if (bare && varco) process.stdout.write(`ratio bare ÷ Varco: ${(bare.all / varco.all).toFixed(2)} (main thread ${(bare.main / varco.main).toFixed(2)})\n`);
  if (keep !== undefined) process.stdout.write(`dumps in ${keep} (callgrind_annotate --inclusive=yes <file>)\n`);
} finally {
  await cleanupAll();
}
