import type { Result } from '../../kernel/errors.ts';

// What a proposal stores and who acts on it. `params` is the owning use case's input as JSON, and
// never a secret: a regenerated key is made only when the proposal executes (docs/adr/0034-four-eyes.md).

export type Environment = 'test' | 'prod';

export const PROPOSAL_KINDS = [
  'subscription.approve',
  'subscription.reactivate',
  'station.approve',
  'api_key.regenerate',
  'trust.add',
  'pki.rotate_client',
  'pagopa.partner_link',
] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

export const PROPOSAL_STATES = ['pending', 'approved', 'rejected', 'expired', 'executed', 'failed'] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

/** The input of each action's use case, as stored in the proposal row. */
export interface ProposalParams {
  'subscription.approve': { subscriptionId: string; comment: string };
  /** `suspendedBecause`: the suspension's reason when proposed, kept so the proposal shows what the approver read. */
  'subscription.reactivate': { subscriptionId: string; comment: string; suspendedBecause?: string };
  /** `versionId`: the version proposed (the one the proposer saw, or the one waiting when proposed); only it is approved. */
  'station.approve': { stationId: string; note: string; versionId?: string };
  'api_key.regenerate': { subscriptionId: string; organisationId: string; slot: 'primary' | 'secondary'; overlapHours: number };
  'trust.add': { environment: Environment; pem: string; scope: { organisationId: string } | { allOrganisations: true } };
  'pki.rotate_client': { environment: Environment };
  /** An EC's link to another organisation's station (the registry's LinkInput, production). */
  'pagopa.partner_link': {
    env: Environment;
    organisationId: string;
    stationCode: string;
    auxDigit: string;
    segregationCode: string;
    applicationCode: string;
    version: string;
  };
}

export type ProposedAction = { [K in ProposalKind]: { kind: K; params: ProposalParams[K] } }[ProposalKind];

/** Who proposes: an administrator (back office or CLI) or, for a key regeneration, the organisation's referent. */
export interface Proposer {
  type: 'admin' | 'referent' | 'cli';
  id: string;
  email: string;
  ip: string | null;
}

/** Who decides: always a named administrator, in the back office or through the CLI (`--as`). */
export interface Decider {
  type: 'admin' | 'cli';
  id: string;
  email: string;
  ip: string | null;
}

/** What the action is about, read from its owner when it is proposed. */
export interface ProposalSubject {
  environment: Environment;
  subjectType: string;
  subjectId: string;
  organisationId: string | null;
  /** Set when the action cannot be done now (e.g. the subscription is not waiting for approval). */
  problem?: string;
}

/** How the composition root runs one kind of action through its owning module's existing use case. */
export interface ActionHandler<K extends ProposalKind> {
  /**
   * The subject of the action; undefined when it does not exist (the caller's immediate path reports that).
   * `keep`: what the proposal stores beside the caller's params, read from the subject as it is now (the
   * approver reads it as it was when proposed).
   */
  resolve(params: ProposalParams[K]): Promise<(ProposalSubject & { keep?: Partial<ProposalParams[K]> }) | undefined>;
  /** Runs the use case as the approving administrator; the value is a short outcome without secrets. */
  execute(params: ProposalParams[K], actor: Decider): Promise<Result<string, string>>;
  /** What the approver must see to decide: the subject's names and facts, read from its owner now. */
  describe?(params: ProposalParams[K]): Promise<SubjectDescription>;
}

/** The subject of a proposal as its owner describes it (values, not sentences: the page labels them). */
export interface SubjectDescription {
  /** The organisation's name, when the subject belongs to one. */
  organisation?: string;
  /** The subject's own name: a subscription's name and product, a station's code. */
  name?: string;
  /** Its page in the back office. */
  href?: string;
  /** Technical facts, shown as they are (a CA's subject, SHA-256 fingerprint, validity). */
  facts?: ReadonlyArray<{
    label:
      | 'subject'
      | 'issuer'
      | 'fingerprint'
      | 'validUntil'
      | 'product'
      | 'environment'
      | 'version'
      | 'endpoint'
      | 'secondaryEndpoint'
      | 'suspendedBecause'
      | 'comment';
    value: string;
  }>;
}

export type ActionHandlers = { [K in ProposalKind]: ActionHandler<K> };

export interface ProposalView {
  id: string;
  kind: ProposalKind;
  environment: Environment;
  subjectType: string;
  subjectId: string;
  organisationId: string | null;
  params: ProposalParams[ProposalKind];
  /** As stored; a pending proposal past its expiry shows as `expired` (the periodic job writes it). */
  state: ProposalState;
  proposer: { type: Proposer['type']; id: string; email: string };
  decider: { type: Decider['type']; id: string; email: string } | null;
  comment: string | null;
  outcome: string | null;
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
  finishedAt: Date | null;
}

export type DecideProblem = 'not_found' | 'own_proposal' | 'expired' | 'already_decided' | 'comment_required';
