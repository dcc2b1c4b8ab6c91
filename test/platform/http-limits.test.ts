import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../support/app.ts';
import { tempDevPki } from '../support/tls.ts';
import { closedWithin, openRaw } from '../support/raw-http.ts';
import { Browser, createAdmin } from '../support/subscriptions.ts';
import { HTTP_LIMITS, type HttpLimits } from '../../src/app/http-server.ts';
import { BODY_LIMITS } from '../../src/http/plugins/limits.ts';

// Issue 10 item 9: a slow client cannot hold a connection (whole request, headers, idle keep-alive),
// and bodies are small unless a route needs more. Real sockets over TLS, with the limits shortened so
// the cut is watched in seconds; the production values are asserted on a server built without them.

const pki = await tempDevPki();
const tls = { cert: pki.server.chainPem, key: pki.server.keyPem };
const SHORT: HttpLimits = { requestTimeoutMs: 1500, headersTimeoutMs: 1000, keepAliveTimeoutMs: 1000, socketIdleTimeoutMs: 10_000, checkIntervalMs: 200 };

async function listening(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

const short = await buildTestApp({ tls, httpLimits: SHORT });
const port = await listening(short.app);
const SLACK_MS = 1000;

test('production limits: a whole request within 30 s, checked every second, so a slow body is cut within 35 s', async () => {
  const { app } = await buildTestApp({ tls });
  await listening(app);
  const server = app.server as typeof app.server & { connectionsCheckingInterval: number };
  assert.equal(server.requestTimeout, HTTP_LIMITS.requestTimeoutMs);
  assert.equal(server.requestTimeout, 30_000);
  assert.equal(server.headersTimeout, HTTP_LIMITS.headersTimeoutMs);
  assert.ok(server.headersTimeout <= server.requestTimeout);
  assert.equal(server.keepAliveTimeout, HTTP_LIMITS.keepAliveTimeoutMs);
  assert.equal(server.timeout, HTTP_LIMITS.socketIdleTimeoutMs);
  assert.equal(server.connectionsCheckingInterval, HTTP_LIMITS.checkIntervalMs);
  assert.ok(server.requestTimeout + server.connectionsCheckingInterval <= 35_000, 'the cut happens within 35 s');
});

test('a body trickled slowly is cut with 408 once the request timeout passes', async () => {
  const connection = await openRaw(port);
  connection.write('POST /admin/sign-in HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n');
  void connection.trickle('email='.padEnd(1000, 'a'), 100);
  const closedAfter = await closedWithin(connection, SHORT.requestTimeoutMs + SHORT.checkIntervalMs + SLACK_MS);
  assert.ok(closedAfter !== undefined, 'the connection is still open after the bound');
  assert.ok(closedAfter >= SHORT.requestTimeoutMs - 100, `cut too early (${Math.round(closedAfter)} ms)`);
  const answer = connection.received();
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.match(answer, /"code":"request_timeout"/);
  assert.match(answer, /strict-transport-security: max-age=31536000/);
});

test('headers that never end are cut once the headers timeout passes', async () => {
  const connection = await openRaw(port);
  connection.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
  void connection.trickle('X-Slow: '.padEnd(400, 'z'), 50);
  const closedAfter = await closedWithin(connection, SHORT.headersTimeoutMs + SHORT.checkIntervalMs + SLACK_MS);
  assert.ok(closedAfter !== undefined, 'the connection is still open after the bound');
  assert.match(connection.received(), /^HTTP\/1\.1 408 /);
});

test('an idle kept-alive connection is closed after the keep-alive timeout', async () => {
  const connection = await openRaw(port);
  connection.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await connection.waitFor(/\{"status":"ok"\}/);
  const closedAfter = await closedWithin(connection, SHORT.keepAliveTimeoutMs + SLACK_MS + 500);
  assert.ok(closedAfter !== undefined, 'the idle connection is still open');
});

test('a well-paced request is not cut', async () => {
  const connection = await openRaw(port);
  connection.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  assert.match(await connection.waitFor(/\{"status":"ok"\}/), /^HTTP\/1\.1 200 /);
});

const { app, services } = short;
const admin = await createAdmin(services);

test('forms and JSON are limited to 64 KB: larger is 413 payload_too_large on the error page', async () => {
  const big = 'x'.repeat(BODY_LIMITS.default + 1);
  const json = await app.inject({
    method: 'POST',
    url: '/admin/sign-in',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email: big }),
  });
  assert.equal(json.statusCode, 413);
  assert.match(json.body, /payload_too_large/);
  assert.match(String(json.headers['content-type']), /^text\/html/);
  const api = await app.inject({
    method: 'POST',
    url: '/api/v1/anything',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ a: big }),
  });
  assert.equal(api.json<{ error: { code: string } }>().error.code, 'payload_too_large');
  const form = await app.inject({
    method: 'POST',
    url: '/portal/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `email=${big}`,
  });
  assert.equal(form.statusCode, 413);
  // What the forms need fits: a sign-in well under the limit reaches the route.
  const fits = await app.inject({
    method: 'POST',
    url: '/admin/sign-in',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email: 'x'.repeat(1000) }),
  });
  assert.notEqual(fits.statusCode, 413);
});

test('a CA upload may be larger (256 KB), and no more', async () => {
  const browser = await new Browser(app, 'admin').signIn(admin.email);
  const pem = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(100 * 1024)}\n-----END CERTIFICATE-----\n`;
  const accepted = await browser.post('/admin/trust', { environment: 'test', pem });
  assert.equal(accepted.statusCode, 400, 'read and refused as a certificate, not as a size');
  assert.doesNotMatch(accepted.body, /payload_too_large/);
  const tooBig = await browser.post('/admin/trust', { environment: 'test', pem: 'A'.repeat(BODY_LIMITS.upload) });
  assert.equal(tooBig.statusCode, 413);
});
