/**
 * Whether a maintenance operation may run on an order, for how much, and the statuses it goes
 * through (docs/reference/ogone/directlink.md, `maintenancedirect.asp`). Pure: the caller applies the verdict under
 * the order's row lock, and the table's CHECK constraints refuse whatever this would get wrong.
 *
 * | OPERATION | kind    | needs                                   | pending / done / refused / uncertain |
 * | --------- | ------- | --------------------------------------- | ------------------------------------ |
 * | SAL, SAS  | capture | an authorisation (RES) with a remainder | 91 / 9 / 93 / 92                     |
 * | RFD, RFS  | refund  | captured money not refunded yet         | 81 / 8 / 83 / 82                     |
 * | DEL, DES  | cancel  | an uncaptured remainder                 | 61 / 6 / 63 / 62                     |
 * | DEL, DES  | delete  | captured in full, nothing refunded      | 71 / 7 / 73 / 72                     |
 * | REN       | renew   | an uncaptured remainder                 | 51 / 5 / 2 / 52                      |
 *
 * SAS and a cancellation close captures; RFS and DES close refunds. An AMOUNT left out means
 * everything the operation may take (the remainder, or what is left to refund).
 *
 * A capture counts in `captured` from the moment it is asked (so two captures cannot overdraw the
 * authorisation), but only a confirmed one can be refunded or deleted: while a capture waits for the
 * acquirer (91) or its outcome is unknown (92), refunding or deleting it would give back money that
 * may never have been taken, and a declined capture would then leave more refunded than captured.
 */
import { NC_ERROR } from '../../protocols/ogone/index.ts';
import type { MaintenanceOperation } from '../../protocols/ogone/index.ts';
import type { MaintenanceKind } from './acquirer.ts';

/** What the decision reads of the order, under its lock. */
export interface OrderLedger {
  readonly operation: 'RES' | 'SAL';
  /** The authorisation (or sale) succeeded (paid_at set). */
  readonly authorised: boolean;
  readonly amount: number;
  readonly captured: number;
  readonly refunded: number;
  readonly captureClosed: boolean;
  readonly refundClosed: boolean;
  /** Of `captured`, what captures still waiting for the acquirer (91) or of unknown outcome (92) hold. */
  readonly capturesUnsettled: number;
}

export interface OperationStatuses {
  readonly pending: number;
  readonly done: number;
  readonly refused: number;
  readonly uncertain: number;
}

/** What the operation reserves while the acquirer answers; undone when it refuses. */
export interface LedgerChange {
  readonly captured: number;
  readonly refunded: number;
  readonly closeCapture: boolean;
  readonly closeRefund: boolean;
}

export type OperationVerdict =
  | { readonly ok: true; readonly kind: MaintenanceKind; readonly amount: number; readonly statuses: OperationStatuses; readonly change: LedgerChange }
  | { readonly ok: false; readonly ncError: string; readonly reason: string };

export const OPERATION_STATUSES: Readonly<Record<MaintenanceKind, OperationStatuses>> = Object.freeze({
  capture: { pending: 91, done: 9, refused: 93, uncertain: 92 },
  refund: { pending: 81, done: 8, refused: 83, uncertain: 82 },
  cancel: { pending: 61, done: 6, refused: 63, uncertain: 62 },
  delete: { pending: 71, done: 7, refused: 73, uncertain: 72 },
  renew: { pending: 51, done: 5, refused: 2, uncertain: 52 },
});

/** A sale is captured as it is authorised. */
export function capturedOf(o: OrderLedger): number {
  return o.operation === 'SAL' ? (o.authorised ? o.amount : 0) : o.captured;
}

/**
 * What an accepted operation reserves on the order's totals: a function of its kind, OPERATION and
 * amount only, so an operation settled long after it was asked (an unknown outcome the acquirer later
 * reports declined) gives back exactly what it took.
 */
export function reservationOf(kind: MaintenanceKind, op: MaintenanceOperation, amount: number): LedgerChange {
  const none = { captured: 0, refunded: 0, closeCapture: false, closeRefund: false };
  switch (kind) {
    case 'capture':
      return { ...none, captured: amount, closeCapture: op === 'SAS' };
    case 'refund':
      return { ...none, refunded: amount, closeRefund: op === 'RFS' };
    case 'cancel':
      return { ...none, closeCapture: true, closeRefund: op === 'DES' };
    case 'delete':
      return { captured: 0, refunded: amount, closeCapture: true, closeRefund: true };
    case 'renew':
      return none;
  }
}

