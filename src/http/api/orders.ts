import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { VarcoError } from '../../kernel/errors.ts';
import type { OrdersService } from '../../modules/checkout/index.ts';
import { apiAuth } from './auth.ts';
import { AUTH_ERRORS, ErrorResponse } from './schemas.ts';

// GET /api/v1/orders/{orderId}: a hosted-page order's status and payment details, for the merchant's
// back end (a key of the `ecommerce` product, which grants the `orders` route group). The order is
// looked up in the key's organisation and environment only: any other order is "not found".

const Card = Type.Object({
  brand: Type.String({ description: 'As in feedback BRAND, e.g. VISA.' }),
  number: Type.String({ description: 'Masked as in feedback CARDNO: XXXXXXXXXXXX1111. The full number is never stored.' }),
  expiry: Type.String({ description: 'MMYY, as in feedback ED.' }),
  holder: Type.String(),
});

const OrderResponse = Type.Object({
  id: Type.String({ description: 'Varco\u2019s id of the order (ord_…).' }),
  orderId: Type.String({ description: 'The merchant\u2019s ORDERID.' }),
  environment: Type.Union([Type.Literal('test'), Type.Literal('prod')]),
  payId: Type.Integer({ description: 'PAYID, as sent in feedback.' }),
  status: Type.Integer({
    description:
      'Ingenico STATUS: 0 new, 1 cancelled, 2 refused, 46 waiting for 3-D Secure, 5 authorised, 9 payment requested, 52/92 uncertain, 93 refused (technical), 99 being processed; after a capture, refund or cancellation its status (9/91/92, 8/81/82, 6/61/62, 7/71/72; see …/operations).',
  }),
  ncError: Type.Union([Type.String(), Type.Null()], { description: 'NCERROR of the last attempt; "0" when authorised.' }),
  acceptance: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Integer({ description: 'Minor units of the currency (ISO 4217 exponent).' }),
  amountDecimal: Type.String({ description: 'As feedback `amount`: major units, no trailing zeros.' }),
  currency: Type.String(),
  operation: Type.Union([Type.Literal('RES'), Type.Literal('SAL')]),
  attempts: Type.Integer({ description: 'Card attempts made (the payment retry setting limits them).' }),
  card: Type.Union([Card, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  paidAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function registerOrders(app: FastifyInstance, orders: Pick<OrdersService, 'statusFor'>): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/v1/orders/:orderId',
    {
      config: { group: 'orders' },
      schema: {
        summary: 'Status and payment details of a hosted-page order',
        description: 'Looks the order up by the merchant\u2019s ORDERID (or Varco\u2019s ord_… id) in the organisation and environment of the key.',
        tags: ['orders'],
        params: Type.Object({ orderId: Type.String({ minLength: 1, maxLength: 40, description: 'The ORDERID the shop sent.' }) }),
        querystring: Type.Object({ 'subscription-key': Type.Optional(Type.String({ description: 'Alternative to the header, for compatibility.' })) }),
        response: { 200: OrderResponse, 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const auth = apiAuth(request);
      const view = await orders.statusFor(auth.organisationId, auth.environment, request.params.orderId);
      if (!view) throw new VarcoError('not_found', 'No order with this orderId for your organisation in this environment.');
      return view;
    },
  );
}
