// The one outbound client: every call from Varco to an organisation goes through `send`. It never
// throws for what the network does; it answers with an application response or a classified
// transport failure (see FailureCategory), failing over from the primary to the secondary
// endpoint when the primary cannot be reached. A client is built in one of two modes, fixed for
// its life: `plain` never presents a client certificate (server-to-server feedback, where SHA-OUT
// is the authentication); `mutual` presents the platform client certificate, and only the stations
// module's station caller builds one (docs/adr/0012-outbound-tenancy.md).
import { inSpan, spanFailed, SpanKind, withTraceHeaders } from '../../kernel/tracing.ts';
import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { errors, type Dispatcher } from 'undici';
import { systemClock, type Clock } from '../../kernel/clock.ts';
import { classify } from './failure.ts';
import { tcpCheck, tlsHandshake } from './handshake.ts';
import type { DestinationPolicy } from './destination.policy.ts';
import { createHealthTracker, type EndpointHealth } from './health.ts';
import { createPoolRegistry, type PoolEntry } from './pools.ts';
import type {
  ClientIdentity,
  Endpoint,
  EndpointRole,
  EndpointSet,
  FailureSummary,
  OutboundEnv,
  OutboundFailure,
  OutboundLogger,
  OutboundRequest,
  OutboundResult,
  TrustStore,
} from './outbound.types.ts';

export type ClientMode =
  /** No client certificate on any connection, whatever the server asks. */
  | { kind: 'plain' }
  /** The platform client certificate of the call's environment; read per request so rotation takes effect. */
  | { kind: 'mutual'; identity: (env: OutboundEnv) => ClientIdentity };

export interface OutboundClientOptions {
  mode: ClientMode;
  /** Which addresses may be connected to; judged again on every new connection. */
  destinations: DestinationPolicy;
  clock?: Clock;
  logger?: OutboundLogger;
  /** How often a primary marked down is probed. */
  probeIntervalMs?: number;
  connectionsPerEndpoint?: number;
  /** Idle keep-alive when the server gives no `Keep-Alive: timeout` hint. */
  keepAliveTimeoutMs?: number;
  /** Longer bodies are cut (and flagged): answers to notifications are small; memory is not. */
  maxResponseBytes?: number;
  /** Most pools kept (one per endpoint); beyond it the least recently used is closed. */
  maxPools?: number;
  /** A pool no call has used for this long is closed. */
  poolIdleMs?: number;
}

export interface OutboundStats {
  /** TLS connections opened by the pools (handshakes), over the client's life. */
  connectionsOpened: number;
  /** Attempts sent to an endpoint (a failed-over request counts twice). */
  attempts: number;
  failovers: number;
  probes: number;
  pools: number;
}

/** One call: where (the endpoint set of one environment) and which roots may vouch for the server. */
export interface OutboundCall {
  env: OutboundEnv;
  endpoints: EndpointSet;
  /** Roots for the server certificate: per organisation for stations (see the stations module's trust). */
  trust: TrustStore;
}

export interface OutboundClient {
  readonly mode: ClientMode['kind'];
  send(call: OutboundCall, request: OutboundRequest): Promise<OutboundResult>;
  /** Endpoints currently marked down, with their last failure. */
  health(): EndpointHealth[];
  stats(): OutboundStats;
  close(): Promise<void>;
}

const DEFAULTS = {
  probeIntervalMs: 5000,
  connectionsPerEndpoint: 10,
  keepAliveTimeoutMs: 10_000,
  maxResponseBytes: 1024 * 1024,
  maxPools: 512,
  poolIdleMs: 5 * 60_000,
};

