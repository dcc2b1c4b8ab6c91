import { context, INVALID_SPAN_CONTEXT, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

// Spans through the OpenTelemetry API (docs/adr/0035-tracing.md). src/app/tracing.ts registers the
// SDK when tracing is on and says so here (tracingStarted). Until then (tracing off:
// OTEL_EXPORTER_OTLP_ENDPOINT unset) the helpers below skip the API altogether: through it, a span
// that records nothing still cost a span object, a context copy, the context manager's `with` and a
// copied header object, several times per outbox delivery and per pagoPA flow (issue 15).

/** The one span handed out while tracing is off: every method does nothing, and it is never active. */
const OFF: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
let recording = false;
// Asked of the registered provider when tracing starts: the API's proxy tracer keeps the first
// provider's tracer for good, so a tracer taken before (or across) a registration would be stale.
let tracer: Tracer | undefined;

/**
 * Called once the SDK is registered (src/app/tracing.ts): from then on spans are made through the API.
 * Only then: an SDK registered some other way (e.g. `node --import`) gets no spans from Varco.
 */
export function tracingStarted(): void {
  tracer = trace.getTracer('varco');
  recording = true;
}

/** Called when the SDK shuts down: spans are no longer made. */
export function tracingStopped(): void {
  recording = false;
  tracer = undefined;
}

const activeTracer = (): Tracer => tracer ?? trace.getTracer('varco');

export { SpanKind };
export type { Span };

/**
 * Runs `work` inside a span (the active one while it runs); a throw marks the span as an error and is
 * rethrown. Not an `async` function: with tracing off it hands back `work`'s own promise, without a
 * second promise around it (two per outbox delivery, issue 15); a synchronous throw still rejects.
 */
export function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  if (!recording) {
    try {
      return work(OFF);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  return activeTracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The W3C `traceparent` (and `tracestate`) of the active span, added to outgoing request headers; unchanged when tracing is off. */
export function withTraceHeaders(headers: Record<string, string>): Record<string, string> {
  if (!recording) return headers;
  const carrier: Record<string, string> = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Marks a span failed with a short reason (an outcome, not an exception). */
export function spanFailed(span: Span, reason: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
}

/** Inbound requests: a SERVER span continuing the caller's `traceparent`, active for the rest of the request. */
export function startServerSpan(name: string, headers: Record<string, string | string[] | undefined>, attributes: Attributes) {
  const parent = propagation.extract(context.active(), headers);
  const span = activeTracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

export const runInContext = <T>(ctx: ReturnType<typeof context.active>, fn: () => T): T => context.with(ctx, fn);
