import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pool } from 'undici';
import { createPlatformCa, issuePlatformClient, issueServerCertificate } from '../src/pki/index.ts';
import { createDestinationPolicy, createOutboundClient, type ClientIdentity, type EndpointSet, type TrustStore } from '../src/modules/outbound/index.ts';
import type { BenchSettings } from './api-key.bench.ts';
import { fmt, type Row } from './report.ts';
import { median, spawnTracked, waitForLine, within } from './support.ts';

// 3b. The outbound client alone (no outbox): notifications POSTed through Varco's outbound client
// (pinned address, SNI, our client certificate, pooled keep-alive) to a local HTTPS receiver that
// requires that certificate, against raw undici requests with the same certificates and pool size.
// Row 3 (outbox.bench.ts) is the whole delivery path; this one isolates the client's own cost.

export const POOL_SIZE = 10;
const BODY =
  'orderID=bench-1&amount=12.5&currency=EUR&PM=CreditCard&ACCEPTANCE=test123&STATUS=9&CARDNO=XXXXXXXXXXXX1111&PAYID=3000000001&NCERROR=0&BRAND=VISA&SHASIGN=0';

export interface Receiver {
  port: number;
  /** Its process, for its CPU time. */
  pid: number;
  stats(): Promise<{ handshakes: number; requests: number; distinctIds: number; duplicates: number }>;
  reset(): Promise<void>;
}

export function ask<T>(child: ChildProcess, message: string, isAnswer: (m: unknown) => boolean): Promise<T> {
  return within(
    5000,
    `receiver ${message}`,
    new Promise((done) => {
      const onMessage = (m: unknown): void => {
        if (!isAnswer(m)) return;
        child.off('message', onMessage);
        done(m as T);
      };
      child.on('message', onMessage);
      child.send(message);
    }),
  );
}

export async function startReceiver(env: Record<string, string>): Promise<Receiver> {
  const child = spawnTracked(['bench/receiver.ts'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...env } });
  const match = await waitForLine(child, /listening (\d+)/, 20_000, 'receiver');
  child.stdout?.resume();
  return {
    port: Number(match[1]),
    pid: child.pid ?? 0,
    stats: () => ask(child, 'stats', (m) => typeof m === 'object' && m !== null),
    reset: async () => {
      await ask(child, 'reset', (m) => m === 'reset');
    },
  };
}

export interface Material {
  identity: ClientIdentity;
  trust: TrustStore;
  /** Files for the receiver: server chain and key for localhost, and the platform CA it accepts clients of. */
  files: Record<string, string>;
}

/** A platform CA, client certificate and receiver certificate made by the same helpers as Varco's (the data directory is not needed). */
export async function outboundMaterial(_dataDir: string, workDir: string): Promise<Material> {
  const now = new Date();
  const ca = await createPlatformCa('test', now);
  const [client, server] = [await issuePlatformClient(ca, 'test', now), await issueServerCertificate(ca, ['localhost'], now)];
  const files = {
    BENCH_CERT_FILE: join(workDir, 'receiver.crt'),
    BENCH_KEY_FILE: join(workDir, 'receiver.key'),
    BENCH_CLIENT_CA_FILE: join(workDir, 'platform-ca.crt'),
  };
  await writeFile(files.BENCH_CERT_FILE, server.certPem + ca.certPem);
  await writeFile(files.BENCH_KEY_FILE, server.keyPem, { mode: 0o600 });
  await writeFile(files.BENCH_CLIENT_CA_FILE, ca.certPem);
  return { identity: { certChainPem: client.certPem + ca.certPem, keyPem: client.keyPem }, trust: { roots: [ca.certPem] }, files };
}

interface LoopResult {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  handshakes: number;
}

/** `concurrency` senders in a closed loop for `seconds`; latency per delivery in ms. */
export async function closedLoop(concurrency: number, seconds: number, send: () => Promise<boolean>): Promise<Omit<LoopResult, 'handshakes'>> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        if (await send()) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors };
}

