import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { inSpan, SpanKind, spanFailed, tracingStarted, tracingStopped, withTraceHeaders } from './tracing.ts';

// Tracing off skips the OpenTelemetry API (issue 15); once the SDK says it started, spans are made and
// propagated, until it stops. The order of the tests matters: the first runs before any provider
// exists, and the second leaves none behind (unit test files share a process).

test('with tracing off, inSpan runs the work with a span that records nothing, and headers are left as they are', async () => {
  let seen: { recording: boolean; traceId: string } | undefined;
  const result = await inSpan('off', SpanKind.INTERNAL, { 'varco.test': 1 }, async (span) => {
    span.setAttribute('varco.more', 2);
    spanFailed(span, 'nothing records it');
    seen = { recording: span.isRecording(), traceId: span.spanContext().traceId };
    return 42;
  });
  assert.equal(result, 42);
  assert.deepEqual(seen, { recording: false, traceId: '00000000000000000000000000000000' });
  await assert.rejects(
    inSpan('off', SpanKind.INTERNAL, {}, async () => {
      throw new Error('the work failed');
    }),
    /the work failed/,
  );
  const headers = { 'content-type': 'text/xml' };
  assert.deepEqual(withTraceHeaders(headers), { 'content-type': 'text/xml' });
});

test('once the SDK has started, inSpan records its span and outgoing headers carry its traceparent', async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  tracingStarted();
  let traceparent: string | undefined;
  await inSpan('on', SpanKind.CLIENT, { 'varco.test': 1 }, async (span) => {
    assert.equal(span.isRecording(), true);
    traceparent = withTraceHeaders({ accept: 'text/xml' }).traceparent;
    span.setAttribute('varco.more', 2);
  });
  await assert.rejects(
    inSpan('failing', SpanKind.INTERNAL, {}, async () => {
      throw new Error('the work failed');
    }),
  );
  const spans = exporter.getFinishedSpans();
  assert.deepEqual(
    spans.map((s) => s.name),
    ['on', 'failing'],
  );
  const [on, failing] = spans;
  assert.equal(on?.attributes['varco.more'], 2);
  assert.match(traceparent ?? '', new RegExp(`^00-${on?.spanContext().traceId}-${on?.spanContext().spanId}-01$`));
  assert.equal(failing?.status.message, 'the work failed');
  tracingStopped();
  await provider.shutdown();
  trace.disable();
  await inSpan('after', SpanKind.INTERNAL, {}, async (span) => assert.equal(span.isRecording(), false));
  assert.equal(withTraceHeaders({}).traceparent, undefined);
});
