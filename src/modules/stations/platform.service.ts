import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { AuditLog } from '../audit/index.ts';
import { activateClient, describeCertificate, readPlatformClient, rotateClient, type CertificateInfo, type DevPki, type PkiEnvironment } from '../../pki/index.ts';
import type { ClientIdentity } from '../outbound/index.ts';
import { createOrganisationsService } from '../organisations/index.ts';
import { mailReferents } from './stations.mail.ts';
import type { StationActor } from './stations.service.ts';

// Varco's platform client certificates (one per environment, from the development PKI): the
// identity calls to stations present, what the portal offers for download, and their rotation
// (publish the next one with an e-mail to every organisation; switch it in only when told).

export interface PlatformCertificatesOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  /** Directory of the development PKI (`<VARCO_DATA_DIR>/pki`). */
  pkiDir: string;
  /** Creates the PKI when missing (`ensureDevPki`); called once before the first read. */
  ensurePki: () => Promise<DevPki>;
  /** The HTTPS server certificate in use when it is not the development PKI's (VARCO_TLS_CERT). */
  serverCertificatePem?: () => Promise<string>;
}

export interface PublishedCertificate {
  info: CertificateInfo;
  /** Leaf followed by the platform CA. */
  chainPem: string;
}

export interface PlatformDownloads {
  caPem: string;
  ca: CertificateInfo;
  current: PublishedCertificate;
  next: PublishedCertificate | undefined;
}

export function createPlatformCertificates(options: PlatformCertificatesOptions) {
  const { db, clock, publicUrl, pkiDir, audit } = options;
  let ready: Promise<DevPki> | undefined;
  // Re-tried after a failure: a transient file-system error must not disable outbound calls for good.
  const ensure = async (): Promise<DevPki> => {
    ready ??= options.ensurePki().catch((error: unknown) => { ready = undefined; throw error; });
    return ready;
  };

  /** Read from disk at every call: an activation made by the CLI applies to running servers at once. */
  async function identity(env: PkiEnvironment): Promise<ClientIdentity> {
    await ensure();
    const material = await readPlatformClient(pkiDir, env);
    return { certChainPem: material.current.chainPem, keyPem: material.current.keyPem };
  }

  async function downloads(env: PkiEnvironment): Promise<PlatformDownloads> {
    await ensure();
    const material = await readPlatformClient(pkiDir, env);
    return {
      caPem: material.caCertPem,
      ca: describeCertificate(material.caCertPem),
      current: { info: describeCertificate(material.current.certPem), chainPem: material.current.chainPem },
      next: material.next === undefined ? undefined : { info: describeCertificate(material.next.certPem), chainPem: material.next.chainPem },
    };
  }

  /**
   * Publishes the next client certificate of `env` and e-mails every organisation's referents;
   * a next certificate already waiting is returned as it is, without e-mails.
   */
  async function rotate(env: PkiEnvironment, actor: StationActor): Promise<{ created: boolean; info: CertificateInfo; notified: number }> {
    await ensure();
    const { created, certPem } = await rotateClient(pkiDir, env, clock.now());
    const info = describeCertificate(certPem);
    if (!created) return { created, info, notified: 0 };
    const organisations = await createOrganisationsService({ db, clock, audit }).list();
    const notified = await db.transaction().execute(async (trx) => {
      let count = 0;
      for (const organisation of organisations) {
        count += await mailReferents(trx, { template: 'client_certificate_published', organisationId: organisation.id, subjectType: 'platform_certificate',
          subjectId: info.fingerprintSha256, params: { environment: env, certificateName: commonName(info), fingerprint: info.fingerprintSha256,
            notBefore: info.notBefore.toISOString(), notAfter: info.notAfter.toISOString(), link: `${publicUrl}/portal/certificates` } });
      }
      await audit.append(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, action: 'pki.client_published', subjectType: 'platform_certificate',
        subjectId: info.fingerprintSha256, details: { environment: env, notAfter: info.notAfter.toISOString(), referentsNotified: count } });
      return count;
    });
    return { created, info, notified };
  }

  async function activate(env: PkiEnvironment, actor: StationActor): Promise<{ info: CertificateInfo; previous: CertificateInfo | undefined }> {
    await ensure();
    const { certPem, previousCertPem } = await activateClient(pkiDir, env);
    const info = describeCertificate(certPem);
    const previous = previousCertPem === '' ? undefined : describeCertificate(previousCertPem);
    await db.transaction().execute(async (trx) => {
      await audit.append(trx, { actorType: actor.type, actorId: actor.id, ip: actor.ip, action: 'pki.client_activated', subjectType: 'platform_certificate',
        subjectId: info.fingerprintSha256, details: { environment: env, previous: previous?.fingerprintSha256 ?? null } });
    });
    return { info, previous };
  }

  /**
   * The platform certificates whose expiry administrators are warned about: each environment's
   * current client certificate and CA, and the HTTPS server certificate (from VARCO_TLS_CERT when
   * configured, else the development PKI's).
   */
  async function expiring(): Promise<Array<{ env: PkiEnvironment; info: CertificateInfo }>> {
    const pki = await ensure();
    const out: Array<{ env: PkiEnvironment; info: CertificateInfo }> = [];
    for (const env of ['test', 'prod'] as const) {
      out.push({ env, info: describeCertificate((await readPlatformClient(pkiDir, env)).current.certPem) });
      out.push({ env, info: describeCertificate(pki.envs[env].caCertPem) });
    }
    const serverPem = options.serverCertificatePem ? await options.serverCertificatePem() : pki.server.certPem;
    out.push({ env: 'prod', info: describeCertificate(serverPem) });
    return out;
  }

  return { identity, downloads, rotate, activate, expiring };
}

export function commonName(info: CertificateInfo): string {
  return /(?:^|[,/\n]\s*)CN=([^,/\n]+)/.exec(info.subject)?.[1] ?? info.subject;
}

/**
 * What leaves the stations module: downloads, rotation, expiry — not the identity. The platform
 * client key is used only inside this module, by the station caller and verification.
 */
export type PlatformCertificates = Omit<ReturnType<typeof createPlatformCertificates>, 'identity'>;
