/**
 * DirectLink answers (`<ncresponse/>`, protocols/ogone/directlink.ts) from what checkout knows: a
 * refusal before any order, an order (orderdirect, querydirect), one of its operations (PAYIDSUB).
 * NCERRORPLUS is `!` on success and the platform's text otherwise.
 */
import { feedbackAmount, ncErrorText, NC_ERROR, type NcResponse } from '../../protocols/ogone/index.ts';
import type { OperationView } from './operations.service.ts';
import type { OrderRecord } from './orders.repository.ts';

/** The answer to a request refused before an order was read or made. */
export function refusalAnswer(r: { ncError: string; text: string; orderId: string; currency: string }): NcResponse {
  return {
    orderId: r.orderId,
    payId: '0',
    ncError: r.ncError,
    ncErrorPlus: r.text,
    acceptance: '',
    status: '0',
    amount: '',
    currency: r.currency,
    pm: '',
    brand: '',
  };
}

const plusOf = (ncError: string, reason?: string): string => (ncError === NC_ERROR.OK ? '!' : (reason ?? ncErrorText(ncError) ?? ''));

/** An order as it is now; `reason` replaces the catalogue's text of its NCERROR. */
export function orderAnswer(order: OrderRecord, extra: { reason?: string; htmlAnswer?: string; cardNo?: boolean } = {}): NcResponse {
  const ncError = order.ncError ?? NC_ERROR.OK;
  return {
    orderId: order.orderRef,
    payId: String(order.payId),
    ncError,
    ncErrorPlus: plusOf(ncError, extra.reason),
    acceptance: order.acceptance ?? '',
    status: String(order.status),
    amount: feedbackAmount(order.amount, order.currency),
    currency: order.currency,
    pm: 'CreditCard',
    brand: order.card?.brand ?? '',
    ...(extra.cardNo ? { cardNo: order.card?.masked ?? '' } : {}),
    ...(order.alias !== null ? { alias: order.alias } : {}),
    ...(extra.htmlAnswer !== undefined ? { htmlAnswer: extra.htmlAnswer } : {}),
  };
}

/**
 * A refusal about an existing order (maintenance refused by the policy): the order's identity, the
 * refusal's codes, and STATUS 0 with no amount, as the platform answers every refused request. The
 * order's own STATUS (9 after a capture) would read as the refused operation done to a plugin that
 * looks at STATUS; querydirect tells the order's state.
 */
export function refusedOnOrder(order: OrderRecord, ncError: string, text: string): NcResponse {
  return { ...orderAnswer(order), ncError, ncErrorPlus: text, acceptance: '', status: '0', amount: '' };
}

/** One maintenance operation (PAYIDSUB) of an order. */
export function operationAnswer(order: OrderRecord, op: OperationView): NcResponse {
  return {
    ...orderAnswer(order),
    payIdSub: String(op.payIdSub),
    ncError: op.ncError,
    ncErrorPlus: plusOf(op.ncError),
    acceptance: '',
    status: String(op.status),
    amount: feedbackAmount(op.amount, order.currency),
  };
}
