// Hand-off helpers: what an operator gives to a peer, and what `varco pki show` prints. Pure: the
// caller brings the certificates (from the platform module) and writes the files. Never a private key.
import type { PkiEnvironment } from './platform-certs.ts';
import { describeCertificate, splitPemChain } from './inspect.ts';
import type { CertificateInfo } from './inspect.ts';

export type CertificateName = 'server' | 'test-ca' | 'test-client' | 'prod-ca' | 'prod-client';

export interface ListedCertificate {
  name: CertificateName;
  info: CertificateInfo;
}

/** The public certificates of one environment: its CA and the current client chain (leaf, then CA). */
export interface PublicEnvironment {
  caCertPem: string;
  clientChainPem: string;
}

/**
 * The files a peer needs to trust this platform in `env`: the CA (to pin) and the client chain
 * (to allow-list our client certificate). Re-serialised through splitPemChain so only CERTIFICATE
 * blocks can end up in them, whatever the strings given contain.
 */
export function exportFiles(material: PublicEnvironment, env: PkiEnvironment): Array<{ name: string; pem: string }> {
  return [
    { name: `varco-${env}-ca.pem`, pem: splitPemChain(material.caCertPem).join('') },
    { name: `varco-${env}-client-chain.pem`, pem: splitPemChain(material.clientChainPem).join('') },
  ];
}

/** The server certificate (when there is one to show) and each environment's CA and current client certificate, described. */
export function listCertificates(serverCertPem: string | undefined, envs: Record<PkiEnvironment, PublicEnvironment>): ListedCertificate[] {
  const leaf = (chain: string): string => splitPemChain(chain)[0] ?? chain;
  return [
    ...(serverCertPem === undefined ? [] : [{ name: 'server' as const, info: describeCertificate(serverCertPem) }]),
    { name: 'test-ca', info: describeCertificate(envs.test.caCertPem) },
    { name: 'test-client', info: describeCertificate(leaf(envs.test.clientChainPem)) },
    { name: 'prod-ca', info: describeCertificate(envs.prod.caCertPem) },
    { name: 'prod-client', info: describeCertificate(leaf(envs.prod.clientChainPem)) },
  ];
}
