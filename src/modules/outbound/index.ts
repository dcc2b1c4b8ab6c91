// Public surface of the outbound module: the one client every call out of Varco goes through
// (plain or mutual TLS), the destination policy every connection obeys, the server-certificate
// checks, and reachability verification. See docs/adr/0006-outbound-client.md and 0012-outbound-tenancy.md.
export { createOutboundClient } from './client.ts';
export { createHostResolver } from './host-resolver.ts';
export type { HostResolverOptions } from './host-resolver.ts';
export type { ClientMode, OutboundCall, OutboundClient, OutboundClientOptions, OutboundStats } from './client.ts';
export { createDestinationPolicy, describeRefusal, ownInterfaceAddresses, parseAddress } from './destination.policy.ts';
export type { DestinationPolicy, DestinationPolicyOptions, DestinationRefusal, DestinationVerdict } from './destination.policy.ts';
export type { EndpointHealth } from './health.ts';
export { checkServerCertificate, CHECK_SENTENCES } from './certificates.ts';
export type { CertificateCheck, CertificateCheckName, CheckSentence, ServerCertificateInput } from './certificates.ts';
export { verifyEndpoint } from './reachability.ts';
export type { ReachabilityReport, VerifyEndpointOptions } from './reachability.ts';
export type { ReachabilityStep, ReachabilityStepName, Resolve } from './reachability.steps.ts';
// The sentences of verification, by code, for the pages that translate them (src/views/stations/step-text.ts).
export { STEP_SENTENCES, SKIP_REASONS, systemResolve } from './reachability.steps.ts';
export { FAILURE_SENTENCES, CERTIFICATE_MEANINGS } from './failure.ts';
export { HANDSHAKE_HOWS } from './handshake.ts';
export { createProbeSigner, probeBody, verifyProbeSignature, PROBE_FINGERPRINT_HEADER, PROBE_SIGNATURE_HEADER } from './probe.ts';
export type { ProbeMessage, ProbeSignature, ProbeSigner } from './probe.ts';
export { DEFAULT_TIMEOUT_MS, MIN_TLS_VERSION } from './connection.ts';
export type {
  ClientIdentity,
  Endpoint,
  EndpointRole,
  EndpointSet,
  FailureCategory,
  FailureSummary,
  OutboundEnv,
  OutboundFailure,
  OutboundLogger,
  OutboundRequest,
  OutboundResponse,
  OutboundResult,
  TrustStore,
} from './outbound.types.ts';
