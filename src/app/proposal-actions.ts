import { createHash, X509Certificate } from 'node:crypto';
import { fail, ok, type Result } from '../kernel/errors.ts';
import type { ActionHandlers, Decider, SubjectDescription } from '../modules/proposals/index.ts';
import {
  ENDPOINT_PROBLEM_TEXT,
  STATION_PROBLEM_TEXT,
  TRUST_PROBLEM_TEXT,
  type PlatformCertificates,
  type StationProblem,
  type StationsService,
  type TrustService,
} from '../modules/stations/index.ts';
import {
  allowedActions,
  keysManageable,
  MAX_OVERLAP_HOURS,
  overlapAllowed,
  type KeysService,
  type SubscriptionsService,
} from '../modules/subscriptions/index.ts';
import { checkLinkKey, REGISTRY_PROBLEM_TEXT, type EcsService } from '../modules/pagopa-registry/index.ts';

// The four-eyes actions (docs/adr/0034-four-eyes.md), each run through its owning module's existing
// use case: read the subject when proposed (environment, organisation, whether it can be done now),
// and execute as the approving administrator. The composition root gives them to the proposals module,
// which thus imports no other module.

export interface ProposalActionDeps {
  subscriptions: SubscriptionsService;
  apiKeys: KeysService;
  stations: StationsService;
  trust: TrustService;
  platformCertificates: PlatformCertificates;
  /** An organisation's name (a CA trusted for one organisation names it). */
  organisationName: (id: string) => Promise<string | undefined>;
  /** The pagoPA registry's EC links (a link to another organisation's station). */
  ecs: Pick<EcsService, 'link'>;
}

const actorOf = (d: Decider) => ({ type: d.type, id: d.id, ip: d.ip });

async function describeSubscription(deps: ProposalActionDeps, subscriptionId: string): Promise<SubjectDescription> {
  const s = await deps.subscriptions.get(subscriptionId);
  if (!s) return {};
  return {
    organisation: s.organisation_name,
    name: s.name,
    href: `/admin/subscriptions/${s.id}`,
    facts: [{ label: 'product', value: `${s.product_name} (${s.product_code})` }],
  };
}
/**
 * The comment the execution will record for the organisation to read (the subscription's state comment, the
 * station review's note): shown to the approver, who must see everything their approval publishes.
 */
function withComment(described: SubjectDescription, comment: string | undefined): SubjectDescription {
  const text = comment?.trim() ?? '';
  return text === '' ? described : { ...described, facts: [...(described.facts ?? []), { label: 'comment', value: text }] };
}
const problem = (reason: string, message?: string): Result<string, string> => fail(reason, message);
const stationProblemText = (reason: StationProblem): string => ({ ...ENDPOINT_PROBLEM_TEXT, ...STATION_PROBLEM_TEXT })[reason];

