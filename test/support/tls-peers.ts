// Real HTTPS peers on loopback for the outbound tests: an organisation's service that (usually)
// requires a client certificate, records what it received, and counts TLS handshakes.
// Certificates come from test-certs.ts (re-exported here so one import is enough).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { SecureVersion, TLSSocket } from 'node:tls';
import type { TestCertificate } from './test-certs.ts';

export * from './test-certs.ts';

export interface PeerRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** PEM of the client certificate the peer saw, if any. */
  clientCertificatePem: string | undefined;
  protocol: string | null;
}

export interface PeerReply {
  status: number;
  headers?: Record<string, string>;
  /** Text is sent as UTF-8; bytes as they are (a template in another character set). */
  body?: string | Buffer;
  /** Announce this many bytes, send `body` only, then drop the connection: an answer broken mid-body. */
  announcedLength?: number;
  /** With announcedLength: keep the connection open instead, the rest never coming (a body that stalls). */
  stall?: boolean;
  /** Answer this many milliseconds after the request (a slow application; the connection stays usable). */
  delayMs?: number;
}

export interface PeerOptions {
  /** Loopback address to listen on; 127.0.0.1 unless told. */
  host?: string;
  port?: number;
  leaf: TestCertificate;
  /** Certificates served after the leaf (intermediates); omitted means the leaf alone is served. */
  chain?: TestCertificate[];
  /** CAs whose client certificates are accepted. */
  clientCas?: string[];
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  /** Default: 200 with `{"ok":true}`. Returning undefined leaves the request unanswered (timeouts). */
  reply?: (request: PeerRequest) => PeerReply | undefined;
}

export interface Peer {
  readonly host: string;
  readonly port: number;
  /** Handshakes completed on this peer (the server's `secureConnection` events). */
  readonly secureConnections: number;
  /** Connections closed so far, by either side (a client that aborts a request closes its connection). */
  readonly closedConnections: number;
  readonly requests: PeerRequest[];
  url(path?: string, hostname?: string): string;
  /** Stops listening and drops open connections; `start()` listens again on the same address. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPeer(options: PeerOptions): Promise<Peer> {
  const host = options.host ?? '127.0.0.1';
  const requests: PeerRequest[] = [];
  const sockets = new Set<Socket>();
  let secureConnections = 0;
  let closedConnections = 0;
  let port = options.port ?? 0;
  let server: HttpsServer | undefined;

  const create = (): HttpsServer => {
    const created = createHttpsServer(
      {
        cert: [options.leaf, ...(options.chain ?? [])].map((cert) => cert.certPem).join(''),
        key: options.leaf.keyPem,
        requestCert: options.requestCert ?? true,
        rejectUnauthorized: options.rejectUnauthorized ?? true,
        ...(options.clientCas ? { ca: options.clientCas } : {}),
        ...(options.minVersion ? { minVersion: options.minVersion } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        ...(options.ciphers ? { ciphers: options.ciphers } : {}),
      },
      (req, res) => handle(req, res),
    );
    created.on('secureConnection', () => {
      secureConnections++;
    });
    created.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        closedConnections++;
      });
    });
    // Handshake failures are part of what these peers are for; they must not crash the test.
    created.on('tlsClientError', () => {});
    return created;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const socket = req.socket as TLSSocket;
      const clientCert = socket.getPeerX509Certificate();
      const request: PeerRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        clientCertificatePem: clientCert?.toString(),
        protocol: socket.getProtocol(),
      };
      requests.push(request);
      const reply =
        options.reply === undefined ? { status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } } : options.reply(request);
      if (reply === undefined) return;
      if (reply.announcedLength !== undefined) {
        res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.announcedLength) });
        res.write(reply.body ?? '', () => (reply.stall ? undefined : setTimeout(() => res.socket?.destroy(), 20)));
        return;
      }
      const answer = (): void => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      };
      if (reply.delayMs === undefined) answer();
      else setTimeout(answer, reply.delayMs);
    });
  };

  const start = async (): Promise<void> => {
    server = create();
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, host, () => resolve());
    });
    port = (listening.address() as AddressInfo).port;
  };

  const stop = async (): Promise<void> => {
    const stopping = server;
    server = undefined;
    if (stopping === undefined) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => stopping.close(() => resolve()));
  };

  await start();
  after(stop);
  return {
    host,
    get port() {
      return port;
    },
    get secureConnections() {
      return secureConnections;
    },
    get closedConnections() {
      return closedConnections;
    },
    requests,
    url: (path = '/service', hostname = 'localhost') => `https://${hostname}:${port}${path}`,
    stop,
    start,
  };
}

/** A TCP listener that accepts and never speaks: TLS handshakes to it hang until the client gives up. */
export async function startSilentPeer(host = '127.0.0.1'): Promise<{ host: string; port: number }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { host, port: (server.address() as AddressInfo).port };
}

/** A port on which nothing listens (bound, then released), so connecting to it is refused. */
export async function refusedPort(host = '127.0.0.1'): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const OPENSSL = '/usr/bin/openssl';
export const hasOpenSsl = existsSync(OPENSSL);

/**
 * `openssl s_server` requiring a client certificate from `clientCas`: unlike node's TLS server,
 * which refuses a certificate by closing the connection, OpenSSL answers with a TLS alert
 * (`unknown ca`), as most production servers do.
 */
export async function startOpenSslPeer(options: {
  leaf: TestCertificate;
  chain: TestCertificate[];
  clientCas: string[];
  host?: string;
}): Promise<{ host: string; port: number }> {
  const host = options.host ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'varco-openssl-peer-'));
  await Promise.all([
    writeFile(join(dir, 'cert.pem'), options.leaf.certPem),
    writeFile(join(dir, 'key.pem'), options.leaf.keyPem),
    writeFile(join(dir, 'chain.pem'), options.chain.map((cert) => cert.certPem).join('')),
    writeFile(join(dir, 'client-cas.pem'), options.clientCas.join('')),
  ]);
  const child = spawn(
    OPENSSL,
    [
      's_server',
      '-accept',
      `${host}:0`,
      '-cert',
      join(dir, 'cert.pem'),
      '-key',
      join(dir, 'key.pem'),
      ...(options.chain.length > 0 ? ['-cert_chain', join(dir, 'chain.pem')] : []),
      '-Verify',
      '1',
      '-verify_return_error',
      '-CAfile',
      join(dir, 'client-cas.pem'),
      '-www',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  after(async () => {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  });
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${seen}`)), 5000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = /ACCEPT \S+:(\d+)/.exec(seen);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited (${code}): ${seen}`));
    });
  });
  return { host, port };
}
