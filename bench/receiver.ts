import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

// An organisation's service for benchmark 3, in its own process: HTTPS requiring a client
// certificate issued by Varco's platform CA (a station), or — BENCH_PLAIN=1 — plain HTTPS (a
// merchant's feedback receiver: feedback never carries a client certificate), answering 200 to
// every request. It counts TLS handshakes (`secureConnection`) and requests, and reports them over
// IPC when asked. Env: BENCH_CERT_FILE, BENCH_KEY_FILE (server chain and key), BENCH_CLIENT_CA_FILE, BENCH_PLAIN.

let handshakes = 0;
let requests = 0;
const ids = new Map<string, number>();

const server = createServer(
  {
    cert: readFileSync(process.env.BENCH_CERT_FILE ?? '', 'utf8'),
    key: readFileSync(process.env.BENCH_KEY_FILE ?? '', 'utf8'),
    ca: readFileSync(process.env.BENCH_CLIENT_CA_FILE ?? '', 'utf8'),
    requestCert: process.env.BENCH_PLAIN !== '1',
    rejectUnauthorized: process.env.BENCH_PLAIN !== '1',
    // Node's default keep-alive timeout (5 s) would close idle pooled connections between runs.
    keepAliveTimeout: 60_000,
  },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const id = req.headers['varco-event-id'];
      if (typeof id === 'string') ids.set(id, (ids.get(id) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
    });
  },
);
server.on('secureConnection', () => {
  handshakes++;
});
server.on('tlsClientError', () => undefined);

process.on('message', (message: unknown) => {
  if (message === 'stats') process.send?.({ handshakes, requests, distinctIds: ids.size, duplicates: [...ids.values()].filter((n) => n > 1).length });
  if (message === 'reset') {
    handshakes = 0;
    requests = 0;
    ids.clear();
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
