import type { FastifyInstance } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import { safeEqual, sha256Hex } from '../../kernel/crypto.ts';
import { VarcoError } from '../../kernel/errors.ts';

const SURFACES = ['api', 'portal', 'admin', 'ncol'] as const;
type Surface = (typeof SURFACES)[number] | 'other';

/** The first path segment when it is a surface: a prefix test, no string splitting per request. */
export function surfaceOf(url: string): Surface {
  for (const surface of SURFACES) {
    if (url.startsWith(surface, 1)) {
      const next = url.charCodeAt(surface.length + 1);
      // End of the URL, '/' or '?'.
      if (Number.isNaN(next) || next === 47 || next === 63) return surface;
    }
  }
  return 'other';
}

/**
 * Whether `authorization` is `Bearer <token>`. Both sides are hashed first, so the comparison is
 * constant-time over equal lengths and tells nothing about the token's length either.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer ([^\s]+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return safeEqual(sha256Hex(presented), sha256Hex(token));
}

/**
 * Request counters, and /metrics for Prometheus. The metrics tell request rates per surface and the
 * process's memory: useful to an attacker timing a campaign, so they are served only with a bearer
 * token (VARCO_METRICS_TOKEN); without one configured the route does not exist (404), and nothing is
 * counted either: no hook runs on any request and prom-client is never loaded (issue 15: a hook whose
 * figures nobody can read is work on the hot path for nothing, and the module cost every start ~50 ms).
 */
export async function registerMetrics(app: FastifyInstance, token: string | undefined): Promise<void> {
  if (token === undefined) return;
  const { Counter, Histogram, Registry, collectDefaultMetrics } = await import('prom-client');
  // One registry per app instance (not prom-client's global) so several apps can live in one test process.
  // The process defaults keep their standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, …)
  // so stock Node.js dashboards and alerts work unchanged; only Varco's own metrics are named varco_*.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'varco_http_requests_total',
    help: 'HTTP requests by surface, method and status',
    labelNames: ['surface', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'varco_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['surface'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Label children made once per combination (prom-client hashes the label object on every inc()
  // otherwise), and a callback hook rather than an async one: no promise per request (issue 15).
  const counters = new Map<string, Counter.Internal>();
  const timers = new Map<Surface, Histogram.Internal<string>>();
  app.addHook('onResponse', (request, reply, done) => {
    const surface = surfaceOf(request.url);
    const key = `${surface} ${request.method} ${reply.statusCode}`;
    let counter = counters.get(key);
    if (counter === undefined) {
      counter = requests.labels(surface, request.method, String(reply.statusCode));
      // Methods and statuses are few, but a client can send any method name: bounded like any label set.
      if (counters.size < 1000) counters.set(key, counter);
    }
    counter.inc();
    let timer = timers.get(surface);
    if (timer === undefined) {
      timer = duration.labels(surface);
      timers.set(surface, timer);
    }
    timer.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', async (request, reply) => {
    if (!bearerMatches(request.headers.authorization, token)) {
      throw new VarcoError('bearer_token_invalid', 'Send the metrics token as "Authorization: Bearer <VARCO_METRICS_TOKEN>".', {
        headers: { 'www-authenticate': 'Bearer realm="varco-metrics"' },
      });
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
