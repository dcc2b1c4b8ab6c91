// Public surface of the pagoPA node (issue 11; docs/adr/0020-pagopa-node.md): the use cases behind
// POST /nodo/node-for-psp/v1 — verifyPaymentNotice, activatePaymentNotice[V2], sendPaymentOutcome[V2] —
// with their state in PostgreSQL (tokens, outcomes, idempotency). The HTTP context hands it the
// verified caller and the raw body; it answers a SOAP envelope. Receipts are scheduled through the
// receipts module's `schedule(trx, paid)` inside the outcome's transaction. The portal and the back
// office read the tokens (state, expiry, the EC's data, the outcome) through `createPaymentsReader`.
export { createPagopaNode, soapActionOperation, type PagopaNode } from './node.service.ts';
export type {
  Environment,
  NodeAnswer,
  NodeCaller,
  NodeLogger,
  NodeRequest,
  NodeTimeouts,
  PagopaNodeOptions,
  PaidPayment,
  ReceiptScheduler,
  TransportRefusal,
} from './node.types.ts';
export { ACTIVATING_MARGIN_MS, activationAnswer, getPaymentRequest, requestDigest, tokenExpiry } from './activate.policy.ts';
export type { ActivateOperation, ActivateRequest, EcPayment } from './activate.policy.ts';
export { outcomeDigest, outcomeVerdict } from './outcome.policy.ts';
export type { OutcomeAsked, OutcomeVerdict, PaymentState, TokenRow } from './outcome.policy.ts';
export { judgeEcResult, refusalVerdict } from './fault.policy.ts';
export type { EcParty, EcVerdict } from './fault.policy.ts';
export { SIMULATOR_STATION_SUFFIX } from './ec-gateway.ts';
export { pruneIdempotency } from './payments.repository.ts';
export { createPaymentsReader, PAYMENTS_MAX_PAGE_SIZE, PAYMENTS_PAGE_SIZE } from './payments.read.ts';
export type { PaymentsReader, PaymentsReaderOptions } from './payments.read.ts';
export { isPaymentCursor, isPaymentToken, standingOf } from './payments.views.ts';
export type {
  EcPaymentView,
  EcTransferView,
  OutcomeDetailsView,
  PaymentDetail,
  PaymentFilter,
  PaymentStanding,
  PaymentSummary,
  PaymentViewer,
} from './payments.views.ts';
