/**
 * Problems found in a hosted-page request, with the platform's NCERROR and text where it has one
 * (docs/reference/ogone/hosted-page.md, "Validation errors"); a text marked "ours" has no source.
 */

export type OrderProblemCode =
  | 'missing'
  | 'too_long'
  | 'amount_invalid'
  | 'amount_zero'
  | 'amount_decimals'
  | 'currency_invalid'
  | 'currency_not_accepted'
  | 'operation_invalid'
  | 'payment_method'
  | 'url_invalid'
  | 'paramplus_invalid'
  | 'alias_invalid'
  | 'alias_card_number';

export interface OrderProblem {
  readonly code: OrderProblemCode;
  /** Upper-case parameter name. */
  readonly param: string;
  readonly ncError: string;
  /** For the merchant's error log, in the platform's wording. */
  readonly text: string;
}

/** A value that was ignored or replaced; the payment goes on. */
export interface OrderWarning {
  readonly param: string;
  /** First 100 characters of the value received. */
  readonly value: string;
  readonly reason: string;
}

export const ORDER_PROBLEM_NC_ERROR: Readonly<Record<OrderProblemCode, string>> = Object.freeze({
  missing: '50001111', // Data validation error ("no orderid")
  too_long: '50001111',
  amount_invalid: '50001006', // Amount is not a number
  amount_zero: '50001111', // ours: the platform's reaction to 0 is not documented
  amount_decimals: '50001121', // Invalid number of decimals for the currency
  currency_invalid: '50001120', // Invalid currency
  currency_not_accepted: '50001122', // Currency not accepted by the merchant
  operation_invalid: '50001007', // Requested Operation code not allowed
  payment_method: '50001111',
  url_invalid: '50001111', // ours
  paramplus_invalid: '50001111', // ours
  alias_invalid: '50001111', // ours: a name Varco cannot keep as an identifier
  alias_card_number: '50001216', // The alias must be different than the card number
});

/** `<parameter> too long`, as in the platform's `currency too long`. */
export function tooLong(param: string): string {
  return `${param.toLowerCase()} too long`;
}

/** Accumulates problems and warnings while the request's fields are read. */
export class OrderCollector {
  readonly problems: OrderProblem[] = [];
  readonly warnings: OrderWarning[] = [];
  readonly values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.values = values;
  }

  /** A value that is present and not blank; blank counts as missing, as on the platform. */
  get(param: string): string | undefined {
    const v = this.values.get(param);
    return v === undefined || v.trim() === '' ? undefined : v;
  }

  /** Records a problem; returns undefined so a reader can `return c.problem(…)`. */
  problem(code: OrderProblemCode, param: string, text: string): undefined {
    this.problems.push({ code, param, ncError: ORDER_PROBLEM_NC_ERROR[code], text });
    return undefined;
  }

  warn(param: string, value: string, reason: string): void {
    this.warnings.push({ param, value: value.slice(0, 100), reason });
  }

  /** Mandatory field of at most `max` characters. */
  required(param: string, max: number): string | undefined {
    const v = this.get(param);
    if (v === undefined) return this.problem('missing', param, `no ${param === 'PSPID' ? 'PSPID' : param.toLowerCase()}`);
    if (v.length > max) return this.problem('too_long', param, tooLong(param));
    return v;
  }

  /** Optional field of at most `max` characters; too long is a problem, as on the platform. */
  optional(param: string, max: number): string | undefined {
    const v = this.get(param);
    if (v !== undefined && v.length > max) return this.problem('too_long', param, tooLong(param));
    return v;
  }
}
