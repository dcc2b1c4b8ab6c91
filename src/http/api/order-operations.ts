import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { VarcoError } from '../../kernel/errors.ts';
import type { MaintainResult, OperationView, OperationsService, OrderRecord, OrdersService } from '../../modules/checkout/index.ts';
import { feedbackAmount, NC_ERROR, type MaintenanceOperation } from '../../protocols/ogone/index.ts';
import { apiAuth } from './auth.ts';
import { AUTH_ERRORS, ErrorResponse } from './schemas.ts';

// Capture, refund and cancel an authorised order in JSON, for merchants who prefer it to DirectLink's
// maintenancedirect (issue 13): each route is one call to checkout's `maintain`, the same use case
// DirectLink and the portal use, so amounts, statuses, PAYIDSUBs and feedback are the same. The
// order is looked up in the key's organisation and environment only: another one's is "not found".

const Params = Type.Object({ orderId: Type.String({ minLength: 1, maxLength: 40, description: 'The ORDERID the shop sent, or Varco\u2019s ord_… id.' }) });
const Query = Type.Object({ 'subscription-key': Type.Optional(Type.String({ description: 'Alternative to the header, for compatibility.' })) });
const Amount = Type.Integer({
  minimum: 1,
  maximum: 999_999_999_999,
  description: 'Minor units of the order\u2019s currency (1250 = 12,50 EUR). Left out: everything the operation may take.',
});

const CaptureBody = Type.Object(
  {
    amount: Type.Optional(Amount),
    final: Type.Optional(Type.Boolean({ description: 'The last capture (SAS): the rest of the authorisation is released. Default false (SAL).' })),
  },
  { additionalProperties: false },
);
const RefundBody = Type.Object(
  { amount: Type.Optional(Amount), final: Type.Optional(Type.Boolean({ description: 'The last refund (RFS): no refund may follow. Default false (RFD).' })) },
  { additionalProperties: false },
);
const CancelBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 999_999_999_999,
        description: 'Optional check: must be what the cancellation releases (the uncaptured rest, or the whole payment when it deletes it).',
      }),
    ),
    final: Type.Optional(Type.Boolean({ description: 'Close the payment too (DES): no refund may follow. Default false (DEL).' })),
  },
  { additionalProperties: false },
);

