import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { serverCertificateFiles, startBaseline } from './api-key.bench.ts';
import { runLoad } from './load.ts';
import { ENTRY_PATH, orderBody } from './hosted-page.bench.ts';
import { outboxBurst, prepareReceiver } from './outbox.bench.ts';
import { prepare as preparePagopa, varcoRun as pagopaRun } from './pagopa.bench.ts';
import { pinLoadGenerator } from './pinning.ts';
import { openBenchDatabase, seedApiKeys, seedMerchant, seedOrganisation } from './seed.ts';
import { cleanupAll, freePort, ROOT, tempDir } from './support.ts';
import { startVarco } from './varco.ts';

// `node bench/profile.ts [ping|baseline|order|outbox|pagopa] [seconds] [--keep]`: Varco under `--cpu-prof` while
// autocannon drives GET /api/v1/ping (benchmark 1) or signed order POSTs (benchmark 2), bare Fastify's
// GET /api/v1/ping of benchmark 1 (`baseline`, the same load, to diff the two profiles by function), while
// its outbox worker delivers seconds × 400 messages (benchmark 3), or while 20 PSP clients run
// pagoPA flows (benchmark 5), then the
// functions with the most self time, grouped by file, in µs per request (message, flow) counting only
// the samples taken while the load ran. How the findings in docs/benchmarks.md were
// made; --keep leaves the .cpuprofile in bench/results/ (open it in Chrome DevTools or speedscope
// for a flame graph) and prints its path. For ping and baseline, the server is pinned apart from the
// load generator as in the bench's pinned series (bench/pinning.ts), so that a sample's time is the
// server's own and not a wait for a core the generator holds.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  /** Microseconds of the monotonic clock (CLOCK_MONOTONIC on Linux, as process.hrtime here). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The load's span on the monotonic clock, in microseconds, and how many requests (or messages, flows) it served. */
export interface LoadWindow {
  fromUs: number;
  toUs: number;
  units: number;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

const seconds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10);
const keep = process.argv.includes('--keep');
const mode = (['baseline', 'order', 'outbox', 'pagopa'] as const).find((m) => process.argv.includes(m)) ?? 'ping';

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(ROOT) ? relative(ROOT, path) : path || '(native)';
}

/**
 * Self time by function and by file. With a window, only the samples taken while the load ran count
 * (not start-up, schema compilation or the seeding), and times are µs per unit of work (successful requests,
 * messages, flows) instead of shares; `(idle)` is the main thread waiting, listed like the rest.
 */
export function topSelfTime(profile: Profile, limit = 30, window?: LoadWindow): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (!node || (window !== undefined && (at < window.fromUs || at > window.toUs))) return;
    total += dt;
    const file = shortUrl(node.callFrame.url);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    const group = file.startsWith('node_modules/')
      ? file
          .split('/')
          .slice(0, file.split('/')[1]?.startsWith('@') ? 3 : 2)
          .join('/')
      : file;
    byFile.set(group, (byFile.get(group) ?? 0) + dt);
  });
  const pct = (us: number): string =>
    window === undefined ? `${((us / total) * 100).toFixed(1).padStart(5)} %` : `${(us / Math.max(1, window.units)).toFixed(1).padStart(7)} µs`;
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => `${pct(us)}  ${name}`);
  const unit = window === undefined ? '' : ` (µs per unit of work inside the load window: ${window.units} units, ${(total / 1000).toFixed(0)} ms sampled)`;
  return [`Self time by function${unit}:`, ...top(self), '', 'Self time by file / package:', ...top(byFile)];
}

/** The baseline's profile beside Varco's, named `baseline-…`. */
async function copyProfiles(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const f of await readdir(from)) await copyFile(join(from, f), join(to, `baseline-${f}`));
}

