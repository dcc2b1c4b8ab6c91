/**
 * The acquirer seen by the hosted page: authorise a card payment, possibly after a 3-D Secure
 * challenge. `test` uses the built-in twin (test-acquirer.ts); `prod` needs a real processor.
 *
 * Outcomes are values, not errors (a refused card is an expected result). A processor that cannot
 * be reached is `technical_error`, one that was reached but whose answer was lost is `uncertain`
 * (the money may have moved: no retry). A call may still throw or hang (a bug, a lost connection):
 * the payment service then leaves the order "being processed" (99) and the reconciliation job asks
 * `status` later (docs/adr/0022-order-reconciliation.md).
 */
import type { PaymentCard } from './card.ts';

/** RES: authorisation only (captured later); SAL: sale (authorised and captured). */
export type Operation = 'RES' | 'SAL';

export interface AuthoriseRequest {
  /** Minor units of `currency` (ISO 4217 exponent). */
  readonly amount: number;
  readonly currency: string;
  readonly card: PaymentCard;
  readonly operation: Operation;
  /** Varco's reference of the order (not the merchant's ORDERID), for the acquirer's records. */
  readonly orderRef: string;
  /**
   * False when the merchant did not ask for 3-D Secure (DirectLink without FLAG3D=Y): the card is
   * authorised without authentication, as the platform does. The hosted page always asks.
   */
  readonly threeDSecure?: boolean;
}

/** A challenge the customer must pass on a page Varco shows; `reference` is opaque to Varco. */
export interface AcquirerChallenge {
  readonly reference: string;
  /** The twin's own challenge page; a real processor would give a 3-D Secure ACS URL instead. */
  readonly kind: 'simulated-3ds';
}

/**
 * `payId` is the acquirer's reference of the transaction. `ncError` uses the platform's codes
 * (`0` when authorised) so the result maps straight onto feedback.
 */
export type AcquirerResult =
  | { readonly outcome: 'authorised'; readonly payId: string; readonly acceptance: string; readonly ncError: '0' }
  | { readonly outcome: 'refused' | 'uncertain' | 'technical_error'; readonly payId?: string; readonly ncError: string }
  | { readonly outcome: 'challenge_required'; readonly payId: string; readonly ncError: string; readonly challenge: AcquirerChallenge };

export type AcquirerOutcome = AcquirerResult['outcome'];

export interface CompleteChallengeRequest {
  readonly payId: string;
  /** The same reference as the authorisation's (the status query asks by it). */
  readonly orderRef: string;
  readonly challenge: AcquirerChallenge;
  readonly amount: number;
  readonly currency: string;
  readonly operation: Operation;
  /** What the customer did on the challenge page. Abandoning it is a cancellation, not sent here. */
  readonly authenticated: boolean;
}

/**
 * What the acquirer knows of the latest transaction under a reference (AuthoriseRequest.orderRef).
 * `not_found`: it has none, so nothing was authorised or paid. `unknown`: it has one but cannot
 * tell its result yet (ask again later). A query that cannot be answered at all throws.
 */
export type AcquirerStatus =
  | { readonly state: 'authorised'; readonly payId: string; readonly acceptance: string }
  | { readonly state: 'refused'; readonly payId?: string; readonly ncError: string }
  | { readonly state: 'not_found' }
  | { readonly state: 'unknown' };

/** What a maintenance operation asks of the acquirer (docs/reference/ogone/directlink.md, `maintenancedirect.asp`). */
export type MaintenanceKind = 'capture' | 'refund' | 'cancel' | 'delete' | 'renew';

export interface MaintenanceRequest {
  readonly kind: MaintenanceKind;
  /** Varco's reference of the order (the authorisation's AuthoriseRequest.orderRef). */
  readonly orderRef: string;
  /** Varco's reference of this operation, for the acquirer's records. */
  readonly operationRef: string;
  /** Minor units of `currency`. */
  readonly amount: number;
  readonly currency: string;
}

/** `done`: processed; `refused`: the acquirer declined it (nothing moved). A lost answer is a throw or a timeout. */
export type MaintenanceResult = { readonly outcome: 'done'; readonly reference: string } | { readonly outcome: 'refused'; readonly ncError: string };

/**
 * What the acquirer knows of a maintenance operation, by Varco's reference of it
 * (MaintenanceRequest.operationRef): processed, declined, never received (nothing moved), or not yet
 * known (ask again later). A query that cannot be answered at all throws.
 */
export type OperationStatus =
  | { readonly state: 'done'; readonly reference: string }
  | { readonly state: 'refused'; readonly ncError: string }
  | { readonly state: 'not_found' }
  | { readonly state: 'unknown' };

export interface Acquirer {
  /** For logs and the order record, e.g. `test`. */
  readonly name: string;
  /** Captures, refunds, cancels or renews (part of) an authorised payment. */
  maintain(request: MaintenanceRequest): Promise<MaintenanceResult>;
  authorise(request: AuthoriseRequest): Promise<AcquirerResult>;
  /** Finishes a `challenge_required` authorisation; never answers `challenge_required` again. */
  completeChallenge(request: CompleteChallengeRequest): Promise<AcquirerResult>;
  /** The status query, by Varco's reference of the order; used to settle interrupted payments. */
  status(orderRef: string): Promise<AcquirerStatus>;
  /** The operation status query; used to settle operations whose answer was lost (uncertain). */
  operationStatus(operationRef: string): Promise<OperationStatus>;
}
