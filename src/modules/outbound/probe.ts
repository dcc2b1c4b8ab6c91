// The harmless request of reachability verification: `POST` of a small JSON body signed with the
// platform client key, so an organisation can tell a genuine Varco probe from anything else
// reaching its service (it already knows our client certificate from the portal download).
import { createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { newId } from '../../kernel/ids.ts';
import { splitPemChain } from '../../pki/index.ts';
import type { ClientIdentity } from './outbound.types.ts';

export const PROBE_SIGNATURE_HEADER = 'varco-signature';
export const PROBE_FINGERPRINT_HEADER = 'varco-certificate-fingerprint';

export interface ProbeSignature {
  /** Base64 signature over the exact body bytes: ECDSA-SHA256 (DER) for EC keys, RSASSA-PKCS1-v1_5 SHA-256 for RSA. */
  signature: string;
  /** SHA-256 of the signing certificate, colon-separated upper-case hex as OpenSSL prints it. */
  certificateFingerprint: string;
}

export type ProbeSigner = (body: string) => ProbeSignature;

export interface ProbeMessage {
  type: 'varco.ping';
  id: string;
  sentAt: string;
}

export function probeBody(now: Date): string {
  const message: ProbeMessage = { type: 'varco.ping', id: newId('ver', now.getTime()), sentAt: now.toISOString() };
  return JSON.stringify(message);
}

export function createProbeSigner(identity: ClientIdentity): ProbeSigner {
  const key = createPrivateKey(identity.keyPem);
  const leafPem = splitPemChain(identity.certChainPem)[0];
  if (leafPem === undefined) throw new Error('the client identity has no certificate');
  const certificateFingerprint = new X509Certificate(leafPem).fingerprint256;
  // 'sha256' with an EC key is ECDSA-SHA256; with an RSA key node uses PKCS#1 v1.5 padding.
  return (body) => ({ signature: sign('sha256', Buffer.from(body, 'utf8'), key).toString('base64'), certificateFingerprint });
}

export function probeHeaders(signature: ProbeSignature): Record<string, string> {
  return {
    'content-type': 'application/json',
    [PROBE_SIGNATURE_HEADER]: signature.signature,
    [PROBE_FINGERPRINT_HEADER]: signature.certificateFingerprint,
  };
}

/**
 * What a receiver does with a probe: check the fingerprint names the Varco certificate it knows,
 * then the signature over the body as received. Exported for organisations' test peers and ours.
 */
export function verifyProbeSignature(body: string | Buffer, headers: Record<string, string | string[] | undefined>, certificatePem: string): boolean {
  const signature = headers[PROBE_SIGNATURE_HEADER];
  const fingerprint = headers[PROBE_FINGERPRINT_HEADER];
  if (typeof signature !== 'string' || typeof fingerprint !== 'string') return false;
  const certificate = new X509Certificate(certificatePem);
  if (certificate.fingerprint256 !== fingerprint) return false;
  return verify('sha256', typeof body === 'string' ? Buffer.from(body, 'utf8') : body, certificate.publicKey, Buffer.from(signature, 'base64'));
}
