/**
 * What an order's outcome tells the merchant: the redirect URL of the customer (with or without
 * feedback parameters) and the server-to-server request, both from the merchant's settings and
 * the order's request (its URLs win over the settings' one by one).
 */
import {
  S2S_FIRST_URL_STATUSES,
  encodeForm,
  FEEDBACK_FIELDS,
  feedbackParameters,
  redirectUrl,
  type FeedbackField,
  type FeedbackOrder,
  type FeedbackPayment,
  type ShaOutConfig,
  normalizeParamName,
  shaEncodingFor,
} from '../../protocols/ogone/index.ts';
import type { MerchantConfig } from '../merchants/index.ts';
import type { OrderUrls } from './order-fields.ts';
import { effectiveUrls, redirectTarget } from './outcome.ts';
import type { OrderRecord } from './orders.repository.ts';

/** The *Transaction feedback* URLs of the settings, in the request's shape. */
export function settingsUrls(config: MerchantConfig): OrderUrls {
  const urls: { -readonly [K in keyof OrderUrls]: OrderUrls[K] } = {};
  if (config.acceptUrl) urls.accept = config.acceptUrl;
  if (config.declineUrl) urls.decline = config.declineUrl;
  if (config.exceptionUrl) urls.exception = config.exceptionUrl;
  if (config.cancelUrl) urls.cancel = config.cancelUrl;
  return urls;
}

/**
 * The request's URLs over the settings' ones. With legacy hashing the request's redirect URLs were
 * not signed, so only the settings count (the entry does not store them either; this also covers
 * an order entered before the merchant switched to legacy hashing). A request SHA-IN signed in full
 * (DirectLink, `signedInFull`) keeps its URLs whatever the merchant's hosted-page hashing.
 */
export function orderUrls(order: OrderRecord, config: MerchantConfig): OrderUrls {
  const { accept: _a, decline: _d, exception: _e, cancel: _c, ...links } = order.stored.order.urls;
  const legacy = config.hashingMethod === 'main-parameters' && order.stored.signedInFull !== true;
  return effectiveUrls(legacy ? links : order.stored.order.urls, settingsUrls(config));
}

/**
 * Origins the customer may be redirected to from the payment page. Chrome applies CSP
 * `form-action` to the redirects that follow a form submission, so the page must allow them.
 */
export function redirectOrigins(order: OrderRecord, config: MerchantConfig): string[] {
  const urls = orderUrls(order, config);
  const origins = new Set<string>();
  for (const url of [urls.accept, urls.decline, urls.exception, urls.cancel]) {
    if (url === undefined) continue;
    try {
      origins.add(new URL(url).origin);
    } catch {
      // Validated at entry and in the settings; an unparsable one cannot be redirected to anyway.
    }
  }
  return [...origins];
}

/** The merchant's *dynamic e-Commerce parameters* (stored upper-case) as the fields Varco sends. */
export function selectedFields(config: MerchantConfig): FeedbackField[] {
  const chosen = new Set(config.feedbackParams.map((name) => normalizeParamName(name)));
  return FEEDBACK_FIELDS.filter((field) => chosen.has(normalizeParamName(field)));
}

export function shaOutOf(config: MerchantConfig, order: OrderRecord): ShaOutConfig {
  return { passphrase: config.shaOut, alg: config.hashAlgorithm, method: config.hashingMethod, encoding: shaEncodingFor(config.charset, order.stored.page) };
}

export function feedbackOrder(order: OrderRecord): FeedbackOrder {
  const o = order.stored.order;
  return {
    orderId: o.orderId,
    amount: order.amount,
    currency: order.currency,
    paramplus: o.paramplus,
    customer: o.customer,
    ...(o.complus !== undefined ? { complus: o.complus } : {}),
    // The token the order created or used: recorded on the order once the acquirer took the card.
    ...(order.alias !== null ? { alias: order.alias } : {}),
  };
}

/** Where the customer goes, or null for Varco's own result page (no URL applies). */
export function customerRedirect(order: OrderRecord, config: MerchantConfig, payment: FeedbackPayment): string | null {
  const target = redirectTarget(payment.status, orderUrls(order, config));
  if (target === null) return null;
  // No parameters unless the merchant asked for them and can verify them (SHA-OUT set).
  const params = config.feedbackOnRedirect
    ? feedbackParameters(feedbackOrder(order), payment, shaOutOf(config, order), {
        channel: 'redirect',
        charset: order.stored.page,
        fields: selectedFields(config),
      })
    : [];
  return redirectUrl(target.url, params, order.stored.page);
}

export interface ServerFeedback {
  method: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The server-to-server request for a final status, or null when the timing is *none* or no URL
 * applies. The second URL (cancelled, declined) falls back to the first when empty (our reading
 * of "may be identical or the second empty"). `<PARAMVAR>` is replaced by the request's PARAMVAR.
 */
export function serverFeedback(order: OrderRecord, config: MerchantConfig, payment: FeedbackPayment): ServerFeedback | null {
  if (config.s2sTiming === 'none') return null;
  const accepted = config.s2sUrlAccepted ?? '';
  const url = S2S_FIRST_URL_STATUSES.has(payment.status) ? accepted : config.s2sUrlDeclined || accepted;
  if (url === '') return null;
  const withVar = url.replaceAll('<PARAMVAR>', encodeURIComponent(order.stored.paramvar ?? ''));
  const page = order.stored.page;
  const params = feedbackParameters(feedbackOrder(order), payment, shaOutOf(config, order), {
    channel: 'server',
    charset: page,
    fields: selectedFields(config),
  });
  if (config.s2sMethod === 'GET') return { method: 'GET', url: redirectUrl(withVar, params, page), headers: {} };
  const charset = page === 'utf8' ? 'utf-8' : 'iso-8859-1';
  return { method: 'POST', url: withVar, headers: { 'content-type': `application/x-www-form-urlencoded; charset=${charset}` }, body: encodeForm(params, page) };
}
