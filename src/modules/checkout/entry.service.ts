/**
 * The hosted page entry (`/ncol/<env>/orderstandard[_utf8].asp`): from the raw request bytes to an
 * order and the URL of its payment page, or to a rejection recorded in the merchant's error log.
 * The customer is never told why (a generic page in his LANGUAGE); the merchant reads the detail,
 * with the signature debugger, on his *Error logs* page.
 */
import type { EntryErrorInput, EcommerceEnv, MerchantConfig, MerchantDirectory } from '../merchants/index.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { safePairs, scrubRecord, scrubText } from '../../kernel/card-data.ts';
import { randomToken, sha256Hex } from '../../kernel/crypto.ts';
import { newId } from '../../kernel/ids.ts';
import { entryDecision, processedKind, type ProcessedKind } from './entry.policy.ts';
import { signatureDebug, type SignatureDebug } from './entry.debug.ts';
import {
  decodeForm,
  shaEncodingFor,
  type FormProblem,
  type PageCharset,
  verifyShaIn,
  type ShaVerifyResult,
  checkReferrer,
  DEFAULT_LANGUAGE,
  isOgoneLanguage,
} from '../../protocols/ogone/index.ts';
import { validateOrderRequest, type OrderRequest } from './order-request.ts';
import { findOrderByRefIn, upsertOrder, type OrderRecord, type StoredRequest } from './orders.repository.ts';
import { createFeedbackDispatch, type FeedbackDispatchOptions } from './payment.dispatch.ts';
import { customerRedirect } from './payment.feedback.ts';
import { settleUnanswered } from './payment.settle.ts';

export interface EntryRequest {
  env: EcommerceEnv;
  /** `latin1` on orderstandard.asp, `utf8` on orderstandard_utf8.asp. */
  page: PageCharset;
  /** The POST body, or the query string of a GET, exactly as received. */
  bytes: Uint8Array;
  referrer: string | undefined;
  clientIp: string;
}

export type EntryResult =
  | { ok: true; orderId: string; token: string; language: string }
  /** `language`: the request's LANGUAGE when it could be read (the error page speaks it). */
  | { ok: false; language: string; processed?: ProcessedOrder }
  /**
   * The request ended its order (a 3-D Secure challenge left unanswered on its last attempt, nothing left
   * to give back): the customer goes to DECLINEURL, with the feedback, as after a refusal on the page.
   */
  | { ok: false; language: string; declined: string };

/**
 * A signed request for an ORDERID that cannot be paid again: the page says why (paid, being
 * processed or verified, finally declined, closed) and links back to the shop.
 */
export interface ProcessedOrder {
  kind: ProcessedKind;
  orderRef: string;
  /** HOMEURL, else CATALOGURL, of the request (absent or NONE: no link). */
  shopUrl?: string;
}

/**
 * One row of the merchant's error log (`merchantId` null when the PSPID is unknown): the error log's
 * own input type, with the entry's signature debugger as its debug data.
 */
export type EntryError = EntryErrorInput & { clientIp: string; debug: SignatureDebug | Record<string, unknown> };

/** `sendNow`: the online feedback of an order the entry ends (settleUnanswered), as the payment page sends it. */
export interface EntryServiceOptions extends Pick<FeedbackDispatchOptions, 'sendNow' | 'onlineTimeoutMs' | 'logger'> {
  db: Kysely<Database>;
  clock: Clock;
  merchants: MerchantDirectory;
  /** Writes the error log row (merchant settings' recordEntryError). */
  recordError: (error: EntryError) => Promise<void>;
  /** Environments with a payment processor; `prod` is refused until one is configured. */
  processors: ReadonlySet<EcommerceEnv>;
  /**
   * Varco's own SHASIGN tool page (`${publicUrl}/portal/shasign`): its "Test transaction" posts from
   * there, so it passes the merchant's referrer allow-list (the SHA-IN signature is checked as ever).
   */
  toolPage?: string;
}

const FORM_PROBLEM_TEXT: Record<FormProblem['code'], string> = {
  too_large: 'request too large',
  too_many_parameters: 'too many parameters',
  name_too_long: 'parameter name too long',
  value_too_long: 'parameter value too long',
  invalid_encoding: 'invalid character encoding for this page',
  nul_character: 'NUL character in a parameter',
  duplicate: 'parameter sent more than once',
};

/** The error log's line for a request that ended its order (settleUnanswered). */
const UNANSWERED_TEXT =
  'This order has already been processed: its 3-D Secure challenge was left unanswered on its last attempt, with no attempt left to give back; the order is declined (STATUS 2, NCERROR 40001134)';

/** Shown in the log for values we cut: enough to recognise, never megabytes (the error log bounds and scrubs them again). */
const clip = (value: string | undefined, max = 100): string | null => (value === undefined || value === '' ? null : value.slice(0, max));

