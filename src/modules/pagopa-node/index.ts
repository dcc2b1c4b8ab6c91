// Public surface of the pagoPA node (issue 11; docs/adr/0020-pagopa-node.md): the use cases behind
// POST /nodo/node-for-psp/v1 — verifyPaymentNotice, activatePaymentNotice[V2], sendPaymentOutcome[V2] —
// with their state in PostgreSQL (tokens, outcomes, idempotency). The HTTP context hands it the
// verified caller and the raw body; it answers a SOAP envelope. Receipts are scheduled through the
// receipts module's `schedule(trx, paid)` inside the outcome's transaction.
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
