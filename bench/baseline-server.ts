import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { registerInsertBaseline } from './baseline-insert.ts';
import { baselinePingAnswer } from './ping-answer.ts';

// The baselines the benchmark measures Varco against, in a process of their own like Varco's:
// bare Fastify over HTTPS with the same certificate and TLS settings as Varco's server
// (src/app/build.ts: the development server chain, minimum TLS 1.2), nothing else.
//   node bench/baseline-server.ts ping    GET /api/v1/ping answers a JSON object of the same shape
//   node bench/baseline-server.ts insert  POST /ncol/test/orderstandard_utf8.asp INSERTs an order row, redirects
// Prints `listening <port>` when ready.

const mode = process.argv[2];
const cert = readFileSync(process.env.BENCH_CERT_FILE ?? '', 'utf8');
const key = readFileSync(process.env.BENCH_KEY_FILE ?? '', 'utf8');

const app = Fastify({ https: { cert, key, minVersion: 'TLSv1.2' } }) as unknown as FastifyInstance;

if (mode === 'ping') {
  app.get('/api/v1/ping', async () => baselinePingAnswer());
} else if (mode === 'insert') {
  await registerInsertBaseline(app, {
    databaseUrl: process.env.BENCH_DATABASE_URL ?? '',
    merchantId: process.env.BENCH_MERCHANT_ID ?? '',
    poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10),
  });
} else {
  process.stderr.write('usage: node bench/baseline-server.ts ping|insert\n');
  process.exit(64);
}

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
