// Hand-off helpers: what an operator gives to a peer, and what `varco pki show`
// prints. Neither ever touches private keys.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DevPki, PkiEnvironment } from './dev-pki.ts';
import { describeCertificate, splitPemChain } from './inspect.ts';
import type { CertificateInfo } from './inspect.ts';

export type CertificateName = 'server' | 'test-ca' | 'test-client' | 'prod-ca' | 'prod-client';

export interface ListedCertificate {
  name: CertificateName;
  info: CertificateInfo;
}

/**
 * Writes the files a peer needs to trust this platform in `env`: the CA (to
 * pin) and the client chain (to allow-list our client certificate). Returns
 * the written paths.
 */
export async function exportEnvironment(pki: DevPki, env: PkiEnvironment, outDir: string): Promise<string[]> {
  const material = pki.envs[env];
  const caPath = join(outDir, `varco-${env}-ca.pem`);
  const chainPath = join(outDir, `varco-${env}-client-chain.pem`);
  await mkdir(outDir, { recursive: true });
  // Re-serialise through splitPemChain so only CERTIFICATE blocks can end up
  // in the files, whatever the in-memory strings contain.
  await writeFile(caPath, splitPemChain(material.caCertPem).join(''), { mode: 0o644 });
  await writeFile(chainPath, splitPemChain(material.clientChainPem).join(''), { mode: 0o644 });
  return [caPath, chainPath];
}

export function listCertificates(pki: DevPki): ListedCertificate[] {
  return [
    { name: 'server', info: describeCertificate(pki.server.certPem) },
    { name: 'test-ca', info: describeCertificate(pki.envs.test.caCertPem) },
    { name: 'test-client', info: describeCertificate(pki.envs.test.clientCertPem) },
    { name: 'prod-ca', info: describeCertificate(pki.envs.prod.caCertPem) },
    { name: 'prod-client', info: describeCertificate(pki.envs.prod.clientCertPem) },
  ];
}
