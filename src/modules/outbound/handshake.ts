// One TLS handshake to an endpoint, reported as data instead of events: whether TCP connected,
// the negotiated protocol, the certificates the server sent, and whether the server went on to
// accept our client certificate. Background probes and reachability verification use it.
import { connect as tcpConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DetailedPeerCertificate, SecureContext, TLSSocket } from 'node:tls';
import { isClientCertificateRejection, opensslReason } from './failure.ts';
import { openTls, phaseOf, type ConnectPhase } from './tls-connect.ts';
import { refusedDestination, type Target } from './connection.ts';

/** `how` in English; `howCode` and `howParams` say the same for pages in either language. */
interface Said {
  how: string;
  howCode: (typeof HANDSHAKE_HOWS)[number];
  howParams: Record<string, string>;
}
export type ClientCertificateVerdict =
  ({ state: 'accepted' } & Said) | ({ state: 'rejected'; error: NodeJS.ErrnoException | undefined } & Said) | ({ state: 'unconfirmed' } & Said);

/** How Varco knows the server's verdict on its certificate (ClientCertificateVerdict.howCode). */
export const HANDSHAKE_HOWS = ['tls12_completed', 'tls13_no_rejection', 'tls13_ticket', 'tls13_alert', 'tls13_failed_after', 'tls13_closed'] as const;

export type HandshakeOutcome =
  | {
      ok: true;
      protocol: string;
      servedChain: Buffer[];
      authorizationError: string | undefined;
      clientCertificate: ClientCertificateVerdict;
      durationMs: number;
    }
  | { ok: false; phase: ConnectPhase; timedOut: boolean; error: NodeJS.ErrnoException; durationMs: number };

export interface HandshakeOptions {
  target: Target;
  /** Protocol versions, ciphers, roots and client certificate all come from the context. */
  context: SecureContext;
  /** false: complete the handshake whatever the certificate, so the checks can report on it. */
  verify: boolean;
  /**
   * How long to wait after a TLS 1.3 handshake for the server's verdict on our certificate: the
   * server checks it only after our Finished, then sends session tickets or an alert.
   */
  verdictWaitMs: number;
}

export function tlsHandshake(options: HandshakeOptions): Promise<HandshakeOutcome> {
  const { target } = options;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const refused = refusedDestination(target);
  if (refused !== undefined) return Promise.resolve({ ok: false, phase: 'tcp', timedOut: false, error: refused, durationMs: 0 });
  return new Promise((resolve) => {
    let settled = false;
    const { socket, phase } = openTls(target, options.context, options.verify);
    const finish = (outcome: HandshakeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const fail = (error: NodeJS.ErrnoException, timedOut = false): void =>
      finish({ ok: false, phase: phaseOf(error) ?? phase(), timedOut, error, durationMs: elapsed() });
    const timer = setTimeout(
      () => fail(Object.assign(new Error(`no TLS handshake within ${target.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }), true),
      target.connectTimeoutMs,
    );
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol() ?? 'unknown';
      const base = { protocol, servedChain: servedChain(socket), authorizationError: socket.authorizationError?.message };
      clearTimeout(timer);
      socket.off('error', fail);
      // From here errors are verdicts, read by clientCertificateVerdict; never let one go unhandled.
      socket.on('error', () => {});
      void clientCertificateVerdict(socket, protocol, options.verdictWaitMs).then((clientCertificate) =>
        finish({ ok: true, ...base, clientCertificate, durationMs: elapsed() }),
      );
    });
  });
}

/**
 * Under TLS 1.2 the server checks our certificate before its Finished, so a completed handshake
 * means it was accepted. Under TLS 1.3 the client finishes first; the server then either sends
 * session tickets (accepted), an alert such as `unknown ca` / `certificate required` (rejected),
 * or just closes the connection (rejected, by a server that does not send alerts).
 */
function clientCertificateVerdict(socket: TLSSocket, protocol: string, waitMs: number): Promise<ClientCertificateVerdict> {
  if (protocol !== 'TLSv1.3')
    return Promise.resolve({
      state: 'accepted',
      how: `the ${protocol} handshake completed, which the server only allows after checking our certificate`,
      howCode: 'tls12_completed',
      howParams: { protocol },
    });
  return new Promise((resolve) => {
    const done = (verdict: ClientCertificateVerdict): void => {
      clearTimeout(timer);
      resolve(verdict);
    };
    const timer = setTimeout(
      () =>
        done({
          state: 'unconfirmed',
          how: `the TLS 1.3 handshake completed and no rejection arrived within ${waitMs} ms`,
          howCode: 'tls13_no_rejection',
          howParams: { ms: String(waitMs) },
        }),
      waitMs,
    );
    socket.once('session', () =>
      done({
        state: 'accepted',
        how: 'the server completed the TLS 1.3 handshake and issued a session ticket, so it accepted our certificate',
        howCode: 'tls13_ticket',
        howParams: {},
      }),
    );
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const reason = opensslReason(error);
      done(
        isClientCertificateRejection(error.code)
          ? {
              state: 'rejected',
              error,
              how: `the server answered our certificate with the TLS alert "${reason}"`,
              howCode: 'tls13_alert',
              howParams: { reason },
            }
          : {
              state: 'rejected',
              error,
              how: `the connection failed right after the handshake: ${reason}`,
              howCode: 'tls13_failed_after',
              howParams: { reason },
            },
      );
    });
    socket.once('end', () =>
      done({
        state: 'rejected',
        error: undefined,
        how: 'the server closed the connection right after the TLS 1.3 handshake, without an alert',
        howCode: 'tls13_closed',
        howParams: {},
      }),
    );
    // Keep reading so OpenSSL processes the tickets or the alert; nothing else is expected.
    socket.resume();
  });
}

/**
 * The certificates the server sent, leaf first, as DER. node's detailed peer certificate links
 * the served certificates by issuer and may append the root from our own store when the top one
 * is not self-signed; a root is never what a "full chain" check misses, so that is harmless.
 */
function servedChain(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  // An empty object (no certificate) has no raw; a self-signed one is its own issuer.
  while (current?.raw !== undefined && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push(current.raw);
    const next: DetailedPeerCertificate | undefined = current.issuerCertificate;
    current = next;
  }
  return chain;
}

/** TCP connect only: tells "nothing listens / no route" apart from TLS problems. */
export function tcpCheck(
  target: Target,
): Promise<{ ok: true; durationMs: number } | { ok: false; error: NodeJS.ErrnoException; timedOut: boolean; durationMs: number }> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const refused = refusedDestination(target);
  if (refused !== undefined) return Promise.resolve({ ok: false, error: refused, timedOut: false, durationMs: 0 });
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: target.ip, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({
        ok: false,
        error: Object.assign(new Error(`no TCP connection within ${target.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }),
        timedOut: true,
        durationMs: elapsed(),
      });
    }, target.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, durationMs: elapsed() });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, error, timedOut: false, durationMs: elapsed() });
    });
  });
}
