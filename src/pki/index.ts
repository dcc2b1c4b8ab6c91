// Public surface of the development PKI. Other modules import from here only.
export { devPkiPaths, ensureDevPki, PKI_ENVIRONMENTS, serverAltNames } from './dev-pki.ts';
export type {
  DevPki,
  DevPkiPaths,
  EnsureDevPkiOptions,
  EnvPki,
  EnvPkiPaths,
  PkiEnvironment,
  ServerPki,
} from './dev-pki.ts';
export { exportEnvironment, listCertificates } from './export.ts';
export type { CertificateName, ListedCertificate } from './export.ts';
export { canonicalIp, describeCertificate, splitPemChain } from './inspect.ts';
export type { CertificateInfo } from './inspect.ts';
export { activateClient, nextClientPaths, readPlatformClient, rotateClient } from './client-rotation.ts';
export type { PlatformClientCertificate, PlatformClientMaterial } from './client-rotation.ts';
