import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { AuditLog } from '../audit/index.ts';
import { describeCertificate, type CertificateInfo, type PkiEnvironment } from '../../pki/index.ts';
import type { ClientIdentity } from '../outbound/index.ts';
import type { PlatformPki } from '../platform/index.ts';
import type { OrganisationsService } from '../organisations/index.ts';
import { mailReferents } from './stations.mail.ts';
import type { StationActor } from './stations.service.ts';

// Varco's platform client certificates (one per environment, kept by the platform module in the
// database and shared by every instance): the identity calls to stations present, what the portal
// offers for download, and their rotation (publish the next one with an e-mail to every
// organisation; switch it in only when told).

export interface PlatformCertificatesOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
  publicUrl: string;
  /** The platform PKI (CAs, client certificates and their rotation) shared through the database. */
  platform: PlatformPki;
  /** The HTTPS server certificate in use (VARCO_TLS_CERT, or this instance's development certificate). */
  serverCertificatePem: () => Promise<string>;
  /** Whom a rotation e-mails: every organisation (the organisations module, given by the composition root). */
  organisations: Pick<OrganisationsService, 'list'>;
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
  const { publicUrl, platform, audit } = options;

  /** From the platform module's cache: an activation made elsewhere applies here within seconds. */
  async function identity(env: PkiEnvironment): Promise<ClientIdentity> {
    return platform.identity(env);
  }

  async function downloads(env: PkiEnvironment): Promise<PlatformDownloads> {
    const material = await platform.material(env);
    return {
      caPem: material.caCertPem,
      ca: describeCertificate(material.caCertPem),
      current: { info: describeCertificate(material.current.certPem), chainPem: material.current.chainPem },
      next: material.next === undefined ? undefined : { info: describeCertificate(material.next.certPem), chainPem: material.next.chainPem },
    };
  }

  /**
   * Publishes the next client certificate of `env` and e-mails every organisation's referents, in the
   * transaction that stores it; a next certificate already waiting is returned as it is, without e-mails.
   */
  async function rotate(env: PkiEnvironment, actor: StationActor): Promise<{ created: boolean; info: CertificateInfo; notified: number }> {
    const organisations = await options.organisations.list();
    let notified = 0;
    const { created, certPem } = await platform.rotate(env, async (trx, published) => {
      const info = describeCertificate(published);
      for (const organisation of organisations) {
        notified += await mailReferents(trx, {
          template: 'client_certificate_published',
          organisationId: organisation.id,
          subjectType: 'platform_certificate',
          subjectId: info.fingerprintSha256,
          params: {
            environment: env,
            certificateName: commonName(info),
            fingerprint: info.fingerprintSha256,
            notBefore: info.notBefore.toISOString(),
            notAfter: info.notAfter.toISOString(),
            link: `${publicUrl}/portal/certificates`,
          },
        });
      }
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'pki.client_published',
        subjectType: 'platform_certificate',
        subjectId: info.fingerprintSha256,
        details: { environment: env, notAfter: info.notAfter.toISOString(), referentsNotified: notified },
      });
    });
    return { created, info: describeCertificate(certPem), notified };
  }

  async function activate(env: PkiEnvironment, actor: StationActor): Promise<{ info: CertificateInfo; previous: CertificateInfo | undefined }> {
    let previous: CertificateInfo | undefined;
    const { certPem } = await platform.activate(env, async (trx, activated, previousPem) => {
      previous = previousPem === '' ? undefined : describeCertificate(previousPem);
      await audit.append(trx, {
        actorType: actor.type,
        actorId: actor.id,
        ip: actor.ip,
        action: 'pki.client_activated',
        subjectType: 'platform_certificate',
        subjectId: describeCertificate(activated).fingerprintSha256,
        details: { environment: env, previous: previous?.fingerprintSha256 ?? null },
      });
    });
    return { info: describeCertificate(certPem), previous };
  }

  /**
   * The platform certificates whose expiry administrators are warned about: each environment's
   * current client certificate and CA, and the HTTPS server certificate in use.
   */
  async function expiring(): Promise<Array<{ env: PkiEnvironment; info: CertificateInfo }>> {
    const out: Array<{ env: PkiEnvironment; info: CertificateInfo }> = [];
    for (const env of ['test', 'prod'] as const) {
      const material = await platform.material(env);
      out.push({ env, info: describeCertificate(material.current.certPem) });
      out.push({ env, info: describeCertificate(material.caCertPem) });
    }
    out.push({ env: 'prod', info: describeCertificate(await options.serverCertificatePem()) });
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
