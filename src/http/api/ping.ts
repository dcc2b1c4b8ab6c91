import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { KeyVerifier } from '../../modules/subscriptions/index.ts';
import { isoTime } from '../../kernel/clock.ts';
import { apiAuth } from './auth.ts';
import { AUTH_ERRORS } from './schemas.ts';

// GET /api/v1/ping: the reachability check that ends onboarding. It says who the key belongs to and
// how the connection arrived, and records that inbound reachability was verified (batched).

const PingResponse = Type.Object({
  subscription: Type.Object({ id: Type.String(), name: Type.String() }),
  organisation: Type.Object({ id: Type.String(), name: Type.String() }),
  product: Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() }),
  environment: Type.Union([Type.Literal('test'), Type.Literal('prod')]),
  tlsProtocol: Type.Union([Type.String(), Type.Null()], {
    description: 'e.g. TLSv1.3; null when the connection reached Varco without TLS (behind a proxy, or in tests).',
  }),
  serverTime: Type.String({ format: 'date-time' }),
});

/** The protocol a connection negotiated, asked of OpenSSL once per connection: it cannot change while the connection lives. */
const protocols = new WeakMap<object, string | null>();
function tlsProtocolOf(socket: Socket): string | null {
  let protocol = protocols.get(socket);
  if (protocol === undefined) {
    protocol = (socket as Partial<TLSSocket>).getProtocol?.() ?? null;
    protocols.set(socket, protocol);
  }
  return protocol;
}

export function registerPing(app: FastifyInstance, verifier: KeyVerifier): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/v1/ping',
    {
      config: { group: 'ping' },
      schema: {
        summary: 'Check inbound connectivity',
        description:
          'Answers the subscription the key belongs to, its organisation, product and environment, the TLS protocol of the connection and the server time. ' +
          'Records that inbound reachability was verified for the subscription (shown in the developer portal and the back office).',
        tags: ['connectivity'],
        querystring: Type.Object({ 'subscription-key': Type.Optional(Type.String({ description: 'Alternative to the header, for compatibility.' })) }),
        response: { 200: PingResponse, ...AUTH_ERRORS },
      },
    },
    // Not async: the answer is ready at once, so no promise and no microtask before it is sent (issue 15).
    (request) => {
      const auth = apiAuth(request);
      verifier.recordPing(auth.subscriptionId);
      return {
        subscription: { id: auth.subscriptionId, name: auth.subscriptionName },
        organisation: { id: auth.organisationId, name: auth.organisationName },
        product: { id: auth.productId, code: auth.productCode, name: auth.productName },
        environment: auth.environment,
        tlsProtocol: tlsProtocolOf(request.raw.socket),
        // The date text is kept for the second (~0.65 µs a request otherwise: issue 15).
        serverTime: isoTime(),
      };
    },
  );
}
