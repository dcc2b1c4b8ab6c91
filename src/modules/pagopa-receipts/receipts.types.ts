// What the node hands to the receipts module when a PSP reports an OK outcome: a snapshot of the
// paid payment, taken inside the outcome's transaction. The receipts module builds one receipt per
// creditor institution of the transfer list (the notice's EC first) and delivers them.
import type { PaymentPA, PaymentPAV2, SendPaymentOutcomeReq, SendPaymentOutcomeV2Request } from '../../protocols/pagopa/index.ts';

export interface PaidPayment {
  env: 'test' | 'prod';
  /** The payment token; it is also the receiptId. */
  token: string;
  noticeNumber: string;
  /** The notice's creditor institution (qrCode/fiscalCode) and its organisation. */
  fiscalCode: string;
  ecOrganisationId: string;
  /** The EC's answer to paGetPayment[V2], as the codec decoded it, and the PSP's paymentNote from its activation. */
  payment: ({ version: 1; data: PaymentPA } | { version: 2; data: PaymentPAV2 }) & { paymentNote?: string };
  psp: { organisationId: string; idPSP: string; idBrokerPSP: string; idChannel: string; companyName: string };
  /** The PSP's sendPaymentOutcome[V2] details, as decoded (absent when the PSP sent none). */
  details?: NonNullable<SendPaymentOutcomeReq['details']> | NonNullable<SendPaymentOutcomeV2Request['details']>;
  paidAt: Date;
}
