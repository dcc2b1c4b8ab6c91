import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app/build.ts';
import { createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createKysely, createPool } from '../../src/db/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { buildTestApp, testAudit, testConfig } from '../support/app.ts';
import { CookieJar, csrfFrom } from '../support/cookies.ts';

// One error handler for every surface: JSON with a stable code on /api, a friendly page elsewhere,
// a 4xx (never a 500) for bad input, and never a stack trace or a file path in a response body.

// /metrics exists only with a token (docs/security.md section 12; test/platform/metrics.test.ts).
const METRICS = { authorization: 'Bearer metrics-token-for-the-errors-test' };
const { app } = await buildTestApp({ env: { VARCO_METRICS_TOKEN: 'metrics-token-for-the-errors-test' } });

/** A stack frame or a source path in a body would tell an attacker where the code lives. */
function assertNoStackTrace(response: LightMyRequestResponse): void {
  const body = response.body;
  assert.doesNotMatch(body, /\n\s*at \S/, 'stack frame in body');
  assert.doesNotMatch(body, /\.(ts|js|mjs):\d+/, 'source location in body');
  assert.doesNotMatch(body, /node_modules|\/work\/|file:\/\//, 'file path in body');
}

async function call(target: FastifyInstance, options: InjectOptions): Promise<LightMyRequestResponse> {
  const response = await target.inject(options);
  assertNoStackTrace(response);
  return response;
}

async function signInForm(target: FastifyInstance): Promise<{ jar: CookieJar; csrf: string }> {
  const jar = new CookieJar();
  const page = await call(target, { method: 'GET', url: '/admin/sign-in' });
  jar.store(page);
  return { jar, csrf: csrfFrom(page.body) };
}

test('an unknown /api route is a 404 JSON error whose requestId is the x-request-id header', async () => {
  const response = await call(app, { method: 'GET', url: '/api/v1/no-such-thing?x=1' });
  assert.equal(response.statusCode, 404);
  assert.match(String(response.headers['content-type']), /^application\/json/);
  const body = response.json<{ error: { code: string; message: string; requestId: string } }>();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, 'not_found');
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  assert.match(body.error.requestId, /^req_/);
  assert.equal(body.error.requestId, response.headers['x-request-id']);
});

test('each request gets its own request id', async () => {
  const [a, b] = await Promise.all([call(app, { url: '/api/x' }), call(app, { url: '/api/x' })]);
  assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
});

