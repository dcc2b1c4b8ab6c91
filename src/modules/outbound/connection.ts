// How Varco opens a connection: TCP to the given IP and port — only when the destination policy
// allows that address (checked here, right before connecting, whatever checked it earlier) — TLS
// 1.2+ with SNI and hostname verification on the URL's FQDN, the call's trust store as the only
// roots, and our client certificate only when the caller has one (stations; never feedback). Used
// by the pools, the probes and verification, so what "Verify" checks is exactly what production does.
import { createHash } from 'node:crypto';
import { connect as tcpConnect, isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { buildConnector } from 'undici';
import { describeRefusal, type DestinationPolicy, type DestinationVerdict } from './destination.policy.ts';
import { openTls, withPhase } from './tls-connect.ts';
import type { ClientIdentity, Endpoint, TrustStore } from './outbound.types.ts';

/** Issue 4: connect and response timeouts default to 7 s, like pagoPA's station form. */
export const DEFAULT_TIMEOUT_MS = 7000;
export const MIN_TLS_VERSION = 'TLSv1.2';
/** Longest wait for a TLS 1.3 server's verdict on our certificate before the first request. */
const TLS13_VERDICT_GRACE_MS = 200;

export interface Target {
  /** Host name of the service URL: SNI and certificate name checks use it; DNS does not. */
  fqdn: string;
  /**
   * False for an `http://` URL: plain TCP, no TLS (server-to-server feedback to a test merchant's
   * http URL, as the platform's test environment allows). A `mutual` client never calls one.
   */
  tls: boolean;
  /** The canonical address the connection goes to (the policy's), or the refused text. */
  ip: string;
  /** The destination policy's verdict on the address: nothing is opened unless it is allowed. */
  destination: DestinationVerdict;
  port: number;
  /** `https://FQDN[:port]`: gives the Host header the organisation's virtual host expects. */
  origin: string;
  path: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** For messages: `FQDN at IP:port`. */
  label: string;
}

export function toTarget(endpoint: Endpoint, destinations: DestinationPolicy): Target {
  const url = new URL(endpoint.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`outbound endpoint URL must be https (or http): ${endpoint.url}`);
  const fqdn = url.hostname;
  // SNI cannot carry an IP address and certificate name checks would then be on the IP:
  // stations reject such URLs at registration; refusing here keeps the invariant local.
  if (isIP(fqdn.replace(/^\[|\]$/g, '')) !== 0) throw new Error(`outbound endpoint URL must name a host, not an IP: ${endpoint.url}`);
  if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) throw new Error(`invalid port ${endpoint.port}`);
  const destination = destinations.judge(endpoint.ip);
  const ip = destination.address;
  return {
    fqdn,
    tls: url.protocol === 'https:',
    ip,
    destination,
    port: endpoint.port,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    connectTimeoutMs: endpoint.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    responseTimeoutMs: endpoint.responseTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    label: `${fqdn} at ${ip}:${endpoint.port}`,
  };
}

/** Code of the error a refused destination fails with (classified as `destination_forbidden`). */
export const DESTINATION_REFUSED = 'VARCO_DESTINATION_REFUSED';

/** The error to fail with instead of connecting; undefined when the policy allows the address. */
export function refusedDestination(target: Target): NodeJS.ErrnoException | undefined {
  const verdict = target.destination;
  if (verdict.allowed) return undefined;
  return withPhase(Object.assign(new Error(describeRefusal(verdict)), { code: DESTINATION_REFUSED }), 'tcp');
}

/** Parsing ~150 roots costs milliseconds: build the context once per identity + trust and reuse it. */
export function secureContextFor(identity: ClientIdentity | undefined, trust: TrustStore): SecureContext {
  return createSecureContext({
    ca: trust.roots,
    minVersion: MIN_TLS_VERSION,
    ...(identity === undefined ? {} : { cert: identity.certChainPem, key: identity.keyPem }),
  });
}

export interface PinnedConnectorOptions {
  target: Target;
  context: SecureContext;
  onConnected?: () => void;
}

