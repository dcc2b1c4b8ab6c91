import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { newId } from '../../kernel/ids.ts';
import { fail, ok, VarcoError, type Result } from '../../kernel/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { isEmail, referentsOf } from '../identity/index.ts';
import { checkTaxCode, ORGANISATION_TYPES, type OrganisationType, type TaxCodeProblem } from './organisation.policy.ts';
import * as repo from './organisations.repository.ts';

export interface Actor {
  type: 'admin' | 'cli';
  id: string | null;
  ip: string | null;
}

export interface NewOrganisation {
  name: string;
  taxCode: string;
  taxCodeKind: 'it' | 'other';
  type: string;
  contactEmail: string;
}

export type OrganisationProblem = TaxCodeProblem | 'name_required' | 'invalid_type' | 'invalid_email' | 'tax_code_taken';

export const ORGANISATION_PROBLEM_TEXT: Record<OrganisationProblem, string> = {
  name_required: 'The name is required (at most 200 characters).',
  invalid_type: `The type must be one of ${ORGANISATION_TYPES.join(', ')}.`,
  invalid_email: 'The contact e-mail is not a valid address.',
  italian_format: 'An Italian tax code / VAT number has exactly 11 digits.',
  italian_check_digit: 'The last digit of this Italian tax code / VAT number does not match: check for a typo.',
  other_format: 'The identifier must be 2–40 letters, digits, spaces, dots, slashes or dashes.',
  tax_code_taken: 'An organisation with this tax code already exists.',
};

export interface OrganisationsOptions {
  db: Kysely<Database>;
  clock: Clock;
  audit: AuditLog;
}

export function createOrganisationsService(options: OrganisationsOptions) {
  const { db, clock, audit } = options;

  async function create(input: NewOrganisation, actor: Actor): Promise<Result<{ id: string }, OrganisationProblem>> {
    const name = input.name.trim();
    const taxCode = input.taxCode.trim().replace(/\s+/g, input.taxCodeKind === 'it' ? '' : ' ');
    if (name === '' || name.length > 200) return fail('name_required');
    if (!(ORGANISATION_TYPES as readonly string[]).includes(input.type)) return fail('invalid_type');
    if (!isEmail(input.contactEmail.trim())) return fail('invalid_email');
    const problem = checkTaxCode(input.taxCodeKind, taxCode);
    if (problem) return fail(problem);
    if (await repo.findByTaxCode(db, taxCode)) return fail('tax_code_taken');
    const id = newId('org');
    try {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('organisations')
          .values({
            id,
            name,
            tax_code: taxCode,
            tax_code_kind: input.taxCodeKind,
            type: input.type as OrganisationType,
            contact_email: input.contactEmail.trim(),
            created_at: clock.now(),
          })
          .execute();
        await audit.append(trx, {
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip,
          action: 'organisation.created',
          subjectType: 'organisation',
          subjectId: id,
          organisationId: id,
          details: { name, taxCode },
        });
      });
    } catch (error) {
      // Two administrators creating the same organisation at once: the unique index decides.
      if ((error as { code?: string }).code === '23505') return fail('tax_code_taken');
      throw error;
    }
    return ok({ id });
  }

  async function get(id: string) {
    const organisation = await repo.findOrganisation(db, id);
    if (!organisation) throw new VarcoError('not_found', 'No such organisation.');
    return organisation;
  }

  return {
    create,
    get,
    find: (id: string) => repo.findOrganisation(db, id),
    list: () => repo.listOrganisations(db),
    search: (search: repo.OrganisationSearch) => repo.searchOrganisations(db, search),
    /** Names by id in one query; an id that names no organisation is absent. */
    names: (ids: readonly string[]) => repo.organisationNamesById(db, ids),
    referents: (organisationId: string) => referentsOf(db, organisationId),
    invitations: (organisationId: string) => repo.listInvitations(db, organisationId),
  };
}

export type OrganisationsService = ReturnType<typeof createOrganisationsService>;
