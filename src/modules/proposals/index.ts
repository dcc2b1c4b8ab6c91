import { createProposalsService, type ProposalsService } from './proposals.service.ts';

// Public surface of the proposals module (four-eyes, docs/adr/0034-four-eyes.md): the service, its
// types, and the periodic job that expires unanswered proposals. The actions themselves are run by
// handlers the composition root gives (src/app/proposal-actions.ts), so this module imports no other.

export { createProposalsService };
export type { ProposalsService, ProposalsOptions, GateOutcome } from './proposals.service.ts';
export { effectiveState, fourEyesApplies, partnerLinkParams } from './proposals.policy.ts';
export { PROPOSAL_KINDS, PROPOSAL_STATES } from './proposals.types.ts';
export type {
  ActionHandler,
  ActionHandlers,
  Decider,
  DecideProblem,
  ProposalKind,
  ProposalParams,
  ProposalState,
  ProposalSubject,
  ProposalView,
  ProposedAction,
  Proposer,
  SubjectDescription,
} from './proposals.types.ts';

export const PROPOSAL_EXPIRY_JOB = 'proposals.expire';

/** The job that expires unanswered proposals, in the one scheduler of src/app/jobs.ts (its shape). */
export function proposalExpiryJob(proposals: Pick<ProposalsService, 'expire'>, everyMs = 15 * 60_000) {
  return { name: PROPOSAL_EXPIRY_JOB, everyMs, run: async (now: Date) => ({ expired: await proposals.expire(now) }) };
}
