import type { FastifyRequest } from 'fastify';
import { rawValue } from './schemas.ts';

// The subscription key as the API gateway reads it, shared by the keyed contexts (/api, /nodo): the
// `Ocp-Apim-Subscription-Key` header or the `subscription-key` query parameter, and Azure API
// Management's wording for refusals, which connected organisations already know (pagoPA's gateway).

export const KEY_MISSING_MESSAGE = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
export const KEY_INVALID_MESSAGE = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
export const FORBIDDEN_MESSAGE = 'The product of this subscription does not grant access to this API.';

export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['ocp-apim-subscription-key'];
  if (typeof header === 'string' && header !== '') return header;
  // Read in the first hook, before the route's schema: the value may be anything a client sent.
  const query = rawValue(request.query, 'subscription-key');
  if (typeof query === 'string') return query === '' ? undefined : query;
  // A repeated parameter is not a key: refuse it as invalid rather than pick one.
  return Array.isArray(query) || Array.isArray(header) ? 'repeated' : undefined;
}
