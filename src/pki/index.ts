// Public surface of the PKI helpers: pure functions that issue, inspect and split certificates.
// No state: the platform CAs and client certificates live in the database (src/modules/platform).
export {
  createPlatformCa,
  issuedBy,
  issuePlatformClient,
  issueServerCertificate,
  keyMatches,
  PKI_ENVIRONMENTS,
  serverAltNames,
  serverNeedsRenewal,
} from './platform-certs.ts';
export type { PkiEnvironment } from './platform-certs.ts';
export type { IssuedPair, SigningCa } from './issue.ts';
export { exportFiles, listCertificates } from './export.ts';
export type { CertificateName, ListedCertificate, PublicEnvironment } from './export.ts';
export { canonicalIp, describeCertificate, splitPemChain } from './inspect.ts';
export type { CertificateInfo } from './inspect.ts';
