import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { createMerchant, payLocation, postEntry, signedOrder } from '../support/ecommerce.ts';
import { requireRouteSchemas } from '../../src/http/shared/schemas.ts';
import { registerKeyAuth } from '../../src/http/api/auth.ts';
import { createKeyVerifier } from '../../src/modules/subscriptions/index.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { compileRouteSchemas, lazySchemaCompilers, rememberSchemaCompilers } from '../../src/http/lazy-schemas.ts';

// Every route declares TypeBox schemas for what it reads (issue 12). Input of the wrong shape (an
// overlong id, a repeated parameter where one value is expected) is refused before the handler,
// each surface in its own way: JSON `validation_failed` on /api, the page in the user's language on
// the portal and the back office, the generic page on the hosted page, a SOAP answer on /nodo —
// never a 500, never Fastify's JSON in an HTML surface. Session, sign-in and CSRF come first.

const t = await buildTestApp();
const { app, services, database } = t;
const adminAccount = await createAdmin(services);
const org = await createOrganisation(database.db, 'Banca Schemi');
const italian = await createReferent(database.db, org, ['node'], 'it');
const portal = await new Browser(app, 'portal').signIn(italian.email);
const admin = await new Browser(app, 'admin').signIn(adminAccount.email);
const LONG_ID = 'x'.repeat(65);

/** An HTML refusal of a schema: the page, not JSON, naming the field, with the stable code as reference. */
function assertRefusalPage(res: { statusCode: number; headers: Record<string, unknown>; body: string }, field: string, language: 'it' | 'en'): void {
  assert.equal(res.statusCode, 400, res.body.slice(0, 300));
  assert.match(String(res.headers['content-type']), /^text\/html/);
  assert.match(res.body, language === 'it' ? /contiene un valore che questa pagina non accetta/ : /has a value this page does not accept/);
  assert.match(res.body, new RegExp(`\\(${field}\\)`));
  assert.match(res.body, /<code>validation_failed<\/code>/);
  assert.doesNotMatch(res.body, /"statusCode"|must be string|must NOT have more/);
}

