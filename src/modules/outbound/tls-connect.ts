// Opening a TLS connection to a pinned address while remembering how far it got. OpenSSL's errors
// alone cannot tell "nothing answers" from "the server hung up after seeing our client
// certificate" — many servers (node's among them) refuse a certificate by closing the connection,
// without an alert. The phase at which an error happened is attached to the error object so the
// classification (failure.ts) can say which it was.
import { X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { Target } from './connection.ts';

export type ConnectPhase =
  /** Before TCP connected. */
  | 'tcp'
  /** TCP connected, TLS handshake under way. */
  | 'tls'
  /** TLS 1.2: our second flight (certificate, key exchange, Finished) was sent; waiting for the server's Finished. */
  | 'tls_client_flight_sent'
  /** Handshake complete: later errors are about the exchange, not the connection. */
  | 'established'
  /** TLS 1.3: handshake complete on our side, but the server hung up before a session ticket or answer. */
  | 'after_handshake';

const phases = new WeakMap<object, ConnectPhase>();

export function phaseOf(error: unknown): ConnectPhase | undefined {
  return typeof error === 'object' && error !== null ? phases.get(error) : undefined;
}

export function withPhase<E extends object>(error: E, phase: ConnectPhase): E {
  if (!phases.has(error)) phases.set(error, phase);
  return error;
}

/** How long after a TLS 1.3 handshake a silent close still counts as the server's verdict on our certificate. */
const VERDICT_WINDOW_MS = 1000;

export interface OpenedTls {
  socket: TLSSocket;
  phase(): ConnectPhase;
}

/**
 * The names a certificate covers (RFC 6125): the subject alternative names' DNS names, the CN only when
 * there are none; a wildcard stands for exactly one whole left-most label. Verify's name check
 * (certificates.ts) and every connection judge a station's certificate by these same rules.
 */
export const NAME_RULES = { subject: 'default', wildcards: true, partialWildcards: false, multiLabelWildcards: false } as const;

/** Node's check, then the name rules, which are stricter: Node accepts a partial wildcard (`stat*.example.org`). */
function checkStationIdentity(host: string, cert: PeerCertificate): Error | undefined {
  const refused = checkServerIdentity(host, cert);
  if (refused !== undefined) return refused;
  if (new X509Certificate(cert.raw).checkHost(host, NAME_RULES) !== undefined) return undefined;
  const reason = `Host: ${host}. is named by the certificate only through a wildcard for part of a label or for several labels`;
  return Object.assign(new Error(`Hostname/IP does not match certificate's altnames: ${reason}`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason, host });
}

export function openTls(target: Target, context: SecureContext, verify: boolean, session?: Buffer): OpenedTls {
  // Callers report a refused destination as an outcome before getting here; reaching this line
  // with one is a programming error, and nothing is opened.
  if (!target.destination.allowed) throw new Error(`refusing to connect to ${target.ip}: not an allowed destination`);
  const socket = tlsConnect({
    host: target.ip,
    port: target.port,
    servername: target.fqdn,
    secureContext: context,
    rejectUnauthorized: verify,
    checkServerIdentity: checkStationIdentity,
    ALPNProtocols: ['http/1.1'],
    ...(session === undefined ? {} : { session }),
  });
  let phase: ConnectPhase = 'tcp';
  socket.once('connect', () => {
    phase = 'tls';
  });
  // OpenSSL logs the TLS 1.2 master secret while building our second flight, which carries our
  // client certificate: a close after this point is the server's answer to that flight.
  const onKeylog = (line: Buffer): void => {
    if (line.subarray(0, 13).toString('latin1') === 'CLIENT_RANDOM') phase = 'tls_client_flight_sent';
  };
  socket.on('keylog', onKeylog);
  socket.prependListener('error', (error: Error) => {
    withPhase(error, phase);
  });
  socket.once('secureConnect', () => {
    socket.off('keylog', onKeylog);
    phase = 'established';
    if (socket.getProtocol() === 'TLSv1.3')
      watchTls13Verdict(socket, () => {
        phase = 'after_handshake';
      });
  });
  return { socket, phase: () => phase };
}

/**
 * Under TLS 1.3 the server checks our certificate only after our handshake completed. A server
 * that refuses it sends an alert (its error code says so) or closes: a close before any session
 * ticket, shortly after the handshake, is turned into an error tagged `after_handshake`, so the
 * request that was waiting on this connection reports it instead of a bare "other side closed".
 */
function watchTls13Verdict(socket: TLSSocket, onEarlyClose: () => void): void {
  const start = performance.now();
  let ticket = false;
  const early = (): boolean => !ticket && performance.now() - start < VERDICT_WINDOW_MS;
  socket.once('session', () => {
    ticket = true;
  });
  socket.once('end', () => {
    if (!early()) return;
    onEarlyClose();
    socket.destroy(
      withPhase(
        Object.assign(new Error('the server closed the connection right after the TLS 1.3 handshake, without an alert'), { code: 'ECONNRESET' }),
        'after_handshake',
      ),
    );
  });
  socket.prependListener('error', (error: Error) => {
    if (early()) {
      onEarlyClose();
      phases.set(error, 'after_handshake');
    }
  });
}
