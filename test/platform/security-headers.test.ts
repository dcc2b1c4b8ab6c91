import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp } from '../support/app.ts';
import { tempDevPki } from '../support/tls.ts';
import { openRaw } from '../support/raw-http.ts';
import { createOrganisation, issueKeys } from '../support/subscriptions.ts';
import { SECURITY_HEADERS } from '../../src/http/plugins/security.ts';

// Issue 10 item 11: the security headers on every response, early errors included, and
// Cache-Control: no-store on API JSON and pages. Before the fix, an onSend hook added them:
// Fastify's answer to a malformed URL went out without any, and JSON (API answers, errors,
// health) had no Cache-Control. Socket-level errors (unparseable request, headers too large) and
// the 503 of a stopping instance were written by Node or Fastify without them.

const pki = await tempDevPki();
const testApp = await buildTestApp({ tls: { cert: pki.server.chainPem, key: pki.server.keyPem } });
const { app, services, database } = testApp;
const org = await createOrganisation(database.db);
const keys = await issueKeys(services, org);

/** Each header Varco's value, except `own`: headers the route sets to its own (stricter) value, which must be there. */
function assertSecurityHeaders(name: string, headers: Record<string, unknown>, own: string[] = []): void {
  for (const [header, value] of Object.entries(SECURITY_HEADERS)) {
    if (own.includes(header)) assert.ok(headers[header], `${name}: ${header}`);
    else assert.equal(headers[header], value, `${name}: ${header}`);
  }
}

const injected: Array<[string, () => Promise<LightMyRequestResponse>, string[]?]> = [
  ['API JSON (200)', () => app.inject({ url: '/api/v1/ping', headers: { 'ocp-apim-subscription-key': keys.primary } })],
  ['API key refused (401)', () => app.inject({ url: '/api/v1/ping' })],
  ['unknown API route (404 JSON)', () => app.inject({ url: '/api/v1/nope' })],
  ['unknown page (404 HTML)', () => app.inject({ url: '/nope' })],
  ['malformed URL (400, before routing)', () => app.inject({ url: '/admin/%E0%A4%A' })],
  [
    'malformed JSON body (400 from the parser)',
    () => app.inject({ method: 'POST', url: '/admin/sign-in', headers: { 'content-type': 'application/json' }, payload: '{' }),
  ],
  [
    'malformed JSON body on /api (400)',
    () => app.inject({ method: 'POST', url: '/api/v1/nope', headers: { 'content-type': 'application/json' }, payload: '{' }),
  ],
  [
    'body too large (413)',
    () =>
      app.inject({
        method: 'POST',
        url: '/portal/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `a=${'x'.repeat(70_000)}`,
      }),
  ],
  [
    'unsupported media type (415)',
    () => app.inject({ method: 'POST', url: '/admin/sign-in', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }),
  ],
  ['health (JSON)', () => app.inject({ url: '/healthz' })],
  ['readiness (JSON)', () => app.inject({ url: '/readyz' })],
  ['sign-in page', () => app.inject({ url: '/admin/sign-in' })],
  ['redirect', () => app.inject({ url: '/' })],
  // The hosted page sets its own, stricter policies (no referrer at all, its CSP).
  ['hosted page 404', () => app.inject({ url: '/ncol/test/nope' }), ['referrer-policy', 'content-security-policy']],
];

for (const [name, call, own] of injected) {
  test(`${name}: every security header, and no-store`, async () => {
    const response = await call();
    assertSecurityHeaders(name, response.headers, own);
    assert.match(String(response.headers['x-request-id']), /^req_/);
  });
}

test('a route may still say otherwise: the stylesheet is cacheable, the other headers stay', async () => {
  const css = await app.inject({ url: '/assets/varco.css' });
  assert.equal(css.headers['cache-control'], 'public, max-age=3600');
  assertSecurityHeaders('stylesheet', css.headers, ['cache-control']);
});

test('/favicon.ico, which browsers ask every site for, is an SVG icon cached for a week (no 404 in the console)', async () => {
  const icon = await app.inject({ url: '/favicon.ico' });
  assert.equal(icon.statusCode, 200);
  assert.equal(icon.headers['content-type'], 'image/svg+xml');
  assert.match(icon.body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal(icon.headers['cache-control'], 'public, max-age=604800');
  assertSecurityHeaders('icon', icon.headers, ['cache-control']);
});

await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;

/** The header block of a raw HTTP response, names lower-cased. */
function headersOf(raw: string): Record<string, string> {
  const head = raw.split('\r\n\r\n')[0] ?? '';
  return Object.fromEntries(
    head
      .split('\r\n')
      .slice(1)
      .map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
  );
}

const raw: Array<[string, string, RegExp]> = [
  ['malformed URL over a real socket', 'GET /admin/%E0%A4%A HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['a request Node cannot parse', 'NOT HTTP AT ALL\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['headers too large (431)', `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
];

for (const [name, request, status] of raw) {
  test(`${name}: answered with the security headers`, async () => {
    const connection = await openRaw(port);
    connection.write(request);
    await connection.closed;
    const answer = connection.received();
    assert.match(answer, status);
    assertSecurityHeaders(name, headersOf(answer));
  });
}

test('a request arriving while the instance stops gets 503 unavailable, with the security headers', async () => {
  // A request in flight keeps its connection (and the server) open; a second one pipelined behind
  // it arrives after close() began.
  const connection = await openRaw(port);
  connection.write('POST /admin/sign-in HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\nab');
  await new Promise((done) => setTimeout(done, 100));
  const closing = app.close();
  connection.write('c=d');
  connection.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await connection.closed;
  await closing;
  const answers = connection.received().split(/(?=HTTP\/1\.1 )/);
  const last = answers.at(-1) ?? '';
  assert.match(last, /^HTTP\/1\.1 503 /, connection.received());
  assert.match(last, /"code":"unavailable"/);
  assertSecurityHeaders('503 while closing', headersOf(last));
  // A 503 the instance chose to answer is not a failure: logged as a refusal, without a stack.
  const logged = testApp.logs.filter((line) => line.code === 'unavailable');
  assert.deepEqual(
    logged.map((line) => [line.level, line.msg, line.status, line.err]),
    [[30, 'request refused', 503, undefined]],
  );
});
