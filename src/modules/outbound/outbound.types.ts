// The plain objects the outbound client works on. Stations (database, review workflow, pages)
// build these from their rows; nothing here knows about storage.
import type { PkiEnvironment } from '../../pki/index.ts';

export type OutboundEnv = PkiEnvironment;

export interface Endpoint {
  /** `https://FQDN[:port]/service`: the FQDN is used for SNI and certificate checks only. */
  url: string;
  /** Registered address: the TCP connection goes here, DNS is never asked. */
  ip: string;
  port: number;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
}

export interface EndpointSet {
  /** Stable id (e.g. station id + environment): pools and up/down state are kept per key. */
  key: string;
  primary: Endpoint;
  /** Disaster-recovery endpoint, used when the primary cannot be reached. */
  secondary?: Endpoint;
}

/** The platform client certificate of one environment, presented on every outbound call. */
export interface ClientIdentity {
  /** Leaf first, then intermediates. */
  certChainPem: string;
  keyPem: string;
}

export interface TrustStore {
  /** PEM roots. prod: tls.rootCertificates + administrator-authorised CAs; test: also private CAs. */
  roots: string[];
  /**
   * Certificates known to Varco but not trusted as anchors (e.g. an intermediate the organisation
   * uploaded). Never used to complete a chain on a real connection; only lets the certificate
   * checks tell "intermediate not served" from "issued by an unknown CA".
   */
  intermediates?: string[];
}

export type EndpointRole = 'primary' | 'secondary';

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  /** Path (and query) to call; default: the path of the endpoint's URL. */
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Aborts the request and closes its connection (the outbox cuts a delivery off before its lease ends). */
  signal?: AbortSignal;
  /** Hand back the answer's bytes too (`OutboundResponse.bytes`): for a caller that decodes them itself. */
  keepBytes?: boolean;
}

/** An application answer: whatever the status, the organisation's service responded. */
export interface OutboundResponse {
  kind: 'response';
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body read as UTF-8. */
  body: string;
  /** The body's bytes (as cut), when the request asked for them (`keepBytes`). */
  bytes?: Buffer;
  /** True when the body was longer than the client's limit and was cut. */
  bodyTruncated: boolean;
  endpoint: EndpointRole;
  durationMs: number;
}

/**
 * A transport outcome. Mapping to pagoPA's connectivity fault codes (connectivity.md §5.4):
 * - `unreachable` ≈ `PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE` / `PPT_CANALE_IRRAGGIUNGIBILE` (refused,
 *   no route, reset or closed before an answer);
 * - `timeout` ≈ `…_TIMEOUT` (no connection, or no complete answer, within the endpoint's timeouts);
 * - `tls` and `certificate` ≈ what the node forwarder reports as "mTLS failed" (401) and the back
 *   office as CERTIFICATE_ERROR; the node itself counts them as `…_IRRAGGIUNGIBILE`. We split
 *   them: `certificate` = the organisation's server certificate was refused by Varco, `tls` = the
 *   handshake failed otherwise (protocol version, our client certificate refused by the server).
 * Application answers (`…_SERVIZIO_NONATTIVO`, `…_ERRORE_RESPONSE`) are `OutboundResponse`s;
 * judging their status and body is the caller's business.
 */
export type FailureCategory = 'unreachable' | 'timeout' | 'tls' | 'certificate';

export interface FailureSummary {
  category: FailureCategory;
  /** Stable, lower-case code, e.g. `connection_refused`, `certificate_expired`. */
  code: string;
  /** For humans: what was seen, in a sentence. */
  message: string;
  endpoint: EndpointRole;
}

export interface OutboundFailure extends FailureSummary {
  kind: 'failure';
  durationMs: number;
  /** When the request failed over: what happened on the primary first. */
  previous?: FailureSummary;
}

export type OutboundResult = OutboundResponse | OutboundFailure;

export interface OutboundLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}
