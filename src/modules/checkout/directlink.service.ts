/**
 * DirectLink (docs/reference/ogone/directlink.md): the three server-to-server calls, from the raw
 * request to the `<ncresponse/>` answer. Each call is authenticated first (directlink.auth.ts);
 * then orderdirect pays (directlink.order.ts), querydirect reads an order or one of its operations,
 * maintenancedirect runs an operation through the operations service — the same use case the
 * portal and the JSON API will call. Orders are looked up within the caller's merchant and
 * environment only: another merchant's PAYID is as unknown as one never issued.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { currency as currencyOf, isMaintenanceOperation, NC_ERROR, wireAmountToMinor, type NcResponse } from '../../protocols/ogone/index.ts';
import type { EcommerceEnv } from '../merchants/index.ts';
import { operationAnswer, orderAnswer, refusalAnswer, refusedOnOrder } from './directlink.answers.ts';
import { createDirectLinkAuth, type Caller, type DirectLinkAuthDeps, type DirectLinkRequest } from './directlink.auth.ts';
import { createDirectOrder, typedCard, type CardSource, type DirectOrderOptions } from './directlink.order.ts';
import type { OperationsService } from './operations.service.ts';
import type { AliasesService } from './aliases.service.ts';
import { aliasCardSource } from './directlink.alias.ts';
import { findOrderByPayId, findOrderByRefIn, type OrderRecord } from './orders.repository.ts';

export interface DirectLinkServiceOptions extends DirectLinkAuthDeps, DirectOrderOptions {
  db: Kysely<Database>;
  operations: OperationsService;
  /** Where orderdirect's card comes from; default the request's CARDNO/ED/CVC/CN, and the vault's for an ALIAS. */
  cards?: CardSource;
  /** The card token vault: with it, ALIAS stores and reuses cards. */
  aliases?: AliasesService;
}

const MAX_PAY_ID_SUB = 1_000_000;

