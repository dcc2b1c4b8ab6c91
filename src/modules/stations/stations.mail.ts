import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { enqueueEmail, type MailTemplateName } from '../delivery/index.ts';
import { getOrganisation, listReferents } from '../organisations/index.ts';

// E-mails to an organisation's referents, queued in the caller's transaction. Organisations and
// their referents are read through the organisations module (it owns those tables).

export interface OrganisationMail {
  template: MailTemplateName;
  organisationId: string;
  /** Without firstName and organisationName: added per referent. */
  params: Record<string, string>;
  subjectType: string;
  subjectId: string;
}

/** Every enabled referent of the organisation, each in their own language; returns how many. */
export async function mailReferents(trx: Kysely<Database>, mail: OrganisationMail): Promise<number> {
  const organisation = await getOrganisation(trx, mail.organisationId);
  if (!organisation) return 0;
  const referents = (await listReferents(trx, mail.organisationId)).filter((r) => r.disabled_at === null);
  for (const referent of referents) {
    await enqueueEmail(trx, {
      to: referent.email,
      locale: referent.locale,
      template: mail.template,
      organisationId: mail.organisationId,
      subjectType: mail.subjectType,
      subjectId: mail.subjectId,
      params: { firstName: referent.first_name ?? '', organisationName: organisation.name, ...mail.params },
    });
  }
  return referents.length;
}

export async function organisationName(db: Kysely<Database>, organisationId: string): Promise<string> {
  return (await getOrganisation(db, organisationId))?.name ?? organisationId;
}