export function createOutboundClient(options: OutboundClientOptions): OutboundClient {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  let connectionsOpened = 0;
  let attempts = 0;
  let failovers = 0;
  let closed = false;
  const pools = createPoolRegistry({
    destinations: options.destinations,
    connectionsPerEndpoint: settings.connectionsPerEndpoint,
    keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
    maxPools: settings.maxPools,
    idleMs: settings.poolIdleMs,
    onConnected: () => {
      connectionsOpened++;
    },
  });
  const health = createHealthTracker({ intervalMs: settings.probeIntervalMs, clock: options.clock ?? systemClock, logger: options.logger });

  const attempt = (entry: PoolEntry, role: EndpointRole, endpoint: Endpoint, request: OutboundRequest): Promise<OutboundResult> => {
    attempts++;
    // A pool serves every path of its origin: the default path is this endpoint's, not the pool's first one.
    return attemptOn(entry, role, request.path === undefined ? { ...request, path: pathOf(endpoint) } : request, settings.maxResponseBytes);
  };

  const mode = options.mode;
  async function sendTraced({ env, endpoints, trust }: OutboundCall, request: OutboundRequest): Promise<OutboundResult> {
    const identity = mode.kind === 'mutual' ? mode.identity(env) : undefined;
    const started = performance.now();
    // The primary's slot once: its pool, its health and its recovery are looked up by it on every call.
    const primarySlot = `${env}:${endpoints.key}:primary`;
    // Held until the call is over: the secondary may be used only once the primary has failed.
    const primary = pools.acquire(primarySlot, endpoints.primary, identity, trust);
    const secondary = endpoints.secondary === undefined ? undefined : pools.acquire(`${env}:${endpoints.key}:secondary`, endpoints.secondary, identity, trust);
    // `return await` throughout: the pools are released once the answer is in, not when the attempt starts.
    try {
      if (secondary === undefined || !health.isDown(primarySlot)) {
        const first = await attempt(primary, 'primary', endpoints.primary, request);
        if (first.kind === 'response') {
          health.markUp(primarySlot);
          return first;
        }
        // Without a secondary there is nowhere to go; the failure is the answer.
        if (secondary === undefined) return first;
        health.markDown(primarySlot, summary(first), probeFor(primary));
        failovers++;
        const second = await attempt(secondary, 'secondary', secondaryEndpoint(endpoints), request);
        return second.kind === 'response' ? second : { ...second, previous: summary(first), durationMs: Math.round(performance.now() - started) };
      }
      return await attempt(secondary, 'secondary', secondaryEndpoint(endpoints), request);
    } finally {
      pools.release(primary);
      if (secondary !== undefined) pools.release(secondary);
    }
  }

  return {
    mode: mode.kind,
    send(target, plain) {
      // A programming error, not a network outcome: nothing may send during or after shutdown.
      if (closed) return Promise.reject(new Error('the outbound client is closed'));
      // Mutual TLS is the point of a mutual client: an http endpoint is a programming error, never sent in clear.
      const { primary, secondary } = target.endpoints;
      if (mode.kind === 'mutual' && [primary, secondary].some((e) => e !== undefined && !e.url.startsWith('https:')))
        return Promise.reject(new Error('a mutual-TLS client calls https endpoints only'));
      // A CLIENT span per call (tracing on), whose W3C traceparent the station receives. The path only:
      // a query (a GET feedback's SHASIGN, cardholder name, amount) never goes in a span (docs/security.md 26).
      return inSpan(
        `outbound ${plain.method}`,
        SpanKind.CLIENT,
        { 'varco.outbound.mode': mode.kind, 'varco.environment': target.env, 'url.path': pathnameOf(plain.path ?? pathOf(target.endpoints.primary)) },
        async (span) => {
          const result = await sendTraced(target, { ...plain, headers: withTraceHeaders(plain.headers ?? {}) });
          span.setAttribute('varco.outbound.endpoint', result.endpoint);
          if (result.kind === 'response') span.setAttribute('http.response.status_code', result.status);
          else spanFailed(span, result.kind);
          return result;
        },
      );
    },
    health: () => health.list(),
    stats: () => ({ connectionsOpened, attempts, failovers, probes: health.probesRun, pools: pools.size }),
    async close() {
      closed = true;
      health.close();
      await pools.close();
    },
  };
}

async function attemptOn(entry: PoolEntry, role: EndpointRole, request: OutboundRequest, maxResponseBytes: number): Promise<OutboundResult> {
  const started = performance.now();
  const durationMs = (): number => Math.round(performance.now() - started);
  try {
    const answer = await exchange(entry.pool, request.path ?? entry.target.path, request, maxResponseBytes);
    return { kind: 'response', ...answer, endpoint: role, durationMs: durationMs() };
  } catch (error) {
    const { category, code, message } = classify(error, entry.target);
    return { kind: 'failure', category, code, message, endpoint: role, durationMs: durationMs() };
  }
}

