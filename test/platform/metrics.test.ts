import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { buildTestApp } from '../support/app.ts';
import { bearerMatches } from '../../src/http/plugins/metrics.ts';

// Issue 10 item 12: /metrics tells request rates and process memory, so it is served only with a
// bearer token (VARCO_METRICS_TOKEN). Unset: the route does not exist. Before, anyone could read it.
// Issue 12: prom-client's process defaults keep their standard names; Varco's own metrics are varco_*.

const TOKEN = 'a-metrics-token-of-32-characters!';

test('without VARCO_METRICS_TOKEN /metrics answers 404, like any unknown path', async () => {
  const { app } = await buildTestApp();
  const response = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.statusCode, 404);
  assert.equal(response.json<{ error: { code: string } }>().error.code, 'not_found');
  assert.doesNotMatch(response.body, /varco_http_requests_total/);
});

test('with a token: 401 without it, with a wrong one or another scheme; 200 with the right one', async () => {
  const { app } = await buildTestApp({ env: { VARCO_METRICS_TOKEN: TOKEN } });
  const refused = [
    undefined,
    '',
    `Bearer ${TOKEN.slice(0, -1)}`,
    `Bearer ${TOKEN}x`,
    `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
    TOKEN,
    `Bearer  ${TOKEN}`,
  ];
  for (const authorization of refused) {
    const response = await app.inject({ url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
    assert.equal(response.statusCode, 401, String(authorization));
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'bearer_token_invalid');
    assert.match(String(response.headers['www-authenticate']), /^Bearer /);
    assert.doesNotMatch(response.body, /varco_/);
    assert.ok(!response.body.includes(TOKEN), 'the token is not echoed');
  }
  const ok = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.statusCode, 200);
  assert.match(ok.body, /^# TYPE varco_http_requests_total counter$/m);
  assert.equal(ok.headers['cache-control'], 'no-store');
  // The scheme is case-insensitive (RFC 7235); the token is not.
  assert.equal((await app.inject({ url: '/metrics', headers: { authorization: `bearer ${TOKEN}` } })).statusCode, 200);
  assert.equal((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN.toUpperCase()}` } })).statusCode, 401);
});

test('the comparison hashes both sides, so it does not depend on the lengths', () => {
  assert.equal(bearerMatches(`Bearer ${TOKEN}`, TOKEN), true);
  assert.equal(bearerMatches(`Bearer ${TOKEN.slice(0, 5)}`, TOKEN), false);
  assert.equal(bearerMatches(undefined, TOKEN), false);
  assert.equal(bearerMatches('Bearer ', TOKEN), false);
});

test("the process defaults keep their standard names for stock dashboards; Varco's own metrics are varco_*", async () => {
  const { app } = await buildTestApp({ env: { VARCO_METRICS_TOKEN: TOKEN } });
  await app.inject({ url: '/healthz' });
  const body = (await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).body;
  const served = [...body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  // What prom-client's collectDefaultMetrics names them, without a prefix, on this Node.js.
  const reference = new Registry();
  collectDefaultMetrics({ register: reference });
  const defaults = (await reference.getMetricsAsJSON()).map((metric) => metric.name);
  assert.ok(defaults.includes('process_cpu_seconds_total') && defaults.includes('nodejs_heap_size_used_bytes'));
  assert.deepEqual(served.filter((name) => !name.startsWith('varco_')).sort(), [...defaults].sort(), 'every default, under its standard name');
  assert.match(body, /^process_cpu_seconds_total \d/m);
  assert.match(body, /^nodejs_heap_size_used_bytes \d/m);
  assert.doesNotMatch(body, /^varco_(process|nodejs)_/m, 'no prefixed copies of the defaults');
  assert.deepEqual(served.filter((name) => name.startsWith('varco_')).sort(), ['varco_http_request_duration_seconds', 'varco_http_requests_total']);
});
