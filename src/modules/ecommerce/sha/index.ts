// Public surface of the Ogone SHA signature module; callers import from here, not the files.
export {
  DuplicateShaParameterError,
  SHA_PASSPHRASE_MASK,
  SORT_ORDERS,
  composeShaString,
  maskedShaString,
  shaDigest,
  signSha,
  signShaIn,
  signShaOut,
  verifyShaIn,
} from './compose.ts';
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
} from './compose.ts';
export {
  LEGACY_SHA_IN_FIELDS,
  LEGACY_SHA_OUT_FIELDS,
  SHA_IN_LIST,
  SHA_OUT_LIST,
  isShaInParam,
  isShaOutParam,
  normalizeParamName,
} from './params.ts';
export type { ShaList, ShaParamList } from './params.ts';
