import { performance } from 'node:perf_hooks';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { isVarcoError } from '../../kernel/errors.ts';
import { nodeForPspWsdl } from '../../protocols/pagopa/index.ts';
import type { PagopaNode, TransportRefusal } from '../../modules/pagopa-node/index.ts';
import type { KeyVerifier } from '../../modules/subscriptions/index.ts';
import { contentTypeProblem, gatewayHook, sendSoapFault, SOAP_CONTENT_TYPE } from './gateway.ts';
import { typed } from '../shared/schemas.ts';
import { Type } from 'typebox';

// The pagoPA node's SOAP endpoint for PSPs (issue 11): POST /nodo/node-for-psp/v1, keyed by the
// calling organisation's `node` product key; GET …?wsdl, public. Its own context: a raw-body parser
// for every content type (the codec reads the bytes, with entities and DTDs off), a 256 KiB body
// limit, and error and not-found handlers that answer SOAP — never an HTML page, JSON or a stack.
// Past the gateway every answer is HTTP 200: the operation's response, KO with a fault bean when
// refused, including a body too large, a wrong content type and any unexpected failure.

export const NODO_PATH = '/node-for-psp/v1';
/** The codec's own bound (DEFAULT_XML_LIMITS) is the same: nothing larger is ever read. */
export const NODO_BODY_LIMIT = 256 * 1024;

export interface NodoContextOptions {
  node: PagopaNode;
  keyVerifier: KeyVerifier;
  clock: Clock;
  /** Varco's public base URL: the WSDL's address (never the request's Host header). */
  publicUrl: string;
}

const refusalOf = (error: FastifyError): { kind: TransportRefusal['kind']; description: string } => {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { kind: 'too_large', description: `Il messaggio supera ${NODO_BODY_LIMIT / 1024} KiB. / The message exceeds ${NODO_BODY_LIMIT / 1024} KiB.` };
  }
  const status = isVarcoError(error) ? error.status : error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { kind: 'bad_request', description: 'Richiesta HTTP non valida. / The HTTP request is not valid.' };
  }
  return { kind: 'unexpected', description: 'Errore interno del nodo. / Internal node error.' };
};

function registerHandlers(app: FastifyInstance, options: NodoContextOptions): void {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const caller = request.nodoCaller;
    const refusal = refusalOf(error);
    // The instance stopping (or its database away) before the gateway let the request through is not a bug.
    const unavailable = caller === undefined && isVarcoError(error) && error.status === 503;
    if (refusal.kind === 'unexpected' && !unavailable) request.log.error({ err: error }, 'pagoPA endpoint request failed');
    else request.log.info({ code: error.code }, 'pagoPA endpoint request refused');
    if (caller === undefined) {
      // Before the gateway let the request through (the key's check failed, or the instance is stopping).
      for (const [name, value] of Object.entries(isVarcoError(error) ? (error.headers ?? {}) : {})) reply.header(name, value);
      return sendSoapFault(reply, 503, 'Server', 'Servizio non disponibile; riprovare. / Service unavailable; retry.', 'unavailable');
    }
    const answer = await options.node.refuse({
      caller,
      soapAction: request.headers.soapaction,
      ...refusal,
      receivedAt: request.nodoReceived ?? { at: options.clock.now(), mark: performance.now() },
    });
    return reply.code(answer.status).type(SOAP_CONTENT_TYPE).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendSoapFault(reply, 404, 'Client', `Nessun servizio a ${request.url.split('?')[0] ?? ''}. / No service at this path.`, 'not_found'),
  );
}

export async function nodoContext(app: FastifyInstance, options: NodoContextOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: NODO_BODY_LIMIT }, (_request, body, done) => done(null, body));
  app.decorateRequest('nodoCaller', undefined);
  app.decorateRequest('nodoReceived', undefined);
  registerHandlers(app, options);
  const wsdl = nodeForPspWsdl(`${options.publicUrl}/nodo${NODO_PATH}`);

  // Only the names matter (`?wsdl`, in any case, with or without a value); nothing is refused here.
  const WsdlQuery = Type.Object({}, { additionalProperties: true });
  typed(app).get(NODO_PATH, { schema: { querystring: WsdlQuery } }, async (request, reply) => {
    if (!Object.keys(request.query).some((k) => k.toLowerCase() === 'wsdl')) {
      return sendSoapFault(
        reply,
        404,
        'Client',
        'Il WSDL è a ?wsdl; le operazioni si chiamano con POST. / The WSDL is at ?wsdl; operations are called with POST.',
        'not_found',
      );
    }
    return reply.type(SOAP_CONTENT_TYPE).send(wsdl);
  });

  const gateway = gatewayHook(options.keyVerifier);
  app.post(
    NODO_PATH,
    {
      onRequest: async (request, reply) => {
        request.nodoReceived = { at: options.clock.now(), mark: performance.now() };
        return gateway(request, reply);
      },
    },
    async (request, reply) => {
      const caller = request.nodoCaller;
      const receivedAt = request.nodoReceived ?? { at: options.clock.now(), mark: performance.now() };
      if (caller === undefined) return sendSoapFault(reply, 401, 'Client', 'Access denied.', 'subscription_key_missing');
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const problem = contentTypeProblem(request.headers['content-type']);
      const answer =
        problem === undefined
          ? await options.node.handle({ caller, body, soapAction: request.headers.soapaction, receivedAt })
          : await options.node.refuse({ caller, soapAction: request.headers.soapaction, kind: 'bad_request', description: problem, body, receivedAt });
      return reply.code(answer.status).type(SOAP_CONTENT_TYPE).send(answer.body);
    },
  );
}