async function main(): Promise<void> {
  const workDir = await tempDir('varco-profile-');
  const profDir = keep ? join(ROOT, 'bench', 'results') : join(workDir, 'prof');
  const base = { dataDir: join(workDir, 'data'), port: await freePort(), pgPort: await freePort(), logFile: join(workDir, 'varco.log') };
  await (await startVarco({ ...base, readyTimeoutMs: 120_000 })).stop();
  // Rate limits raised, as in run.ts: the load comes from one address and names one PSPID (ADR 0014).
  const varco = await startVarco({
    ...base,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
    env: { VARCO_NCOL_RATE_LIMIT_PER_IP: '1000000', VARCO_NCOL_RATE_LIMIT_PER_PSPID: '1000000' },
  });
  const database = openBenchDatabase(await varco.databaseUrl());
  const target = { url: `https://127.0.0.1:${varco.port}`, servername: 'localhost', connections: 50, duration: seconds };
  let run;
  let loadWindow: LoadWindow | undefined;
  let baselineDir: string | undefined;
  /** Runs the load, noting its span on the monotonic clock and the units of work it served. */
  async function measured<T>(load: () => Promise<T>, units: (result: T) => number): Promise<T> {
    const fromUs = monotonicUs();
    const result = await load();
    loadWindow = { fromUs, toUs: monotonicUs(), units: units(result) };
    return result;
  }
  if (mode === 'baseline') {
    const files = await serverCertificateFiles(base.dataDir, workDir);
    baselineDir = join(workDir, 'baseline-prof');
    const baseline = await startBaseline('ping', { BENCH_CERT_FILE: files.certFile, BENCH_KEY_FILE: files.keyFile }, [
      '--cpu-prof',
      `--cpu-prof-dir=${baselineDir}`,
    ]);
    const pin = await pinLoadGenerator([baseline.pid]);
    try {
      run = await measured(
        () => runLoad({ ...target, url: `https://127.0.0.1:${baseline.port}/api/v1/ping` }, { serverPid: baseline.pid }),
        (r) => r.total,
      );
    } finally {
      await pin.restore();
    }
    baseline.stop();
    await baseline.exited;
  } else if (mode === 'pagopa') {
    const flowContext = await preparePagopa(varco, database.db, workDir);
    const flows = await measured(
      () => pagopaRun(flowContext, seconds),
      (r) => r.flows,
    );
    run = { rps: flows.perSecond, p50: flows.p50, p99: flows.p99, errors: flows.errors, cpuUsPerRequest: flows.cpuMsPerFlow * 1000 };
  } else if (mode === 'outbox') {
    const { receiver } = await prepareReceiver(varco, database.db, workDir);
    const burst = await measured(
      () => outboxBurst(database.db, receiver, seconds * 400, 'profile'),
      () => seconds * 400,
    );
    run = { rps: burst.perSecond, p50: Number.NaN, p99: Number.NaN, errors: burst.duplicates, cpuUsPerRequest: Number.NaN };
  } else if (mode === 'order') {
    const merchant = await seedMerchant(database.db, base.dataDir);
    let n = 0;
    run = await measured(
      () =>
        runLoad(
          {
            ...target,
            url: `${target.url}${ENTRY_PATH}`,
            requests: [
              {
                method: 'POST',
                path: ENTRY_PATH,
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                setupRequest: (request) => ({ ...request, body: orderBody(merchant, 'prof', n++) }),
              },
            ],
          },
          { expect: '3xx', serverPid: varco.pid },
        ),
      (r) => r.total,
    );
  } else {
    const [key] = await seedApiKeys(database.db, await seedOrganisation(database.db), 1);
    const pin = await pinLoadGenerator([varco.pid]);
    try {
      run = await measured(
        () => runLoad({ ...target, url: `${target.url}/api/v1/ping`, headers: { 'ocp-apim-subscription-key': key ?? '' } }, { serverPid: varco.pid }),
        (r) => r.total,
      );
    } finally {
      await pin.restore();
    }
  }
  await database.close();
  process.stdout.write(
    `${mode}: ${Math.round(run.rps)}/s, p50 ${run.p50} ms, p99 ${run.p99} ms, errors ${run.errors}, ${Math.round(run.cpuUsPerRequest)} µs CPU each\n\n`,
  );
  await varco.stop();
  if (baselineDir !== undefined) await copyProfiles(baselineDir, profDir);
  const files = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'));
  const latest = files
    .filter((f) => f.startsWith('baseline-') === (baselineDir !== undefined))
    .sort()
    .at(-1);
  if (!latest) throw new Error('no .cpuprofile written');
  const profile = JSON.parse(await readFile(join(profDir, latest), 'utf8')) as Profile;
  process.stdout.write(`${topSelfTime(profile, 30, loadWindow).join('\n')}\n`);
  if (keep) process.stdout.write(`\nprofile: ${join(profDir, latest)}\n`);
}

try {
  await main();
} finally {
  await cleanupAll();
}
