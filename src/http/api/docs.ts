import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods, RouteOptions } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';

// The OpenAPI document is generated from the route schemas; the browsable reference is Swagger UI
// under /api/docs (document at /api/docs/json). Swagger UI's page loads its scripts from Varco and
// fetches the document, so it needs `connect-src 'self'` and inline style attributes that the
// default CSP forbids; this CSP is set for the /api/docs routes only.
//
// Both are built the first time someone asks for /api/docs, not at every start: @fastify/swagger,
// @fastify/swagger-ui and what they load (YAML, the static file server, the JSON-schema resolver)
// cost a start ~130 ms, and few instances ever serve the reference (issue 15, ready ≤ 2 s). The keyed
// routes are recorded as they are registered (recordApiRoutes); on the first request a small Fastify
// instance of its own is given those routes and the two plugins, and /api/docs/* is answered by it
// (inject: in the process, no socket). Its copies of the keyed routes only describe them: they answer
// 404, and only paths under /api/docs (after resolving dot segments) are passed to it.

export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Varco API',
    version: '1',
    description:
      'JSON API for directly connected organisations. Every call carries a subscription key: ' +
      'header `Ocp-Apim-Subscription-Key` (or query parameter `subscription-key`). Errors: `{"error":{"code","message","requestId"}}`.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: {
      subscriptionKey: { type: 'apiKey', in: 'header', name: 'Ocp-Apim-Subscription-Key' },
      subscriptionKeyQuery: { type: 'apiKey', in: 'query', name: 'subscription-key' },
    },
  },
  security: [{ subscriptionKey: [] }, { subscriptionKeyQuery: [] }],
} as const;

/** What the document needs of a keyed route, as registered (the URL with its /api prefix). */
export interface DocumentedRoute {
  method: RouteOptions['method'];
  url: string;
  schema: FastifySchema | undefined;
  config: unknown;
}

/** Records every route of `app` (the keyed context) as it is registered. Fastify's implicit HEAD routes are left out, as the generator does. */
export function recordApiRoutes(app: FastifyInstance, routes: DocumentedRoute[]): void {
  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD') return;
    routes.push({ method: route.method, url: route.url, schema: route.schema, config: route.config });
  });
}

/** Request headers the reference's answers depend on (conditional and partial requests); nothing else is passed on. */
const FORWARDED = ['if-none-match', 'if-modified-since', 'range', 'if-range'];
/** Headers of the inner answer that are the connection's (or Fastify's to compute), not the answer's. */
const NOT_COPIED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'content-length']);

/** How long a failed build of the reference is answered from memory before the next request tries again. */
const RETRY_BUILD_AFTER_MS = 5000;

export interface DocsOptions {
  routes: Iterable<DocumentedRoute>;
  retryBuildAfterMs?: number;
}

/** The reference, open without a key, under the /api context's /docs. */
export async function docsContext(app: FastifyInstance, options: DocsOptions): Promise<void> {
  let reference: Promise<FastifyInstance> | undefined;
  // Concurrent first requests share one build; a failed one is kept a few seconds, so requests
  // (open to anyone) cannot make the process rebuild it over and over.
  const built = (): Promise<FastifyInstance> =>
    (reference ??= buildReference(options.routes).catch((error: unknown) => {
      setTimeout(() => (reference = undefined), options.retryBuildAfterMs ?? RETRY_BUILD_AFTER_MS).unref();
      throw error;
    }));
  const answer = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    // The inner instance resolves dot segments (and backslashes) in the URL as WHATWG URLs do; only a
    // path that is still under /api/docs once resolved is passed on, and in its resolved form.
    const target = new URL(request.url, 'http://reference.invalid');
    // Outside it, or unknown to the reference: the app's own 404 (its not-found handler).
    if (target.pathname !== '/api/docs' && !target.pathname.startsWith('/api/docs/')) return notFound(reply);
    const inner = await built();
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    // GET for HEAD too: Fastify answers the HEAD with the GET's headers and no body.
    const res = await inner.inject({ method: 'GET', url: target.pathname + target.search, headers });
    if (res.statusCode === 404) return notFound(reply);
    if (res.statusCode >= 500) throw new Error(`the API reference answered ${res.statusCode} for ${target.pathname}`);
    if (res.statusCode >= 400) throw new VarcoError('bad_request', 'The API reference cannot answer this request.');
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !NOT_COPIED.has(name)) reply.header(name, value);
    reply.code(res.statusCode);
    // An empty answer (a redirect, a 304) stays without a body and so without a content type.
    return res.rawPayload.length === 0 ? reply.send() : reply.send(res.rawPayload);
  };
  app.get('/docs', answer);
  app.get('/docs/*', answer);
}

function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

async function buildReference(routes: Iterable<DocumentedRoute>): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  const inner = Fastify() as unknown as FastifyInstance;
  try {
    // Its routes are only described, never answered (404): their schemas need no compiling.
    inner.setValidatorCompiler(() => () => true);
    inner.setSerializerCompiler(() => (data) => JSON.stringify(data));
    await inner.register(swagger, { openapi: OPENAPI as never });
    for (const route of routes) {
      inner.route({
        method: route.method as HTTPMethods | HTTPMethods[],
        url: route.url,
        schema: route.schema,
        config: route.config as never,
        handler: (_request, reply) => reply.code(404).send(),
      });
    }
    await inner.register(swaggerUi, {
      routePrefix: '/api/docs',
      staticCSP: DOCS_CSP,
      uiConfig: { deepLinking: false, tryItOutEnabled: true, persistAuthorization: false },
      validatorUrl: false,
    });
    await inner.ready();
    return inner;
  } catch (error) {
    await inner.close().catch(() => undefined);
    throw error;
  }
}