/**
 * The order fields kept exactly as sent: the merchant's identifiers and codes, which feedback
 * signs back. Every other string of the stored request (COM, COMPLUS, PARAMPLUS, customer fields,
 * URLs, look and feel) is scrubbed of card data before it is stored (kernel/card-data.ts).
 */
const KEPT_AS_SENT: ReadonlySet<string> = new Set(['pspid', 'orderId', 'currency', 'language', 'operation', 'brand']);

/**
 * The order as it will be stored. With legacy hashing the request's redirect URLs were not signed
 * (a customer could send himself, with a valid SHA-OUT, anywhere), so they are dropped and the
 * settings' ones apply; card data is scrubbed from every free field. `signedInFull`: SHA-IN covered
 * every parameter whatever the merchant's hashing (DirectLink), so nothing is dropped.
 */
export function orderToStore(order: OrderRequest, config: MerchantConfig, signedInFull = false): OrderRequest {
  // ACCEPTURL, DECLINEURL, EXCEPTIONURL and CANCELURL go; BACKURL, HOMEURL and CATALOGURL are links without feedback.
  const { accept: _a, decline: _d, exception: _e, cancel: _c, ...unsigned } = order.urls;
  const legacy = config.hashingMethod === 'main-parameters' && !signedInFull;
  const urls = legacy ? unsigned : order.urls;
  // TP is not signed either with legacy hashing: anyone could wrap the page in a page of his choice.
  // Nor is ALIAS: a customer could name another customer's stored card and be offered it.
  const { template: _t, alias: _al, aliasUsage: _au, ...signedOnly } = order;
  // The merchant's own PSPID, not the value as sent: the entry and DirectLink find the merchant by the
  // trimmed value (SHA-IN is over the raw one), and the payment page, the reconciliation and the
  // maintenance operations find it again by the stored one, which the PSPID pattern checks.
  return scrubRecord({ ...(legacy ? signedOnly : order), pspid: config.pspid, urls }, KEPT_AS_SENT);
}

/**
 * The request an order stores (orders.request): the order as orderToStore keeps it and PARAMVAR,
 * cut to 100 characters and scrubbed of card data like every free field (docs/security.md 6). The
 * hosted page's entry and DirectLink's orderdirect both store through it, so they cannot diverge.
 * `signedInFull` (DirectLink): SHA-IN signed every parameter, so the request's URLs count whatever
 * the merchant's hosted-page hashing; the stored request says so for the redirect (orderUrls).
 */
export function requestToStore(
  order: OrderRequest,
  config: MerchantConfig,
  page: PageCharset,
  paramvar: string | undefined,
  options: { signedInFull?: boolean } = {},
): StoredRequest {
  const signedInFull = options.signedInFull === true;
  return {
    version: 1,
    page,
    order: orderToStore(order, config, signedInFull),
    ...(paramvar !== undefined && paramvar !== '' ? { paramvar: scrubText(paramvar.slice(0, 100)) } : {}),
    ...(signedInFull ? { signedInFull: true as const } : {}),
  };
}

function languageOf(values: ReadonlyMap<string, string> | undefined): string {
  const lang = values?.get('LANGUAGE');
  return lang !== undefined && isOgoneLanguage(lang) ? lang : DEFAULT_LANGUAGE;
}

/** Whether the referrer is Varco's own SHASIGN tool page (same origin and path; any query). */
function fromToolPage(toolPage: string | undefined, referrer: string | undefined): boolean {
  if (!toolPage || !referrer) return false;
  try {
    const page = new URL(toolPage);
    const ref = new URL(referrer);
    return ref.origin === page.origin && ref.pathname === page.pathname;
  } catch {
    return false;
  }
}

