import type { FastifyInstance } from 'fastify';

/** The JSON API. Routes declare request and response schemas; authentication by subscription key comes with onboarding. */
export async function apiContext(app: FastifyInstance): Promise<void> {
  app.get('/v1/health', {
    schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } } },
  }, async () => ({ status: 'ok' }));
}
