/**
 * Validation of a decoded hosted-page request into an order, with the platform's error codes
 * and texts (docs/reference/ogone/hosted-page.md, "Request parameters" and "Validation errors").
 * Runs after the entry decision (SHA-IN, referrer); the merchant lookup (PSPID exists and is
 * active) and "ORDERID already paid" need the database and belong to the service.
 */
import type { Operation } from './acquirer.ts';
import { CARD_BRANDS } from './card.ts';
import type { CardBrand } from './card.ts';
import { DEFAULT_LANGUAGE, currency, decodeForm, isOgoneLanguage, wireAmountToMinor, type PageCharset } from '../../protocols/ogone/index.ts';
import { readLookAndFeel } from './look.ts';
import type { LookAndFeel } from './look.ts';
import { readCustomer, readRedirectUrls } from './order-fields.ts';
import type { CustomerFields, OrderUrls } from './order-fields.ts';
import { OrderCollector, tooLong } from './order-problems.ts';
import { ALIAS_USAGE_MAX, aliasNameProblem, generatedAliasName, namedByPlatform } from './aliases.policy.ts';
import type { OrderProblem, OrderWarning } from './order-problems.ts';

export type { OrderProblem, OrderProblemCode, OrderWarning } from './order-problems.ts';
export type { CustomerFields, OrderUrls } from './order-fields.ts';

export interface OrderRequest {
  readonly pspid: string;
  /** The merchant's ORDERID, exactly as sent. */
  readonly orderId: string;
  /** Minor units of `currency` (ISO 4217 exponent); the request's AMOUNT is "× 100". */
  readonly amount: number;
  readonly currency: string;
  /** `ll_CC` as sent when on the platform's list (`dk_DK` included); en_US when absent or unknown. */
  readonly language: string;
  readonly operation: Operation;
  readonly urls: OrderUrls;
  readonly customer: CustomerFields;
  /** COM: order description. */
  readonly description?: string;
  readonly complus?: string;
  /** PARAMPLUS decoded into pairs, appended to feedback as separate parameters. */
  readonly paramplus: ReadonlyArray<readonly [name: string, value: string]>;
  /** ALIAS: the card token the order stores or uses (named by the shop, or by Varco for ALIASOPERATION=BYPSP). */
  readonly alias?: string;
  /** ALIASUSAGE: why the card is kept, shown to the customer on the payment page. */
  readonly aliasUsage?: string;
  /** TP: the merchant's dynamic template, an absolute https URL (fetched by template.fetcher.ts). */
  readonly template?: string;
  /** BRAND restricts the card brands the page accepts. */
  readonly brand?: CardBrand;
  readonly look: LookAndFeel;
}

export interface OrderRequestContext {
  /** Currencies enabled for this merchant and environment. */
  readonly enabledCurrencies: readonly string[];
  /** *Global transaction parameters → Default operation code*. */
  readonly defaultOperation: Operation;
  /** True when SHA-IN verified the request: OPERATION is honoured only when it was signed. */
  readonly signed: boolean;
  /** Page the request came through; PARAMPLUS escapes are decoded in its charset. */
  readonly charset: PageCharset;
}

export type OrderRequestResult =
  | { readonly ok: true; readonly order: OrderRequest; readonly warnings: readonly OrderWarning[] }
  | { readonly ok: false; readonly problems: readonly OrderProblem[]; readonly warnings: readonly OrderWarning[] };

export const PSPID_MAX = 30;
export const ORDERID_MAX = 40;
export const COM_MAX = 100;
export const COMPLUS_MAX = 1000;
export const PARAMPLUS_MAX = 1000;

function readAmount(c: OrderCollector, cur: string | undefined): number | undefined {
  const wire = c.get('AMOUNT');
  if (wire === undefined) return c.problem('missing', 'AMOUNT', 'no amount');
  const known = cur === undefined ? undefined : currency(cur);
  // Without a valid currency the exponent is unknown: check the syntax against a 2-digit one.
  const result = wireAmountToMinor(wire, known ?? { code: 'EUR', exponent: 2, historic: false });
  if (result.ok) return known === undefined ? undefined : result.amount;
  if (result.reason === 'decimals') c.problem('amount_decimals', 'AMOUNT', 'Invalid number of decimals for the currency');
  else if (result.reason === 'zero') c.problem('amount_zero', 'AMOUNT', 'amount must be greater than 0');
  else c.problem('amount_invalid', 'AMOUNT', `amount too long or not numeric: ${wire.slice(0, 40)}`);
  return undefined;
}

function readCurrency(c: OrderCollector, enabled: readonly string[]): string | undefined {
  const cur = c.get('CURRENCY');
  if (cur === undefined) return c.problem('missing', 'CURRENCY', 'no currency');
  if (cur.length > 3) return c.problem('too_long', 'CURRENCY', 'currency too long');
  if (currency(cur) === undefined) return c.problem('currency_invalid', 'CURRENCY', `not a valid currency : ${cur}`);
  if (!enabled.includes(cur)) return c.problem('currency_not_accepted', 'CURRENCY', 'The currency is not accepted by the merchant');
  return cur;
}

/** A value of the platform's list is kept as sent (the page picks its translation); others become en_US. */
function readLanguage(c: OrderCollector): string {
  const lang = c.get('LANGUAGE');
  if (lang === undefined) return DEFAULT_LANGUAGE;
  if (isOgoneLanguage(lang)) return lang;
  c.warn('LANGUAGE', lang, 'unknown language, en_US used');
  return DEFAULT_LANGUAGE;
}