export function createEntryService(options: EntryServiceOptions) {
  const { db, clock, merchants } = options;
  const dispatch = createFeedbackDispatch(options);

  async function enter(req: EntryRequest): Promise<EntryResult> {
    const base = { env: req.env, clientIp: req.clientIp, referrer: clip(req.referrer, 2000) };
    const decoded = decodeForm(req.bytes, req.page);
    if (!decoded.ok) {
      const p = decoded.problem;
      const name = 'name' in p ? ` (${p.name})` : '';
      await options.recordError({
        ...base,
        merchantId: null,
        pspid: null,
        orderRef: null,
        code: '50001111',
        message: `${FORM_PROBLEM_TEXT[p.code]}${name}`,
        debug: { page: req.page, problem: p },
      });
      return { ok: false, language: 'en_US' };
    }
    const { pairs, values } = decoded.form;
    const language = languageOf(values);
    const pspid = values.get('PSPID')?.trim() ?? '';
    const orderRef = clip(values.get('ORDERID'));
    const config = pspid === '' || pspid.length > 30 ? undefined : await merchants.configFor(pspid, req.env);
    if (config === undefined) {
      await options.recordError({
        ...base,
        merchantId: null,
        pspid: clip(pspid),
        orderRef,
        code: pspid === '' ? '50001111' : '50001118',
        message: pspid === '' ? 'no PSPID' : 'PSPID not found or not active',
        debug: { page: req.page },
      });
      return { ok: false, language };
    }
    const reject = async (code: string, message: string, sha: ShaVerifyResult | null): Promise<EntryResult> => {
      // Composed from the parameters without card data: CVC-like fields dropped, numbers masked.
      const debug = signatureDebug({ pairs: safePairs(pairs, { maxName: 100, maxValue: 1500 }), page: req.page, config, sha, shasign: values.get('SHASIGN') });
      await options.recordError({ ...base, merchantId: config.merchantId, pspid: config.pspid, orderRef, code, message, debug });
      return { ok: false, language };
    };

    const sha =
      config.shaIn === null || config.shaIn === ''
        ? null
        : verifyShaIn(pairs, config.shaIn, values.get('SHASIGN'), {
            alg: config.hashAlgorithm,
            method: config.hashingMethod,
            encoding: shaEncodingFor(config.charset, req.page),
          });
    const referrer = fromToolPage(options.toolPage, req.referrer)
      ? { ok: true as const, enforced: false as const }
      : checkReferrer(config.referrers, req.referrer);
    const decision = entryDecision({ sha, referrer, requireSignature: req.env === 'prod' });
    if (!decision.ok) return reject(decision.ncError, decision.text, sha);

    // OPERATION is honoured only when signed, and legacy hashing signs four values, not OPERATION.
    const signed = decision.shaOrder !== null && config.hashingMethod !== 'main-parameters';
    const validated = validateOrderRequest(values, {
      enabledCurrencies: config.enabledCurrencies,
      defaultOperation: config.defaultOperation,
      signed,
      charset: req.page,
    });
    if (!validated.ok) {
      const first = validated.problems[0];
      return reject(first?.ncError ?? '50001111', validated.problems.map((p) => p.text).join('; '), sha);
    }
    if (!options.processors.has(req.env)) {
      return reject('50001111', 'No payment processor is configured for the prod environment: Varco cannot take real payments yet. Use /ncol/test/.', sha);
    }
    const created = await createOrder(config, req, validated.order, values.get('PARAMVAR'));
    if (created === undefined) {
      // The order as it is now: the customer is told it was paid only when it was.
      const existing = await findOrderByRefIn(db, config.merchantId, req.env, validated.order.orderId);
      const ended = existing ? await endUnanswered(existing, config, req.clientIp) : undefined;
      await reject('50001113', ended === undefined ? 'This order has already been processed' : UNANSWERED_TEXT, sha);
      if (typeof ended === 'string') return { ok: false, language, declined: ended };
      const { home, catalog } = validated.order.urls;
      const shopUrl = [home, catalog].find((u) => u !== undefined && u !== '' && u !== 'NONE');
      const kind = ended === null ? 'declined' : existing ? processedKind(existing.status) : 'closed';
      return { ok: false, language, processed: { kind, orderRef: validated.order.orderId, ...(shopUrl ? { shopUrl } : {}) } };
    }
    return { ok: true, orderId: created.id, token: created.token, language: validated.order.language };
  }

  /**
   * An order at 46 that may not be taken over again ends here as refused, its merchant told as after a
   * refusal on the page's last attempt (docs/security.md 46): the URL the customer goes to (DECLINEURL),
   * null when none applies, undefined when the order was not ended by this request.
   */
  async function endUnanswered(order: OrderRecord, config: MerchantConfig, clientIp: string): Promise<string | null | undefined> {
    const settled = await settleUnanswered({ db, clock, enqueue: dispatch.enqueue }, order, config, clientIp);
    if (!settled) return undefined;
    if (settled.queued) await dispatch.deliverOnline(settled.queued);
    return customerRedirect(settled.order, config, settled.payment);
  }

  async function createOrder(config: MerchantConfig, req: EntryRequest, order: OrderRequest, paramvar: string | undefined) {
    // The token opens the payment page; only its hash is stored, so the table cannot open pages.
    const token = randomToken(32);
    const stored = requestToStore(order, config, req.page, paramvar);
    const row = await upsertOrder(db, {
      id: newId('ord'),
      merchantId: config.merchantId,
      env: req.env,
      order: stored.order,
      stored,
      tokenHash: sha256Hex(token),
      maxAttempts: config.paymentRetries,
      now: clock.now(),
    });
    return row === undefined ? undefined : { id: row.id, token };
  }

  return { enter };
}

export type EntryService = ReturnType<typeof createEntryService>;
