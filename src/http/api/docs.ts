import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

// The OpenAPI document is generated from the route schemas; the browsable reference is Swagger UI
// under /api/docs (document at /api/docs/json). Swagger UI's page loads its scripts from Varco and
// fetches the document, so it needs `connect-src 'self'` and inline style attributes that the
// default CSP forbids; this CSP is set for the /api/docs routes only.

export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Registers the document generator on the /api context itself, so it sees every keyed route. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
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
    },
  });
}

/** Swagger UI, open without a key. */
export async function docsContext(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The page's asset links are absolute: they must include the context's /api prefix.
    indexPrefix: '/api',
    staticCSP: DOCS_CSP,
    uiConfig: { deepLinking: false, tryItOutEnabled: true, persistAuthorization: false },
    validatorUrl: false,
  });
}
