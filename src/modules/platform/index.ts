// Public surface of the platform module: the installation-wide settings (platform_settings) and the
// platform PKI shared by every instance on the database — CAs and client certificates (current, next,
// retired) with private keys sealed by the master key — plus each instance's development HTTPS
// certificate, issued by the shared test CA (docs/adr/0024-platform-module.md).

export { claimMasterKeyId, recordedMasterKeyId } from './settings.repository.ts';
export { createPlatformPki, platformPkiCreated } from './pki.service.ts';
export type { InTransaction, PlatformIdentity, PlatformMaterial, PlatformPki, PlatformPkiOptions } from './pki.service.ts';
export type { EnsureReport } from './pki.bootstrap.ts';
export { ensureServerCertificate, serverCertificatePaths } from './server-certificate.ts';
export type { ServerCertificate } from './server-certificate.ts';
