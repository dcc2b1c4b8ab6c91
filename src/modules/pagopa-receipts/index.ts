// Public surface of the pagoPA receipts (issue 11; docs/adr/0021-pagopa-receipts.md). The node calls
// `schedule(trx, paid)` inside the transaction that records an OK outcome; the workers run the outbox
// channel `soap` with `createReceiptDeliveryHandler`; the portal and the back office list, show and
// re-send receipts.
export type { PaidPayment } from './receipts.types.ts';
export { createReceiptsService, RECEIPT_CHANNEL } from './receipts.service.ts';
export type { ReceiptActor, ReceiptMessage, ReceiptsService, ReceiptsServiceOptions } from './receipts.service.ts';
export { createReceiptDeliveryHandler, simulatedStationCode } from './receipt.delivery.ts';
export type { ReceiptDeliveryDeps } from './receipt.delivery.ts';
export type { ReceiptAttempt, ReceiptDetail, ReceiptFilter, ReceiptState, ReceiptSummary, ResendOutcome } from './receipts.views.ts';
export type { ReceiptViewer } from './receipts.policy.ts';
export { judgeAnswer, isLastAttempt, mayRead, mayResend } from './receipts.policy.ts';
export type { AttemptVerdict } from './receipts.policy.ts';
export { buildReceiptV1, buildReceiptV2, recipientsOf, ReceiptBuildError, sendRtRequest, snapshotOf } from './receipt.build.ts';
export type { ReceiptSnapshot, StationHeader } from './receipt.build.ts';
