import { maskCartText, maskCartTokens, type CartMask } from '../../protocols/pagopa/index.ts';
import type { CartNotice, ExchangeDetail, ExchangeFilter, ExchangeRow, ExchangeViewer } from './exchanges.types.ts';

// A cart outcome as each of its readers may see it (ADR 0018, docs/security.md). Its PSP sent the whole
// cart and the back office sees everything: both read the row as stored. An institution of the cart,
// or the owner of one of its notices' stations, reads only what is its own: the row names its notice
// (number, fiscal code, token, EC, station) and no other party, and both messages have every other
// token, the elements of the other notices and their values masked. Default deny: a token is shown
// only when the stored notices say it is the reader's; a message that cannot be read to mask it is
// not shown at all.

/** The notices of a cart row; null for any other row. */
function cartOf(row: ExchangeRow): CartNotice[] | null {
  if (row.cartNotices !== null) return row.cartNotices;
  // A cart logged before its notices were kept (migrations 0053 to 0054) named further parties but not
  // whose each token was: only its first notice is known, so it is the only one anybody but its PSP may own.
  if (row.operation !== 'sendPaymentOutcomeV2' || row.furtherOrganisationIds.length === 0) return null;
  if (row.token === null) return [];
  const { token, noticeNumber, fiscalCode, ecOrganisationId, stationId, stationCode, stationOrganisationId } = row;
  return [{ token, noticeNumber, fiscalCode, ecOrganisationId, stationId, stationCode, stationOrganisationId }];
}

/** The viewer's own notices of the cart: its EC's, or those whose station it owns. */
const ownNotices = (cart: readonly CartNotice[], organisationId: string): CartNotice[] =>
  cart.filter((n) => n.ecOrganisationId === organisationId || n.stationOrganisationId === organisationId);

/** What the viewer may not read, masked wherever it appears: the other notices' values it does not share. */
function maskOf(cart: readonly CartNotice[], own: readonly CartNotice[]): CartMask {
  const values = (notices: readonly CartNotice[]): string[] =>
    notices.flatMap((n) => [n.token, n.noticeNumber, n.fiscalCode, n.stationCode]).filter((v): v is string => v !== null);
  const mine = new Set(values(own));
  return { keep: new Set(own.map((n) => n.token)), hidden: values(cart.filter((n) => !own.includes(n))).filter((v) => !mine.has(v)) };
}

/** The row as `viewer` may read it (unchanged but for a cart read by one of its institutions). */
export function cartRowFor<R extends ExchangeRow>(viewer: ExchangeViewer, row: R, filter: ExchangeFilter = {}): R {
  const cart = cartOf(row);
  // Its PSP sent the whole cart; the back office reads everything.
  if (cart === null || 'admin' in viewer || viewer.organisationId === row.pspOrganisationId) return row;
  const own = ownNotices(cart, viewer.organisationId);
  const searched = (n: CartNotice): boolean => (!filter.token || n.token === filter.token) && (!filter.noticeNumber || n.noticeNumber === filter.noticeNumber);
  const shown = own.find(searched) ?? own[0];
  return {
    ...row,
    ecOrganisationId: shown?.ecOrganisationId ?? null,
    stationId: shown?.stationId ?? null,
    stationCode: shown?.stationCode ?? null,
    stationOrganisationId: shown?.stationOrganisationId ?? null,
    furtherOrganisationIds: [],
    cartNotices: own,
    noticeNumber: shown?.noticeNumber ?? null,
    fiscalCode: shown?.fiscalCode ?? null,
    token: shown?.token ?? null,
    error: row.error === null ? null : maskCartText(row.error, maskOf(cart, own)),
  };
}

/** One exchange as `viewer` may read it: for an institution of a cart, its messages masked (or withheld). */
export function cartDetailFor(viewer: ExchangeViewer, detail: ExchangeDetail): ExchangeDetail {
  const cart = cartOf(detail);
  if (cart === null || 'admin' in viewer || viewer.organisationId === detail.pspOrganisationId) return detail;
  const seen = cartRowFor(viewer, detail);
  const mask = maskOf(cart, seen.cartNotices ?? []);
  const request = maskCartTokens(detail.request, mask);
  const response = detail.response === null ? null : maskCartTokens(detail.response, mask);
  if (request === undefined || response === undefined) return { ...seen, request: '', response: null, cartView: 'withheld' };
  return { ...seen, request, response, cartView: 'masked' };
}
