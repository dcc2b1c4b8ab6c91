/**
 * Who is calling DirectLink (docs/reference/ogone/directlink.md, "Authentication"), in this order, each
 * step cheaper than the next: the form decodes (ISO-8859-1 or UTF-8 by page, as the hosted page);
 * PSPID names an active merchant in the environment called; SHASIGN matches SHA-IN over the
 * DirectLink parameters (the SHA-IN list, which holds USERID, PSWD, CARDNO, CVC…) with the
 * merchant's SHA-IN passphrase, algorithm and encoding — always "each parameter", DirectLink having
 * no use for legacy hashing here; only then are USERID and PSWD checked (argon2), so a caller without
 * the passphrase cannot even try passwords. Refusals carry the platform's NCERROR and text and are
 * written to the merchant's error log without the request's values (PSWD and card data are in them).
 */
import {
  decodeForm,
  NC_ERROR,
  NC_ERROR_TEXT,
  shaEncodingFor,
  verifyShaIn,
  type DirectLinkCall,
  type PageCharset,
  type ShaParams,
} from '../../protocols/ogone/index.ts';
import type { EcommerceEnv, EntryErrorInput, MerchantConfig, MerchantDirectory } from '../merchants/index.ts';

export interface DirectLinkRequest {
  readonly env: EcommerceEnv;
  readonly call: DirectLinkCall;
  /** `latin1` on `…direct.asp`, `utf8` on `…direct_utf8.asp`. */
  readonly charset: PageCharset;
  /** The POST body exactly as received. */
  readonly bytes: Uint8Array;
  readonly clientIp: string;
}

export interface ApiUserCheck {
  authenticate(merchantId: string, env: EcommerceEnv, userid: string, password: string): Promise<{ id: string; userid: string } | undefined>;
}

export interface DirectLinkAuthDeps {
  merchants: MerchantDirectory;
  apiUsers: ApiUserCheck;
  /** The merchant's error log (error-log.service.ts recordEntryError). */
  recordError: (error: EntryErrorInput) => Promise<void>;
}

export interface Caller {
  readonly config: MerchantConfig;
  readonly user: { readonly id: string; readonly userid: string };
  /** Normalised (upper-case) names → values. */
  readonly values: ReadonlyMap<string, string>;
  readonly pairs: ShaParams;
}

/** A refusal before any order is looked at: NCERROR, NCERRORPLUS, and what the answer echoes. */
export interface Refusal {
  readonly ncError: string;
  readonly text: string;
  readonly orderId: string;
  readonly currency: string;
}

/** Bodies are small forms: bounded well below the hosted page's limits. */
const FORM_LIMITS = { maxBytes: 64 * 1024, maxParameters: 500, maxNameLength: 100, maxValueLength: 4000 };

const MISSING_SHA = 'unknown order/0/s/';
const WRONG_SHA = 'unknown order/1/s/';

export function createDirectLinkAuth(deps: DirectLinkAuthDeps) {
  async function refuse(
    req: DirectLinkRequest,
    config: MerchantConfig | undefined,
    pspid: string,
    values: ReadonlyMap<string, string> | undefined,
    ncError: string,
    text: string,
  ): Promise<{ ok: false; refusal: Refusal }> {
    const orderId = values?.get('ORDERID') ?? '';
    await deps.recordError({
      merchantId: config?.merchantId ?? null,
      env: req.env,
      pspid: pspid === '' ? null : pspid.slice(0, 100),
      orderRef: orderId === '' ? null : orderId.slice(0, 100),
      code: ncError,
      message: `${text} (DirectLink ${req.call})`,
      clientIp: req.clientIp,
      referrer: null,
      debug: { page: req.charset, call: req.call },
    });
    return { ok: false, refusal: { ncError, text, orderId: orderId.slice(0, 100), currency: (values?.get('CURRENCY') ?? '').slice(0, 3) } };
  }

  async function authenticate(req: DirectLinkRequest): Promise<{ ok: true; caller: Caller } | { ok: false; refusal: Refusal }> {
    const decoded = decodeForm(req.bytes, req.charset, FORM_LIMITS);
    if (!decoded.ok) return refuse(req, undefined, '', undefined, NC_ERROR.DATA_VALIDATION, `request not readable (${decoded.problem.code})`);
    const { pairs, values } = decoded.form;
    const pspid = values.get('PSPID')?.trim() ?? '';
    if (pspid === '') return refuse(req, undefined, '', values, NC_ERROR.DATA_VALIDATION, 'no PSPID');
    const config = pspid.length > 30 ? undefined : await deps.merchants.configFor(pspid, req.env);
    if (!config) return refuse(req, undefined, pspid, values, NC_ERROR.PSPID_NOT_FOUND, 'PSPID not found or not active');
    if (config.shaIn === null || config.shaIn === '') return refuse(req, config, pspid, values, NC_ERROR.SHA_MISMATCH, MISSING_SHA);
    const sha = verifyShaIn(pairs, config.shaIn, values.get('SHASIGN'), {
      alg: config.hashAlgorithm,
      method: 'each-parameter',
      encoding: shaEncodingFor(config.charset, req.charset),
    });
    if (!sha.ok) return refuse(req, config, pspid, values, NC_ERROR.SHA_MISMATCH, sha.reason === 'missing' ? MISSING_SHA : WRONG_SHA);
    const userid = values.get('USERID')?.trim() ?? '';
    const password = values.get('PSWD') ?? '';
    if (userid === '' || password === '') return refuse(req, config, pspid, values, NC_ERROR.DATA_VALIDATION, userid === '' ? 'no USERID' : 'no PSWD');
    const user = await deps.apiUsers.authenticate(config.merchantId, req.env, userid, password);
    // One answer for an unknown USERID and a wrong password: the platform's.
    if (!user) return refuse(req, config, pspid, values, NC_ERROR.PASSWORD, NC_ERROR_TEXT[NC_ERROR.PASSWORD]);
    return { ok: true, caller: { config, user, values, pairs } };
  }

  return { authenticate };
}

export type DirectLinkAuth = ReturnType<typeof createDirectLinkAuth>;
