import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VarcoError } from '../../kernel/errors.ts';
import type { FeedbackSender, OperationsService, OrderRecord, OrderSearch, OrdersService } from '../../modules/checkout/index.ts';
import { formatDateTime, formatMoney, minorToDecimal } from '../../views/format.ts';
import type { Locale } from '../../views/i18n.ts';
import { portalNav } from '../../views/nav.ts';
import { orderDetailPage, orderStrings, ordersSearchPage, type OrderFilterValues, type OrderRowView } from '../../views/orders/portal.ts';
import { CSV_MAX_ROWS, sendCsv, toCsv } from '../shared/csv.ts';
import { cursorPage, fetchLimit, queryText, searchHref } from '../shared/pagination.ts';
import { requireReferent } from '../shared/session.ts';
import { sendPage } from '../shared/page.ts';
import { form, IdParams, NoQuery, query, Text, typed } from '../shared/schemas.ts';
import type { TimelineEvent } from '../../kernel/home.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { timelineSection } from '../../views/shared/timeline.ts';
import { confirmPage } from '../../views/shared/confirm.ts';
import { confirmStrings } from '../../views/shared/confirm-strings.ts';
import { operationStatusText, operationStrings } from '../../views/orders/operations.ts';
import { orderOperationsSection, registerPortalOrderOperationRoutes } from './order-operations.ts';

// Portal pages of the organisation's hosted-page orders: status, payment attempts, and every
// server-to-server delivery attempt with *resend*. Scoped to the referent's organisation: another
// organisation's order answers 404 like an unknown one.

/**
 * What the portal uses of the hosted page's services: the orders pages read orders and operations,
 * the merchant settings page asks the feedback sender about the feedback URLs' hosts. One type for
 * every route options interface that names it, as the portal's options extend them all.
 */
export interface PortalHostedPage {
  orders: OrdersService;
  operations: OperationsService;
  feedback: Pick<FeedbackSender, 'judgeHost' | 'refusesHost'>;
}

export interface PortalOrderRoutesOptions {
  hostedPage: PortalHostedPage;
}

function organisationOf(request: FastifyRequest): { organisationId: string; csrf: string } {
  const session = requireReferent(request);
  return { organisationId: session.organisationId, csrf: session.csrfToken };
}

function rowOf(locale: Locale, o: OrderRecord): OrderRowView {
  return {
    id: o.id,
    env: o.env,
    orderRef: o.orderRef,
    payId: o.payId,
    status: o.status,
    amount: formatMoney(locale, o.amount, o.currency),
    createdAt: formatDateTime(locale, o.createdAt, { seconds: true }),
    card: o.card ? `${o.card.brand} ${o.card.masked}` : '',
  };
}

