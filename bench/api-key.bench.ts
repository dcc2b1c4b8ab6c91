import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDevPki } from '../src/pki/index.ts';
import { alternate, runLoad } from './load.ts';
import { fmt, type Row } from './report.ts';
import { rssSampler, spawnTracked, waitForLine } from './support.ts';
import type { VarcoProcess } from './varco.ts';

// 1. API key check: GET /api/v1/ping with a valid key (format, checksum, SHA-256, cache, rate
// limit, route group, response schema) against a bare Fastify route over the same TLS.

export interface BenchSettings {
  runs: number;
  seconds: number;
  connections: number;
  warmUpSeconds: number;
  log: (line: string) => void;
}

export interface BaselineProcess {
  port: number;
  pid: number;
  stop(): void;
}

/** Writes the server chain and key Varco serves, for the baseline to serve the same. */
export async function serverCertificateFiles(dataDir: string, dir: string): Promise<{ certFile: string; keyFile: string }> {
  const pki = await ensureDevPki({ dir: join(dataDir, 'pki'), hostNames: ['localhost'] });
  const certFile = join(dir, 'baseline.crt');
  const keyFile = join(dir, 'baseline.key');
  await writeFile(certFile, pki.server.chainPem);
  await writeFile(keyFile, pki.server.keyPem, { mode: 0o600 });
  return { certFile, keyFile };
}

export async function startBaseline(mode: 'ping' | 'insert', env: Record<string, string>): Promise<BaselineProcess> {
  const child = spawnTracked(['bench/baseline-server.ts', mode], { env: { ...process.env, ...env } });
  const match = await waitForLine(child, /listening (\d+)/, 20_000, `baseline ${mode}`);
  child.stdout?.resume();
  return { port: Number(match[1]), pid: child.pid ?? 0, stop: () => { child.kill('SIGTERM'); } };
}

export async function benchApiKey(varco: VarcoProcess, keys: string[], workDir: string, s: BenchSettings): Promise<{ row: Row; rssUnderLoadMb: number }> {
  const files = await serverCertificateFiles(varco.dataDir, workDir);
  const baseline = await startBaseline('ping', { BENCH_CERT_FILE: files.certFile, BENCH_KEY_FILE: files.keyFile });
  const load = (port: number, key: string, seconds: number) => runLoad({
    url: `https://127.0.0.1:${port}/api/v1/ping`, servername: 'localhost', connections: s.connections, duration: seconds,
    headers: { 'ocp-apim-subscription-key': key },
  });
  const rss = rssSampler(varco.pid);
  try {
    // keys[0] warms up; each measured run has a subscription (and rate-limit window) of its own.
    const result = await alternate(s.runs,
      { subject: () => load(varco.port, keys[0]!, s.warmUpSeconds), baseline: () => load(baseline.port, 'none', s.warmUpSeconds) },
      (i) => load(varco.port, keys[i + 1]!, s.seconds), () => load(baseline.port, 'none', s.seconds), s.log);
    const ratio = result.subject.rps / result.baseline.rps;
    const row: Row = {
      name: '1. API key check (GET /api/v1/ping)',
      varco: `${fmt.int(result.subject.rps)} req/s`,
      baseline: `${fmt.int(result.baseline.rps)} req/s (bare Fastify, p99 ${fmt.ms(result.baseline.p99)})`,
      ratio: fmt.ratio(ratio),
      p50: fmt.ms(result.subject.p50),
      p99: fmt.ms(result.subject.p99),
      errors: String(result.subject.errors),
      targets: [{ what: 'ratio ≥ 0.80', met: ratio >= 0.8 }, { what: 'p99 ≤ 5 ms', met: result.subject.p99 <= 5 }, { what: '0 errors', met: result.subject.errors === 0 }],
      data: { ratio, varco: result.subject, baseline: result.baseline },
    };
    return { row, rssUnderLoadMb: rss.stop() };
  } finally {
    rss.stop();
    baseline.stop();
  }
}
