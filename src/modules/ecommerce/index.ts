// Public surface of the e-commerce module (Ogone-compatible hosted payment page). Other modules and
// the /ncol, /portal, /api contexts import from here only. The pure core comes first; services
// (settings, orders, error log, feedback delivery) add their exports below it.

// Request decoding and validation.
export { checkReferrer, validateReferrerSetting, REFERRER_SETTING_MAX_ENTRIES, REFERRER_SETTING_MAX_LENGTH } from './referrer.policy.ts';
export type { ReferrerCheck, ReferrerEntry, ReferrerSettingProblem, ReferrerSettingResult } from './referrer.policy.ts';
export { ENTRY_ERROR_TEXT, ENTRY_NC_ERROR, entryDecision } from './entry.policy.ts';
export type { EntryDecision, EntryInput, EntryRejection } from './entry.policy.ts';
export { LANGUAGES, ORDERID_MAX, PSPID_MAX, validateOrderRequest } from './order-request.ts';
export type {
  CustomerFields, OrderProblem, OrderProblemCode, OrderRequest, OrderRequestContext, OrderRequestResult, OrderUrls, OrderWarning,
} from './order-request.ts';
export { ORDER_PROBLEM_NC_ERROR } from './order-problems.ts';
export { isRedirectUrl } from './order-fields.ts';
export { readLookAndFeel, safeColour, safeFontFamilies, safeLogo } from './look.ts';
export type { LookAndFeel, LookWarning } from './look.ts';

// Passphrases.
export { PASSPHRASE_FORBIDDEN, PASSPHRASE_MAX_LENGTH, PASSPHRASE_MIN_LENGTH, checkPassphrase, generatePassphrase } from './passphrase.policy.ts';
export type { PassphraseProblem } from './passphrase.policy.ts';

// Cards, acquirers, outcome and feedback.
export {
  CARD_BRANDS, CARD_HOLDER_MAX_LENGTH, PaymentCard, cvcValid, detectBrand, luhnValid, maskCardNumber, normaliseCardNumber,
  parseExpiry, validateCard,
} from './card.ts';
export type { CardBrand, CardExpiry, CardField, CardInput, CardProblem, CardProblemCode, CardSummary, ExpiryProblem } from './card.ts';
export type {
  Acquirer, AcquirerChallenge, AcquirerOutcome, AcquirerResult, AcquirerStatus, AuthoriseRequest, CompleteChallengeRequest, Operation,
} from './acquirer.ts';
export { TEST_ACCEPTANCE, TEST_CARDS, TEST_NC_ERRORS, TestAcquirerFault, createTestAcquirer, testCardBehaviour } from './test-acquirer.ts';
export type { TestAcquirerFaults, TestAcquirerOptions, TestCard, TestCardBehaviour } from './test-acquirer.ts';
export { DEFAULT_NC_ERROR, STATUS, effectiveUrls, mayRetry, ncStatus, paymentStatus, redirectTarget } from './outcome.ts';
export type { FinalOutcome, RedirectParam, RedirectTarget } from './outcome.ts';

// Merchant accounts and technical settings (the MerchantDirectory the hosted page reads), the error log.
export type { EcommerceEnv, MerchantConfig, MerchantDirectory } from './merchant.types.ts';
export { createMerchantsService } from './merchants.service.ts';
export type { ClaimProblem } from './pspid-claims.ts';
export type {
  CopyOutcome, CreateMerchantProblem, MerchantActor, MerchantView, MerchantsOptions, MerchantsService, SettingsView, UpdateOutcome,
} from './merchants.service.ts';
export {
  CHARSETS, DEFAULT_FEEDBACK_PARAMETERS, FEEDBACK_PARAMETERS, HASHING_METHODS, HASH_ALGORITHMS, OPERATIONS, PAYMENT_RETRIES_MAX, PSPID_PATTERN,
  S2S_METHODS, S2S_TIMINGS, checkPspid, legacyAcknowledged, validateSettings,
} from './settings.policy.ts';
export type { PassphraseInput, SettingsField, SettingsInput, SettingsProblem, SettingsProblemCode, TechnicalSettings } from './settings.policy.ts';
export { DEBUG_MAX_BYTES, ERROR_LOG_DEFAULT_MAX_ROWS, ERROR_ROW_LIMITS, createErrorLogService, debugView, errorBucket, sanitizeDebug } from './error-log.service.ts';
export type { DebugView, EntryErrorInput, ErrorLogEntry, ErrorLogService, StoredDebug } from './error-log.service.ts';

// The hosted page: entry (SHA-IN, referrer, order), payment (card, 3-D Secure, outcome, feedback), orders read back.
export { createEntryService } from './entry.service.ts';
export type { EntryError, EntryRequest, EntryResult, EntryService, EntryServiceOptions } from './entry.service.ts';
export type { SignatureDebug } from './entry.debug.ts';
export { ACQUIRER_TIMEOUT_MS, createPaymentService } from './payment.service.ts';
export type { PageState, PaymentService, PaymentServiceOptions, StepResult } from './payment.service.ts';
export { createOrdersService, statusView } from './orders.service.ts';
export type { OrderDetail, OrderStatusView, OrdersService } from './orders.service.ts';
export type { OrderRecord, PaymentAttemptRow, StoredRequest } from './orders.repository.ts';
export { SHASIGN_TOOL_MAX_LINES, parseParamLines, shaTool } from './shasign.tool.ts';
export type { ParamLinesResult, ShaToolOptions, ShaToolResult } from './shasign.tool.ts';
export { MERCHANT_CONFIG_CHANNEL, createConfigCache } from './config.cache.ts';
export type { ConfigCache, ConfigCacheOptions } from './config.cache.ts';

// Retention (run by the workers' periodic jobs).
export { pruneErrorLog } from './error-log.retention.ts';
// Interrupted payments (STATUS 99) settled by a periodic job (docs/adr/0022-order-reconciliation.md).
export {
  createReconciliation, RECONCILE_BATCH, RECONCILE_EVERY_MS, RECONCILE_GRACE_MS, RECONCILE_MAX_AGE_MS, RECONCILE_QUERY_TIMEOUT_MS,
} from './reconciliation.service.ts';
export type { Reconciliation, ReconciliationOptions, ReconciliationReport } from './reconciliation.service.ts';
