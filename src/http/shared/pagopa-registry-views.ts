import type { EcsService, PspsService } from '../../modules/pagopa-registry/index.ts';
import type { EcView, LinkView, PspView } from '../../views/pagopa-registry/pages.ts';

// Registry rows → the plain view models of the registry pages (portal and back office).

type PspList = Awaited<ReturnType<PspsService['listPsps']>>;
type EcList = Awaited<ReturnType<EcsService['listEcs']>>;

export function pspViews(list: PspList): PspView[] {
  const brokers = new Map(list.brokers.map((b) => [`${b.environment}:${b.id_broker_psp}`, { enabled: b.enabled, disabledBy: b.disabled_by }]));
  return list.psps.map((p) => ({
    id: p.id,
    environment: p.environment,
    idPsp: p.id_psp,
    idBrokerPsp: p.id_broker_psp,
    broker: brokers.get(`${p.environment}:${p.id_broker_psp}`) ?? { enabled: false, disabledBy: null },
    enabled: p.enabled,
    disabledBy: p.disabled_by,
    organisationName: p.organisation_name,
    channels: p.channels.map((c) => ({ id: c.id, idChannel: c.id_channel, enabled: c.enabled, disabledBy: c.disabled_by, passwordSetAt: c.password_set_at })),
  }));
}

export function ecViews(list: EcList): EcView[] {
  return list.ecs.map((e) => ({
    organisationId: e.organisation_id,
    organisationName: e.organisation_name,
    fiscalCode: e.fiscal_code,
    environment: e.environment,
    enabled: e.enabled,
    disabledBy: e.disabled_by,
  }));
}

export function linkViews(list: EcList): LinkView[] {
  const names = new Map(list.ecs.map((e) => [e.organisation_id, e.organisation_name]));
  return list.links.map((l) => ({
    id: l.id,
    environment: l.environment,
    ecOrganisationId: l.organisation_id,
    ecName: names.get(l.organisation_id) ?? l.organisation_id,
    stationCode: l.station_code,
    stationOwnerName: l.station_organisation_name,
    otherOwner: l.station_organisation_id !== l.organisation_id,
    auxDigit: l.aux_digit,
    segregationCode: l.segregation_code,
    applicationCode: l.application_code,
    primitiveVersion: l.primitive_version,
    enabled: l.enabled,
    disabledBy: l.disabled_by,
  }));
}
