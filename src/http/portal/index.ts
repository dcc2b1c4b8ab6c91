import type { FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import type { IdentityService } from '../../modules/identity/index.ts';
import { html } from '../../views/html.ts';
import { page } from '../../views/layout.ts';
import { registerSessionLoading } from '../plugins/session.ts';
import { registerSignInRoutes } from '../plugins/signin.ts';

export interface PortalContextOptions {
  identity: IdentityService;
  sessionTtlMinutes: number;
}

/** The developer portal: referents of connected organisations. */
export async function portalContext(app: FastifyInstance, options: PortalContextOptions): Promise<void> {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  registerSessionLoading(app, { surface: 'portal', identity: options.identity, ttlMinutes: options.sessionTtlMinutes });
  registerSignInRoutes(app, { surface: 'portal', identity: options.identity, ttlMinutes: options.sessionTtlMinutes });
  app.get('/', async (request, reply) => {
    const session = request.session;
    if (!session) return reply.redirect('/portal/sign-in', 303);
    const body = html`<p>${session.email}</p>`;
    return reply.type('text/html; charset=utf-8').send(page({ locale: request.locale, title: 'Developer portal', body,
      signOut: { action: '/portal/sign-out', csrfToken: session.csrfToken } }));
  });
}
