import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { decide, readStationCall, type SimulatedEc } from '../src/modules/pagopa-simulator/index.ts';

// A creditor institution's station for benchmark 5, in its own process (like bench/receiver.ts):
// HTTPS that DEMANDS a client certificate issued by Varco's platform CA of `test` (mutual TLS),
// serving paForNode at /pa-for-node with primitive version 2. Its answers are the simulator's own
// pure decision with no scenario (src/modules/pagopa-simulator): paVerifyPaymentNotice and
// paGetPaymentV2 answer payable 100.00 € in one transfer to the EC, paSendRTV2 answers OK, each
// encoded by Varco's codec. It counts requests per operation, distinct receiptIds, and reports them
// over IPC when asked ('stats', 'receipts', 'reset').
// Env: BENCH_CERT_FILE, BENCH_KEY_FILE (server chain and key), BENCH_CLIENT_CA_FILE, BENCH_EC_FISCAL_CODE, BENCH_EC_NAME.

const PATH = '/pa-for-node';
const ec: SimulatedEc = { fiscalCode: process.env.BENCH_EC_FISCAL_CODE ?? '', name: process.env.BENCH_EC_NAME ?? 'Comune del benchmark' };

let handshakes = 0;
let refusedHandshakes = 0;
let errors = 0;
let lastReceiptAt = 0;
const operations = new Map<string, number>();
const receipts = new Map<string, number>();

function answer(body: string, soapAction: string | string[] | undefined): { status: number; contentType: string; body: string } {
  const read = readStationCall(body, soapAction, ec);
  if (!read.ok) {
    errors++;
    return read.answer;
  }
  const { call } = read;
  operations.set(call.operation, (operations.get(call.operation) ?? 0) + 1);
  if (call.operation === 'paSendRTV2' || call.operation === 'paSendRT') {
    const id = call.value.receipt.receiptId;
    receipts.set(id, (receipts.get(id) ?? 0) + 1);
    lastReceiptAt = Date.now();
  }
  const decided = decide({ scenarios: [], ec, call, now: new Date(), primitiveVersion: 2 });
  if (decided.outcome !== 'OK') errors++;
  return decided;
}

const server = createServer(
  {
    cert: readFileSync(process.env.BENCH_CERT_FILE ?? '', 'utf8'),
    key: readFileSync(process.env.BENCH_KEY_FILE ?? '', 'utf8'),
    ca: readFileSync(process.env.BENCH_CLIENT_CA_FILE ?? '', 'utf8'),
    requestCert: true,
    rejectUnauthorized: true,
    // Node's default keep-alive timeout (5 s) would close idle pooled connections between runs.
    keepAliveTimeout: 60_000,
  },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== PATH) {
        errors++;
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      const out = answer(Buffer.concat(chunks).toString('utf8'), req.headers.soapaction);
      res.writeHead(out.status, { 'content-type': out.contentType }).end(out.body);
    });
  },
);
server.on('secureConnection', () => {
  handshakes++;
});
server.on('tlsClientError', () => {
  refusedHandshakes++;
});

export interface EcStats {
  handshakes: number;
  refusedHandshakes: number;
  /** Requests the station could not read, or answered other than OK. */
  errors: number;
  operations: Record<string, number>;
  receiptRequests: number;
  distinctReceipts: number;
  /** Receipts that arrived more than once. */
  duplicateReceipts: number;
  /** Date.now() of the last paSendRT[V2], 0 when none. */
  lastReceiptAt: number;
}

function stats(): EcStats {
  return {
    handshakes,
    refusedHandshakes,
    errors,
    operations: Object.fromEntries(operations),
    receiptRequests: [...receipts.values()].reduce((a, b) => a + b, 0),
    distinctReceipts: receipts.size,
    duplicateReceipts: [...receipts.values()].filter((n) => n > 1).length,
    lastReceiptAt,
  };
}

process.on('message', (message: unknown) => {
  if (message === 'stats') process.send?.(stats());
  if (message === 'receipts') process.send?.({ receipts: [...receipts.keys()] });
  if (message === 'reset') {
    [handshakes, refusedHandshakes, errors, lastReceiptAt] = [0, 0, 0, 0];
    operations.clear();
    receipts.clear();
    process.send?.('reset');
  }
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
process.once('disconnect', () => process.exit(0));
