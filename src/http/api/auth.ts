import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import type { AuthContext, KeyVerifier, RouteGroup } from '../../modules/subscriptions/index.ts';

// Authentication of /api by subscription key, in one hook for the whole keyed context so no route
// can forget it. Every route must say which route group it belongs to; a route that does not is
// refused when it is registered. (The documentation lives in a sibling context, open to all.)

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route group a product must grant for a key to call this route. */
    group?: RouteGroup;
  }
  interface FastifyRequest {
    apiAuth: AuthContext | undefined;
  }
}

// Azure API Management's wording, which connected organisations already know (pagoPA's gateway).
export const KEY_MISSING_MESSAGE = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
export const KEY_INVALID_MESSAGE = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
export const FORBIDDEN_MESSAGE = 'The product of this subscription does not grant access to this API.';

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['ocp-apim-subscription-key'];
  if (typeof header === 'string' && header !== '') return header;
  const query = (request.query as Record<string, unknown> | undefined)?.['subscription-key'];
  if (typeof query === 'string') return query === '' ? undefined : query;
  // A repeated parameter is not a key: refuse it as invalid rather than pick one.
  return Array.isArray(query) || Array.isArray(header) ? 'repeated' : undefined;
}

export function registerKeyAuth(app: FastifyInstance, verifier: KeyVerifier): void {
  app.decorateRequest('apiAuth', undefined);

  app.addHook('onRoute', (route) => {
    const group = (route.config as { group?: string } | undefined)?.group;
    if (!group) throw new Error(`/api route ${String(route.method)} ${route.url} must declare its route group in config.group`);
  });

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const check = await verifier.verify(presentedKey(request));
    if (!check.ok) {
      throw check.reason === 'missing' ? new VarcoError('subscription_key_missing', KEY_MISSING_MESSAGE) : new VarcoError('subscription_key_invalid', KEY_INVALID_MESSAGE);
    }
    const context = check.context;
    const verdict = verifier.rateLimit(context);
    if (!verdict.allowed) {
      throw new VarcoError('rate_limited', `Rate limit is exceeded. Try again in ${verdict.retryAfterSeconds} seconds.`,
        { headers: { 'retry-after': String(verdict.retryAfterSeconds) } });
    }
    verifier.recordUse(context);
    if (!config.group || !context.routeGroups.includes(config.group)) throw new VarcoError('forbidden', FORBIDDEN_MESSAGE);
    request.apiAuth = context;
  });
}

/** The authenticated subscription of a keyed route (set by the hook before any handler runs). */
export function apiAuth(request: FastifyRequest): AuthContext {
  if (!request.apiAuth) throw new VarcoError('subscription_key_missing', KEY_MISSING_MESSAGE);
  return request.apiAuth;
}
