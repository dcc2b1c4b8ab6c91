import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { enqueueEmailToAdmins } from '../delivery/index.ts';
import type { CertificateInfo, PkiEnvironment } from '../../pki/index.ts';
import { mailReferents } from './stations.mail.ts';
import * as repo from './stations.repository.ts';
import { expiryWarningDue } from './verification.policy.ts';
import { parseCheckResult } from './verification.types.ts';

// Expiry warnings 30, 14 and 7 days before a certificate expires, each sent once per certificate to
// each audience (certificate_warnings, claimed in the transaction that queues the e-mail, so two
// instances cannot both send it): organisations' server certificates as seen by the last check of
// each approved station, told to each organisation whose stations serve it (one certificate may
// cover two organisations' hosts at one provider); Varco's platform client certificates, told to
// the administrators, who rotate them.

export interface ExpiryOptions {
  db: Kysely<Database>;
  clock: Clock;
  publicUrl: string;
  /** The platform certificates to watch (current client certificate per environment). */
  platformCertificates: () => Promise<Array<{ env: PkiEnvironment; info: CertificateInfo }>>;
}

export interface ExpiryRun {
  /** Warnings queued in this run, e.g. `server:AB:CD…:30`. */
  sent: string[];
}

function commonNameOf(subject: string): string {
  return /(?:^|[,\n]\s*)CN=([^,\n]+)/.exec(subject)?.[1] ?? subject;
}

export function createExpiryWarnings(options: ExpiryOptions) {
  const { db, clock, publicUrl } = options;

  async function due(organisationId: string, fingerprint: string, notAfter: Date) {
    const sent = (await repo.sentWarnings(db, fingerprint, organisationId)).map((r) => r.days_before);
    return expiryWarningDue(notAfter, clock.now(), sent);
  }

  async function serverCertificates(out: string[]): Promise<void> {
    const seen = new Set<string>();
    for (const row of await repo.latestChecks(db)) {
      const result = parseCheckResult(row.result);
      for (const endpoint of result?.outbound.endpoints ?? []) {
        const cert = endpoint.serverCertificate;
        // One certificate served by both endpoints (or several stations of the organisation) is one
        // warning to the organisation; another organisation's stations serving it get their own.
        if (cert === undefined || seen.has(`${row.organisation_id}:${cert.fingerprintSha256}`)) continue;
        seen.add(`${row.organisation_id}:${cert.fingerprintSha256}`);
        const warning = await due(row.organisation_id, cert.fingerprintSha256, new Date(cert.notAfter));
        if (warning === undefined) continue;
        const queued = await db.transaction().execute(async (trx) => {
          const claim = { organisationId: row.organisation_id, fingerprint: cert.fingerprintSha256, daysBefore: warning.daysBefore };
          if (!(await repo.claimWarning(trx, claim, clock.now()))) return false;
          await mailReferents(trx, {
            template: 'certificate_expiring',
            organisationId: row.organisation_id,
            subjectType: 'station',
            subjectId: row.station_id,
            params: {
              stationCode: row.code,
              environment: row.environment,
              certificateName: commonNameOf(cert.subject),
              fingerprint: cert.fingerprintSha256,
              expiresAt: cert.notAfter,
              daysLeft: String(warning.daysLeft),
              link: `${publicUrl}/portal/stations/${row.station_id}`,
            },
          });
          return true;
        });
        if (queued) out.push(`server:${cert.fingerprintSha256}:${warning.daysBefore}`);
      }
    }
  }

  async function platform(out: string[]): Promise<void> {
    for (const { env, info } of await options.platformCertificates()) {
      const warning = await due(repo.ADMINISTRATORS_WARNED, info.fingerprintSha256, info.notAfter);
      if (warning === undefined) continue;
      const queued = await db.transaction().execute(async (trx) => {
        const claim = { organisationId: repo.ADMINISTRATORS_WARNED, fingerprint: info.fingerprintSha256, daysBefore: warning.daysBefore };
        if (!(await repo.claimWarning(trx, claim, clock.now()))) return false;
        await enqueueEmailToAdmins(trx, {
          template: 'certificate_expiring',
          subjectType: 'platform_certificate',
          subjectId: info.fingerprintSha256,
          params: {
            firstName: '',
            organisationName: '',
            stationCode: '',
            environment: env,
            certificateName: commonNameOf(info.subject),
            fingerprint: info.fingerprintSha256,
            expiresAt: info.notAfter.toISOString(),
            daysLeft: String(warning.daysLeft),
            link: `${publicUrl}/admin`,
          },
        });
        return true;
      });
      if (queued) out.push(`platform:${info.fingerprintSha256}:${warning.daysBefore}`);
    }
  }

  /** One pass over every watched certificate; safe to run on several instances (claims are atomic). */
  async function run(): Promise<ExpiryRun> {
    const sent: string[] = [];
    await serverCertificates(sent);
    await platform(sent);
    return { sent };
  }

  return { run };
}

export type ExpiryWarnings = ReturnType<typeof createExpiryWarnings>;
