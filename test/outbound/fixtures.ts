// Shared material for the outbound tests: Varco's platform CA and client certificate, and an
// organisation's PKI (root → intermediate → server leaf for localhost), all made per test file.
import { startPeer, makeCa, makeLeaf, type Peer, type PeerOptions, type TestCertificate } from '../support/tls-peers.ts';
import type { ClientIdentity, ClientMode, Endpoint, TrustStore } from '../../src/modules/outbound/index.ts';

export interface World {
  platformCa: TestCertificate;
  platformClient: TestCertificate;
  identity: ClientIdentity;
  orgRoot: TestCertificate;
  orgIntermediate: TestCertificate;
  /** Server certificate for `localhost`, issued by the intermediate. */
  orgLeaf: TestCertificate;
  trust: TrustStore;
}

export async function makeWorld(): Promise<World> {
  const platformCa = await makeCa({ name: 'Varco Test Platform CA' });
  const platformClient = await makeLeaf({ issuer: platformCa, commonName: 'client.varco.test', usage: 'client' });
  const orgRoot = await makeCa({ name: 'Org Root CA' });
  const orgIntermediate = await makeCa({ name: 'Org Issuing CA 1', issuer: orgRoot });
  const orgLeaf = await makeLeaf({ issuer: orgIntermediate, commonName: 'localhost', altNames: ['localhost'] });
  return {
    platformCa,
    platformClient,
    orgRoot,
    orgIntermediate,
    orgLeaf,
    identity: { certChainPem: platformClient.certPem + platformCa.certPem, keyPem: platformClient.keyPem },
    trust: { roots: [orgRoot.certPem] },
  };
}

/** A well-configured organisation: full chain served, Varco's platform CA trusted for client certificates. */
export function goodPeer(world: World, overrides: Partial<PeerOptions> = {}): Promise<Peer> {
  return startPeer({ leaf: world.orgLeaf, chain: [world.orgIntermediate], clientCas: [world.platformCa.certPem], ...overrides });
}

export function endpointOf(peer: Peer, overrides: Partial<Endpoint> = {}): Endpoint {
  return { url: peer.url('/service'), ip: peer.host, port: peer.port, connectTimeoutMs: 2000, responseTimeoutMs: 2000, ...overrides };
}

/** A client presenting the world's platform client certificate (what the station caller builds). */
export function mutual(world: World): ClientMode {
  return { kind: 'mutual', identity: () => world.identity };
}