/** TCP + TLS with the pool's own context and full verification; our certificate must not be refused. */
function probeFor(entry: PoolEntry): () => Promise<boolean> {
  if (!entry.target.tls) return async () => (await tcpCheck(entry.target)).ok;
  return async () => {
    const outcome = await tlsHandshake({
      target: entry.target,
      context: entry.context,
      verify: true,
      verdictWaitMs: Math.min(1000, entry.target.responseTimeoutMs),
    });
    return outcome.ok && outcome.clientCertificate.state !== 'rejected';
  };
}

function pathOf(endpoint: Endpoint): string {
  const url = new URL(endpoint.url);
  return `${url.pathname}${url.search}`;
}

/** A request path without its query string (and fragment), for span attributes. */
function pathnameOf(path: string): string {
  const cut = path.search(/[?#]/);
  return cut === -1 ? path : path.slice(0, cut);
}

function secondaryEndpoint(endpoints: EndpointSet): Endpoint {
  if (endpoints.secondary === undefined) throw new Error('no secondary endpoint');
  return endpoints.secondary;
}

function summary(failure: OutboundFailure): FailureSummary {
  return { category: failure.category, code: failure.code, message: failure.message, endpoint: failure.endpoint };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  bytes?: Buffer;
  bodyTruncated: boolean;
}

/**
 * One request on `pool`, its answer's body as text cut at `limit` bytes. Dispatched with a handler of
 * Varco's own rather than through undici's `request()`: that wraps every call in an async resource,
 * an abort-listener set-up and a body stream whose events (and the ticks they schedule) cost each
 * delivery more than reading the few chunks of an answer directly (issue 15). undici's own errors
 * reach the caller unchanged (the connection lost mid-body, the header or body timeout), as they did
 * through `request()`; an abort rejects with the signal's reason, or undici's RequestAbortedError.
 */
function exchange(pool: Dispatcher, path: string, request: OutboundRequest, limit: number): Promise<Answer> {
  const { signal } = request;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    let controller: Dispatcher.DispatchController | undefined;
    let abortedBy: unknown;
    let settled = false;
    const onAbort = (): void => {
      abortedBy = abortReason(signal as AbortSignal);
      // The caller is answered now, with the signal's reason (before undici reports the abort its own
      // way), even while the request still waits for a connection of the pool; such a request is
      // dropped when the pool starts it (onRequestStart).
      fail(abortedBy);
      controller?.abort(abortedBy as Error);
    };
    const done = (): boolean => {
      if (settled) return false;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const finish = (truncated: boolean): void => {
      if (!done()) return;
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      const answer: Answer = { status, headers, body: bytes.toString('utf8'), bodyTruncated: truncated };
      if (request.keepBytes === true) answer.bytes = bytes;
      resolve(answer);
    };
    const fail = (error: unknown): void => {
      if (done()) reject(error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        // Thrown, not c.abort(): undici then fails the request before writing it and leaves the
        // connection as it was (abort() would destroy a good keep-alive connection: client-h1's
        // writeH1 catches what onConnect throws). The caller was answered when the signal fired.
        if (abortedBy !== undefined) throw abortedBy;
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        // An informational answer (1xx) is followed by the real one.
        if (statusCode < 200) return;
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(c, chunk) {
        if (settled) return;
        if (size + chunk.length > limit) {
          chunks.push(chunk.subarray(0, limit - size));
          finish(true);
          // Stop reading: the connection is closed rather than drain an unbounded body.
          c.abort(new Error('the response body exceeded the limit'));
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      },
      onResponseEnd() {
        finish(false);
      },
      onResponseError(_c, error) {
        fail(error);
      },
    };
    try {
      pool.dispatch({ path, method: request.method as Dispatcher.HttpMethod, headers: request.headers ?? {}, body: request.body ?? null }, handler);
    } catch (error) {
      fail(error);
    }
  });
}

/** What undici's request() rejected with for an aborted signal: its reason, or RequestAbortedError without one. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new errors.RequestAbortedError();
}

function definedOnly(options: Partial<typeof DEFAULTS>): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = options[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
