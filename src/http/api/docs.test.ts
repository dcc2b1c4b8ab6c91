import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { docsContext, recordApiRoutes, type DocumentedRoute } from './docs.ts';
import { registerErrorHandling } from '../plugins/errors.ts';

// The API reference is built on its first request from the routes recorded at registration
// (issue 15: not at every start). What it answers must not depend on that: the document describes
// every recorded route, concurrent first requests share one build, and its answers keep their
// headers (HEAD, conditional requests, redirects) and Varco's error format.

function app(): FastifyInstance {
  const server = Fastify() as unknown as FastifyInstance;
  registerErrorHandling(server);
  void server.register(
    async (api) => {
      const documented: DocumentedRoute[] = [];
      await api.register(docsContext, { routes: documented });
      await api.register(async (keyed) => {
        recordApiRoutes(keyed, documented);
        keyed.get(
          '/v1/things/:id',
          { schema: { summary: 'One thing', params: { type: 'object', properties: { id: { type: 'string' } } }, response: { 200: { type: 'object' } } } },
          async () => ({}),
        );
        keyed.post('/v1/things', { schema: { body: { type: 'object', properties: { name: { type: 'string' } } } } }, async () => ({}));
      });
    },
    { prefix: '/api' },
  );
  return server;
}

test('the document, built on the first request, describes every recorded route and no other; concurrent first requests share it', async () => {
  const server = app();
  const answers = await Promise.all([1, 2, 3].map(() => server.inject({ method: 'GET', url: '/api/docs/json' })));
  for (const res of answers) assert.equal(res.statusCode, 200);
  assert.equal(new Set(answers.map((r) => r.body)).size, 1, 'the three answers are the same document');
  const document = answers[0]!.json<{ info: { title: string }; paths: Record<string, Record<string, { summary?: string }>> }>();
  assert.equal(document.info.title, 'Varco API');
  assert.deepEqual(Object.keys(document.paths).sort(), ['/api/v1/things', '/api/v1/things/{id}']);
  assert.deepEqual(Object.keys(document.paths['/api/v1/things/{id}'] ?? {}), ['get'], 'no HEAD operation');
  assert.equal(document.paths['/api/v1/things/{id}']?.get?.summary, 'One thing');
  await server.close();
});

test("the reference's pages keep their headers, HEAD and conditional requests work, and unknown paths get Varco's 404", async () => {
  const server = app();
  const page = await server.inject({ method: 'GET', url: '/api/docs' });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(String(page.headers['content-security-policy']), /connect-src 'self'/);

  const css = await server.inject({ method: 'GET', url: '/api/docs/static/swagger-ui.css' });
  assert.equal(css.statusCode, 200);
  assert.match(String(css.headers['content-type']), /^text\/css/);
  assert.ok(css.headers.etag, 'the stylesheet has an ETag');
  const again = await server.inject({ method: 'GET', url: '/api/docs/static/swagger-ui.css', headers: { 'if-none-match': String(css.headers.etag) } });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');

  const head = await server.inject({ method: 'HEAD', url: '/api/docs/json' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.body, '');
  assert.equal(Number(head.headers['content-length']), Buffer.byteLength((await server.inject({ method: 'GET', url: '/api/docs/json' })).body));

  const redirect = await server.inject({ method: 'GET', url: '/api/docs/static/index.html' });
  assert.equal(redirect.statusCode, 302);
  assert.equal(redirect.headers.location, '/api/docs/');
  assert.equal(redirect.headers['content-type'], undefined);

  const missing = await server.inject({ method: 'GET', url: '/api/docs/static/nothing-here.js' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ error: { code: string } }>().error.code, 'not_found');
  await server.close();
});
