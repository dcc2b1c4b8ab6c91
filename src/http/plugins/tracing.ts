import type { FastifyInstance } from 'fastify';
import { runInContext, spanFailed, startServerSpan, type Span } from '../../kernel/tracing.ts';

// Inbound requests as SERVER spans (tracing on only: without VARCO's OTLP endpoint the hooks are not
// even registered, so the hot path has nothing more to run). The span continues the caller's W3C
// `traceparent`, carries the request id of the logs (`varco.request_id`) and the route template (never
// the URL's query, which may hold an Ogone SHASIGN or an order's data), and is active while the request
// runs, so the SOAP primitive, outbound and database work it causes become its children.

declare module 'fastify' {
  interface FastifyRequest {
    traceSpan?: Span;
  }
}

export function registerTracing(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const { span, context } = startServerSpan(`${request.method} ${route}`, request.headers, {
      'http.request.method': request.method,
      'http.route': route,
      'varco.request_id': request.id,
    });
    request.traceSpan = span;
    runInContext(context, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = request.traceSpan;
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) spanFailed(span, `HTTP ${reply.statusCode}`);
      span.end();
    }
    done();
  });
  // A client gone before the answer: the span still ends, marked so.
  app.addHook('onRequestAbort', (request, done) => {
    if (request.traceSpan) {
      spanFailed(request.traceSpan, 'request aborted by the client');
      request.traceSpan.end();
    }
    done();
  });
}
