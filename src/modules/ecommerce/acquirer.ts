/**
 * The acquirer seen by the hosted page: authorise a card payment, possibly after a 3-D Secure
 * challenge. `test` uses the built-in twin (test-acquirer.ts); `prod` needs a real processor.
 *
 * Outcomes are values, not errors (a refused card is an expected result). An implementation
 * throws only for its own bugs; a processor that cannot be reached is `technical_error`, one that
 * was reached but whose answer was lost is `uncertain` (the money may have moved: no retry).
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
  readonly challenge: AcquirerChallenge;
  readonly amount: number;
  readonly currency: string;
  readonly operation: Operation;
  /** What the customer did on the challenge page. Abandoning it is a cancellation, not sent here. */
  readonly authenticated: boolean;
}

export interface Acquirer {
  /** For logs and the order record, e.g. `test`. */
  readonly name: string;
  authorise(request: AuthoriseRequest): Promise<AcquirerResult>;
  /** Finishes a `challenge_required` authorisation; never answers `challenge_required` again. */
  completeChallenge(request: CompleteChallengeRequest): Promise<AcquirerResult>;
}
