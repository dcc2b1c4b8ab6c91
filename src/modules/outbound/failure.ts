// Turns what node/undici/OpenSSL threw into one of four transport categories with a stable code
// and a sentence saying what was seen. The category mapping to pagoPA's fault codes is described
// on `FailureCategory` (outbound.types.ts) and in docs/adr/0006-outbound-client.md.
import type { FailureCategory } from './outbound.types.ts';
import { DESTINATION_REFUSED, type Target } from './connection.ts';
import { phaseOf, type ConnectPhase } from './tls-connect.ts';

export interface Classified {
  category: FailureCategory;
  code: string;
  /** English, for logs and the CLI; pages say it in the reader's language from `code` and `params`. */
  message: string;
  /** The values the sentence names (where, detail, ms, port; `meaning`: the certificate problem's key in CERTIFICATE_ERRORS). */
  params: Record<string, string>;
}

/** OpenSSL verification results (as node names them) → our code and what it means. */
const CERTIFICATE_ERRORS: Record<string, [code: string, meaning: string]> = {
  CERT_HAS_EXPIRED: ['certificate_expired', 'the server certificate (or one in its chain) has expired'],
  CERT_NOT_YET_VALID: ['certificate_not_yet_valid', 'the server certificate (or one in its chain) is not valid yet'],
  ERR_TLS_CERT_ALTNAME_INVALID: ['certificate_name_mismatch', 'the server certificate does not name the service FQDN'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [
    'certificate_chain_incomplete',
    "the server certificate's issuer was not served and is not a trusted root (missing intermediate, or unknown CA)",
  ],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [
    'certificate_chain_incomplete',
    "an issuer in the server's chain was not served and is not a trusted root (missing intermediate, or unknown CA)",
  ],
  UNABLE_TO_GET_ISSUER_CERT: ['certificate_chain_incomplete', "an issuer in the server's chain could not be found"],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['certificate_untrusted', 'the server certificate is self-signed and not trusted'],
  SELF_SIGNED_CERT_IN_CHAIN: ['certificate_untrusted', "the server's chain ends at a root that is not trusted"],
  EE_KEY_TOO_SMALL: ['certificate_key_too_weak', "the server certificate's key is too weak"],
  CA_KEY_TOO_SMALL: ['certificate_key_too_weak', "a CA key in the server's chain is too weak"],
  CA_MD_TOO_WEAK: ['certificate_signature_too_weak', "a certificate in the server's chain is signed with a weak digest"],
  CERT_SIGNATURE_FAILURE: ['certificate_invalid', "a signature in the server's chain does not verify"],
  INVALID_CA: ['certificate_invalid', "a certificate in the server's chain is used as a CA but is not one"],
  INVALID_PURPOSE: ['certificate_invalid', 'the server certificate is not for TLS server authentication'],
  CERT_REVOKED: ['certificate_revoked', 'the server certificate is revoked'],
};

/** TLS alerts a server sends when it refuses the client certificate we presented. */
const CLIENT_CERTIFICATE_ALERTS = new Set([
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

const PROTOCOL_VERSION_ERRORS = new Set([
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_UNKNOWN_PROTOCOL',
]);

/** Certificate problems OpenSSL reports without a name node knows, by the key pages translate them with. */
const UNNAMED_ERRORS: Record<string, [code: string, meaning: string]> = {
  UNNAMED_KEY_TOO_WEAK: ['certificate_key_too_weak', "a key in the server's chain is too weak"],
  UNNAMED_DIGEST_TOO_WEAK: ['certificate_signature_too_weak', "a certificate in the server's chain is signed with a weak digest"],
  UNNAMED_INVALID: ['certificate_invalid', "the server's chain did not pass verification"],
};

/** Every certificate problem's key (the `meaning` param of a `certificate_*` failure). */
export const CERTIFICATE_MEANINGS: readonly string[] = [...Object.keys(CERTIFICATE_ERRORS), ...Object.keys(UNNAMED_ERRORS)];

function unnamedVerifyError(message: string): string {
  if (/key too (weak|small)/i.test(message)) return 'UNNAMED_KEY_TOO_WEAK';
  if (/md too weak|digest/i.test(message)) return 'UNNAMED_DIGEST_TOO_WEAK';
  return 'UNNAMED_INVALID';
}

export function isClientCertificateRejection(code: string | undefined): boolean {
  return code !== undefined && CLIENT_CERTIFICATE_ALERTS.has(code);
}

export function isProtocolVersionError(code: string | undefined): boolean {
  return code !== undefined && PROTOCOL_VERSION_ERRORS.has(code);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The readable part of an OpenSSL error: "…:SSL routines:ssl3_read_bytes:tlsv1 alert unknown
 * ca:../deps/openssl/…:SSL alert number 48" → "tlsv1 alert unknown ca".
 */
export function opensslReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1] ?? message.trim();
}

/** Classifies a failed connection or exchange with `target`. */
export function classify(error: unknown, target: Target): Classified {
  const code = errorCode(error);
  const detail = opensslReason(error);
  const where = target.label;
  const said: Say = (category, failure, message, sentence = failure, extra = {}) => ({
    category,
    code: failure,
    message,
    params: {
      sentence,
      where,
      fqdn: target.fqdn,
      ip: target.ip,
      detail,
      ms: String(target.connectTimeoutMs),
      responseMs: String(target.responseTimeoutMs),
      port: String(target.port),
      ...(code === undefined ? {} : { errorCode: code }),
      ...extra,
    },
  });
  if (code === DESTINATION_REFUSED) return said('unreachable', 'destination_forbidden', `Varco did not connect to ${where}: ${detail}.`);
  // node names only some OpenSSL verification results; the others arrive as UNSPECIFIED.
  const meaning = code === 'UNSPECIFIED' ? unnamedVerifyError(detail) : code !== undefined && code in CERTIFICATE_ERRORS ? code : undefined;
  const certificate = meaning === undefined ? undefined : (CERTIFICATE_ERRORS[meaning] ?? UNNAMED_ERRORS[meaning]);
  if (meaning !== undefined && certificate !== undefined) {
    return said('certificate', certificate[0], `Varco refused the server certificate of ${where}: ${certificate[1]} (${detail}).`, 'certificate_refused', {
      meaning,
    });
  }
  if (isProtocolVersionError(code)) return said('tls', 'protocol_version', `${where} does not accept TLS 1.2 or later, the minimum Varco uses (${detail}).`);
  if (isClientCertificateRejection(code))
    return said('tls', 'client_certificate_rejected', `${where} refused Varco's client certificate (TLS alert "${detail}").`);
  return byPhase(code, phaseOf(error), target, detail, said) ?? byCode(code, target, detail, said);
}

/**
 * A Classified with its params: `sentence` names the English sentence chosen (two codes have two
 * sentences each), so pages can say the same in Italian (src/views/stations/step-text.ts).
 */
type Say = (category: FailureCategory, failure: string, message: string, sentence?: string, extra?: Record<string, string>) => Classified;

/** Every sentence a Classified can carry (params.sentence): the pages translate each one. */
export const FAILURE_SENTENCES = [
  'destination_forbidden',
  'certificate_refused',
  'protocol_version',
  'client_certificate_rejected',
  'client_certificate_closed',
  'connect_timeout_tcp',
  'tls_timeout',
  'handshake_closed',
  'connection_refused',
  'host_unreachable',
  'connection_closed',
  'connect_timeout',
  'response_timeout',
  'not_tls',
  'handshake_failed',
  'network_error',
] as const;

/** Timeouts and hang-ups mean different things before TCP, during TLS, and after our certificate. */
function byPhase(code: string | undefined, phase: ConnectPhase | undefined, target: Target, detail: string, said: Say): Classified | undefined {
  const where = target.label;
  const hangUp = code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET';
  if (code === 'ETIMEDOUT' && phase === 'tcp')
    return said('timeout', 'connect_timeout', `No TCP connection to ${where} within ${target.connectTimeoutMs} ms.`, 'connect_timeout_tcp');
  if (code === 'ETIMEDOUT' && phase !== undefined && phase !== 'established') {
    return said(
      'timeout',
      'tls_timeout',
      `The TCP connection to ${where} opened but the TLS handshake did not complete within ${target.connectTimeoutMs} ms (is this port serving TLS?).`,
    );
  }
  if (hangUp && phase === 'tls') {
    return said('tls', 'handshake_closed', `${where} closed the connection during the TLS handshake, before completing it (${detail}).`);
  }
  if (hangUp && (phase === 'tls_client_flight_sent' || phase === 'after_handshake')) {
    return said(
      'tls',
      'client_certificate_rejected',
      `${where} closed the connection right after receiving Varco's client certificate, without a TLS alert: it most likely does not accept that certificate.`,
      'client_certificate_closed',
    );
  }
  return undefined;
}

function byCode(code: string | undefined, target: Target, detail: string, said: Say): Classified {
  const where = target.label;
  switch (code) {
    case 'ECONNREFUSED':
      return said('unreachable', 'connection_refused', `The connection to ${where} was refused: nothing accepts connections on that port.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return said('unreachable', 'host_unreachable', `${where} cannot be reached from Varco (${code}): no route to the registered IP.`);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return said('unreachable', 'connection_closed', `${where} closed the connection before a complete answer (${detail}).`);
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return said('timeout', 'connect_timeout', `No connection to ${where} within ${target.connectTimeoutMs} ms.`);
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return said('timeout', 'response_timeout', `${where} accepted the request but sent no complete answer within ${target.responseTimeoutMs} ms.`);
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return said('tls', 'not_tls', `${where} did not answer with TLS (is it plain HTTP, or another service, on port ${target.port}?).`);
    default:
      break;
  }
  if (code !== undefined && (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_'))) {
    return said('tls', 'handshake_failed', `The TLS handshake with ${where} failed: ${detail}.`);
  }
  return said('unreachable', 'network_error', `The call to ${where} failed: ${detail}${code === undefined ? '' : ` (${code})`}.`);
}