export function proposalActions(deps: ProposalActionDeps): ActionHandlers {
  return {
    'subscription.approve': {
      resolve: async ({ subscriptionId }) => {
        const s = await deps.subscriptions.get(subscriptionId);
        if (!s) return undefined;
        const ready = allowedActions(s.state, 'admin').includes('approve');
        return {
          environment: s.environment,
          subjectType: 'subscription',
          subjectId: s.id,
          organisationId: s.organisation_id,
          ...(ready ? {} : { problem: `The subscription is ${s.state}: it is not waiting for approval.` }),
        };
      },
      execute: async ({ subscriptionId, comment }, decider) => {
        const result = await deps.subscriptions.change(subscriptionId, 'approve', actorOf(decider), { comment });
        return result.ok ? ok(`subscription ${subscriptionId} is ${result.value.state}`) : problem(result.reason);
      },
      describe: async ({ subscriptionId, comment }) => withComment(await describeSubscription(deps, subscriptionId), comment),
    },
    // Undoing a suspension (fraud, a leaked key) takes a second administrator, like granting production access.
    'subscription.reactivate': {
      resolve: async ({ subscriptionId }) => {
        const s = await deps.subscriptions.get(subscriptionId);
        if (!s) return undefined;
        const ready = allowedActions(s.state, 'admin').includes('reactivate');
        return {
          environment: s.environment,
          subjectType: 'subscription',
          subjectId: s.id,
          organisationId: s.organisation_id,
          ...(ready ? {} : { problem: `The subscription is ${s.state}: it is not suspended.` }),
          // Why it was suspended, kept in the proposal: whoever proposes (back office or CLI) need not read it.
          ...(s.state_comment ? { keep: { suspendedBecause: s.state_comment } } : {}),
        };
      },
      execute: async ({ subscriptionId, comment }, decider) => {
        const result = await deps.subscriptions.change(subscriptionId, 'reactivate', actorOf(decider), { comment });
        return result.ok ? ok(`subscription ${subscriptionId} is ${result.value.state}`) : problem(result.reason);
      },
      // The reason as it was when proposed (stored in the proposal): reactivating clears it, and a later
      // suspension must not rewrite what this approval was about.
      describe: async ({ subscriptionId, suspendedBecause, comment }) => {
        const described = await describeSubscription(deps, subscriptionId);
        const why = suspendedBecause
          ? { ...described, facts: [...(described.facts ?? []), { label: 'suspendedBecause' as const, value: suspendedBecause }] }
          : described;
        return withComment(why, comment);
      },
    },
    // The proposal approves one version: the one the proposer saw (the back office form names it) or,
    // when they named none (the CLI), the one waiting when proposed. An edit after the proposal
    // supersedes it, and the approval then fails instead of approving a version nobody proposed.
    'station.approve': {
      resolve: async ({ stationId, versionId }) => {
        const detail = await deps.stations.detail(stationId);
        if (!detail) return undefined;
        const pinned = versionId ?? detail.pending?.id;
        const ready = pinned !== undefined && detail.pending?.id === pinned && detail.pending.state === 'to_check';
        return {
          environment: detail.station.environment,
          subjectType: 'station',
          // One pending proposal per version: a stale one (its version superseded) does not hold back the next.
          subjectId: `${stationId}:${pinned ?? ''}`,
          organisationId: detail.station.organisation_id,
          ...(ready ? {} : { problem: STATION_PROBLEM_TEXT[versionId === undefined ? 'nothing_to_review' : 'invalid_state_transition'] }),
          ...(pinned === undefined ? {} : { keep: { versionId: pinned } }),
        };
      },
      execute: async ({ stationId, versionId, note }, decider) => {
        // Proposed before versions were pinned: which version the proposer saw is unknown.
        if (versionId === undefined) return problem('invalid_state_transition', 'The proposal names no version of the station: propose it again.');
        const result = await deps.stations.review(stationId, versionId, 'approve', note, actorOf(decider));
        return result.ok ? ok(`station ${stationId} version ${versionId} approved`) : problem(result.reason, stationProblemText(result.reason));
      },
      // The proposed version, as the approver must check it (both endpoints), and whether it still waits.
      describe: async ({ stationId, versionId, note }) => {
        const detail = await deps.stations.detail(stationId);
        if (!detail) return {};
        const version = versionId === undefined ? (detail.pending ?? detail.approved) : detail.versions.find((v) => v.id === versionId);
        const endpoint = (url: string, ip: string, port: number) => `${url} (${ip}:${String(port)})`;
        return withComment(
          {
            organisation: detail.organisationName,
            name: detail.station.code,
            href: `/admin/stations/${stationId}`,
            facts: version
              ? [
                  { label: 'version', value: `${String(version.version)} (${version.state})` },
                  { label: 'endpoint', value: endpoint(version.primary_url, version.primary_ip, version.primary_port) },
                  ...(version.secondary_url !== null && version.secondary_ip !== null && version.secondary_port !== null
                    ? [{ label: 'secondaryEndpoint' as const, value: endpoint(version.secondary_url, version.secondary_ip, version.secondary_port) }]
                    : []),
                ]
              : [],
          },
          note,
        );
      },
    },
    'api_key.regenerate': {
      resolve: async ({ subscriptionId, organisationId, slot, overlapHours }) => {
        const s = await deps.subscriptions.get(subscriptionId, organisationId);
        if (!s) return undefined;
        // Refused now, not after approval: a proposal bound to fail would hold the slot's one pending place.
        const problem = !keysManageable(s.state)
          ? `The subscription is ${s.state}: its keys cannot be regenerated.`
          : overlapAllowed(overlapHours)
            ? undefined
            : `The overlap must be a whole number of hours from 0 to ${String(MAX_OVERLAP_HOURS)}.`;
        return {
          environment: s.environment,
          subjectType: 'api_key_slot',
          // One pending regeneration per slot.
          subjectId: `${s.id}:${slot}`,
          organisationId: s.organisation_id,
          ...(problem === undefined ? {} : { problem }),
        };
      },
      // The key is made at the referent's Reveal, never here: the approver does not see it.
      execute: async ({ subscriptionId, organisationId, slot, overlapHours }, decider) => {
        const result = await deps.apiKeys.regenerateForReveal(subscriptionId, slot, overlapHours, actorOf(decider), organisationId);
        if (!result.ok) return problem(result.reason);
        return ok(`${slot} key ${result.value.keyId} waits to be revealed by the referent`);
      },
      describe: async ({ subscriptionId }) => describeSubscription(deps, subscriptionId),
    },
    'trust.add': {
      resolve: async ({ environment, pem, scope }) => {
        const checked = await deps.trust.checkAdd(environment, pem, scope);
        // An unreadable certificate still needs a subject: its text's hash.
        const subjectId = checked.ok ? checked.value.fingerprint : createHash('sha256').update(pem).digest('hex');
        return {
          environment,
          subjectType: 'trusted_ca',
          subjectId: `${'organisationId' in scope ? scope.organisationId : '*'}:${subjectId}`,
          organisationId: 'organisationId' in scope ? scope.organisationId : null,
          ...(checked.ok ? {} : { problem: TRUST_PROBLEM_TEXT[checked.reason] }),
        };
      },
      execute: async ({ environment, pem, scope }, decider) => {
        const result = await deps.trust.add(environment, pem, scope, actorOf(decider));
        return result.ok
          ? ok(`CA ${result.value.subject} (SHA-256 ${result.value.fingerprint}) trusted`)
          : problem(result.reason, TRUST_PROBLEM_TEXT[result.reason]);
      },
      // The certificate itself, read from the proposal's PEM: the approver sees what they would trust.
      describe: async ({ pem, scope }) => {
        const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
        const cert = first === undefined ? undefined : new X509Certificate(first);
        const organisation = 'organisationId' in scope ? await deps.organisationName(scope.organisationId) : undefined;
        return {
          ...(organisation === undefined ? {} : { organisation }),
          facts: cert
            ? [
                { label: 'subject', value: cert.subject.replace(/\n/g, ', ') },
                { label: 'issuer', value: cert.issuer.replace(/\n/g, ', ') },
                { label: 'fingerprint', value: cert.fingerprint256 },
                { label: 'validUntil', value: new Date(cert.validTo).toISOString().slice(0, 10) },
              ]
            : [],
        };
      },
    },
    // An EC's notices routed to another organisation's station (its technology partner): that station gets
    // the EC's paGetPayment calls and receipts. The registry checks the link again when it runs.
    'pagopa.partner_link': {
      resolve: async (p) => {
        // A routing key the registry would refuse is refused when proposing, not after the approval.
        const key = checkLinkKey(p);
        return {
          environment: p.env,
          subjectType: 'pagopa_ec_link',
          subjectId: `${p.organisationId}:${p.env}:${p.stationCode}:${p.auxDigit}:${p.segregationCode}:${p.applicationCode}`,
          organisationId: p.organisationId,
          ...(key.ok ? {} : { problem: key.problems.map((r) => REGISTRY_PROBLEM_TEXT[r]).join(' ') }),
        };
      },
      execute: async (p, decider) => {
        const result = await deps.ecs.link(p, actorOf(decider), { otherOrganisationStation: true });
        if (result.ok) return ok(`EC linked to station ${p.stationCode}`);
        const reasons = result.problems.length > 0 ? result.problems : [result.problem];
        return problem(reasons.join(', '), reasons.map((r) => REGISTRY_PROBLEM_TEXT[r]).join(' '));
      },
      describe: async (p) => {
        const organisation = await deps.organisationName(p.organisationId);
        const routing = [
          `aux digit ${p.auxDigit}`,
          p.segregationCode ? `segregation code ${p.segregationCode}` : '',
          p.applicationCode ? `application code ${p.applicationCode}` : '',
          `version ${p.version || '1'}`,
        ]
          .filter((x) => x !== '')
          .join(', ');
        return { ...(organisation === undefined ? {} : { organisation }), name: p.stationCode, facts: [{ label: 'endpoint', value: routing }] };
      },
    },
    'pki.rotate_client': {
      resolve: async ({ environment }) => ({ environment, subjectType: 'platform_certificate', subjectId: `client:${environment}`, organisationId: null }),
      execute: async ({ environment }, decider) => {
        const result = await deps.platformCertificates.rotate(environment, actorOf(decider));
        return ok(
          result.created
            ? `next ${environment} client certificate published (SHA-256 ${result.info.fingerprintSha256}); ${result.notified} referents e-mailed`
            : `a next ${environment} client certificate was already published (SHA-256 ${result.info.fingerprintSha256})`,
        );
      },
    },
  };
}