export function createDirectLinkService(options: DirectLinkServiceOptions) {
  const { db } = options;
  const auth = createDirectLinkAuth(options);
  const direct = createDirectOrder(options, options.cards ?? (options.aliases ? aliasCardSource(options.aliases) : typedCard));

  /** The order named by PAYID (numeric) or ORDERID, if it is the caller's; PAYID wins when both are sent and must then agree. */
  async function orderOf(caller: Caller, env: EcommerceEnv): Promise<OrderRecord | undefined> {
    const payId = caller.values.get('PAYID')?.trim() ?? '';
    const orderId = caller.values.get('ORDERID') ?? '';
    const merchantId = caller.config.merchantId;
    if (payId !== '') {
      if (!/^[0-9]{1,15}$/.test(payId)) return undefined;
      const order = await findOrderByPayId(db, merchantId, env, payId);
      return order && (orderId === '' || order.orderRef === orderId) ? order : undefined;
    }
    return orderId === '' || orderId.length > 40 ? undefined : findOrderByRefIn(db, merchantId, env, orderId);
  }

  const notFound = (caller: Caller): NcResponse =>
    refusalAnswer({ orderId: (caller.values.get('ORDERID') ?? '').slice(0, 100), currency: '', ncError: NC_ERROR.ORIGINAL_ORDER, text: 'unknown order' });

  /**
   * The order as it is now carries the PAYIDSUB of its latest maintenance operation when the order's
   * STATUS is that operation's (done, or uncertain); not while the operation waits for the acquirer nor
   * after the acquirer declined it, which leave the order's STATUS as it was: a PAYIDSUB beside a STATUS
   * that is not its own would mislead. That operation is queried with its PAYIDSUB.
   */
  async function latestPayIdSub(order: OrderRecord, env: EcommerceEnv): Promise<{ payIdSub?: string }> {
    if (order.lastPayIdSub <= 0) return {};
    const found = await options.operations.operation({ orderId: order.id, merchantId: order.merchantId, env }, order.lastPayIdSub);
    return found?.operation?.status === order.status ? { payIdSub: String(order.lastPayIdSub) } : {};
  }

  async function query(caller: Caller, env: EcommerceEnv): Promise<NcResponse> {
    const order = await orderOf(caller, env);
    if (!order) return notFound(caller);
    const sub = caller.values.get('PAYIDSUB')?.trim() ?? '';
    if (sub === '' || sub === '0') return { ...orderAnswer(order, { cardNo: true }), ...(await latestPayIdSub(order, env)) };
    const payIdSub = /^[0-9]{1,7}$/.test(sub) ? Number(sub) : Number.NaN;
    const found =
      payIdSub > 0 && payIdSub <= MAX_PAY_ID_SUB
        ? await options.operations.operation({ orderId: order.id, merchantId: order.merchantId, env }, payIdSub)
        : undefined;
    if (!found?.operation) return refusedOnOrder(order, NC_ERROR.ORIGINAL_HISTORY_ITEM, 'unknown PAYIDSUB');
    return { ...operationAnswer(found.order, found.operation), cardNo: found.order.card?.masked ?? '' };
  }

  /** AMOUNT in the order's currency (× 100 for two decimals), or undefined when not sent. */
  function amountOf(caller: Caller, order: OrderRecord): { ok: true; amount: number | undefined } | { ok: false; ncError: string; text: string } {
    const cur = caller.values.get('CURRENCY')?.trim();
    if (cur !== undefined && cur !== '' && cur !== order.currency)
      return { ok: false, ncError: NC_ERROR.INVALID_CURRENCY, text: `not the currency of the order: ${cur.slice(0, 3)}` };
    const wire = caller.values.get('AMOUNT')?.trim() ?? '';
    if (wire === '') return { ok: true, amount: undefined };
    const exponent = currencyOf(order.currency);
    const parsed = exponent ? wireAmountToMinor(wire, exponent) : undefined;
    if (parsed?.ok) return { ok: true, amount: parsed.amount };
    if (parsed?.reason === 'decimals') return { ok: false, ncError: NC_ERROR.CURRENCY_DECIMALS, text: 'Invalid number of decimals for the currency' };
    if (parsed?.reason === 'zero') return { ok: false, ncError: NC_ERROR.DATA_VALIDATION, text: 'amount must be greater than 0' };
    return { ok: false, ncError: NC_ERROR.AMOUNT_NOT_NUMBER, text: `amount too long or not numeric: ${wire.slice(0, 40)}` };
  }

  async function maintenance(caller: Caller, env: EcommerceEnv): Promise<NcResponse> {
    const op = caller.values.get('OPERATION')?.trim().toUpperCase() ?? '';
    const order = await orderOf(caller, env);
    if (!order) return notFound(caller);
    if (!isMaintenanceOperation(op))
      return refusedOnOrder(order, NC_ERROR.OPERATION_NOT_ALLOWED, op === '' ? 'no operation' : `Requested Operation code not allowed: ${op.slice(0, 10)}`);
    const amount = amountOf(caller, order);
    if (!amount.ok) return refusedOnOrder(order, amount.ncError, amount.text);
    const done = await options.operations.maintain({ orderId: order.id, merchantId: caller.config.merchantId, env }, op, amount.amount, {
      type: 'api_user',
      id: caller.user.id,
    });
    if (done.ok) return operationAnswer(done.order, done.operation);
    return done.reason === 'not_found' ? notFound(caller) : refusedOnOrder(done.order, done.ncError, done.text);
  }

  /** One DirectLink call: the answer to send, whatever was sent (never an exception for bad input). */
  async function handle(req: DirectLinkRequest): Promise<NcResponse> {
    const authenticated = await auth.authenticate(req);
    if (!authenticated.ok) return refusalAnswer(authenticated.refusal);
    const { caller } = authenticated;
    if (req.call === 'order') return direct.pay(caller, req.env, req.charset);
    if (req.call === 'query') return query(caller, req.env);
    return maintenance(caller, req.env);
  }

  return { handle };
}

export type DirectLinkService = ReturnType<typeof createDirectLinkService>;
