// Ogone (Ingenico e-Commerce) protocol: the public surface. Pure code: no I/O, no database, no HTTP.
// The caller brings the bytes and the settings; rules and sources: docs/reference/ogone/.

// SHA-IN / SHA-OUT: parameter lists, sort orders, composition and digests.
export {
  DuplicateShaParameterError,
  SHA_OUT_ORDER,
  SHA_PASSPHRASE_MASK,
  SORT_ORDERS,
  compareShaNames,
  composeShaString,
  maskedShaInCandidates,
  maskedShaString,
  shaDigest,
  signSha,
  signShaIn,
  signShaOut,
  verifyShaIn,
} from './sha.ts';
export type {
  ComposeOptions,
  HashingMethod,
  ShaAlgorithm,
  ShaCandidate,
  ShaEncoding,
  ShaOptions,
  ShaParams,
  ShaVerifyResult,
  SignOptions,
  SortOrder,
} from './sha.ts';
export { LEGACY_SHA_IN_FIELDS, LEGACY_SHA_OUT_FIELDS, SHA_IN_LIST, SHA_OUT_LIST, isShaInParam, isShaOutParam, normalizeParamName } from './params.ts';
export type { ShaList, ShaParamList } from './params.ts';

// Encodings: the request's bytes in the page's charset (latin1 / utf8), and back.
export { DEFAULT_FORM_LIMITS, decodeForm, encodeForm, firstValue, queryBytes, shaEncodingFor } from './form.ts';
export type { DecodedForm, FormLimits, FormProblem, FormResult, PageCharset, ShaEncodingSetting } from './form.ts';

// Amounts: ISO 4217 exponents, the request's AMOUNT (× 100) and the feedback's amount.
export { CURRENCY_CODES, FORMAT_LOCALES, MAX_WIRE_AMOUNT, currency, feedbackAmount, formatAmount, minorToWireAmount, wireAmountToMinor } from './currencies.ts';
export type { Currency, WireAmountResult } from './currencies.ts';

// Feedback: the field set, its values and formats, SHA-OUT, the redirect URL.
export { CHECK_NOT_PERFORMED, DEFAULT_FEEDBACK_FIELDS, ECI, FEEDBACK_FIELDS, UNKNOWN_COUNTRY, expiryED, trxDate } from './feedback-fields.ts';
export type { FeedbackCard, FeedbackField, FeedbackOrder, FeedbackPayment } from './feedback-fields.ts';
export { feedbackParameters, redirectUrl } from './feedback.ts';
export type { FeedbackOptions, ShaOutConfig } from './feedback.ts';

// LANGUAGE: the platform's list (dk_DK, se_SE… included), BCP 47 tags, the translation to show.
export { DEFAULT_LANGUAGE, OGONE_LANGUAGES, canonicalLanguage, isOgoneLanguage, languageTag, pickTranslation } from './languages.ts';

// NCERROR codes and texts of the hosted page; NCERRORPLUS and NCSTATUS from them.
export { HOSTED_NC_ERROR, HOSTED_NC_ERROR_TEXT, hostedNcErrorText, ncErrorPlus, ncStatus } from './hosted-errors.ts';
export type { HostedNcError } from './hosted-errors.ts';

// The referrer check of the hosted page and its setting.
export { REFERRER_SETTING_MAX_ENTRIES, REFERRER_SETTING_MAX_LENGTH, checkReferrer, validateReferrerSetting } from './referrer.ts';
export type { ReferrerCheck, ReferrerEntry, ReferrerSettingProblem, ReferrerSettingResult } from './referrer.ts';

// STATUS values.
export { ACCEPTED_STATUSES, DECLINED_STATUSES, OGONE_STATUS, S2S_FIRST_URL_STATUSES, UNCERTAIN_STATUSES, type OgoneStatus } from './status.ts';

// DirectLink: pages, maintenance operations, the `<ncresponse/>` answer; NCERROR codes and texts.
export {
  DIRECTLINK_PAGES,
  MAINTENANCE_OPERATIONS,
  htmlAnswer,
  isMaintenanceOperation,
  ncResponseAttributes,
  ncResponseContentType,
  writeNcResponse,
  xmlAttribute,
} from './directlink.ts';
export type { DirectLinkCall, MaintenanceOperation, NcResponse } from './directlink.ts';
export { NC_ERROR, NC_ERROR_TEXT, ncErrorText, ncStatusOf } from './ncerror.ts';
export type { NcError } from './ncerror.ts';
