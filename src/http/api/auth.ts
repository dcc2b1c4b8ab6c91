import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import type { AuthContext, KeyCheck, KeyVerifier, RouteGroup } from '../../modules/subscriptions/index.ts';
import { FORBIDDEN_MESSAGE, KEY_INVALID_MESSAGE, KEY_MISSING_MESSAGE, presentedKey } from '../shared/subscription-key.ts';

// Authentication of /api by subscription key, in one hook for the whole keyed context so no route
// can forget it. Every route must say which route group it belongs to, and declare its querystring
// and response schemas (params too when its URL has any); a route that does not is refused when it
// is registered. (The documentation lives in a sibling context, open to all.)

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route group a product must grant for a key to call this route. */
    group?: RouteGroup;
  }
  interface FastifyRequest {
    apiAuth: AuthContext | undefined;
  }
}

// Azure API Management's wording and the key's places are shared with the SOAP endpoint (/nodo).
export { FORBIDDEN_MESSAGE, KEY_INVALID_MESSAGE, KEY_MISSING_MESSAGE } from '../shared/subscription-key.ts';

export function registerKeyAuth(app: FastifyInstance, verifier: KeyVerifier): void {
  app.decorateRequest('apiAuth', undefined);

  app.addHook('onRoute', (route) => {
    const group = (route.config as { group?: string } | undefined)?.group;
    if (!group) throw new Error(`/api route ${String(route.method)} ${route.url} must declare its route group in config.group`);
    const schema = route.schema ?? {};
    const missing =
      schema.querystring === undefined
        ? 'querystring'
        : route.url.includes(':') && schema.params === undefined
          ? 'params'
          : schema.response === undefined
            ? 'response'
            : undefined;
    if (missing) throw new Error(`/api route ${String(route.method)} ${route.url} must declare its ${missing} schema`);
  });

  // A callback hook, not an async one: a key the cache knows is judged without a promise or a tick
  // (verifyCached); only a cache miss waits for the database (issue 15, the key check's CPU).
  app.addHook('onRequest', (request, _reply, done) => {
    const key = presentedKey(request);
    const cached = verifier.verifyCached(key);
    if (cached !== undefined) {
      done(admit(request, cached));
      return;
    }
    verifier.verify(key).then(
      (check) => done(admit(request, check)),
      (error: unknown) => done(error as Error),
    );
  });

  /** Applies a key check's verdict, the rate limit and the route group; the refusal, or undefined. */
  function admit(request: FastifyRequest, check: KeyCheck): VarcoError | undefined {
    if (!check.ok) {
      return check.reason === 'missing'
        ? new VarcoError('subscription_key_missing', KEY_MISSING_MESSAGE)
        : new VarcoError('subscription_key_invalid', KEY_INVALID_MESSAGE);
    }
    const context = check.context;
    const verdict = verifier.rateLimit(context);
    if (!verdict.allowed) {
      return new VarcoError('rate_limited', `Rate limit is exceeded. Try again in ${verdict.retryAfterSeconds} seconds.`, {
        headers: { 'retry-after': String(verdict.retryAfterSeconds) },
      });
    }
    verifier.recordUse(context);
    const group = request.routeOptions.config.group;
    if (!group || !context.routeGroups.includes(group)) return new VarcoError('forbidden', FORBIDDEN_MESSAGE);
    request.apiAuth = context;
    return undefined;
  }
}

/** The authenticated subscription of a keyed route (set by the hook before any handler runs). */
export function apiAuth(request: FastifyRequest): AuthContext {
  if (!request.apiAuth) throw new VarcoError('subscription_key_missing', KEY_MISSING_MESSAGE);
  return request.apiAuth;
}
