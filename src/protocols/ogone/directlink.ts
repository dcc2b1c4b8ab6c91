/**
 * DirectLink: the platform's server-to-server calls (docs/reference/ogone/directlink.md). A shop
 * POSTs a form, signed with SHA-IN and carrying PSPID + USERID + PSWD, to one of the pages below and
 * gets back one `<ncresponse …/>` element. Pure: the pages, the operation codes, the answer's
 * attributes in the platform's order and spelling, and the XML itself. No I/O.
 */
import type { PageCharset } from './form.ts';
import { ncStatusOf } from './ncerror.ts';

export type DirectLinkCall = 'order' | 'query' | 'maintenance';

/** The pages under `/ncol/<env>/`: ISO-8859-1 by default, `_utf8` for UTF-8, as the hosted page. */
export const DIRECTLINK_PAGES: ReadonlyArray<{ readonly page: string; readonly call: DirectLinkCall; readonly charset: PageCharset }> = Object.freeze([
  { page: 'orderdirect.asp', call: 'order', charset: 'latin1' },
  { page: 'orderdirect_utf8.asp', call: 'order', charset: 'utf8' },
  { page: 'querydirect.asp', call: 'query', charset: 'latin1' },
  { page: 'querydirect_utf8.asp', call: 'query', charset: 'utf8' },
  { page: 'maintenancedirect.asp', call: 'maintenance', charset: 'latin1' },
  { page: 'maintenancedirect_utf8.asp', call: 'maintenance', charset: 'utf8' },
]);

/**
 * maintenancedirect's OPERATION: SAL partial capture (more may follow), SAS last capture, RFD
 * partial refund, RFS last refund, DEL delete the authorisation (the payment stays open for
 * refunds), DES delete and close, REN renew the authorisation.
 */
export const MAINTENANCE_OPERATIONS = Object.freeze(['SAL', 'SAS', 'RFD', 'RFS', 'DEL', 'DES', 'REN'] as const);
export type MaintenanceOperation = (typeof MAINTENANCE_OPERATIONS)[number];

export function isMaintenanceOperation(value: string): value is MaintenanceOperation {
  return (MAINTENANCE_OPERATIONS as readonly string[]).includes(value);
}

/** What an answer says; empty strings are sent as empty attributes, as the platform does. */
export interface NcResponse {
  readonly orderId: string;
  /** `0` when no payment was made. */
  readonly payId: string;
  /** Maintenance and queries of one operation only. */
  readonly payIdSub?: string;
  readonly ncError: string;
  /** `!` on success, else the reason. */
  readonly ncErrorPlus: string;
  readonly acceptance: string;
  readonly status: string;
  /** Major units as in feedback (`15`, `15.5`), empty when unknown. */
  readonly amount: string;
  readonly currency: string;
  readonly pm: string;
  readonly brand: string;
  /** Queries: the masked card number. */
  readonly cardNo?: string;
  readonly alias?: string;
  /** 3-D Secure: the HTML the shop shows the customer, already base64 (STATUS 46). */
  readonly htmlAnswer?: string;
}

/** The answer's content type: the platform sends `text/XML; Charset=iso-8859-1`; Varco's XML is ASCII, so both labels are true. */
export function ncResponseContentType(charset: PageCharset): string {
  return `text/xml; charset=${charset === 'utf8' ? 'utf-8' : 'iso-8859-1'}`;
}

/**
 * An attribute value: markup characters escaped, and every character outside printable ASCII
 * written as a character reference, so the document reads the same in ISO-8859-1 and UTF-8 and a
 * control character cannot break a parser (characters XML 1.0 forbids become U+FFFD).
 */
export function xmlAttribute(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0xfffd;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else {
      const allowed =
        code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
      out += `&#${allowed ? code : 0xfffd};`;
    }
  }
  return out;
}

/** Attributes in the platform's order; the optional ones only when the call has them. */
export function ncResponseAttributes(r: NcResponse): Array<readonly [string, string]> {
  return [
    ['orderID', r.orderId],
    ['PAYID', r.payId],
    ...(r.payIdSub !== undefined ? [['PAYIDSUB', r.payIdSub] as const] : []),
    ['NCSTATUS', ncStatusOf(r.ncError)],
    ['NCERROR', r.ncError],
    ['NCERRORPLUS', r.ncErrorPlus],
    ['ACCEPTANCE', r.acceptance],
    ['STATUS', r.status],
    ['amount', r.amount],
    ['currency', r.currency],
    ['PM', r.pm],
    ['BRAND', r.brand],
    ...(r.cardNo !== undefined ? [['CARDNO', r.cardNo] as const] : []),
    ...(r.alias !== undefined ? [['ALIAS', r.alias] as const] : []),
  ];
}

/** The whole answer: one `ncresponse` element, attributes one per line, HTML_ANSWER as its child. */
export function writeNcResponse(r: NcResponse): string {
  const attributes = ncResponseAttributes(r)
    .map(([name, value]) => `${name}="${xmlAttribute(value)}"`)
    .join('\n');
  const head = `<?xml version="1.0"?><ncresponse\n${attributes}`;
  if (r.htmlAnswer === undefined) return `${head}>\n</ncresponse>`;
  return `${head}>\n<HTML_ANSWER>${r.htmlAnswer}</HTML_ANSWER>\n</ncresponse>`;
}

/**
 * HTML_ANSWER's encoding: base64 of the HTML as ASCII, every other character a numeric character
 * reference (`è` → `&#232;`), so the page reads the same written into a shop's ISO-8859-1 page (the
 * answer's charset) or a UTF-8 one. For HTML whose non-ASCII characters are in text or attribute
 * values, never inside a script.
 */
export function htmlAnswer(html: string): string {
  return Buffer.from(
    html.replace(/[^\p{ASCII}]/gu, (c) => `&#${c.codePointAt(0) ?? 0xfffd};`),
    'ascii',
  ).toString('base64');
}
