import { createDestinationPolicy, type DestinationPolicy } from '../../src/modules/outbound/index.ts';

// The one place the test suite allows outbound calls to loopback: its TLS peers listen on
// 127.0.0.x, which Varco refuses unless VARCO_OUTBOUND_ALLOW_CIDRS allows it (local development
// does the same). testConfig() and the child processes (server, worker, CLI) get it by default;
// a test of the refusals passes VARCO_OUTBOUND_ALLOW_CIDRS: '' (empty: public addresses only).

export const TEST_OUTBOUND_ALLOW_CIDRS = '127.0.0.0/8';

export const TEST_OUTBOUND_ENV = { VARCO_OUTBOUND_ALLOW_CIDRS: TEST_OUTBOUND_ALLOW_CIDRS } as const;

/**
 * Four-eyes (issue 16) is off in tests unless a test turns it on (test/proposals, test/e2e/four-eyes):
 * the other tests exercise the production actions themselves with one administrator, as before.
 */
export const TEST_FOUR_EYES_ENV = { VARCO_FOUR_EYES: 'false' } as const;

/** The policy a Varco configured with TEST_OUTBOUND_ENV builds, for tests that drive the outbound module directly. */
export function testDestinations(): DestinationPolicy {
  return createDestinationPolicy({ allowCidrs: [TEST_OUTBOUND_ALLOW_CIDRS] });
}