test('a malformed JSON body to /api is a 4xx JSON error, not a 500', async () => {
  // The API has no POST route yet, so this reaches the not-found path; the body must still not break it.
  for (const url of ['/api/v1/health', '/api/v1/anything']) {
    const response = await call(app, { method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{"amount": 10,' });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${url}: ${response.statusCode}`);
    assert.match(response.json<{ error: { code: string } }>().error.code, /^[a-z_]+$/);
  }
});

test('bad bodies to a back-office form are refused with a 4xx page, never a 500', async () => {
  const { jar, csrf } = await signInForm(app);
  const post = (headers: Record<string, string>, payload: string) =>
    call(app, { method: 'POST', url: '/admin/sign-in', headers: { cookie: jar.header(), ...headers }, payload });

  const malformed = await post({ 'content-type': 'application/json' }, '{"email":');
  assert.equal(malformed.statusCode, 400);
  assert.match(malformed.body, /bad_request/);

  const wrongType = await post({ 'content-type': 'application/xml' }, '<email>a@b.c</email>');
  assert.equal(wrongType.statusCode, 415);
  assert.match(wrongType.body, /unsupported_media_type/);

  const oversized = await post(
    { 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ _csrf: csrf, email: 'a@example.org', password: 'x'.repeat(70 * 1024) }).toString(),
  );
  assert.equal(oversized.statusCode, 413);
  assert.match(oversized.body, /payload_too_large/);

  for (const response of [malformed, wrongType, oversized]) assert.match(String(response.headers['content-type']), /^text\/html/);
});

test('an unknown page on an HTML surface is a friendly 404 page with the code and request id', async () => {
  for (const url of ['/portal/no-such-page', '/admin/no-such-page', '/no-such-page']) {
    const response = await call(app, { method: 'GET', url });
    assert.equal(response.statusCode, 404, url);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /<!doctype html>/i);
    assert.match(response.body, /The page you asked for does not exist\./);
    assert.match(response.body, /<code>not_found<\/code>/);
    assert.ok(response.body.includes(String(response.headers['x-request-id'])), 'request id missing from the page');
  }
  const italian = await call(app, { method: 'GET', url: '/portal/no-such-page', headers: { 'accept-language': 'it-IT,it;q=0.9' } });
  assert.match(italian.body, /La pagina richiesta non esiste\./);
});

test('the database out of reach is a 503 with Retry-After and no detail; the log keeps the cause, without a stack per request', async () => {
  // An app whose database is unreachable: every use of it fails, as in an outage.
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const pool = createPool('postgres://nobody:wrong@127.0.0.1:1/none', 1);
  const broken = await buildApp(
    createContainer({ config: await testConfig(), db: createKysely(pool), logger: createLogger('info', sink), clock: systemClock, audit: testAudit() }),
  );
  try {
    const { jar, csrf } = await signInForm(broken);
    const response = await call(broken, {
      method: 'POST',
      url: '/admin/sign-in',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, email: 'admin@example.org', password: 'correct horse battery staple' }).toString(),
    });
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['retry-after'], '5');
    assert.match(response.body, /<code>database_unavailable<\/code>/);
    assert.match(response.body, /The request could not be completed\./);
    assert.doesNotMatch(response.body, /ECONNREFUSED|127\.0\.0\.1:1/, 'the cause must not reach the client');
    const logged = lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; cause?: string; err?: unknown })
      .find((l) => l.msg === 'request refused: database unavailable');
    assert.ok(
      logged && logged.level === 40 && /ECONNREFUSED/.test(logged.cause ?? '') && logged.err === undefined,
      'the cause reaches the log, as a warning without a stack',
    );

    // The payment page and DirectLink alike: 503 with Retry-After, a warning without a stack.
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const entry = await call(broken, {
      method: 'POST',
      url: '/ncol/test/orderstandard_utf8.asp',
      headers: form,
      payload: 'PSPID=x&ORDERID=1&AMOUNT=100&CURRENCY=EUR&SHASIGN=ab',
    });
    const direct = await call(broken, {
      method: 'POST',
      url: '/ncol/test/querydirect_utf8.asp',
      headers: form,
      payload: 'PSPID=x&USERID=u&PSWD=p&ORDERID=1&SHASIGN=ab',
    });
    assert.deepEqual([entry.statusCode, entry.headers['retry-after'], direct.statusCode, direct.headers['retry-after']], [503, '5', 503, '5']);
    assert.match(direct.body, /NCERROR="20001001"/);
    const severe = lines
      .flatMap((l) => l.split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string; err?: unknown });
    assert.deepEqual(
      severe.filter((l) => l.level >= 50 || l.err !== undefined).map((l) => l.msg),
      [],
      'no error with a stack for the database being away',
    );

    const ready = await call(broken, { method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json<{ status: string }>().status, 'not ready');
    const healthy = await call(broken, { method: 'GET', url: '/healthz' });
    assert.equal(healthy.statusCode, 200, 'liveness does not depend on the database');
  } finally {
    await broken.close();
    await pool.end();
  }
});

test('/healthz and /readyz answer 200', async () => {
  const health = await call(app, { method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200);
  assert.deepEqual(health.json(), { status: 'ok' });
  const ready = await call(app, { method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { status: 'ready' });
});

test('/metrics is Prometheus text that counts requests by surface, method and status', async () => {
  await call(app, { method: 'GET', url: '/api/counted-404' });
  const first = await call(app, { method: 'GET', url: '/metrics', headers: METRICS });
  const count = (text: string): number => Number(/^varco_http_requests_total\{surface="api",method="GET",status="404"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  assert.equal(first.statusCode, 200);
  assert.match(String(first.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.match(first.body, /^# TYPE varco_http_requests_total counter$/m);
  assert.match(first.body, /^# TYPE varco_http_request_duration_seconds histogram$/m);
  assert.ok(count(first.body) >= 1);
  await call(app, { method: 'GET', url: '/api/counted-404' });
  const second = await call(app, { method: 'GET', url: '/metrics', headers: METRICS });
  assert.equal(count(second.body), count(first.body) + 1);
});

test('a NUL byte or a malformed URL is a clear 400 on every surface, never a 500', async () => {
  const t = await buildTestApp();
  const cases: Array<{ method: 'GET' | 'POST'; url: string; payload?: string; api: boolean }> = [
    { method: 'POST', url: '/portal/sign-in', payload: 'email=a%00%40x.org&password=x&_csrf=x', api: false },
    { method: 'GET', url: '/admin/sign-in?lang=%00', api: false },
    { method: 'GET', url: '/portal/subscriptions/%E0%A4%A', api: false },
    { method: 'GET', url: '/api/v1/%E0%A4%A', api: true },
  ];
  for (const c of cases) {
    const res = await t.app.inject({
      method: c.method,
      url: c.url,
      ...(c.payload ? { payload: c.payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
    });
    assert.equal(res.statusCode, 400, `${c.method} ${c.url}: ${res.body.slice(0, 200)}`);
    if (c.api) {
      const body = res.json() as { error: { code: string; requestId: string } };
      assert.equal(body.error.code, 'bad_request');
      assert.equal(body.error.requestId, res.headers['x-request-id']);
    } else {
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /bad_request/);
    }
  }
});
