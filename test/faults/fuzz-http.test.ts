import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { buildTestApp } from '../support/app.ts';
import { tempDevPki } from '../support/tls.ts';
import { issueKeys } from '../support/subscriptions.ts';
import { createMerchant, payLocation, postEntry, signedOrder } from '../support/ecommerce.ts';
import { describeRequest, fuzzRequest, type FuzzRequest, type FuzzSeeds } from './malformed.ts';

// Abuse of the two public surfaces (issue 6): 10,000 random malformed requests to /ncol/* and /api/*
// through inject() (the whole Fastify pipeline, fast), then a smaller batch and hand-made protocol
// abuse over real TLS sockets. No answer may be a 5xx and the process must stay up. The seed is in
// the failure message; VARCO_FUZZ_SEED=<n> replays a run.

const seed = Number(process.env.VARCO_FUZZ_SEED ?? randomInt(2 ** 31));
const pki = await tempDevPki();
// 10,000 requests from one address in seconds: far beyond the entry's rate limits, which would turn
// nearly every request into a 429 before it reached the decoder. The limits are raised here so the
// fuzz reaches every check; test/ecommerce/hosted-page-limits.test.ts proves the limiter answers 429.
const NO_LIMIT = '1000000';
const t = await buildTestApp({
  tls: { cert: pki.server.chainPem, key: pki.server.keyPem },
  env: { VARCO_NCOL_RATE_LIMIT_PER_IP: NO_LIMIT, VARCO_NCOL_RATE_LIMIT_PER_PSPID: NO_LIMIT },
});
const { app } = t;

const merchant = await createMerchant(t);
const order = signedOrder(merchant, 'fuzz-order-1', [
  ['CN', 'Zoë Fuzz'],
  ['ACCEPTURL', 'https://shop.example/ok'],
]);
const pay = payLocation(await postEntry(app, order));
const seeds: FuzzSeeds = {
  order,
  pay: { orderId: pay.orderId, token: pay.token },
  apiKey: (await issueKeys(t.services, merchant.organisationId, 'ecommerce')).primary,
};
const requests = fc.sample(fuzzRequest(seeds), { numRuns: 10_000, seed });

/** Runs `work` over `items` with at most `parallel` at a time. */
async function pool<T>(items: T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

test(`10,000 malformed requests through inject() get no 5xx (seed ${seed})`, async () => {
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  await pool(requests, 8, async (r) => {
    const res = await app.inject({ method: r.method, url: r.url, headers: r.headers, ...(r.payload ? { payload: r.payload } : {}) });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    if (res.statusCode >= 500 && failures.length < 5) failures.push(`${res.statusCode} ← ${describeRequest(r)}\n   ${res.body.slice(0, 300)}`);
  });
  const fives = [...statuses].filter(([s]) => s >= 500).reduce((sum, [, n]) => sum + n, 0);
  assert.equal(fives, 0, `seed ${seed}: ${fives} answers were 5xx, e.g.\n${failures.join('\n')}`);
  // The fuzz must reach past the first checks: accepted entries (303) and refusals of several kinds.
  assert.ok((statuses.get(303) ?? 0) > 0, `no accepted order among ${JSON.stringify([...statuses])}`);
  assert.ok(
    [200, 400, 401, 404, 413, 415].every((s) => (statuses.get(s) ?? 0) > 0),
    `statuses seen: ${JSON.stringify([...statuses])}`,
  );
  assert.equal(statuses.get(429) ?? 0, 0, 'the limits were raised: every request reached the checks it fuzzes');
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
});

/** Writes raw bytes over TLS and returns the status of the first answer (0 when the server closed without one). */
function rawExchange(port: number, bytes: Buffer): Promise<number> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.envs.test.caCertPem }, () => socket.end(bytes));
    let seen = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? done(status(seen)) : fail(error)));
    socket.on('close', () => done(status(seen)));
  });
}
const status = (seen: Buffer): number => Number(/^HTTP\/1\.[01] (\d{3})/.exec(seen.toString('latin1'))?.[1] ?? 0);

function wire(r: FuzzRequest): Buffer {
  const headers = Object.entries({ host: 'localhost', ...r.headers })
    .map(([n, v]) => `${n}: ${v}\r\n`)
    .join('');
  const length = r.payload ? `content-length: ${r.payload.length}\r\n` : '';
  return Buffer.concat([Buffer.from(`${r.method} ${r.url} HTTP/1.1\r\n${headers}${length}connection: close\r\n\r\n`, 'utf8'), r.payload ?? Buffer.alloc(0)]);
}

// Protocol abuse Node's HTTP parser must turn away with a 4xx (or a close), never reaching a handler that could fail.
const HAND_MADE = [
  'GET /ncol/test/orderstandard.asp HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef',
  'POST /ncol/test/orderstandard.asp HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nZZ\r\nPSPID=x\r\n0\r\n\r\n',
  'POST /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
  'GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n',
  'GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n\r\n',
  'GET /ncol/\u0000 HTTP/1.1\r\nHost: localhost\r\n\r\n',
  `GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
  `GET /ncol/test/orderstandard.asp?${'A=1&'.repeat(6000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
  'GARBAGE\r\n\r\n',
  'GET /api/v1/ping HTTP/9.9\r\nHost: localhost\r\n\r\n',
  'CONNECT localhost:443 HTTP/1.1\r\nHost: localhost\r\n\r\n',
  'GET http://evil.example/ncol/test/orderstandard.asp HTTP/1.1\r\nHost: localhost\r\n\r\n',
  'GET /api/v1/ping HTTP/1.1\nHost: localhost\n\n',
  'POST /ncol/test/orderstandard_utf8.asp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 99999999999999999999\r\n\r\nPSPID=x',
  'POST /ncol/test/orderstandard_utf8.asp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Encoding: gzip\r\nContent-Length: 7\r\n\r\nPSPID=x',
  'GET /api/v1/ping HTTP/1.1\r\nHost: localhost\r\n\r\nGET /ncol/%zz HTTP/1.1\r\nHost: localhost\r\n\r\n',
];

test('over real TLS sockets: 400 of the malformed requests and hand-made protocol abuse get no 5xx, and the server stays up', async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const batch = [
    ...requests
      .filter((r) => (r.payload?.length ?? 0) < 300_000)
      .slice(0, 400)
      .map(wire),
    ...HAND_MADE.map((s) => Buffer.from(s, 'latin1')),
  ];
  const failures: string[] = [];
  let answered = 0;
  await pool(batch, 10, async (bytes) => {
    const got = await rawExchange(port, bytes);
    if (got > 0) answered++;
    if (got >= 500) failures.push(`${got} ← ${JSON.stringify(bytes.subarray(0, 200).toString('latin1'))}`);
  });
  assert.deepEqual(failures, [], `seed ${seed}`);
  assert.ok(answered > batch.length * 0.9, `only ${answered} of ${batch.length} exchanges got an answer`);
  assert.equal(await rawExchange(port, Buffer.from('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n')), 200, 'the server still answers');
});