test('no request body, query or params is cast in src/http: handlers read the types their schemas give', async () => {
  const root = join(import.meta.dirname, '../../src/http');
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 30);
  const cast = /\b(request|req)\s*\.\s*(body|query|params)\b\s*(\?\?\s*\{\}\s*)?\)?\s*as\b/;
  const found: string[] = [];
  for (const file of files) {
    (await readFile(join(root, file), 'utf8')).split('\n').forEach((line, i) => {
      if (cast.test(line)) found.push(`src/http/${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
  // The pattern does catch the forms that were removed.
  assert.ok(cast.test('const q = request.query as Record<string, string>;') && cast.test('const b = (request.body ?? {}) as Body;'));
});

test('a route of an HTML surface or of /api without its schemas cannot be registered', async () => {
  const html = Fastify();
  await assert.rejects(async () => {
    await html.register(async (surface) => {
      requireRouteSchemas(surface, 'portal');
      surface.post('/things/:id', { schema: { querystring: { type: 'object' }, params: { type: 'object' } } }, async () => 'x');
    });
    await html.ready();
  }, /portal route POST \/things\/:id must declare its body schema/);
  const api = Fastify();
  const verifier = createKeyVerifier({ db: database.db, clock: systemClock, databaseUrl: undefined });
  await assert.rejects(async () => {
    await api.register(async (keyed) => {
      registerKeyAuth(keyed, verifier);
      keyed.get('/v1/things', { config: { group: 'ping' }, schema: { querystring: { type: 'object' } } }, async () => ({}));
    });
    await api.ready();
  }, /must declare its response schema/);
  await Promise.all([html.close(), api.close()]);
});

test("portal: an overlong id, a repeated query parameter or form field gets the 400 page in the referent's language", async () => {
  assertRefusalPage(await portal.get(`/portal/subscriptions/${LONG_ID}`), 'id', 'it');
  assertRefusalPage(await portal.get('/portal/stations/sta_0?submitted=1&submitted=2'), 'submitted', 'it');
  assertRefusalPage(await portal.get('/portal/pagopa/exchanges?env=test&env=prod'), 'env', 'it');
  assertRefusalPage(await portal.get('/portal/subscriptions?lang=en&lang=en'), 'lang', 'it');
  const twice = await portal.post('/portal/subscriptions', { productId: 'prd_x', environment: 'test', name: ['One', 'Two'] });
  assertRefusalPage(twice, 'name', 'it');
  assert.equal((await services.subscriptions.list({ organisationId: org })).length, 0);
  // A well-formed unknown id is still "not found", as before.
  assert.equal((await portal.get(`/portal/subscriptions/sub_${'0'.repeat(26)}`)).statusCode, 404);
});

test('portal: sign-in and CSRF are checked before the schema, as before schemas existed', async () => {
  const anonymous = await app.inject({ method: 'GET', url: `/portal/subscriptions/${LONG_ID}` });
  assert.equal(anonymous.statusCode, 303);
  assert.match(String(anonymous.headers.location), /^\/portal\/sign-in(\?next=|$)/);
  const noToken = await app.inject({
    method: 'POST',
    url: '/portal/subscriptions',
    headers: { cookie: portal.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'name=One&name=Two',
  });
  assert.equal(noToken.statusCode, 403);
  assert.match(noToken.body, /csrf_invalid/);
  // An empty POST is an empty form, refused by the CSRF check and not by the body's schema.
  const empty = await app.inject({ method: 'POST', url: '/portal/sign-out', headers: { cookie: portal.jar.header(), 'x-csrf-token': portal.csrf } });
  assert.equal(empty.statusCode, 303);
});

test('back office: the 400 page for a repeated parameter, anonymous (?lang=it) and signed in (English); nothing is created', async () => {
  assertRefusalPage(await app.inject({ method: 'GET', url: '/admin/setup?token=a&token=b&lang=it' }), 'token', 'it');
  assertRefusalPage(await admin.get('/admin/stations?filter=to_check&filter=all'), 'filter', 'en');
  assertRefusalPage(await admin.get(`/admin/organisations/${LONG_ID}`), 'id', 'en');
  const before = (await services.organisations.list()).length;
  assertRefusalPage(
    await admin.post('/admin/organisations', { name: ['A', 'B'], taxCode: '12345678901', type: 'psp', contactEmail: 'a@b.test' }),
    'name',
    'en',
  );
  assert.equal((await services.organisations.list()).length, before);
});

test('/api: an overlong order id is a JSON validation_failed naming the part of the request; never HTML', async () => {
  const merchant = await createMerchant(t);
  const key = (await issueKeys(services, merchant.organisationId, 'ecommerce')).primary;
  const res = await app.inject({ url: `/api/v1/orders/${'o'.repeat(41)}`, headers: { 'ocp-apim-subscription-key': key } });
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const error = res.json<{ error: { code: string; requestId: string; details: { issues: Array<{ in: string; field: string }> } } }>().error;
  assert.equal(error.code, 'validation_failed');
  assert.deepEqual(
    error.details.issues.map((i) => [i.in, i.field]),
    [['params', 'orderId']],
  );
  assert.ok(error.requestId.startsWith('req_'));
});

test('hosted page: an overlong order id or a repeated token gets the generic page (400), the real page still opens', async () => {
  const merchant = await createMerchant(t);
  const pay = payLocation(await postEntry(app, signedOrder(merchant, 'schema-order-1')));
  for (const url of [`/ncol/test/pay/${LONG_ID}?token=${pay.token}`, `/ncol/test/pay/${pay.orderId}?token=${pay.token}&token=${pay.token}`]) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 400, url);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(res.body, /validation|must be|"error"/);
    assert.equal(res.headers['cache-control'], 'no-store');
  }
  assert.equal((await app.inject({ url: pay.path })).statusCode, 200);
});

test("/nodo: the WSDL whatever its query looks like; a repeated key is the gateway's SOAP fault, never HTML or JSON", async () => {
  const wsdl = await app.inject({ url: '/nodo/node-for-psp/v1?wsdl&WSDL=x&x=1&x=2' });
  assert.equal(wsdl.statusCode, 200);
  assert.match(wsdl.body, /<(wsdl:)?definitions/);
  const other = await app.inject({ url: '/nodo/node-for-psp/v1?x=1&x=2' });
  assert.equal(other.statusCode, 404);
  assert.match(String(other.headers['content-type']), /^text\/xml/);
  const repeated = await app.inject({
    method: 'POST',
    url: '/nodo/node-for-psp/v1?subscription-key=a&subscription-key=b',
    headers: { 'content-type': 'text/xml' },
    payload: '<x/>',
  });
  assert.equal(repeated.statusCode, 401);
  assert.match(String(repeated.headers['content-type']), /^text\/xml/);
  assert.match(repeated.body, /faultcode/);
});

// Schemas compile on first use (src/http/lazy-schemas.ts): a broken one would otherwise show only
// when its route is first requested.
test('every route schema of the real app compiles (they are compiled lazily, on first use)', () => {
  const { compiled, failures } = compileRouteSchemas(app);
  assert.deepEqual(failures, []);
  // Every route has schemas (issue 12): well over one per route of the three HTML surfaces and /api.
  assert.ok(compiled > 300, `compiled ${compiled}`);
  assert.deepEqual(compileRouteSchemas(app), { compiled, failures: [] }, 'nothing is compiled twice');
});

test('lazy compilers: validation and serialization as Fastify does them, a broken schema reported, uppercase header names refused', async () => {
  const schemas = lazySchemaCompilers();
  const small = Fastify({ schemaController: { compilersFactory: schemas.factory } });
  rememberSchemaCompilers(small, schemas);
  small.post(
    '/things',
    {
      schema: {
        body: { type: 'object', properties: { n: { type: 'integer', maximum: 9 } }, required: ['n'], additionalProperties: false },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    },
    async (request) => ({ n: (request.body as { n: number }).n, secret: 'not in the response schema' }),
  );
  small.get('/broken', { schema: { querystring: { type: 'object', properties: { a: { type: 'no-such-type' } } } } }, async () => 'x');
  await small.ready();
  const ok = await small.inject({ method: 'POST', url: '/things', payload: { n: 3 } });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { n: 3 }, 'the response schema serialized it: no field outside it');
  const refused = await small.inject({ method: 'POST', url: '/things', payload: { n: 10 } });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.json<{ message: string }>().message, /body\/n must be <= 9/);
  // Refused again: the errors are those of this request, not a stale copy.
  const missing = await small.inject({ method: 'POST', url: '/things', payload: {} });
  assert.match(missing.json<{ message: string }>().message, /must have required property 'n'/);
  const broken = await small.inject({ method: 'GET', url: '/broken?a=1' });
  assert.equal(broken.statusCode, 500, 'a schema that does not compile fails the request; it is never skipped');
  const { failures } = compileRouteSchemas(small);
  // GET /broken and the HEAD route Fastify adds beside it.
  assert.deepEqual(
    failures.map((f) => f.route),
    ['GET /broken (querystring)', 'HEAD /broken (querystring)'],
  );
  assert.match(failures[0]?.message ?? '', /no-such-type|properties\/a\/type/);
  await small.close();

  // Bodies under a strict prefix (the JSON API) are refused with an undeclared or mistyped field;
  // elsewhere (forms) the undeclared field is dropped and text converted, as Fastify does by default.
  const strict = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers({ strictBodies: ['/api/'] }).factory } });
  const bodySchema = { type: 'object', properties: { n: { type: 'integer' }, done: { type: 'boolean' } }, additionalProperties: false };
  for (const url of ['/api/things', '/things']) {
    strict.post(url, { schema: { body: bodySchema, querystring: { type: 'object', properties: { page: { type: 'integer' } } } } }, async (request) => ({
      body: request.body,
      query: request.query,
    }));
  }
  await strict.ready();
  const send = (url: string, payload: object) => strict.inject({ method: 'POST', url, payload });
  const extra = await send('/api/things', { n: 1, N: 2 });
  assert.equal(extra.statusCode, 400);
  assert.match(extra.json<{ message: string }>().message, /must NOT have additional properties/);
  assert.equal((await send('/api/things', { n: true })).statusCode, 400, 'a boolean is not converted to 1');
  assert.equal((await send('/api/things', { done: 'true' })).statusCode, 400, 'a string is not converted to a boolean');
  const fine = await strict.inject({ method: 'POST', url: '/api/things?page=2', payload: { n: 1, done: false } });
  assert.deepEqual(fine.json(), { body: { n: 1, done: false }, query: { page: 2 } }, 'a query string is still converted');
  assert.deepEqual((await send('/things', { n: '1', N: 2 })).json(), { body: { n: 1 }, query: {} }, 'outside the prefix: dropped and converted');
  await strict.close();

  const headers = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers().factory } });
  headers.get('/h', { schema: { headers: { type: 'object', properties: { 'X-Thing': { type: 'string' } } } } }, async () => 'x');
  await assert.rejects(async () => {
    await headers.ready();
  }, /write "X-Thing" in lowercase/);
  await headers.close();
});
