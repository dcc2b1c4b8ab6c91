/**
 * Redirect URLs and customer fields of a hosted-page request
 * (docs/reference/ogone/hosted-page.md, "Request parameters").
 */
import type { OrderCollector } from './order-problems.ts';

/** As sent (the merchant's own query string is kept byte for byte); only http(s). */
export interface OrderUrls {
  readonly accept?: string;
  readonly decline?: string;
  readonly exception?: string;
  readonly cancel?: string;
  readonly back?: string;
  /** `NONE` hides the button on Varco's own result page. */
  readonly home?: string;
  readonly catalog?: string;
}

export interface CustomerFields {
  /** CN: prefilled (editable) card holder name. */
  readonly name?: string;
  readonly email?: string;
  readonly address?: string;
  readonly zip?: string;
  readonly town?: string;
  /** ISO 3166-1 alpha-2, upper-case. */
  readonly country?: string;
  readonly phone?: string;
}

export const URL_MAX = 2000;

/**
 * An absolute http(s) URL without spaces, control characters or credentials. The URL parser
 * would silently drop tabs and newlines, so they are refused before parsing: what is validated
 * must be exactly what is later put into a Location header.
 */
export function isRedirectUrl(value: string): boolean {
  if (value.length > URL_MAX || /[\s\p{Cc}]/u.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

const URL_PARAMS: ReadonlyArray<readonly [param: string, key: keyof OrderUrls]> = [
  ['ACCEPTURL', 'accept'],
  ['DECLINEURL', 'decline'],
  ['EXCEPTIONURL', 'exception'],
  ['CANCELURL', 'cancel'],
  ['BACKURL', 'back'],
  ['HOMEURL', 'home'],
  ['CATALOGURL', 'catalog'],
];

export function readRedirectUrls(c: OrderCollector): OrderUrls {
  const urls: { -readonly [K in keyof OrderUrls]: OrderUrls[K] } = {};
  for (const [param, key] of URL_PARAMS) {
    const value = c.get(param);
    if (value === undefined) continue;
    if ((key === 'home' || key === 'catalog') && value.toUpperCase() === 'NONE') urls[key] = 'NONE';
    else if (isRedirectUrl(value)) urls[key] = value;
    else c.problem('url_invalid', param, `${param.toLowerCase()} is not an http(s) URL`);
  }
  return urls;
}

/** Field, key and maximum length (the platform's AN(n) sizes; OWNERTELNO varies 20–30 by source). */
const CUSTOMER_PARAMS: ReadonlyArray<readonly [param: string, key: keyof CustomerFields, max: number]> = [
  ['CN', 'name', 35],
  ['EMAIL', 'email', 50],
  ['OWNERADDRESS', 'address', 35],
  ['OWNERZIP', 'zip', 10],
  ['OWNERTOWN', 'town', 40],
  ['OWNERCTY', 'country', 2],
  ['OWNERTELNO', 'phone', 30],
];

// Deliberately loose: the address only prefills and is echoed; a strict RFC parser would refuse real ones.
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

export function readCustomer(c: OrderCollector): CustomerFields {
  const customer: { -readonly [K in keyof CustomerFields]: CustomerFields[K] } = {};
  for (const [param, key, max] of CUSTOMER_PARAMS) {
    const value = c.optional(param, max);
    if (value === undefined) continue;
    if (key === 'email' && !EMAIL.test(value)) c.warn(param, value, 'not an e-mail address, ignored');
    else if (key === 'country' && !/^[A-Za-z]{2}$/.test(value)) c.warn(param, value, 'not a two-letter country code, ignored');
    else customer[key] = key === 'country' ? value.toUpperCase() : value;
  }
  return customer;
}
