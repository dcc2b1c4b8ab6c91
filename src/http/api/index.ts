import type { FastifyInstance } from 'fastify';
import type { KeyVerifier } from '../../modules/subscriptions/index.ts';
import { registerKeyAuth } from './auth.ts';
import { docsContext, recordApiRoutes, type DocumentedRoute } from './docs.ts';
import { registerPing } from './ping.ts';
import { registerOrders } from './orders.ts';
import { registerOrderOperations } from './order-operations.ts';
import type { AliasesService, OperationsService, OrdersService } from '../../modules/checkout/index.ts';
import { registerAliases } from './aliases.ts';

export interface ApiContextOptions {
  keyVerifier: KeyVerifier;
  /** Hosted-page orders (GET /v1/orders/{orderId}). */
  orders?: Pick<OrdersService, 'statusFor'>;
  /** Capture, refund, cancel (POST /v1/orders/{orderId}/captures|refunds|cancellation). */
  operations?: Pick<OperationsService, 'maintain' | 'list'>;
  /** The card token vault (GET/DELETE /v1/aliases…). */
  aliases?: Pick<AliasesService, 'list' | 'get' | 'remove'>;
}

/**
 * The JSON API. Two children: the documentation (open) and the keyed routes, whose one onRequest
 * hook checks the subscription key before the body is even read. Every keyed route declares its
 * route group, request and response schemas; the OpenAPI document is generated from them (on the first
 * request for the reference: docs.ts).
 */
export async function apiContext(app: FastifyInstance, options: ApiContextOptions): Promise<void> {
  const documented: DocumentedRoute[] = [];
  await app.register(docsContext, { routes: documented });
  await app.register(async (keyed) => {
    recordApiRoutes(keyed, documented);
    registerKeyAuth(keyed, options.keyVerifier);
    registerPing(keyed, options.keyVerifier);
    if (options.orders) registerOrders(keyed, options.orders);
    if (options.orders && options.operations) registerOrderOperations(keyed, { orders: options.orders, operations: options.operations });
    if (options.aliases) registerAliases(keyed, options.aliases);
  });
}
