import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildSoapFault } from '../../protocols/pagopa/index.ts';
import type { NodeCaller } from '../../modules/pagopa-node/index.ts';
import type { KeyVerifier } from '../../modules/subscriptions/index.ts';
import { FORBIDDEN_MESSAGE, KEY_INVALID_MESSAGE, KEY_MISSING_MESSAGE, presentedKey } from '../shared/subscription-key.ts';

// The API gateway in front of the SOAP endpoint: the subscription key of the `node` product, as on
// /api (same verifier, cache, rate limit and usage records). Its refusals are the gateway's, not the
// node's: HTTP 401 / 403 / 429 with the gateway's wording, as pagoPA's API Management answers before
// any node sees the request — but as a SOAP 1.1 Client fault (text/xml) instead of JSON, so a SOAP
// client reports the message. The body of a refused request is never read.

export const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';

declare module 'fastify' {
  interface FastifyRequest {
    /** The organisation whose `node` key called, set by the gateway hook. */
    nodoCaller: NodeCaller | undefined;
    /** When the request arrived (clock and performance.now()), for the exchange log. */
    nodoReceived: { at: Date; mark: number } | undefined;
  }
}

/** A SOAP fault answered with an HTTP status of the gateway (or 404 / 503 around the node). */
export function sendSoapFault(reply: FastifyReply, status: number, kind: 'Client' | 'Server', message: string, code: string): FastifyReply {
  return reply
    .code(status)
    .type(SOAP_CONTENT_TYPE)
    .send(buildSoapFault(kind, message, code));
}

export function gatewayHook(verifier: KeyVerifier) {
  return async function gateway(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const check = await verifier.verify(presentedKey(request));
    if (!check.ok) {
      return check.reason === 'missing'
        ? sendSoapFault(reply, 401, 'Client', KEY_MISSING_MESSAGE, 'subscription_key_missing')
        : sendSoapFault(reply, 401, 'Client', KEY_INVALID_MESSAGE, 'subscription_key_invalid');
    }
    const context = check.context;
    const verdict = verifier.rateLimit(context);
    if (!verdict.allowed) {
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return sendSoapFault(reply, 429, 'Client', `Rate limit is exceeded. Try again in ${verdict.retryAfterSeconds} seconds.`, 'rate_limited');
    }
    verifier.recordUse(context);
    if (!context.routeGroups.includes('node')) return sendSoapFault(reply, 403, 'Client', FORBIDDEN_MESSAGE, 'forbidden');
    request.nodoCaller = { env: context.environment, organisationId: context.organisationId, organisationName: context.organisationName };
    return undefined;
  };
}

/**
 * SOAP 1.1 over HTTP is `text/xml`; a declared charset must be UTF-8 (the codec reads UTF-8 only).
 * Returns the problem in words, or undefined when the type is acceptable.
 */
export function contentTypeProblem(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '')
    return 'Content-Type mancante: usare text/xml; charset=utf-8. / Content-Type missing: use text/xml; charset=utf-8.';
  const [type = '', ...params] = header.split(';').map((p) => p.trim());
  if (type.toLowerCase() !== 'text/xml') {
    return 'Content-Type non ammesso: SOAP 1.1 usa text/xml; charset=utf-8. / Content-Type not accepted: SOAP 1.1 uses text/xml; charset=utf-8.';
  }
  const charset = params.map((p) => /^charset\s*=\s*"?([^"]*)"?$/i.exec(p)?.[1]).find((c) => c !== undefined);
  if (charset !== undefined && !/^utf-?8$/i.test(charset.trim())) {
    return 'Charset non ammesso: solo UTF-8. / Charset not accepted: UTF-8 only.';
  }
  return undefined;
}
