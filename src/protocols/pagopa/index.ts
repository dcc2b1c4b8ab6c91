// pagoPA payment-notice protocol: the public surface. Pure code: no I/O, no database, no HTTP.
export {
  decodeEcRequest,
  decodeEcResponse,
  decodePspRequest,
  decodeRequest,
  decodeResponse,
  type DecodeInput,
  type DecodeOptions,
  type DecodeProblem,
  type DecodeProblemKind,
  type Decoded,
  type DecodedRequest,
  type EcAnswer,
} from './decode.ts';
export { encodeKo, encodeRefusal, encodeRequest, encodeRequestBody, encodeResponse, encodeResponseBody } from './encode.ts';
export { EncodeError } from './write.ts';
export {
  ecErrorFault,
  ecFault,
  isPptFaultCode,
  nodeFault,
  NODE_FAULT_ID,
  PAA_FAULTS,
  PPT_FAULTS,
  type FaultBean,
  type FaultInfo,
  type PaaFaultCode,
  type PptFaultCode,
} from './faults.ts';
export {
  EC_OPERATIONS,
  isOperation,
  OPERATIONS,
  PSP_OPERATIONS,
  requestElement,
  responseElement,
  SERVICES,
  type EcOperation,
  type Operation,
  type PspOperation,
  type RequestFor,
  type RequestOf,
  type ResponseOf,
  type Service,
} from './operations.ts';
export { buildEnvelope, buildSoapFault, parseSoapAction } from './soap.ts';
export { CART_MASK, maskCartText, maskCartTokens, maskPasswords, PASSWORD_MASK, type CartMask } from './redact.ts';
export { DEFAULT_XML_LIMITS, type XmlLimits } from './xml.ts';
export { NS } from './xsd.common.ts';
export {
  amountToWire,
  codiceFiscaleValid,
  DEFAULT_EXPIRATION_MS,
  formatNoticeNumber,
  isEcFiscalCode,
  isPaymentToken,
  MAX_AMOUNT_CENTS,
  MAX_EXPIRATION_MS,
  newPaymentToken,
  noticeCheckDigits,
  noticeRoutingKey,
  parseAmount,
  parseIdempotencyKey,
  parseNoticeNumber,
  partitaIvaValid,
  toXsdDate,
  toXsdDateTime,
  tokenLifetimeMs,
  type NoticeNumberParts,
  type ParsedNoticeNumber,
} from './values.ts';
export { generateSchema, generateWsdl, nodeForPspWsdl } from './wsdl.ts';
export type {
  ActivatePaymentNoticeReq,
  ActivatePaymentNoticeRes,
  ActivatePaymentNoticeV2Request,
  ActivatePaymentNoticeV2Response,
  SendPaymentOutcomeReq,
  SendPaymentOutcomeRes,
  SendPaymentOutcomeV2Request,
  SendPaymentOutcomeV2Response,
  VerifyPaymentNoticeReq,
  VerifyPaymentNoticeRes,
} from './messages.psp.ts';
export type {
  PaGetPaymentReq,
  PaGetPaymentRes,
  PaGetPaymentV2Request,
  PaGetPaymentV2Response,
  PaSendRTReq,
  PaSendRTRes,
  PaSendRTV2Request,
  PaSendRTV2Response,
  PaVerifyPaymentNoticeReq,
  PaVerifyPaymentNoticeRes,
  PaymentPA,
  PaymentPAV2,
} from './messages.pa.ts';
export type { Receipt, ReceiptV2 } from './messages.receipt.ts';
