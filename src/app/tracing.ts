import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config/index.ts';
import { tracingStarted, tracingStopped } from '../kernel/tracing.ts';

// Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set): one tracer provider per process, registered globally
// with the AsyncLocalStorage context manager and the W3C trace-context propagator, exporting spans in
// batches over OTLP/HTTP to `<endpoint>/v1/traces` (docs/adr/0035-tracing.md).

export interface Tracing {
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

export function startTracing(otel: NonNullable<Config['otel']>, options: { scheduledDelayMillis?: number } = {}): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${otel.endpoint}/v1/traces`, timeoutMillis: 5_000 });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': otel.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.scheduledDelayMillis ?? 2_000, maxQueueSize: 4_096 })],
  });
  provider.register();
  tracingStarted();
  return {
    shutdown: async () => {
      tracingStopped();
      await provider.shutdown();
    },
  };
}
