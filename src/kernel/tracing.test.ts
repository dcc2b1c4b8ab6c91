import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { inSpan, SpanKind, spanFailed, tracingStarted, tracingStopped, withTraceHeaders } from './tracing.ts';

// Tracing off skips the OpenTelemetry API (issue 15): even with a provider registered, nothing is
// made until the SDK says it started (startTracing in src/app/tracing.ts); then spans are made and
// propagated, until it stops. The tests run in order and leave no provider, context manager or
// propagator behind (unit test files share a process).

test('with tracing off, inSpan runs the work with a span that records nothing and is not active, and headers are handed back as they are', async () => {
  const headers = { 'content-type': 'text/xml' };
  let seen: { recording: boolean; traceId: string; active: unknown; headers: unknown } | undefined;
  const result = await inSpan('off', SpanKind.INTERNAL, { 'varco.test': 1 }, async (span) => {
    span.setAttribute('varco.more', 2);
    spanFailed(span, 'nothing records it');
    seen = { recording: span.isRecording(), traceId: span.spanContext().traceId, active: trace.getActiveSpan(), headers: withTraceHeaders(headers) };
    return 42;
  });
  assert.equal(result, 42);
  assert.deepEqual(seen, { recording: false, traceId: '00000000000000000000000000000000', active: undefined, headers });
  assert.equal(seen?.headers, headers, 'the same object, not a copy');
  await assert.rejects(
    inSpan('off', SpanKind.INTERNAL, {}, async () => {
      throw new Error('the work failed');
    }),
    /the work failed/,
  );
  // Work that throws before its first await (not an async function) rejects too: callers await it.
  const thrown = inSpan('off', SpanKind.INTERNAL, {}, (): Promise<number> => {
    throw new Error('thrown at once');
  });
  await assert.rejects(thrown, /thrown at once/);
  // With tracing off the work's own promise is handed back, not one wrapped around it.
  const own = Promise.resolve(7);
  assert.equal(
    inSpan('off', SpanKind.INTERNAL, {}, () => own),
    own,
  );
});

test('a registered SDK gets spans only between tracingStarted and tracingStopped', async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  try {
    // Registered, not started: the helpers still skip the API.
    await inSpan('before', SpanKind.INTERNAL, {}, async (span) => assert.equal(span.isRecording(), false));
    assert.equal(withTraceHeaders({}).traceparent, undefined);
    assert.equal(exporter.getFinishedSpans().length, 0);

    tracingStarted();
    let traceparent: string | undefined;
    await inSpan('on', SpanKind.CLIENT, { 'varco.test': 1 }, async (span) => {
      assert.equal(span.isRecording(), true);
      assert.equal(trace.getActiveSpan(), span);
      traceparent = withTraceHeaders({ accept: 'text/xml' }).traceparent;
      span.setAttribute('varco.more', 2);
    });
    await assert.rejects(
      inSpan('failing', SpanKind.INTERNAL, {}, async () => {
        throw new Error('the work failed');
      }),
    );
    const [on, failing, ...more] = exporter.getFinishedSpans();
    assert.deepEqual([on?.name, failing?.name, more.length], ['on', 'failing', 0]);
    assert.equal(on?.attributes['varco.more'], 2);
    assert.match(traceparent ?? '', new RegExp(`^00-${on?.spanContext().traceId}-${on?.spanContext().spanId}-01$`));
    assert.equal(failing?.status.message, 'the work failed');

    tracingStopped();
    await inSpan('after', SpanKind.INTERNAL, {}, async (span) => assert.equal(span.isRecording(), false));
    assert.equal(withTraceHeaders({}).traceparent, undefined);
    assert.equal(exporter.getFinishedSpans().length, 2, 'nothing after the stop');
  } finally {
    tracingStopped();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
});