async function varcoRun(m: Material, receiver: Receiver, concurrency: number, seconds: number): Promise<LoopResult> {
  await receiver.reset();
  const client = createOutboundClient({
    mode: { kind: 'mutual', identity: () => m.identity },
    destinations: createDestinationPolicy({ allowCidrs: ['127.0.0.0/8'] }),
    connectionsPerEndpoint: POOL_SIZE,
  });
  const endpoints: EndpointSet = { key: 'bench', primary: { url: `https://localhost:${receiver.port}/feedback`, ip: '127.0.0.1', port: receiver.port } };
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  try {
    const loop = await closedLoop(concurrency, seconds, async () => {
      const result = await client.send({ env: 'test', endpoints, trust: m.trust }, { method: 'POST', headers, body: BODY });
      return result.kind === 'response' && result.status < 300;
    });
    return { ...loop, handshakes: (await receiver.stats()).handshakes };
  } finally {
    await client.close();
  }
}

async function undiciRun(m: Material, receiver: Receiver, concurrency: number, seconds: number): Promise<LoopResult> {
  await receiver.reset();
  const pool = new Pool(`https://127.0.0.1:${receiver.port}`, {
    connections: POOL_SIZE,
    pipelining: 1,
    connect: { servername: 'localhost', ca: m.trust.roots, cert: m.identity.certChainPem, key: m.identity.keyPem, minVersion: 'TLSv1.2' },
  });
  try {
    const loop = await closedLoop(concurrency, seconds, async () => {
      try {
        const answer = await pool.request({ path: '/feedback', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: BODY });
        await answer.body.text();
        return answer.statusCode < 300;
      } catch {
        return false;
      }
    });
    return { ...loop, handshakes: (await receiver.stats()).handshakes };
  } finally {
    await pool.close();
  }
}

export async function benchOutbound(dataDir: string, workDir: string, s: BenchSettings): Promise<Row> {
  const material = await outboundMaterial(dataDir, workDir);
  const receiver = await startReceiver(material.files);
  const concurrency = s.connections;
  await varcoRun(material, receiver, concurrency, s.warmUpSeconds);
  await undiciRun(material, receiver, concurrency, s.warmUpSeconds);
  const v: LoopResult[] = [];
  const b: LoopResult[] = [];
  for (let i = 0; i < s.runs; i++) {
    const mine = await varcoRun(material, receiver, concurrency, s.seconds);
    const theirs = await undiciRun(material, receiver, concurrency, s.seconds);
    v.push(mine);
    b.push(theirs);
    s.log(
      `    run ${i + 1}/${s.runs} varco ${Math.round(mine.perSecond)}/s (${mine.handshakes} handshakes) · undici ${Math.round(theirs.perSecond)}/s (${theirs.handshakes} handshakes)`,
    );
  }
  const rate = median(v.map((r) => r.perSecond));
  const base = median(b.map((r) => r.perSecond));
  const ratio = rate / base;
  const handshakes = Math.max(...v.map((r) => r.handshakes));
  const errors = v.reduce((sum, r) => sum + r.errors, 0);
  return {
    name: '3b. Outbound client alone (50 in flight)',
    varco: `${fmt.int(rate)} deliveries/s; ≤ ${handshakes} handshakes per run`,
    baseline: `${fmt.int(base)} req/s (raw undici Pool, ${Math.max(...b.map((r) => r.handshakes))} handshakes)`,
    ratio: fmt.ratio(ratio),
    p50: fmt.ms(median(v.map((r) => r.p50))),
    p99: fmt.ms(median(v.map((r) => r.p99))),
    errors: String(errors),
    targets: [
      { what: 'ratio ≥ 0.50', met: ratio >= 0.5 },
      { what: `handshakes ≤ pool size (${POOL_SIZE})`, met: handshakes <= POOL_SIZE },
      { what: '0 errors', met: errors === 0 },
    ],
    data: { ratio, poolSize: POOL_SIZE, concurrency, varco: v, baseline: b },
  };
}
