import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import type { OperationView, OperationsService, OrderRecord, OrdersService } from '../../modules/checkout/index.ts';
import { currency as currencyOf, NC_ERROR, type MaintenanceOperation } from '../../protocols/ogone/index.ts';
import { formatDateTime, formatMoney } from '../../views/format.ts';
import type { SafeHtml } from '../../views/html.ts';
import type { Locale } from '../../views/i18n.ts';
import { portalNav } from '../../views/nav.ts';
import {
  operationConfirmText,
  operationRefusedPage,
  operationStatusText,
  operationStrings,
  operationsSection,
  type OperationAction,
} from '../../views/orders/operations.ts';
import { confirmPage } from '../../views/shared/confirm.ts';
import { sendPage } from '../shared/page.ts';
import { form, IdParams, NoQuery, query, Text, typed } from '../shared/schemas.ts';
import { referentOf } from './referent.ts';

// The order page's capture / refund / cancel buttons (issue 13). Each button leads to a page that
// says in words what will happen, with the amounts (issue 14's confirmation pattern); confirming
// posts the form (CSRF as every portal POST) and makes one call to checkout's `maintain`, the use
// case DirectLink and the JSON API share, which checks the amounts under the order's lock and writes
// the audit row. Only the referents of the order's organisation reach it: another one's is 404.

export interface PortalOrderOperationOptions {
  orders: Pick<OrdersService, 'detail'>;
  operations: Pick<OperationsService, 'maintain' | 'list'>;
}

/** What each action may still take, in minor units (0: not possible); mirrors operations.policy for the page's words. */
function limits(o: OrderRecord): Record<OperationAction, number> {
  const authorised = o.paidAt !== null;
  const capturable = o.operation === 'RES' && authorised && !o.captureClosed ? Math.max(0, o.amount - o.captured) : 0;
  const refundable = authorised && !o.refundClosed ? Math.max(0, capturedOf(o) - o.refunded) : 0;
  return { capture: capturable, refund: refundable, cancel: capturable };
}

const capturedOf = (o: OrderRecord): number => (o.operation === 'SAL' ? (o.paidAt !== null ? o.amount : 0) : o.captured);

/** "12,50" or "12.50" in the order's currency to minor units; undefined when empty, null when not an amount. */
export function parseAmount(text: string, currency: string): number | undefined | null {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const exponent = currencyOf(currency)?.exponent ?? 2;
  const m = /^(\d{1,12})(?:[.,](\d{1,3}))?$/.exec(trimmed);
  if (!m || (m[2]?.length ?? 0) > exponent) return null;
  const minor = Number(m[1]) * 10 ** exponent + Number((m[2] ?? '').padEnd(exponent, '0') || '0');
  return minor > 0 && Number.isSafeInteger(minor) ? minor : null;
}

const OPERATION: Record<OperationAction, (final: boolean) => MaintenanceOperation> = {
  capture: (final) => (final ? 'SAS' : 'SAL'),
  refund: (final) => (final ? 'RFS' : 'RFD'),
  cancel: () => 'DEL',
};

const actionOf = (op: string): OperationAction | undefined =>
  op === 'SAL' || op === 'SAS' ? 'capture' : op === 'RFD' || op === 'RFS' ? 'refund' : op === 'DEL' || op === 'DES' ? 'cancel' : undefined;

/** The section of the order page (its data), and the notice after an operation. */
export function orderOperationsSection(
  locale: Locale,
  order: OrderRecord,
  operations: readonly OperationView[],
  done?: string,
): { section: SafeHtml; notice?: string } {
  const money = (minor: number) => formatMoney(locale, minor, order.currency);
  const can = limits(order);
  const section = operationsSection(locale, {
    orderId: order.id,
    totals: { authorised: money(order.paidAt !== null ? order.amount : 0), captured: money(capturedOf(order)), refunded: money(order.refunded) },
    capturable: can.capture > 0 ? money(can.capture) : null,
    refundable: can.refund > 0 ? money(can.refund) : null,
    cancellable: can.cancel > 0 ? money(can.cancel) : null,
    rows: operations.map((op) => ({
      payIdSub: op.payIdSub,
      operation: op.operation,
      amount: money(op.amount),
      status: op.status,
      ncError: op.ncError,
      at: formatDateTime(locale, op.createdAt, { seconds: true }),
    })),
  });
  const shown = operations.find((op) => String(op.payIdSub) === done);
  if (!shown) return { section };
  const t = operationStrings(locale);
  const kind = actionOf(shown.operation);
  return { section, notice: t.done(kind ? t.what[kind] : shown.operation, shown.payIdSub, operationStatusText(locale, shown.status)) };
}

