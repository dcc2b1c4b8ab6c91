import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { newId } from '../../kernel/ids.ts';
import { isEcFiscalCode } from '../../protocols/pagopa/index.ts';
import { findStationByCode } from '../stations/index.ts';
import {
  assertMayActFor,
  auditChange,
  eligibleOrganisation,
  isEnvironment,
  Refused,
  refused,
  refusing,
  sees,
  setEnabledAudited,
  changeRegistry,
  type AdministrationOptions,
} from './registry.access.ts';
import { checkLinkKey, mayUndo, sideOf, type LinkKey } from './registry.policy.ts';
import * as repo from './registry.repository.ts';
import type { Environment, RegistryActor, RegistryOutcome, RegistryProblem, Switched } from './registry.types.ts';

// Creditor institutions (ECs) and the stations serving their notices. An EC record is made on its
// first link (or explicitly); a link ties (EC, aux digit, segregation/application code) to one
// approved station of the EC's own. Only an administrator (or the CLI) may link another
// organisation's station — a technology partner acting as the EC's broker — and must say so
// explicitly; the audit row records it. Routing uniqueness is the database's unique index.

export interface LinkInput {
  organisationId: string;
  env: string;
  stationCode: string;
  auxDigit: string;
  segregationCode?: string | undefined;
  applicationCode?: string | undefined;
  version?: string | undefined;
}

export interface LinkOptions {
  /** Administrators and the CLI only: the station belongs to another organisation (the EC's broker). */
  otherOrganisationStation?: boolean;
}

const isUniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === '23505';

