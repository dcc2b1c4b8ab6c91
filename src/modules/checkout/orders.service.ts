/**
 * Reading orders back: the API's order status (by the merchant's ORDERID, in the key's environment)
 * and the portal's list and detail with every payment attempt and every server-to-server delivery
 * attempt, and *resend*. Always scoped to one organisation: another's order is "not found".
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { isId } from '../../kernel/ids.ts';
import { httpMessagesFor, resendHttpMessage, type HttpMessageView } from '../delivery/index.ts';
import { feedbackAmount } from '../../protocols/ogone/index.ts';
import type { EcommerceEnv } from '../merchants/index.ts';
import { findOrder, findOrderByRef, listAttempts, listOrders, type OrderRecord, type OrderSearch, type PaymentAttemptRow } from './orders.repository.ts';

export interface OrderDetail {
  order: OrderRecord;
  attempts: PaymentAttemptRow[];
  deliveries: HttpMessageView[];
}

/** The API's view: no token hash, no request internals. */
export interface OrderStatusView {
  id: string;
  orderId: string;
  environment: EcommerceEnv;
  payId: number;
  status: number;
  ncError: string | null;
  acceptance: string | null;
  amount: number;
  /** Major units as in feedback (`15`, `15.5`). */
  amountDecimal: string;
  currency: string;
  operation: 'RES' | 'SAL';
  attempts: number;
  card: { brand: string; number: string; expiry: string; holder: string } | null;
  createdAt: string;
  updatedAt: string;
  paidAt: string | null;
}

export function statusView(order: OrderRecord): OrderStatusView {
  const card = order.card;
  return {
    id: order.id,
    orderId: order.orderRef,
    environment: order.env,
    payId: order.payId,
    status: order.status,
    ncError: order.ncError,
    acceptance: order.acceptance,
    amount: order.amount,
    amountDecimal: feedbackAmount(order.amount, order.currency),
    currency: order.currency,
    operation: order.operation,
    attempts: order.attempts,
    card: card
      ? {
          brand: card.brand,
          number: card.masked,
          expiry: `${String(card.expiry.month).padStart(2, '0')}${String(card.expiry.year % 100).padStart(2, '0')}`,
          holder: card.holder,
        }
      : null,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    paidAt: order.paidAt?.toISOString() ?? null,
  };
}

export function createOrdersService(options: { db: Kysely<Database> }) {
  const { db } = options;

  /** By the merchant's ORDERID (what a shop knows), else by Varco's `ord_…` id. */
  async function statusFor(organisationId: string, env: EcommerceEnv, orderId: string): Promise<OrderStatusView | undefined> {
    // PostgreSQL text cannot hold NUL: such an ORDERID was never stored, and asking would be a 500 (issue 6 fuzz).
    if (orderId === '' || orderId.length > 40 || orderId.includes('\u0000')) return undefined;
    const byRef = await findOrderByRef(db, organisationId, env, orderId);
    if (byRef) return statusView(byRef);
    if (!isId(orderId, 'ord')) return undefined;
    const byId = await findOrder(db, orderId);
    return byId && byId.organisationId === organisationId && byId.env === env ? statusView(byId) : undefined;
  }

  const list = (organisationId: string, env?: EcommerceEnv): Promise<OrderRecord[]> => listOrders(db, organisationId, { limit: 200, ...(env ? { env } : {}) });
  /** The portal's search: filters and a cursor, scoped to the organisation. */
  const search = (organisationId: string, filter: OrderSearch): Promise<OrderRecord[]> => listOrders(db, organisationId, filter);

  async function detail(organisationId: string, orderId: string): Promise<OrderDetail | undefined> {
    if (!isId(orderId, 'ord')) return undefined;
    const order = await findOrder(db, orderId);
    if (!order || order.organisationId !== organisationId) return undefined;
    const [attempts, deliveries] = await Promise.all([listAttempts(db, orderId), httpMessagesFor(db, 'order', orderId)]);
    return { order, attempts, deliveries };
  }

  /** A new delivery of one of the order's feedback messages (same event id); undefined when not the organisation's. */
  async function resend(organisationId: string, orderId: string, messageId: string): Promise<string | undefined> {
    const found = await detail(organisationId, orderId);
    if (!found) return undefined;
    return resendHttpMessage(db, messageId, { type: 'order', id: orderId });
  }

  return { statusFor, list, search, detail, resend };
}

export type OrdersService = ReturnType<typeof createOrdersService>;
