import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { encodeRequest } from '../../src/protocols/pagopa/index.ts';
import { startTracing } from '../../src/app/tracing.ts';
import { enqueueEmail } from '../../src/modules/delivery/index.ts';
import { createOutboundClient } from '../../src/modules/outbound/index.ts';
import { createFeedbackSender } from '../../src/modules/checkout/index.ts';
import { testDestinations } from '../support/outbound.ts';
import { ecWithStation, nodeTestApp, noticeNumber, registerPsp } from '../support/pagopa-node.ts';
import { startSmtpReceiver } from '../support/smtp.ts';

// Tracing (issue 17): with OTEL_EXPORTER_OTLP_ENDPOINT set, spans for inbound requests, SOAP
// primitives, outbound mutual-TLS calls and outbox deliveries reach an OTLP collector — here a real
// HTTP server in this process receiving OTLP/JSON — carrying the logs' request id, and the W3C
// traceparent reaches the EC station. This file's process is the Varco process (the SDK is global).

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>;
}

const spans: OtlpSpan[] = [];
const collector = createServer((request: IncomingMessage, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    if (request.url === '/v1/traces') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((done) => collector.listen(0, '127.0.0.1', done));
const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
after(() => collector.close());

const tracing = startTracing({ endpoint, serviceName: 'varco-test' }, { scheduledDelayMillis: 50 });
after(() => tracing.shutdown());
const smtp = await startSmtpReceiver();
const t = await nodeTestApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...smtp.env } });
const psp = await registerPsp(t.services, t, 'Banca Tracciata');
const { ec, station } = await ecWithStation(t, 'Comune Tracciato');

const attribute = (span: OtlpSpan | undefined, key: string): string | undefined => {
  const value = span?.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : String(value.intValue));
};

async function spansOf(traceId: string, count: number): Promise<OtlpSpan[]> {
  for (let i = 0; i < 100; i++) {
    const found = spans.filter((s) => s.traceId === traceId);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return spans.filter((s) => s.traceId === traceId);
}

test('a SOAP primitive: the server span continues the caller’s traceparent with the request id, the primitive and the station call are its children, and the station receives the trace', async () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const body = encodeRequest('verifyPaymentNotice', { ...psp.head, qrCode: { fiscalCode: ec.fiscalCode, noticeNumber: noticeNumber() } });
  const res = await t.app.inject({
    method: 'POST',
    url: '/nodo/node-for-psp/v1',
    payload: body,
    headers: {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '"verifyPaymentNotice"',
      'ocp-apim-subscription-key': psp.key,
      traceparent: `00-${traceId}-${callerSpan}-01`,
    },
  });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /<outcome>OK<\/outcome>/);

  const found = await spansOf(traceId, 3);
  const server = found.find((s) => s.name === 'POST /nodo/node-for-psp/v1');
  assert.ok(server, JSON.stringify(found.map((s) => s.name)));
  assert.equal(server.parentSpanId, callerSpan, 'the caller’s span is the parent');
  assert.equal(attribute(server, 'varco.request_id'), res.headers['x-request-id']);
  assert.equal(attribute(server, 'http.response.status_code'), '200');
  const primitive = found.find((s) => s.name === 'pagopa verifyPaymentNotice');
  assert.equal(primitive?.parentSpanId, server.spanId);
  assert.equal(attribute(primitive, 'varco.pagopa.outcome'), 'OK');
  const outbound = found.find((s) => s.name === 'outbound POST');
  assert.equal(outbound?.parentSpanId, primitive?.spanId);
  assert.equal(attribute(outbound, 'varco.outbound.mode'), 'mutual');

  const received = station.requests.at(-1);
  assert.equal(received?.operation, 'paVerifyPaymentNotice');
  assert.equal(received?.headers.traceparent, `00-${traceId}-${outbound?.spanId}-01`, 'W3C traceparent propagated to the station');
  // Nothing of the body in any span: attributes are names, ids and outcomes.
  assert.doesNotMatch(JSON.stringify(found), new RegExp(psp.key));
});

test('an outbox delivery is a span of its own, with the message id and its outcome', async () => {
  const workers = t.container.workers();
  await workers.start();
  after(() => workers.stop());
  const id = await t.database.db.transaction().execute((trx) =>
    enqueueEmail(trx, {
      to: 'ops@example.org',
      locale: 'en',
      template: 'certificate_expiring',
      params: {
        firstName: '',
        organisationName: '',
        stationCode: '',
        environment: 'test',
        certificateName: 'x',
        fingerprint: 'f',
        expiresAt: '2027-01-01',
        daysLeft: '30',
        link: 'https://varco.example/admin',
      },
      organisationId: null,
      subjectType: 'test',
      subjectId: 'tracing',
    }),
  );
  await smtp.waitFor(1);
  let span: OtlpSpan | undefined;
  for (let i = 0; i < 100 && !span; i++) {
    span = spans.find((s) => s.name === 'outbox deliver email' && attribute(s, 'varco.message_id') === id);
    if (!span) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(span, 'the delivery span reached the collector');
  assert.equal(attribute(span, 'varco.outbox.state'), 'delivered');
  assert.equal(attribute(span, 'varco.attempt'), '1');
});

// docs/security.md 26: a merchant whose server-to-server feedback uses GET receives its parameters in the
// query string (SHASIGN, cardholder name, masked card number, amount); the span records the path only.
test('a GET server-to-server feedback: its span records the path, never the query string', async () => {
  const shop = createServer((_request, response) => response.writeHead(200).end('OK'));
  await new Promise<void>((done) => shop.listen(0, '127.0.0.1', done));
  after(() => shop.close());
  const sender = createFeedbackSender({
    trust: { rootsFor: async () => [] } as never,
    destinations: testDestinations(),
    client: createOutboundClient({ mode: { kind: 'plain' }, destinations: testDestinations() }),
  });
  after(() => sender.close());
  const url = `http://localhost:${(shop.address() as AddressInfo).port}/s2s/feedback?orderID=42&amount=99.90&CN=Mario+Rossi&CARDNO=XXXXXXXXXXXX1111&SHASIGN=DEADBEEFCAFE0123`;
  const outcome = await sender.deliver({
    id: 'msg_tracing_get',
    channel: 'http',
    attempt: 1,
    createdAt: new Date(),
    organisationId: null,
    subjectType: 'order',
    subjectId: 'ord_tracing_get',
    payload: { version: 1, env: 'test', method: 'GET', url, headers: {}, eventId: 'msg_tracing_get' },
  } as never);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  let span: OtlpSpan | undefined;
  for (let i = 0; i < 100 && !span; i++) {
    span = spans.find((s) => s.name === 'outbound GET' && attribute(s, 'url.path')?.startsWith('/s2s/feedback'));
    if (!span) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(span, 'the outbound span reached the collector');
  assert.equal(attribute(span, 'url.path'), '/s2s/feedback');
  assert.doesNotMatch(JSON.stringify(span.attributes), /SHASIGN|Mario|CARDNO|99\.90/);
});