export function createEcsService(options: AdministrationOptions) {
  const { db, clock } = options;

  /** The EC organisation: exists, is a creditor institution with an 11-digit fiscal code, and (referents) has `node` in `env`. */
  async function eligibleEc(organisationId: string, env: Environment, actor: RegistryActor) {
    const eligible = await eligibleOrganisation(options, { organisationId, env, types: ['creditor_institution'], wrongType: 'organisation_not_ec', actor });
    if (eligible.organisation && !isEcFiscalCode(eligible.organisation.tax_code)) return { problem: 'ec_fiscal_code_invalid' as const };
    return eligible;
  }

  /** Creates the EC record if missing, with its audit row; true when created. */
  async function ensureRecord(trx: Kysely<Database>, organisationId: string, env: Environment, actor: RegistryActor): Promise<boolean> {
    const created = await repo.ensureEc(trx, organisationId, env, clock.now());
    if (created)
      await auditChange(options, trx, actor, {
        action: 'pagopa.ec.created',
        subjectType: 'pagopa_ec',
        subjectId: `${organisationId}:${env}`,
        organisationId,
        details: { environment: env },
      });
    return created;
  }

  async function addEc(organisationId: string, env: string, actor: RegistryActor): Promise<RegistryOutcome<{ created: boolean }>> {
    assertMayActFor(actor, organisationId);
    if (!isEnvironment(env)) return refused(['environment_invalid']);
    const eligible = await eligibleEc(organisationId, env, actor);
    if (!eligible.organisation) return refused([eligible.problem]);
    return refusing(() => changeRegistry(options, async (trx) => ({ created: await ensureRecord(trx, organisationId, env, actor) })));
  }

  /** The station named by code, if this actor may link it for this EC. */
  async function linkableStation(env: Environment, code: string, ecOrganisationId: string, actor: RegistryActor, settings: LinkOptions) {
    const station = await findStationByCode(db, env, code.trim());
    // A referent is never told about another organisation's station: it is simply not found.
    if (!station || (station.organisation_id !== ecOrganisationId && actor.type === 'referent')) return { problem: 'station_not_found' as const };
    if (station.organisation_id !== ecOrganisationId && settings.otherOrganisationStation !== true) return { problem: 'station_other_organisation' as const };
    if (station.approved_version_id === null) return { problem: 'station_not_approved' as const };
    return { station };
  }

  async function link(input: LinkInput, actor: RegistryActor, settings: LinkOptions = {}): Promise<RegistryOutcome<{ linkId: string; ecCreated: boolean }>> {
    assertMayActFor(actor, input.organisationId);
    const key = checkLinkKey(input);
    const problems: RegistryProblem[] = [...(isEnvironment(input.env) ? [] : ['environment_invalid' as const]), ...(key.ok ? [] : key.problems)];
    if (problems.length > 0 || !key.ok || !isEnvironment(input.env)) return refused(problems);
    const env: Environment = input.env;
    const eligible = await eligibleEc(input.organisationId, env, actor);
    if (!eligible.organisation) return refused([eligible.problem]);
    const found = await linkableStation(env, input.stationCode, input.organisationId, actor, settings);
    if (!found.station) return refused([found.problem]);
    const { station } = found;
    try {
      return await refusing(() =>
        changeRegistry(options, async (trx) => {
          const ecCreated = await ensureRecord(trx, input.organisationId, env, actor);
          const linkId = newId('ecl');
          const now = clock.now();
          await trx
            .insertInto('pagopa_ec_links')
            .values({
              id: linkId,
              organisation_id: input.organisationId,
              environment: env,
              station_id: station.id,
              ...columnsOf(key.value),
              created_at: now,
              updated_at: now,
            })
            .execute();
          await auditChange(options, trx, actor, {
            action: 'pagopa.ec_link.added',
            subjectType: 'pagopa_ec_link',
            subjectId: linkId,
            organisationId: input.organisationId,
            details: {
              environment: env,
              stationId: station.id,
              stationCode: station.code,
              stationOrganisationId: station.organisation_id,
              otherOrganisationStation: station.organisation_id !== input.organisationId,
              ...detailsOf(key.value),
            },
          });
          return { linkId, ecCreated };
        }),
      );
    } catch (error) {
      // Two links for the same (EC, aux digit, code) at once: the unique index decides.
      if (isUniqueViolation(error)) return refused(['route_taken']);
      throw error;
    }
  }

  /** Removes a link; a referent may not remove one an administrator switched off (linking its route again would switch it back on). */
  async function removeLink(linkId: string, actor: RegistryActor): Promise<RegistryOutcome<{ linkId: string }>> {
    const row = await repo.findLink(db, linkId);
    if (!row || !sees(actor, row.organisation_id)) return refused(['not_found']);
    return refusing(() =>
      changeRegistry(options, async (trx) => {
        const current = await repo.lockSwitch(trx, { kind: 'ec_link', id: linkId });
        if (!current) throw new Refused('not_found');
        if (!mayUndo(current.disabled_by, sideOf(actor))) throw new Refused('disabled_by_administrator');
        await trx.deleteFrom('pagopa_ec_links').where('id', '=', linkId).execute();
        await auditChange(options, trx, actor, {
          action: 'pagopa.ec_link.removed',
          subjectType: 'pagopa_ec_link',
          subjectId: linkId,
          organisationId: row.organisation_id,
          details: {
            environment: row.environment,
            stationId: row.station_id,
            auxDigit: row.aux_digit,
            segregationCode: row.segregation_code,
            applicationCode: row.application_code,
            disabledBy: current.disabled_by,
          },
        });
        return { linkId };
      }),
    );
  }

  async function setLinkEnabled(linkId: string, enabled: boolean, actor: RegistryActor): Promise<RegistryOutcome<Switched>> {
    const row = await repo.findLink(db, linkId);
    if (!row || !sees(actor, row.organisation_id)) return refused(['not_found']);
    const details = { environment: row.environment, stationId: row.station_id };
    return setEnabledAudited(options, actor, enabled, { kind: 'ec_link', id: linkId, organisationId: row.organisation_id, details });
  }

  async function setEcEnabled(organisationId: string, env: Environment, enabled: boolean, actor: RegistryActor): Promise<RegistryOutcome<Switched>> {
    if (!sees(actor, organisationId) || !(await repo.findEc(db, organisationId, env))) return refused(['not_found']);
    return setEnabledAudited(options, actor, enabled, { kind: 'ec', env, organisationId, details: { environment: env } });
  }

  async function listEcs(filter: repo.ListFilter = {}) {
    const [ecs, links] = await Promise.all([repo.listEcs(db, filter), repo.listLinks(db, filter)]);
    return { ecs, links };
  }

  return { addEc, link, removeLink, setLinkEnabled, setEcEnabled, listEcs, findLink: (id: string) => repo.findLink(db, id) };
}

function columnsOf(key: LinkKey) {
  return { aux_digit: key.auxDigit, segregation_code: key.segregationCode, application_code: key.applicationCode, primitive_version: key.primitiveVersion };
}

function detailsOf(key: LinkKey) {
  return { auxDigit: key.auxDigit, segregationCode: key.segregationCode, applicationCode: key.applicationCode, primitiveVersion: key.primitiveVersion };
}

export type EcsService = ReturnType<typeof createEcsService>;
