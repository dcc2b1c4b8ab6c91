import type { FastifyInstance } from 'fastify';

/** The hosted payment page (Ogone-compatible entry). Guarded by SHA-IN, never by cookies. */
export async function ncolContext(app: FastifyInstance): Promise<void> {
  app.get('/', async (_request, reply) => reply.redirect('/', 303));
}
