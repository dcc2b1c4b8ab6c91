/**
 * orderdirect's card when the request names an ALIAS (the Alias Manager): with CARDNO the typed card
 * is paid and then kept under the alias (created, or its card replaced); without CARDNO the stored
 * card is paid, with the CVC and CN of the request when sent, if it is of the request's BRAND (else
 * `50001054`, as a typed card of another brand). An alias the merchant does not hold
 * in this environment — another merchant's included — is unknown: `50001111` "unknown alias". The
 * card is kept only once the acquirer took it (authorised, or asked for 3-D Secure), never the CVC.
 */
import { NC_ERROR, NC_ERROR_TEXT } from '../../protocols/ogone/index.ts';
import type { AliasesService } from './aliases.service.ts';
import { cvcValid, parseExpiry } from './card.ts';
import type { CardSource } from './directlink.order.ts';
import { typedCard } from './directlink.order.ts';

/** NCERRORPLUS of an alias the caller does not hold (the code is the platform's data validation error). */
export const UNKNOWN_ALIAS_TEXT = 'unknown alias';

export function aliasCardSource(aliases: Pick<AliasesService, 'remember' | 'used' | 'cardFor'>): CardSource {
  return async (caller, order, now) => {
    const alias = order.alias;
    if (alias === undefined) return typedCard(caller, order, now);
    const key = { merchantId: caller.config.merchantId, env: caller.config.env, alias };
    if ((caller.values.get('CARDNO') ?? '').trim() !== '') {
      const typed = await typedCard(caller, order, now);
      if (!typed.ok) return typed;
      const card = typed.card;
      return { ...typed, keep: { alias, run: (orderId: string) => aliases.remember(key, card, order.aliasUsage, orderId) } };
    }
    const cvc = (caller.values.get('CVC') ?? '').trim();
    const card = await aliases.cardFor(key, { cvc, holder: caller.values.get('CN') ?? '' });
    if (!card) return { ok: false, ncError: NC_ERROR.DATA_VALIDATION, text: UNKNOWN_ALIAS_TEXT };
    // BRAND restricts the stored card as it restricts a typed one (and the hosted page's stored card):
    // a number problem, reported first as the platform does.
    if (order.brand !== undefined && order.brand !== card.summary.brand) {
      return { ok: false, ncError: NC_ERROR.CARD_NUMBER, text: NC_ERROR_TEXT[NC_ERROR.CARD_NUMBER] };
    }
    const { month, year } = card.summary.expiry;
    if (!parseExpiry(`${month}/${year}`, now).ok) return { ok: false, ncError: NC_ERROR.EXPIRY_PAST, text: NC_ERROR_TEXT[NC_ERROR.EXPIRY_PAST] };
    if (cvc !== '' && !cvcValid(cvc, card.summary.brand)) return { ok: false, ncError: NC_ERROR.CVC_FORMAT, text: NC_ERROR_TEXT[NC_ERROR.CVC_FORMAT] };
    return { ok: true, card, keep: { alias, run: (orderId: string) => aliases.used(key, orderId) } };
  };
}
