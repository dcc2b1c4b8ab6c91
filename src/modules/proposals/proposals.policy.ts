import type { Environment, ProposalParams, ProposalState, ProposalView } from './proposals.types.ts';

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

/**
 * A link to another organisation's station as a proposal stores it, from the registry's link input (the
 * back office's form, `varco ec link`): absent codes as ''. Undefined for an environment that is neither
 * test nor prod, which the registry refuses itself.
 */
export function partnerLinkParams(input: {
  env: string;
  organisationId: string;
  stationCode: string;
  auxDigit: string;
  segregationCode?: string | undefined;
  applicationCode?: string | undefined;
  version?: string | undefined;
}): ProposalParams['pagopa.partner_link'] | undefined {
  const { env } = input;
  if (env !== 'test' && env !== 'prod') return undefined;
  return {
    env,
    organisationId: input.organisationId,
    stationCode: input.stationCode,
    auxDigit: input.auxDigit,
    segregationCode: input.segregationCode ?? '',
    applicationCode: input.applicationCode ?? '',
    version: input.version ?? '',
  };
}
