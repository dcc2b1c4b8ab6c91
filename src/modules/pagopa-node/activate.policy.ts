import { createHash } from 'node:crypto';
import {
  amountToWire,
  nodeFault,
  tokenLifetimeMs,
  type FaultBean,
  type PaymentPA,
  type PaymentPAV2,
  type RequestOf,
  type ResponseOf,
} from '../../protocols/pagopa/index.ts';
import type { PaidPayment } from './node.types.ts';

// Pure decisions of an activation (activatePaymentNotice[V2]): the idempotency digest, the request
// to the EC, the token's life, and the answer built from the EC's payment — including the one case
// the PSP's version cannot carry (a digital stamp asked of activatePaymentNotice V1).

export type ActivateOperation = 'activatePaymentNotice' | 'activatePaymentNoticeV2';
export type ActivateRequest = RequestOf<'activatePaymentNotice'> | RequestOf<'activatePaymentNoticeV2'>;
/** The EC's paGetPayment[V2] answer, and the PSP's paymentNote from the activation (ctReceiptV2 carries it). */
export type EcPayment = PaidPayment['payment'];

/** How long a row stays held while paGetPayment is in flight, beyond the call's own timeout. */
export const ACTIVATING_MARGIN_MS = 5_000;

/**
 * What makes two activations "the same request" for idempotency: every field the PSP sent but the
 * password (a PSP that rotates its channel password mid-retry still sends the same request) and the
 * key itself. SHA-256 of a canonical JSON (fixed key order).
 */
export function requestDigest(op: ActivateOperation, value: ActivateRequest): string {
  const v = value as RequestOf<'activatePaymentNoticeV2'>;
  const canonical = [
    op,
    v.idPSP,
    v.idBrokerPSP,
    v.idChannel,
    v.qrCode.fiscalCode,
    v.qrCode.noticeNumber,
    v.amount,
    v.expirationTime ?? null,
    v.dueDate ?? null,
    v.paymentNote ?? null,
    v.paymentMethod ?? null,
    v.touchPoint ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * When the token expires: its life (expirationTime or 30 min) counted from the answer to the PSP.
 * While the EC is being asked the row is held for the call's timeout plus a margin: long enough that
 * no other activation sweeps it meanwhile, short enough that a process dying mid-activation frees the
 * notice within seconds.
 */
export function tokenExpiry(now: Date, value: ActivateRequest, phase: 'activating' | 'active', getPaymentTimeoutMs: number): Date {
  const hold = phase === 'activating' ? getPaymentTimeoutMs + ACTIVATING_MARGIN_MS : tokenLifetimeMs(value.expirationTime);
  return new Date(now.getTime() + hold);
}

/** paGetPayment[V2]'s request: the station's identity, the notice and what the PSP asked. */
export function getPaymentRequest(station: { idPA: string; idBrokerPA: string; idStation: string }, value: ActivateRequest): RequestOf<'paGetPayment'> {
  return {
    ...station,
    qrCode: { fiscalCode: value.qrCode.fiscalCode, noticeNumber: value.qrCode.noticeNumber },
    amount: value.amount,
    ...(value.paymentNote === undefined ? {} : { paymentNote: value.paymentNote }),
    ...(value.dueDate === undefined ? {} : { dueDate: value.dueDate }),
  };
}

type TransferV1 = NonNullable<ResponseOf<'activatePaymentNotice'>['transferList']>['transfer'][number];
type TransferV2 = NonNullable<ResponseOf<'activatePaymentNoticeV2'>['transferList']>['transfer'][number];
type PaTransfer = PaymentPA['transferList']['transfer'][number] | PaymentPAV2['transferList']['transfer'][number];

const meta = <T extends { metadata?: unknown }>(t: T) => (t.metadata === undefined ? {} : { metadata: t.metadata as NonNullable<TransferV1['metadata']> });

function transferV1(t: PaTransfer): TransferV1 | undefined {
  if (!('IBAN' in t) || t.IBAN === undefined) return undefined;
  return {
    idTransfer: t.idTransfer,
    transferAmount: t.transferAmount,
    fiscalCodePA: t.fiscalCodePA,
    IBAN: t.IBAN,
    remittanceInformation: t.remittanceInformation,
    ...meta(t),
  };
}

function transferV2(t: PaTransfer): TransferV2 {
  const account =
    'IBAN' in t && t.IBAN !== undefined
      ? { IBAN: t.IBAN }
      : 'richiestaMarcaDaBollo' in t && t.richiestaMarcaDaBollo !== undefined
        ? { richiestaMarcaDaBollo: t.richiestaMarcaDaBollo }
        : {};
  return {
    idTransfer: t.idTransfer,
    transferAmount: t.transferAmount,
    fiscalCodePA: t.fiscalCodePA,
    ...('companyName' in t && t.companyName !== undefined ? { companyName: t.companyName } : {}),
    ...account,
    remittanceInformation: t.remittanceInformation,
    transferCategory: t.transferCategory,
    ...meta(t),
  } as TransferV2;
}

export type ActivationAnswer<O extends ActivateOperation> = { ok: true; value: ResponseOf<O> } | { ok: false; fault: FaultBean };

/**
 * The PSP's OK answer from the EC's payment, in the PSP's version whatever the station's. Refused:
 * an amount other than the one the PSP asked to activate (PPT_SEMANTICA: the PSP would collect a sum
 * the receipt does not carry), and a digital stamp asked of a version 1 activation (PPT_SEMANTICA: V1
 * transfers need an IBAN; the PSP must use activatePaymentNoticeV2).
 */
export function activationAnswer<O extends ActivateOperation>(op: O, payment: EcPayment, token: string, value: ActivateRequest): ActivationAnswer<O> {
  const data = payment.data;
  if (data.paymentAmount !== value.amount) {
    return {
      ok: false,
      fault: nodeFault(
        'PPT_SEMANTICA',
        `L’importo richiesto (${amountToWire(value.amount)}) non corrisponde a quello dell’ente (${amountToWire(data.paymentAmount)}). / ` +
          `The amount asked (${amountToWire(value.amount)}) differs from the institution's (${amountToWire(data.paymentAmount)}).`,
      ),
    };
  }
  const head = {
    outcome: 'OK' as const,
    totalAmount: data.paymentAmount,
    paymentDescription: data.description,
    fiscalCodePA: value.qrCode.fiscalCode,
    ...(data.companyName === undefined ? {} : { companyName: data.companyName }),
    ...(data.officeName === undefined ? {} : { officeName: data.officeName }),
    paymentToken: token,
  };
  const transfers: PaTransfer[] = data.transferList.transfer;
  if (op === 'activatePaymentNoticeV2') {
    const metadata = data.metadata === undefined ? {} : { metadata: data.metadata };
    return {
      ok: true,
      value: { ...head, transferList: { transfer: transfers.map(transferV2) }, ...metadata, creditorReferenceId: data.creditorReferenceId } as ResponseOf<O>,
    };
  }
  const v1 = transfers.map(transferV1);
  if (v1.some((t) => t === undefined)) {
    return {
      ok: false,
      fault: nodeFault(
        'PPT_SEMANTICA',
        'L’avviso comprende una marca da bollo digitale: va attivato con activatePaymentNoticeV2. / ' +
          'The notice includes a digital stamp: activate it with activatePaymentNoticeV2.',
      ),
    };
  }
  return { ok: true, value: { ...head, transferList: { transfer: v1 as TransferV1[] }, creditorReferenceId: data.creditorReferenceId } as ResponseOf<O> };
}
