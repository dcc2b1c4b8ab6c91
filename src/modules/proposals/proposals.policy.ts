import type { Environment, ProposalState, ProposalView } from './proposals.types.ts';

// Pure decisions of four-eyes: when an action becomes a proposal, and what state a reader sees.

/** Only production changes wait for a second administrator, and only while four-eyes is on (VARCO_FOUR_EYES). */
export function fourEyesApplies(enabled: boolean, environment: Environment): boolean {
  return enabled && environment === 'prod';
}

/** A pending proposal past its expiry is expired for every reader, before the periodic job writes it. */
export function effectiveState(p: Pick<ProposalView, 'state' | 'expiresAt'>, now: Date): ProposalState {
  return p.state === 'pending' && p.expiresAt.getTime() <= now.getTime() ? 'expired' : p.state;
}

export function expiryOf(createdAt: Date, ttlHours: number): Date {
  return new Date(createdAt.getTime() + ttlHours * 3_600_000);
}