const Operation = Type.Object({
  payIdSub: Type.Integer({ description: 'PAYIDSUB of the operation, as in its feedback and in querydirect.' }),
  operation: Type.Union(
    [Type.Literal('SAL'), Type.Literal('SAS'), Type.Literal('RFD'), Type.Literal('RFS'), Type.Literal('DEL'), Type.Literal('DES'), Type.Literal('REN')],
    { description: 'The Ingenico operation code.' },
  ),
  status: Type.Integer({
    description:
      'Ingenico STATUS: 9 captured, 91 capture pending, 92 uncertain, 93 refused; 8 refunded (81/82/83); 6 authorisation cancelled (61/62/63); 7 payment deleted (71/72/73).',
  }),
  ncError: Type.String({ description: '"0" when done.' }),
  amount: Type.Integer({ description: 'Minor units.' }),
  amountDecimal: Type.String({ description: 'As feedback `amount`.' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const OperationResponse = Type.Object({
  order: Type.Object({
    id: Type.String(),
    orderId: Type.String({ description: 'The merchant\u2019s ORDERID.' }),
    payId: Type.Integer(),
    status: Type.Integer({ description: 'The order\u2019s STATUS after the operation (its newest operation\u2019s).' }),
    amount: Type.Integer({ description: 'Authorised, minor units.' }),
    captured: Type.Integer({ description: 'Captured so far (a sale counts as captured), minor units.' }),
    refunded: Type.Integer(),
    currency: Type.String(),
  }),
  operation: Operation,
});

const OperationsResponse = Type.Object({ orderId: Type.String(), payId: Type.Integer(), operations: Type.Array(Operation) });

/** The refusal of `maintain` as a stable error code (docs/errors.md); NCERROR in the message for those who know Ingenico's. */
function refusal(ncError: string, text: string): VarcoError {
  const message = `${text} (NCERROR ${ncError})`;
  if (ncError === NC_ERROR.CAPTURE_OVERFLOW) return new VarcoError('capture_exceeds_authorisation', message);
  if (ncError === NC_ERROR.REFUND_OVERFLOW) return new VarcoError('refund_exceeds_capture', message);
  if (ncError === NC_ERROR.DATA_VALIDATION) return new VarcoError('validation_failed', message);
  return new VarcoError('operation_not_allowed', message);
}

const operationJson = (op: OperationView, currency: string): Static<typeof Operation> => ({
  payIdSub: op.payIdSub,
  operation: op.operation,
  status: op.status,
  ncError: op.ncError,
  amount: op.amount,
  amountDecimal: feedbackAmount(op.amount, currency),
  createdAt: op.createdAt.toISOString(),
});

const orderJson = (o: OrderRecord) => ({
  id: o.id,
  orderId: o.orderRef,
  payId: o.payId,
  status: o.status,
  amount: o.amount,
  captured: o.operation === 'SAL' && o.paidAt !== null ? o.amount : o.captured,
  refunded: o.refunded,
  currency: o.currency,
});

interface Routes {
  orders: Pick<OrdersService, 'statusFor'>;
  operations: Pick<OperationsService, 'maintain' | 'list'>;
}

type Kind = {
  path: string;
  summary: string;
  description: string;
  body: typeof CaptureBody | typeof RefundBody | typeof CancelBody;
  op: (final: boolean) => MaintenanceOperation;
};

const KINDS: readonly Kind[] = [
  {
    path: 'captures',
    summary: 'Capture an authorised order (SAL / SAS)',
    description:
      'Captures `amount` (default: the rest of the authorisation) of an order authorised with OPERATION=RES, on the hosted page or by orderdirect. `final: true` makes it the last capture.',
    body: CaptureBody,
    op: (final) => (final ? 'SAS' : 'SAL'),
  },
  {
    path: 'refunds',
    summary: 'Refund a captured order (RFD / RFS)',
    description: 'Refunds `amount` (default: everything captured and not refunded yet). `final: true` makes it the last refund.',
    body: RefundBody,
    op: (final) => (final ? 'RFS' : 'RFD'),
  },
  {
    path: 'cancellation',
    summary: 'Cancel an authorisation (DEL / DES)',
    description:
      'Releases the uncaptured rest of the authorisation (STATUS 6); on an order captured in full and never refunded, deletes the payment (STATUS 7).',
    body: CancelBody,
    op: (final) => (final ? 'DES' : 'DEL'),
  },
];

const notFound = () => new VarcoError('not_found', 'No order with this orderId for your organisation in this environment.');

export function registerOrderOperations(app: FastifyInstance, routes: Routes): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const kind of KINDS) {
    typed.post(
      `/v1/orders/:orderId/${kind.path}`,
      {
        config: { group: 'orders' },
        schema: {
          summary: kind.summary,
          description: `${kind.description} The answer is 201 with the operation (its PAYIDSUB and STATUS; 93/83/63 when the acquirer refused it) whatever the acquirer said; the merchant\u2019s server-to-server feedback follows as for DirectLink.`,
          tags: ['orders'],
          params: Params,
          querystring: Query,
          body: kind.body,
          response: { 201: OperationResponse, 404: ErrorResponse, 409: ErrorResponse, ...AUTH_ERRORS },
        },
      },
      async (request, reply) => {
        const auth = apiAuth(request);
        const view = await routes.orders.statusFor(auth.organisationId, auth.environment, request.params.orderId);
        if (!view) throw notFound();
        const body = request.body;
        const target = { orderId: view.id, organisationId: auth.organisationId, env: auth.environment };
        // The key's subscription asks (sub_…), as DirectLink's API users (apu_…) ask there.
        const done: MaintainResult = await routes.operations.maintain(target, kind.op(body.final === true), body.amount, {
          type: 'subscription',
          id: auth.subscriptionId,
        });
        if (!done.ok) throw done.reason === 'not_found' ? notFound() : refusal(done.ncError, done.text);
        return reply.code(201).send({ order: orderJson(done.order), operation: operationJson(done.operation, done.order.currency) });
      },
    );
  }

  typed.get(
    '/v1/orders/:orderId/operations',
    {
      config: { group: 'orders' },
      schema: {
        summary: 'Captures, refunds and cancellations of an order',
        description: 'Every maintenance operation of the order (DirectLink, API or portal), oldest first, each with its PAYIDSUB.',
        tags: ['orders'],
        params: Params,
        querystring: Query,
        response: { 200: OperationsResponse, 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const auth = apiAuth(request);
      const view = await routes.orders.statusFor(auth.organisationId, auth.environment, request.params.orderId);
      const list = view ? await routes.operations.list({ orderId: view.id, organisationId: auth.organisationId, env: auth.environment }) : undefined;
      if (!view || !list) throw notFound();
      return { orderId: view.orderId, payId: view.payId, operations: list.map((op) => operationJson(op, view.currency)) };
    },
  );
}
