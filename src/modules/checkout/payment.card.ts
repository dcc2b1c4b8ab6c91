/**
 * The card of a payment-page attempt: typed in the form, or — when the order carries an ALIAS the
 * merchant holds — the stored card the page offers (masked), with the CVC typed now. A typed card on
 * an order with an ALIAS is kept under it once the acquirer took it (created, or the alias's card
 * replaced); the stored card, when used, is recorded as used. The CVC is never kept.
 */
import type { AliasesService, AliasView } from './aliases.service.ts';
import { cvcValid, parseExpiry, validateCard, type CardInput, type CardProblem, type PaymentCard } from './card.ts';
import type { KeepAlias } from './directlink.order.ts';
import type { OrderRecord } from './orders.repository.ts';

export type PageAliases = Pick<AliasesService, 'find' | 'cardFor' | 'remember' | 'used'>;

export interface PageCardInput extends CardInput {
  /** The customer chose the stored card the page offered. */
  readonly stored?: boolean;
}

export type PageCard = { ok: true; card: PaymentCard; keep?: KeepAlias } | { ok: false; problems: readonly CardProblem[] };

const keyOf = (order: OrderRecord, alias: string) => ({ merchantId: order.merchantId, env: order.env, alias });

/** The stored card the page may offer for this order (masked), if the order names one the merchant holds. */
export async function offeredCard(aliases: PageAliases | undefined, order: OrderRecord): Promise<AliasView | undefined> {
  const alias = order.stored.order.alias;
  return aliases && alias !== undefined ? aliases.find(keyOf(order, alias)) : undefined;
}

async function storedCard(aliases: PageAliases, order: OrderRecord, alias: string, input: PageCardInput, now: Date): Promise<PageCard> {
  const card = await aliases.cardFor(keyOf(order, alias), { cvc: input.cvc.trim(), holder: input.holder });
  // Deleted since the page was shown: the customer types a card.
  if (!card) return { ok: false, problems: [{ field: 'number', code: 'required' }] };
  const { month, year } = card.summary.expiry;
  if (!parseExpiry(`${month}/${year}`, now).ok) return { ok: false, problems: [{ field: 'expiry', code: 'expired' }] };
  if (!cvcValid(card.cvc, card.summary.brand)) return { ok: false, problems: [{ field: 'cvc', code: card.cvc === '' ? 'required' : 'invalid' }] };
  const brand = order.stored.order.brand;
  if (brand !== undefined && brand !== card.summary.brand) return { ok: false, problems: [{ field: 'number', code: 'brand_not_allowed' }] };
  return { ok: true, card, keep: { alias, run: (orderId) => aliases.used(keyOf(order, alias), orderId) } };
}

export async function pageCard(aliases: PageAliases | undefined, order: OrderRecord, input: PageCardInput, now: Date): Promise<PageCard> {
  const alias = order.stored.order.alias;
  if (aliases && alias !== undefined && input.stored === true) return storedCard(aliases, order, alias, input, now);
  const brand = order.stored.order.brand;
  const checked = validateCard(input, now, brand === undefined ? undefined : [brand]);
  if (!checked.ok || !aliases || alias === undefined) return checked;
  const card = checked.card;
  const usage = order.stored.order.aliasUsage;
  return { ok: true, card, keep: { alias, run: (orderId) => aliases.remember(keyOf(order, alias), card, usage, orderId) } };
}