/**
 * undici connector that opens the socket to the registered IP and port while SNI and
 * `checkServerIdentity` use the URL's host name: a DNS answer can never redirect Varco's traffic.
 * Our own rather than undici's buildConnector so each error carries the phase it happened in.
 */
export function pinnedConnector(options: PinnedConnectorOptions): buildConnector.connector {
  if (!options.target.tls) return plainConnector(options);
  const { target, context } = options;
  // One endpoint, one server name: the latest session is the one to resume.
  let session: Buffer | undefined;
  return (_origin, callback) => {
    const refused = refusedDestination(target);
    if (refused !== undefined) {
      callback(refused, null);
      return;
    }
    const { socket, phase } = openTls(target, context, true, session);
    let pending = true;
    const settle = (error: Error | null): void => {
      if (!pending) return;
      pending = false;
      clearTimeout(timer);
      if (error === null) {
        options.onConnected?.();
        callback(null, socket);
      } else {
        callback(error, null);
      }
    };
    const timer = setTimeout(() => {
      const what = phase() === 'tcp' ? 'no TCP connection' : 'TCP connected but no TLS handshake';
      socket.destroy(withPhase(Object.assign(new Error(`${what} within ${target.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }), phase()));
    }, target.connectTimeoutMs);
    socket.setNoDelay(true);
    // Pooled connections sit idle between deliveries: let the kernel notice a dead peer.
    socket.setKeepAlive(true, 60_000);
    socket.on('session', (value: Buffer) => {
      session = value;
    });
    socket.once('secureConnect', () => {
      if (socket.getProtocol() !== 'TLSv1.3') {
        settle(null);
        return;
      }
      // TLS 1.3: the server judges our certificate after our handshake is done. Hand the socket
      // over once it has issued a session ticket (accepted); a refusal (alert, or a close that
      // openTls turns into an error) reaches the 'error' listener instead. Writing the request
      // first would race the alert with a reset and lose the reason. Servers that issue no
      // tickets cost a short grace period, once per pooled connection.
      const grace = setTimeout(() => settle(null), Math.min(TLS13_VERDICT_GRACE_MS, target.connectTimeoutMs));
      // Not from inside the 'session' event: it fires while OpenSSL is mid-read, and a request
      // undici writes from there was never sent (observed on node 24).
      socket.once('session', () => {
        clearTimeout(grace);
        setImmediate(() => settle(null));
      });
    });
    socket.once('error', (error: Error) => settle(error));
  };
}

/**
 * The same for an `http://` target: TCP to the judged address and port, nothing else. The
 * destination policy applies exactly as for TLS; errors carry their phase for the classification.
 */
function plainConnector(options: PinnedConnectorOptions): buildConnector.connector {
  const { target } = options;
  return (_origin, callback) => {
    const refused = refusedDestination(target);
    if (refused !== undefined) {
      callback(refused, null);
      return;
    }
    let phase: 'tcp' | 'established' = 'tcp';
    const socket = tcpConnect({ host: target.ip, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy(withPhase(Object.assign(new Error(`no TCP connection within ${target.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }), 'tcp'));
    }, target.connectTimeoutMs);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.prependListener('error', (error: Error) => {
      withPhase(error, phase);
    });
    socket.once('connect', () => {
      phase = 'established';
      clearTimeout(timer);
      options.onConnected?.();
      callback(null, socket);
    });
    socket.once('error', (error: Error) => {
      clearTimeout(timer);
      if (phase === 'tcp') callback(error, null);
    });
  };
}

const keys = new WeakMap<object, string>();

/**
 * Content hash of an identity or trust store, memoised per object: pools are reused while the
 * environment hands back the same material and replaced when it changes (client certificate
 * rotation, a CA authorised or removed).
 */
export function materialKey(material: ClientIdentity | TrustStore): string {
  const known = keys.get(material);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  if ('roots' in material) for (const root of material.roots) hash.update(root).update('\0');
  else hash.update(material.certChainPem).update('\0').update(material.keyPem);
  const key = hash.digest('hex').slice(0, 32);
  keys.set(material, key);
  return key;
}
