// The contract between merchant settings (who keeps them) and the hosted page (who uses them).

export type EcommerceEnv = 'test' | 'prod';

/** One environment's technical settings, passphrases opened (in memory only, never logged). */
export interface MerchantConfig {
  merchantId: string;
  organisationId: string;
  pspid: string;
  name: string;
  env: EcommerceEnv;
  /**
   * 'main-parameters' (legacy) signs only ORDERID, AMOUNT, CURRENCY and PSPID values without names:
   * a customer can move digits between them, and nothing else is signed. It may be chosen only
   * with an acknowledgement of that risk (`legacyHashingAcceptedAt`); while it is on, the entry
   * takes the four redirect URLs only from these settings and ignores OPERATION.
   */
  hashingMethod: 'each-parameter' | 'main-parameters';
  /** When the risks of legacy hashing were acknowledged for this environment; null: never, or turned off since. */
  legacyHashingAcceptedAt: Date | null;
  hashAlgorithm: 'sha1' | 'sha256' | 'sha512';
  /** 'page': as the page called (ISO-8859-1 on orderstandard.asp, UTF-8 on _utf8). */
  charset: 'page' | 'latin1' | 'utf8';
  /** `;`-separated referrer URLs or domains; empty disables the check. */
  referrers: string;
  shaIn: string | null;
  shaOut: string | null;
  acceptUrl: string | null;
  declineUrl: string | null;
  exceptionUrl: string | null;
  cancelUrl: string | null;
  feedbackOnRedirect: boolean;
  s2sTiming: 'none' | 'deferred' | 'online' | 'online_deferred_fallback';
  s2sUrlAccepted: string | null;
  s2sUrlDeclined: string | null;
  s2sMethod: 'POST' | 'GET';
  /** Dynamic feedback parameters the merchant chose (Ingenico names). */
  feedbackParams: string[];
  defaultOperation: 'RES' | 'SAL';
  paymentRetries: number;
  enabledCurrencies: string[];
}

/** What the hosted page needs from the merchant side. */
export interface MerchantDirectory {
  /** The settings of a PSPID in an environment, or undefined when there is no such (active) merchant. */
  configFor(pspid: string, env: EcommerceEnv): Promise<MerchantConfig | undefined>;
}
