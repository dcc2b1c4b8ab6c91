import { after } from 'node:test';
import { request } from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createPlatformCa, issuePlatformClient, issueServerCertificate, type PkiEnvironment } from '../../src/pki/index.ts';

// Real TLS peers for tests: a development PKI made in memory, and clients that report what the
// handshake gave (or why it failed) instead of throwing, so tests can assert either outcome.

/** What Varco's development PKI issues, as the platform module would (src/pki's helpers), kept in memory. */
export interface DevPki {
  server: { certPem: string; keyPem: string; /** Server leaf followed by the test CA. */ chainPem: string };
  envs: Record<PkiEnvironment, { caCertPem: string; caKeyPem: string; clientCertPem: string; clientKeyPem: string; clientChainPem: string }>;
}

/** A fresh development PKI: test and prod CAs with a client certificate each, and a server certificate for `hostNames` from the test CA. */
export async function tempDevPki(hostNames: string[] = ['localhost'], now = new Date()): Promise<DevPki> {
  const envs = {} as DevPki['envs'];
  for (const env of ['test', 'prod'] as const) {
    const ca = await createPlatformCa(env, now);
    const client = await issuePlatformClient(ca, env, now);
    envs[env] = {
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      clientCertPem: client.certPem,
      clientKeyPem: client.keyPem,
      clientChainPem: client.certPem + ca.certPem,
    };
  }
  const server = await issueServerCertificate({ certPem: envs.test.caCertPem, keyPem: envs.test.caKeyPem }, hostNames, now);
  return { server: { ...server, chainPem: server.certPem + envs.test.caCertPem }, envs };
}

export type Handshake =
  | { ok: true; protocol: string | null; authorized: boolean; authorizationError: string | undefined; peerSubjectCn: string | undefined }
  | { ok: false; error: NodeJS.ErrnoException };

export interface HandshakeOptions {
  port: number;
  host?: string;
  servername?: string;
  ca?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  rejectUnauthorized?: boolean;
}

/** Opens a TLS connection, waits for the handshake to finish or fail, and closes it. */
export function handshake(options: HandshakeOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: options.host ?? '127.0.0.1',
      port: options.port,
      servername: options.servername ?? 'localhost',
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.minVersion ? { minVersion: options.minVersion } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      ...(options.ciphers ? { ciphers: options.ciphers } : {}),
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.once('secureConnect', () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      resolve({
        ok: true,
        protocol: socket.getProtocol(),
        authorized: socket.authorized,
        authorizationError: socket.authorizationError?.message,
        peerSubjectCn: Array.isArray(cn) ? cn[0] : cn,
      });
      socket.end();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, error }));
  });
}

/** A bare TLS server that accepts the old protocols: proves a client really offers TLS 1.0/1.1. */
export async function permissiveTlsServer(pki: DevPki): Promise<number> {
  const server = tls.createServer({ cert: pki.server.chainPem, key: pki.server.keyPem, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (socket) =>
    socket.end(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  protocol: string | null;
}

/** GET over HTTPS on 127.0.0.1, verifying the server certificate for `servername` against `ca`. */
export function httpsGet(
  port: number,
  path: string,
  options: { ca: string; servername?: string; minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion },
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        servername: options.servername ?? 'localhost',
        ca: options.ca,
        agent: false,
        ...(options.minVersion ? { minVersion: options.minVersion } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      },
      (res) => {
        const protocol = (res.socket as tls.TLSSocket).getProtocol();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), protocol }));
        res.on('error', reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}
