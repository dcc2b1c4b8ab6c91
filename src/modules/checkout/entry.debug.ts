/**
 * The signature debugger's record of one rejected request (the merchant's *Error logs* page): how
 * Varco read the request, which parameters went into SHA-IN in which order, and the string that
 * was hashed with the passphrase masked. Never the passphrase, never the digest we expected (it
 * would let anyone who can read the log sign requests with the data they saw), never card data:
 * the caller passes the parameters already scrubbed (kernel/card-data.ts `safePairs`), so the
 * strings are composed without CVC-like fields and with card numbers masked.
 */
import {
  type PageCharset,
  LEGACY_SHA_IN_FIELDS,
  isShaInParam,
  maskedShaInCandidates,
  normalizeParamName,
  type ShaCandidate,
  type ShaEncoding,
  type ShaParams,
  type ShaVerifyResult,
  shaEncodingFor,
} from '../../protocols/ogone/index.ts';
import type { MerchantConfig } from '../merchants/index.ts';

export interface SignatureDebug {
  readonly page: PageCharset;
  /** Whether an SHA-IN passphrase is set for this environment. */
  readonly passphraseSet: boolean;
  readonly algorithm: MerchantConfig['hashAlgorithm'];
  readonly hashingMethod: MerchantConfig['hashingMethod'];
  readonly encoding: ShaEncoding;
  /** Upper-case names hashed, in ASCII order (the legacy method: its fixed fields). */
  readonly included: readonly string[];
  /** Each distinct way of ordering them, with the passphrase shown as `********`. */
  readonly candidates: readonly ShaCandidate[];
  readonly shasign: 'missing' | 'given';
  /**
   * How many hex digits the SHASIGN received has, when it is hex: 40, 64 and 128 say it was made
   * with SHA-1, SHA-256 or SHA-512 (the debugger tells when that is not the account's algorithm).
   * Its length only, never the digest.
   */
  readonly shasignDigits?: number;
  /** A signed parameter sent twice (the request is refused). */
  readonly duplicate?: string;
  /** Parameter names as received, in order (values are in the masked strings). */
  readonly received: readonly string[];
}

function includedNames(pairs: ShaParams, method: MerchantConfig['hashingMethod']): string[] {
  if (method === 'main-parameters') return [...LEGACY_SHA_IN_FIELDS];
  const names = pairs.filter(([name, value]) => value !== '' && isShaInParam(normalizeParamName(name))).map(([name]) => normalizeParamName(name));
  return [...new Set(names)].sort();
}

export function signatureDebug(input: {
  pairs: ShaParams;
  page: PageCharset;
  config: MerchantConfig;
  sha: ShaVerifyResult | null;
  shasign: string | undefined;
}): SignatureDebug {
  const { pairs, page, config, sha } = input;
  // Recomposed from the scrubbed pairs, never taken from the verification (which saw the raw ones).
  const candidates = maskedShaInCandidates(pairs, config.hashingMethod);
  return {
    page,
    passphraseSet: config.shaIn !== null && config.shaIn !== '',
    algorithm: config.hashAlgorithm,
    hashingMethod: config.hashingMethod,
    encoding: shaEncodingFor(config.charset, page),
    included: includedNames(pairs, config.hashingMethod),
    candidates,
    shasign: input.shasign === undefined || input.shasign === '' ? 'missing' : 'given',
    ...(/^[0-9a-f]+$/i.test(input.shasign?.trim() ?? '') ? { shasignDigits: (input.shasign ?? '').trim().length } : {}),
    ...(sha !== null && !sha.ok && sha.reason === 'duplicate' ? { duplicate: sha.param } : {}),
    received: pairs.map(([name]) => name.slice(0, 100)).slice(0, 500),
  };
}