export function registerPortalOrderOperationRoutes(app: FastifyInstance, options: PortalOrderOperationOptions): void {
  const { orders, operations } = options;
  const routes = typed(app);
  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml, status = 200) =>
    sendPage(request, reply, { surface: 'portal', title, body, nav: portalNav(request.locale), status });
  const refused = (request: FastifyRequest, reply: FastifyReply, orderId: string, reason: string, status: number) =>
    send(request, reply, operationStrings(request.locale).refusedTitle, operationRefusedPage(request.locale, orderId, reason), status);

  async function orderOf(organisationId: string, id: string): Promise<OrderRecord> {
    const found = await orders.detail(organisationId, id);
    if (!found) throw new VarcoError('not_found', 'No such order.');
    return found.order;
  }

  for (const action of ['capture', 'refund', 'cancel'] as const) {
    routes.get(`/orders/:id/${action}`, { schema: { params: IdParams, querystring: query({ amount: Text, final: Text }) } }, async (request, reply) => {
      const { organisationId, csrf } = referentOf(request);
      const order = await orderOf(organisationId, request.params.id);
      const t = operationStrings(request.locale);
      const money = (minor: number) => formatMoney(request.locale, minor, order.currency);
      const limit = limits(order)[action];
      if (limit <= 0) return refused(request, reply, order.id, t.notAllowed, 409);
      const asked = action === 'cancel' ? undefined : parseAmount((request.query.amount ?? '').slice(0, 20), order.currency);
      if (asked === null) return refused(request, reply, order.id, t.invalidAmount, 400);
      const amount = asked ?? limit;
      if (amount > limit) return refused(request, reply, order.id, action === 'refund' ? t.tooMuchRefund(money(limit)) : t.tooMuchCapture(money(limit)), 409);
      const final = request.query.final === '1';
      const after = limit - amount;
      const text = operationConfirmText(request.locale, action, final, {
        amount: money(amount),
        authorised: money(order.amount),
        captured: money(capturedOf(order)),
        rest: after > 0 ? money(after) : '',
        refundable: after > 0 ? money(after) : '',
      });
      const body = confirmPage(request.locale, {
        consequences: text.consequences,
        action: `/portal/orders/${order.id}/${action}`,
        fields: { _csrf: csrf, amount: String(amount), final: final ? '1' : '' },
        confirmLabel: text.confirm,
        cancelHref: `/portal/orders/${order.id}`,
        cancelLabel: t.back,
      });
      return send(request, reply, text.title, body);
    });

    routes.post(
      `/orders/:id/${action}`,
      { schema: { params: IdParams, querystring: NoQuery, body: form({ amount: Text, final: Text }) } },
      async (request, reply) => {
        const { organisationId, actor } = referentOf(request);
        const t = operationStrings(request.locale);
        // The amount the person confirmed, in minor units: a cancellation is refused if the rest changed meanwhile.
        const amount = /^[0-9]{1,15}$/.test(request.body.amount ?? '') ? Number(request.body.amount) : Number.NaN;
        if (!(amount > 0)) return refused(request, reply, request.params.id, t.invalidAmount, 400);
        const target = { orderId: request.params.id, organisationId };
        const done = await operations.maintain(target, OPERATION[action](request.body.final === '1'), amount, actor);
        if (!done.ok && done.reason === 'not_found') throw new VarcoError('not_found', 'No such order.');
        if (!done.ok) {
          const money = (minor: number) => formatMoney(request.locale, minor, done.order.currency);
          const limit = limits(done.order)[action];
          const reason =
            done.ncError === NC_ERROR.CAPTURE_OVERFLOW
              ? t.tooMuchCapture(money(limit))
              : done.ncError === NC_ERROR.REFUND_OVERFLOW
                ? t.tooMuchRefund(money(limit))
                : t.notAllowed;
          return refused(request, reply, done.order.id, reason, 409);
        }
        return reply.redirect(`/portal/orders/${done.order.id}?operation=${done.operation.payIdSub}`, 303);
      },
    );
  }
}
