import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// One registry per app instance (not prom-client's global) so several apps can live in one test process.
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'varco_' });
  return registry;
}

function surfaceOf(url: string): string {
  const first = url.split('?')[0]?.split('/')[1] ?? '';
  return ['api', 'portal', 'admin', 'ncol'].includes(first) ? first : 'other';
}

export function registerMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({ name: 'varco_http_requests_total', help: 'HTTP requests by surface, method and status', labelNames: ['surface', 'method', 'status'], registers: [registry] });
  const duration = new Histogram({ name: 'varco_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['surface'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  app.addHook('onResponse', async (request, reply) => {
    const surface = surfaceOf(request.url);
    requests.inc({ surface, method: request.method, status: String(reply.statusCode) });
    duration.observe({ surface }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