const refuse = (ncError: string, reason: string): OperationVerdict => ({ ok: false, ncError, reason });
const accept = (kind: MaintenanceKind, op: MaintenanceOperation, amount: number): OperationVerdict => ({
  ok: true,
  kind,
  amount,
  statuses: OPERATION_STATUSES[kind],
  change: reservationOf(kind, op, amount),
});

function capture(o: OrderLedger, op: MaintenanceOperation, requested: number | undefined): OperationVerdict {
  if (o.operation === 'SAL') return refuse(NC_ERROR.ORIGINAL_STATUS, 'the payment is a sale (SAL): it is captured already');
  if (o.captureClosed) return refuse(NC_ERROR.ORIGINAL_STATUS, 'the authorisation is closed (cancelled, or its last capture was made)');
  const remaining = o.amount - o.captured;
  const amount = requested ?? remaining;
  if (remaining <= 0 || amount > remaining) return refuse(NC_ERROR.CAPTURE_OVERFLOW, `at most ${remaining} may still be captured`);
  return accept('capture', op, amount);
}

const unsettled = (done: 'refunded' | 'deleted'): string =>
  `a capture of this payment is still being processed or its outcome is unknown: it can be ${done} once the acquirer has confirmed it`;

function refund(o: OrderLedger, op: MaintenanceOperation, requested: number | undefined): OperationVerdict {
  if (o.refundClosed) return refuse(NC_ERROR.ORIGINAL_STATUS, 'refunds are closed (last refund made, or the payment was deleted)');
  const refundable = capturedOf(o) - o.refunded;
  const confirmed = refundable - o.capturesUnsettled;
  const amount = requested ?? confirmed;
  if (refundable <= 0 || amount > refundable) return refuse(NC_ERROR.REFUND_OVERFLOW, `at most ${Math.max(0, refundable)} may still be refunded`);
  if (amount <= 0 || amount > confirmed) return refuse(NC_ERROR.ORIGINAL_STATUS, unsettled('refunded'));
  return accept('refund', op, amount);
}

/** DEL/DES: the uncaptured remainder is released; with nothing left, a payment never refunded is deleted. */
function cancel(o: OrderLedger, op: MaintenanceOperation, requested: number | undefined): OperationVerdict {
  const remaining = o.operation === 'RES' && !o.captureClosed ? o.amount - o.captured : 0;
  if (remaining > 0) {
    if (requested !== undefined && requested !== remaining)
      return refuse(NC_ERROR.DATA_VALIDATION, `a cancellation releases the whole remaining authorisation (${remaining})`);
    return accept('cancel', op, remaining);
  }
  const captured = capturedOf(o);
  if (captured === 0 || o.refunded > 0 || o.refundClosed) return refuse(NC_ERROR.ORIGINAL_STATUS, 'nothing is left to cancel: refund instead');
  if (o.capturesUnsettled > 0) return refuse(NC_ERROR.ORIGINAL_STATUS, unsettled('deleted'));
  if (requested !== undefined && requested !== captured) return refuse(NC_ERROR.DATA_VALIDATION, `deleting the payment takes its whole amount (${captured})`);
  return accept('delete', op, captured);
}

function renew(o: OrderLedger, op: MaintenanceOperation): OperationVerdict {
  const remaining = o.operation === 'RES' && !o.captureClosed ? o.amount - o.captured : 0;
  if (remaining <= 0) return refuse(NC_ERROR.ORIGINAL_STATUS, 'no open authorisation to renew');
  return accept('renew', op, remaining);
}

/** The verdict for `op` with AMOUNT `requested` (minor units; undefined when not sent). */
export function decideOperation(o: OrderLedger, op: MaintenanceOperation, requested: number | undefined): OperationVerdict {
  if (!o.authorised) return refuse(NC_ERROR.ORIGINAL_STATUS, 'the payment is not authorised');
  if (requested !== undefined && requested <= 0) return refuse(NC_ERROR.DATA_VALIDATION, 'amount must be greater than 0');
  switch (op) {
    case 'SAL':
    case 'SAS':
      return capture(o, op, requested);
    case 'RFD':
    case 'RFS':
      return refund(o, op, requested);
    case 'DEL':
    case 'DES':
      return cancel(o, op, requested);
    case 'REN':
      return renew(o, op);
  }
}
