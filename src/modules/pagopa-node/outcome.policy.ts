import { createHash } from 'node:crypto';
import type { PptFaultCode, RequestOf } from '../../protocols/pagopa/index.ts';
import type { EcPayment } from './activate.policy.ts';

// The late-outcome rules of sendPaymentOutcome[V2], pure: one token's row (as locked in the outcome's
// transaction) + the PSP's outcome + the time → accept, replay, or the fault code.
//
// - unknown token, another PSP's token, or one never handed out (activating, failed, or swept before
//   it was ever active) → PPT_TOKEN_SCONOSCIUTO (another PSP learns nothing about it);
// - an outcome already recorded → PPT_ESITO_GIA_ACQUISITO, unless it is the same request with the
//   same idempotencyKey (a retry after a lost answer): then the same OK, and nothing is done twice;
//   the same key with a different request → PPT_ERRORE_IDEMPOTENZA (the reference's idempotency rule);
// - a token past its expiry: KO → PPT_TOKEN_SCADUTO_KO (nothing left to cancel); OK → accepted while
//   no later activation has taken the notice (the row is still `active`: any later activation expires
//   it in the transaction that inserts its own token), else PPT_TOKEN_SCADUTO;
// - a live token → accepted.

export type PaymentState = 'activating' | 'active' | 'failed' | 'paid' | 'ko' | 'expired';

export interface TokenRow {
  state: PaymentState;
  expiresAt: Date;
  /** Whether the EC's payment data is stored, i.e. the token was ever given to the PSP. */
  everActive: boolean;
  pspOrganisationId: string;
  idPsp: string;
  outcomeIdempotencyKey: string | null;
  outcomeDigest: string | null;
}

export interface OutcomeAsked {
  outcome: 'OK' | 'KO';
  organisationId: string;
  idPsp: string;
  idempotencyKey: string | undefined;
  digest: string;
  now: Date;
}

export type OutcomeVerdict = { kind: 'accept'; late: boolean } | { kind: 'replay' } | { kind: 'refuse'; faultCode: PptFaultCode };

export function outcomeVerdict(row: TokenRow | undefined, asked: OutcomeAsked): OutcomeVerdict {
  if (row === undefined || row.pspOrganisationId !== asked.organisationId || row.idPsp !== asked.idPsp)
    return { kind: 'refuse', faultCode: 'PPT_TOKEN_SCONOSCIUTO' };
  switch (row.state) {
    case 'activating':
    case 'failed':
      return { kind: 'refuse', faultCode: 'PPT_TOKEN_SCONOSCIUTO' };
    case 'paid':
    case 'ko': {
      const sameKey = asked.idempotencyKey !== undefined && row.outcomeIdempotencyKey === asked.idempotencyKey;
      if (!sameKey) return { kind: 'refuse', faultCode: 'PPT_ESITO_GIA_ACQUISITO' };
      return row.outcomeDigest === asked.digest ? { kind: 'replay' } : { kind: 'refuse', faultCode: 'PPT_ERRORE_IDEMPOTENZA' };
    }
    case 'expired':
      if (!row.everActive) return { kind: 'refuse', faultCode: 'PPT_TOKEN_SCONOSCIUTO' };
      return { kind: 'refuse', faultCode: asked.outcome === 'KO' ? 'PPT_TOKEN_SCADUTO_KO' : 'PPT_TOKEN_SCADUTO' };
    case 'active': {
      const late = row.expiresAt.getTime() <= asked.now.getTime();
      if (late && asked.outcome === 'KO') return { kind: 'refuse', faultCode: 'PPT_TOKEN_SCADUTO_KO' };
      return { kind: 'accept', late };
    }
  }
}

type OutcomeRequest = RequestOf<'sendPaymentOutcome'> | RequestOf<'sendPaymentOutcomeV2'>;

/** Same request for the outcome's idempotency: everything but the password and the key. */
export function outcomeDigest(op: 'sendPaymentOutcome' | 'sendPaymentOutcomeV2', value: OutcomeRequest): string {
  const tokens = 'paymentTokens' in value ? value.paymentTokens.paymentToken : [value.paymentToken];
  const canonical = [op, value.idPSP, value.idBrokerPSP, value.idChannel, tokens, value.outcome, value.details ?? null];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * The transfers of a token's payment that ask for a digital stamp (richiestaMarcaDaBollo) which the
 * PSP's OK outcome does not deliver (marcheDaBollo: its MBDAttachment for that token and transfer).
 * The EC's receipt needs each stamp, so an OK without one is refused (PPT_SEMANTICA) instead of being
 * accepted with a receipt that can never be built. sendPaymentOutcome (version 1) carries no stamps.
 */
export function stampsMissing(payment: EcPayment | null, token: string, value: OutcomeRequest): number[] {
  const transfers: ReadonlyArray<{ idTransfer: number; richiestaMarcaDaBollo?: unknown }> = payment?.data.transferList.transfer ?? [];
  const stamps = ('paymentTokens' in value ? value.details?.marcheDaBollo?.marcaDaBollo : undefined) ?? [];
  return transfers
    .filter((t) => t.richiestaMarcaDaBollo !== undefined && !stamps.some((m) => m.paymentToken === token && m.idTransfer === t.idTransfer))
    .map((t) => t.idTransfer);
}
