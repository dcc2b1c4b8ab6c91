import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { docsContext, recordApiRoutes, type DocumentedRoute } from './docs.ts';
import { registerErrorHandling } from '../plugins/errors.ts';

// The API reference is built on its first request from the routes recorded at registration
// (issue 15: not at every start). What it answers must not depend on that: the document describes
// every recorded route, concurrent first requests share one build, and its answers keep their
// headers (HEAD, conditional requests, redirects) and Varco's error format.

/** The routes as docsContext sees them, counting how many times the reference was built (each build reads them once). */
function counted(routes: DocumentedRoute[]): { routes: Iterable<DocumentedRoute>; builds: () => number } {
  let builds = 0;
  return {
    routes: {
      [Symbol.iterator]: () => {
        builds++;
        return routes[Symbol.iterator]();
      },
    },
    builds: () => builds,
  };
}

function app(options: { retryBuildAfterMs?: number; twice?: boolean } = {}): { server: FastifyInstance; builds: () => number } {
  const server = Fastify() as unknown as FastifyInstance;
  registerErrorHandling(server);
  const documented: DocumentedRoute[] = [];
  const reads = counted(documented);
  void server.register(
    async (api) => {
      await api.register(docsContext, {
        routes: reads.routes,
        ...(options.retryBuildAfterMs === undefined ? {} : { retryBuildAfterMs: options.retryBuildAfterMs }),
      });
      await api.register(async (keyed) => {
        recordApiRoutes(keyed, documented);
        // A route recorded twice makes the reference's build fail (Fastify refuses the duplicate).
        if (options.twice) recordApiRoutes(keyed, documented);
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
  return { server, builds: reads.builds };
}

test('the document, built on the first request, describes every recorded route and no other; concurrent first requests share one build', async () => {
  const { server, builds } = app();
  await server.ready();
  assert.equal(builds(), 0, 'nothing is built before the first request');
  const answers = await Promise.all([1, 2, 3].map(() => server.inject({ method: 'GET', url: '/api/docs/json' })));
  for (const res of answers) assert.equal(res.statusCode, 200);
  assert.equal(builds(), 1);
  assert.equal(new Set(answers.map((r) => r.body)).size, 1, 'the three answers are the same document');
  const document = answers[0]!.json<{ info: { title: string }; paths: Record<string, Record<string, { summary?: string }>> }>();
  assert.equal(document.info.title, 'Varco API');
  assert.deepEqual(Object.keys(document.paths).sort(), ['/api/v1/things', '/api/v1/things/{id}']);
  assert.deepEqual(Object.keys(document.paths['/api/v1/things/{id}'] ?? {}), ['get'], 'no HEAD operation');
  assert.equal(document.paths['/api/v1/things/{id}']?.get?.summary, 'One thing');
  await server.close();
});

test("the reference's pages keep their headers, HEAD and conditional requests work, and unknown paths get Varco's 404", async () => {
  const { server } = app();
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

test('paths that leave /api/docs once their dot segments are resolved reach nothing: 404, never a documented route', async () => {
  const { server } = app();
  await server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.server.address() as AddressInfo;
  // Sent as written (no client normalises them): node:http passes the path through.
  const raw = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((done, fail) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', fail);
      req.end();
    });
  try {
    for (const path of [
      '/api/docs/../v1/things/1',
      '/api/docs/%2e%2e/v1/things/1',
      '/api/docs/%2E%2E/%2E%2E/api/v1/things/1',
      '/api/docs/x/..\\..\\v1\\things/1',
      '/api/docs/static/../../v1/things',
    ]) {
      const res = await raw(path);
      assert.equal(res.status, 404, path);
      assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'not_found', path);
    }
    // A dot segment that stays under /api/docs is resolved and served.
    assert.equal((await raw('/api/docs/static/../json')).status, 200);
  } finally {
    await server.close();
  }
});

test('a reference that fails to build answers 500 and is not rebuilt on every request, then is tried again', async () => {
  const { server, builds } = app({ twice: true, retryBuildAfterMs: 200 });
  const first = await server.inject({ method: 'GET', url: '/api/docs/json' });
  assert.equal(first.statusCode, 500);
  assert.equal(first.json<{ error: { code: string } }>().error.code, 'internal_error');
  assert.equal((await server.inject({ method: 'GET', url: '/api/docs' })).statusCode, 500);
  assert.equal(builds(), 1, 'the failure is kept');
  await new Promise((done) => setTimeout(done, 300));
  assert.equal((await server.inject({ method: 'GET', url: '/api/docs/json' })).statusCode, 500);
  assert.equal(builds(), 2, 'tried again after the delay');
  await server.close();
});