export function registerPortalOrderRoutes(app: FastifyInstance, options: PortalOrderRoutesOptions): void {
  const { orders, operations } = options.hostedPage;
  registerPortalOrderOperationRoutes(app, { orders, operations });
  const send = (request: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml) =>
    sendPage(request, reply, { surface: 'portal', title, body, nav: portalNav(request.locale) });

  const routes = typed(app);
  // Search, filters, pagination and CSV (issue 14): newest first, a cursor naming the last order shown.
  const SearchQuery = query({ env: Text, ref: Text, status: Text, before: Text });
  const PAGE_SIZE = 50;
  const searchOf = (q: { env?: string | undefined; ref?: string | undefined; status?: string | undefined; before?: string | undefined }) => {
    const values: OrderFilterValues = { env: queryText(q, 'env'), ref: queryText(q, 'ref').slice(0, 40), status: queryText(q, 'status') };
    if (values.env !== '' && values.env !== 'test' && values.env !== 'prod') throw new VarcoError('validation_failed', 'env must be test or prod.');
    if (values.status !== '' && !/^\d{1,2}$/.test(values.status)) throw new VarcoError('validation_failed', 'status must be a STATUS number.');
    const cursor = /^(\d{13})\.(ord_[0-9a-z]{26})$/.exec(q.before ?? '');
    if (q.before !== undefined && !cursor) throw new VarcoError('validation_failed', 'The page link is not valid.');
    const filter: Omit<OrderSearch, 'limit'> = {
      ...(values.env === 'test' || values.env === 'prod' ? { env: values.env } : {}),
      ...(values.ref !== '' ? { ref: values.ref } : {}),
      ...(values.status !== '' ? { status: Number(values.status) } : {}),
      ...(cursor ? { before: { at: new Date(Number(cursor[1])), id: cursor[2] ?? '' } } : {}),
    };
    return { values, filter };
  };
  const cursorOf = (o: OrderRecord): string => `${o.createdAt.getTime()}.${o.id}`;

  routes.get('/orders', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const { organisationId } = organisationOf(request);
    const { values, filter } = searchOf(request.query);
    const fetched = await orders.search(organisationId, { ...filter, limit: fetchLimit(PAGE_SIZE) });
    const page = cursorPage({ fetched, pageSize: PAGE_SIZE, cursorOf, base: '/portal/orders', values, before: request.query.before });
    const body = ordersSearchPage(request.locale, {
      rows: page.rows.map((o) => rowOf(request.locale, o)),
      filter: values,
      olderHref: page.olderHref,
      newestHref: page.newestHref,
      csvHref: searchHref('/portal/orders.csv', values),
    });
    return send(request, reply, orderStrings(request.locale).orders, body);
  });

  routes.get('/orders.csv', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    const { organisationId } = organisationOf(request);
    const { filter } = searchOf(request.query);
    const rows = await orders.search(organisationId, { ...filter, limit: CSV_MAX_ROWS });
    const csv = toCsv(
      ['created_at', 'environment', 'orderid', 'payid', 'status', 'amount', 'currency', 'brand', 'card', 'paid_at', 'id'],
      rows.map((o) => [
        o.createdAt,
        o.env,
        o.orderRef,
        o.payId,
        o.status,
        minorToDecimal(o.amount, o.currency),
        o.currency,
        o.card?.brand,
        o.card?.masked,
        o.paidAt,
        o.id,
      ]),
    );
    return sendCsv(reply, 'varco-orders.csv', csv);
  });

  routes.get('/orders/:id', { schema: { params: IdParams, querystring: query({ resent: Text, operation: Text }) } }, async (request, reply) => {
    const { organisationId, csrf } = organisationOf(request);
    const found = await orders.detail(organisationId, request.params.id);
    const done = found ? await operations.list({ orderId: found.order.id, organisationId }) : undefined;
    if (!found || !done) throw new VarcoError('not_found', 'No such order.');
    const t = orderStrings(request.locale);
    // Capture, refund, cancel (issue 13): the order's operations and the forms of what is still possible.
    const ops = orderOperationsSection(request.locale, found.order, done, request.query.operation);
    const notice = request.query.resent ? t.resent : ops.notice;
    const iso = (d: Date): string => formatDateTime(request.locale, d, { seconds: true });
    // What each feedback message notified: an operation's (PAYIDSUB) or, without a label, the payment's.
    const currency = found.order.currency;
    const eventOfMessage = new Map(found.deliveries.map((d) => [d.id, d.eventId]));
    const aboutEvent = new Map(
      done.flatMap((op) => (op.feedbackMessageId ? [[eventOfMessage.get(op.feedbackMessageId), `PAYIDSUB ${op.payIdSub}`] as const] : [])),
    );
    const body = orderDetailPage(request.locale, {
      order: rowOf(request.locale, found.order),
      csrf,
      ...(notice ? { notice } : {}),
      attempts: found.attempts.map((a) => ({
        attempt: a.attempt,
        at: iso(a.created_at),
        outcome: a.outcome,
        status: a.status,
        ncError: a.nc_error ?? '',
        card: a.card_masked ? `${a.card_brand ?? ''} ${a.card_masked}` : '',
      })),
      deliveries: found.deliveries.map((d) => ({
        id: d.id,
        eventId: d.eventId,
        state: d.state,
        method: d.method,
        url: d.url,
        about: aboutEvent.get(d.eventId) ?? null,
        nextAttemptAt: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
        tries: d.attemptLog.map((a) => ({
          attempt: a.attempt,
          startedAt: iso(a.startedAt),
          durationMs: a.durationMs,
          ok: a.ok,
          statusCode: a.statusCode,
          error: a.error,
        })),
      })),
    });
    // The order's timeline (issue 14): received, each payment attempt (the customer's on the hosted
    // page, the shop's server's through DirectLink), each maintenance operation with who asked for it,
    // each feedback delivery try with what it notified (a resend keeps its event id).
    const events: TimelineEvent[] = [
      { at: found.order.createdAt, action: 'order.created', actorType: 'system', who: null, details: {} },
      ...found.attempts.map((a) => ({
        at: a.created_at,
        action: `order.payment_${a.outcome}`,
        actorType: found.order.channel === 'directlink' ? 'api_user' : 'customer',
        who: null,
        details: {},
      })),
      ...done.map((op) => ({
        at: op.createdAt,
        action: `order.operation_${op.operation}`,
        actorType: op.actorType,
        who: null,
        details: {
          note: `PAYIDSUB ${op.payIdSub} · ${formatMoney(request.locale, op.amount, currency)} · STATUS ${operationStatusText(request.locale, op.status)}`,
        },
      })),
      ...found.deliveries.flatMap((d) =>
        d.attemptLog.map((a) => ({
          at: a.startedAt,
          action: a.ok ? 'delivery.delivered' : 'delivery.failed',
          actorType: 'system',
          who: null,
          details: { note: [aboutEvent.get(d.eventId), a.ok ? `HTTP ${a.statusCode ?? ''}` : (a.error ?? '')].filter(Boolean).join(' · ') },
        })),
      ),
    ].sort((x, y) => x.at.getTime() - y.at.getTime());
    return send(request, reply, `${t.order} ${found.order.orderRef}`, html`${body}${ops.section}${timelineSection(request.locale, events)}`);
  });

  // Asked first (issue 14): the resend button leads here; only this organisation's order and its own message.
  routes.get('/orders/:id/resend', { schema: { params: IdParams, querystring: query({ messageId: Text }) } }, async (request, reply) => {
    const { organisationId, csrf } = organisationOf(request);
    const found = await orders.detail(organisationId, request.params.id);
    const messageId = request.query.messageId ?? '';
    if (!found || !found.deliveries.some((d) => d.id === messageId)) throw new VarcoError('not_found', 'No such order or message.');
    const c = confirmStrings(request.locale).resend;
    const body = confirmPage(request.locale, {
      consequences: c.consequences,
      action: `/portal/orders/${request.params.id}/resend`,
      fields: { _csrf: csrf, messageId },
      confirmLabel: c.confirm,
      cancelHref: `/portal/orders/${request.params.id}`,
      cancelLabel: operationStrings(request.locale).back,
    });
    return send(request, reply, c.title, body);
  });

  routes.post('/orders/:id/resend', { schema: { params: IdParams, querystring: NoQuery, body: form({ messageId: Text }) } }, async (request, reply) => {
    const { organisationId } = organisationOf(request);
    const messageId = request.body.messageId ?? '';
    const queued = await orders.resend(organisationId, request.params.id, messageId);
    if (!queued) throw new VarcoError('not_found', 'No such order or message.');
    return reply.redirect(`/portal/orders/${request.params.id}?resent=1`, 303);
  });
}