function readOperation(c: OrderCollector, ctx: OrderRequestContext): Operation {
  const op = c.get('OPERATION');
  if (op === undefined) return ctx.defaultOperation;
  if (!ctx.signed) {
    c.warn('OPERATION', op, 'not signed by SHA-IN, default operation used');
    return ctx.defaultOperation;
  }
  if (op === 'RES' || op === 'SAL') return op;
  // PAU (pre-authorisation) is "processed as RES" where the acquirer does not offer it.
  if (op === 'PAU') return 'RES';
  c.problem('operation_invalid', 'OPERATION', 'Requested Operation code not allowed');
  return ctx.defaultOperation;
}

function readPaymentMethod(c: OrderCollector): CardBrand | undefined {
  const pm = c.get('PM');
  if (pm !== undefined && pm.toLowerCase() !== 'creditcard') c.problem('payment_method', 'PM', `ERROR, PAYMENT METHOD NOT FOUND FOR: ${pm.slice(0, 40)}`);
  const brand = c.get('BRAND');
  if (brand === undefined) return undefined;
  const known = CARD_BRANDS.find((b) => b.toLowerCase() === brand.toLowerCase());
  if (known === undefined) c.problem('payment_method', 'BRAND', `ERROR, PAYMENT METHOD NOT FOUND FOR: ${brand.slice(0, 40)}`);
  return known;
}

function readParamplus(c: OrderCollector, charset: PageCharset): ReadonlyArray<readonly [string, string]> {
  const raw = c.optional('PARAMPLUS', PARAMPLUS_MAX);
  if (raw === undefined) return [];
  // Its value is itself a query string: decoded once more, in the page's charset.
  const decoded = decodeForm(Buffer.from(raw, charset), charset, { maxParameters: 50 });
  if (decoded.ok) return decoded.form.pairs;
  c.problem('paramplus_invalid', 'PARAMPLUS', `paramplus invalid (${decoded.problem.code})`);
  return [];
}

/**
 * TP: a dynamic template is an absolute https URL; anything else (a static template's file name,
 * an http:// URL) is a warning of the request and the standard page is used, as the platform falls
 * back to its static template.
 */
function readTemplate(c: OrderCollector): string | undefined {
  const value = c.get('TP');
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^https?:$/.test(url.protocol)) c.warn('TP', value, 'static templates are not supported, the standard page is used');
  else if (url.protocol !== 'https:') c.warn('TP', value, 'dynamic templates are fetched over https only, the standard page is used');
  else if (value.length > 1000) c.warn('TP', value, 'template URL too long, the standard page is used');
  else return value;
  return undefined;
}

/** ALIAS, ALIASOPERATION and ALIASUSAGE: the token the order creates or uses, if any. */
function readAlias(c: OrderCollector): { alias?: string; aliasUsage?: string } {
  const aliasUsage = c.optional('ALIASUSAGE', ALIAS_USAGE_MAX);
  const usage = aliasUsage === undefined ? {} : { aliasUsage };
  if (namedByPlatform(c.get('ALIASOPERATION'))) return { alias: generatedAliasName(), ...usage };
  const alias = c.get('ALIAS');
  if (alias === undefined) return {};
  const problem = aliasNameProblem(alias);
  // The texts never repeat the value: it may be a card number.
  if (problem === 'card_number') return c.problem('alias_card_number', 'ALIAS', 'The alias must be different than the card number') ?? {};
  if (problem === 'too_long') return c.problem('too_long', 'ALIAS', tooLong('ALIAS')) ?? {};
  if (problem === 'invalid') return c.problem('alias_invalid', 'ALIAS', 'alias: letters, digits and _ . @ : + - only') ?? {};
  return { alias, ...usage };
}

/** Turns normalised request values (DecodedForm.values) into an order, or every problem found. */
export function validateOrderRequest(values: ReadonlyMap<string, string>, ctx: OrderRequestContext): OrderRequestResult {
  const c = new OrderCollector(values);
  const pspid = c.required('PSPID', PSPID_MAX);
  const orderId = c.required('ORDERID', ORDERID_MAX);
  const cur = readCurrency(c, ctx.enabledCurrencies);
  const amount = readAmount(c, cur);
  const language = readLanguage(c);
  const operation = readOperation(c, ctx);
  const brand = readPaymentMethod(c);
  const urls = readRedirectUrls(c);
  const customer = readCustomer(c);
  const description = c.optional('COM', COM_MAX);
  const complus = c.optional('COMPLUS', COMPLUS_MAX);
  const paramplus = readParamplus(c, ctx.charset);
  const template = readTemplate(c);
  const alias = readAlias(c);
  const { look, warnings: lookWarnings } = readLookAndFeel(values);
  const warnings = [...c.warnings, ...lookWarnings];
  if (c.problems.length > 0 || pspid === undefined || orderId === undefined || cur === undefined || amount === undefined) {
    return { ok: false, problems: c.problems, warnings };
  }
  const order: OrderRequest = {
    pspid,
    orderId,
    amount,
    currency: cur,
    language,
    operation,
    urls,
    customer,
    paramplus,
    look,
    ...(description === undefined ? {} : { description }),
    ...(complus === undefined ? {} : { complus }),
    ...(brand === undefined ? {} : { brand }),
    ...(template === undefined ? {} : { template }),
    ...alias,
  };
  return { ok: true, order, warnings };
}
