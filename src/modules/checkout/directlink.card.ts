/**
 * The card of an orderdirect request: CARDNO, ED (`MMYY` or `MM/YY`), CVC and CN, checked as the
 * payment form checks them (card.ts), except that CN and CVC may be left out (recurring payments,
 * mail orders); each problem answered with the platform's NCERROR. The number and CVC stay inside
 * the PaymentCard; nothing here logs or returns them.
 */
import { NC_ERROR, NC_ERROR_TEXT, type NcError } from '../../protocols/ogone/index.ts';
import { validateCard, type CardBrand, type CardProblem, type PaymentCard } from './card.ts';

export type DirectCardResult = { readonly ok: true; readonly card: PaymentCard } | { readonly ok: false; readonly ncError: NcError; readonly text: string };

function ncErrorOf(problem: CardProblem): NcError {
  switch (problem.field) {
    case 'number':
      return problem.code === 'required' ? NC_ERROR.CARD_NUMBER_EMPTY : NC_ERROR.CARD_NUMBER;
    case 'expiry':
      if (problem.code === 'month') return NC_ERROR.EXPIRY_MONTH;
      return problem.code === 'expired' ? NC_ERROR.EXPIRY_PAST : NC_ERROR.EXPIRY_DATE;
    case 'cvc':
      return NC_ERROR.CVC_FORMAT;
    case 'holder':
      return problem.code === 'too_long' ? NC_ERROR.HOLDER_TOO_LONG : NC_ERROR.DATA_VALIDATION;
  }
}

export function readDirectCard(values: ReadonlyMap<string, string>, now: Date, brand: CardBrand | undefined): DirectCardResult {
  const input = { number: values.get('CARDNO') ?? '', expiry: values.get('ED') ?? '', cvc: values.get('CVC') ?? '', holder: values.get('CN') ?? '' };
  const checked = validateCard(input, now, brand === undefined ? undefined : [brand], { holder: true, cvc: true });
  if (checked.ok) return checked;
  // The number first, as the platform reports it first; then expiry, CVC, holder.
  const order: Record<CardProblem['field'], number> = { number: 0, expiry: 1, cvc: 2, holder: 3 };
  const first = [...checked.problems].sort((a, b) => order[a.field] - order[b.field])[0];
  if (first === undefined) return { ok: false, ncError: NC_ERROR.CARD_NUMBER, text: NC_ERROR_TEXT[NC_ERROR.CARD_NUMBER] };
  const ncError = ncErrorOf(first);
  return { ok: false, ncError, text: ncError === NC_ERROR.DATA_VALIDATION ? 'invalid cn' : NC_ERROR_TEXT[ncError] };
}
