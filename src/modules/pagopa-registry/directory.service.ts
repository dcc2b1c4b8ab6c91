import { isEcFiscalCode, parseNoticeNumber } from '../../protocols/pagopa/index.ts';
import type { PasswordCache } from './channel-password.cache.ts';
import { pspVerdict, receiptLink, refusal, selectLink, type LinkVerdict } from './registry.policy.ts';
import type { DirectoryLookups, EcRow } from './directory.cache.ts';
import type { RouteLinkRow } from './registry.repository.ts';
import type { AuthorisePspInput, EcRecord, EcRoute, Environment, PagopaDirectory, PspAuthorisation, RegistryRefusal, RouteOutcome } from './registry.types.ts';

// What the node asks the registry on every SOAP request: may this organisation speak as this
// PSP, broker and channel (with this password)? Which station serves this notice, and which one
// receives an EC's receipts? One lookup each, answered from memory while nothing changed
// (directory.cache.ts); the argon2 verification is cached too (channel-password.cache.ts).

export interface DirectoryOptions {
  lookups: DirectoryLookups;
  passwords: PasswordCache;
}

function toRoute(ec: Readonly<EcRow>, link: Readonly<RouteLinkRow>): EcRoute {
  return {
    ecOrganisationId: ec.organisation_id,
    ecFiscalCode: ec.tax_code,
    ecName: ec.name,
    stationId: link.station_id,
    stationCode: link.station_code,
    stationOrganisationId: link.station_organisation_id,
    brokerFiscalCode: link.broker_fiscal_code,
    primitiveVersion: link.primitive_version === 2 ? 2 : 1,
    linkId: link.id,
  };
}

const asRoutable = (l: Readonly<RouteLinkRow>) => ({
  ...l,
  linkId: l.id,
  auxDigit: l.aux_digit,
  segregationCode: l.segregation_code,
  applicationCode: l.application_code,
});

function stationRefusal(verdict: Extract<LinkVerdict<unknown>, { ok: false }>, fiscalCode: string, what: { it: string; en: string }): RegistryRefusal {
  return verdict.faultCode === 'PPT_STAZIONE_INT_PA_SCONOSCIUTA'
    ? refusal(verdict.faultCode, `Nessuna stazione dell’ente ${fiscalCode} serve ${what.it}.`, `No station of institution ${fiscalCode} serves ${what.en}.`)
    : refusal(
        verdict.faultCode,
        `La stazione dell’ente ${fiscalCode} che serve ${what.it} è disabilitata.`,
        `The station of institution ${fiscalCode} serving ${what.en} is disabled.`,
      );
}

export function createDirectory(options: DirectoryOptions): PagopaDirectory {
  const { lookups, passwords } = options;

  async function authorisePsp(input: AuthorisePspInput): Promise<PspAuthorisation> {
    const raw = await lookups.pspRows({ env: input.env, idPSP: input.idPSP, idBrokerPSP: input.idBrokerPSP, idChannel: input.idChannel });
    const rows = {
      psp:
        raw.psp_id === null
          ? undefined
          : { id: raw.psp_id, organisationId: raw.psp_org ?? '', idBrokerPsp: raw.psp_broker ?? '', enabled: raw.psp_enabled === true },
      broker: raw.broker_org === null ? undefined : { organisationId: raw.broker_org, enabled: raw.broker_enabled === true },
      channel:
        raw.channel_id === null
          ? undefined
          : { id: raw.channel_id, pspId: raw.channel_psp ?? '', organisationId: raw.channel_org ?? '', enabled: raw.channel_enabled === true },
    };
    const refused = pspVerdict(rows, input);
    if (refused) return refused;
    if (!rows.psp || !rows.channel || raw.channel_hash === null) throw new Error('pspVerdict passed a request without its records');
    if (!(await passwords.check({ id: rows.channel.id, passwordHash: raw.channel_hash }, input.password))) {
      return refusal('PPT_AUTENTICAZIONE', `Password errata per il canale ${input.idChannel}.`, `Wrong password for channel ${input.idChannel}.`);
    }
    return {
      ok: true,
      psp: { id: rows.psp.id, idPSP: input.idPSP, idBrokerPSP: input.idBrokerPSP, organisationId: rows.psp.organisationId },
      channel: { id: rows.channel.id, idChannel: input.idChannel },
    };
  }

  /** The EC itself: unknown (no record in `env`, or not an 11-digit fiscal code) or disabled. */
  async function ecOf(env: Environment, fiscalCode: string): Promise<{ ok: true; ec: Readonly<EcRow> } | RegistryRefusal> {
    const ec = isEcFiscalCode(fiscalCode) ? await lookups.ecByFiscalCode(env, fiscalCode) : undefined;
    if (!ec)
      return refusal(
        'PPT_DOMINIO_SCONOSCIUTO',
        `L’ente creditore ${fiscalCode} non è registrato in ${env}.`,
        `Creditor institution ${fiscalCode} is not registered in ${env}.`,
      );
    if (!ec.enabled)
      return refusal('PPT_DOMINIO_DISABILITATO', `L’ente creditore ${fiscalCode} è disabilitato.`, `Creditor institution ${fiscalCode} is disabled.`);
    return { ok: true, ec };
  }

  async function routeNotice(input: { env: Environment; fiscalCode: string; noticeNumber: string }): Promise<RouteOutcome> {
    const notice = parseNoticeNumber(input.noticeNumber);
    if (!notice) return refusal('PPT_SINTASSI_EXTRAXSD', 'noticeNumber deve essere di 18 cifre.', 'noticeNumber must be 18 digits.');
    const found = await ecOf(input.env, input.fiscalCode);
    if (!found.ok) return found;
    const verdict = selectLink((await lookups.routeLinks(input.env, found.ec.organisation_id)).map(asRoutable), notice);
    if (!verdict.ok) {
      const it = `l’avviso ${input.noticeNumber} (aux digit ${notice.auxDigit})`;
      return stationRefusal(verdict, input.fiscalCode, { it, en: `notice ${input.noticeNumber} (aux digit ${notice.auxDigit})` });
    }
    return { ok: true, route: toRoute(found.ec, verdict.link) };
  }

  async function receiptRoute(input: { env: Environment; fiscalCode: string; noticeNumber?: string }): Promise<RouteOutcome> {
    const found = await ecOf(input.env, input.fiscalCode);
    if (!found.ok) return found;
    const links = (await lookups.routeLinks(input.env, found.ec.organisation_id)).map(asRoutable);
    const notice = input.noticeNumber === undefined ? undefined : parseNoticeNumber(input.noticeNumber);
    const noticeLink = notice ? selectLink(links, notice) : undefined;
    if (noticeLink?.ok) return { ok: true, route: toRoute(found.ec, noticeLink.link) };
    const verdict = receiptLink(links);
    if (!verdict.ok) return stationRefusal(verdict, input.fiscalCode, { it: 'le ricevute', en: 'receipts' });
    return { ok: true, route: toRoute(found.ec, verdict.link) };
  }

  async function isEc(env: Environment, fiscalCode: string): Promise<EcRecord | undefined> {
    const ec = isEcFiscalCode(fiscalCode) ? await lookups.ecByFiscalCode(env, fiscalCode) : undefined;
    return ec ? { organisationId: ec.organisation_id, name: ec.name, enabled: ec.enabled } : undefined;
  }

  return { authorisePsp, routeNotice, receiptRoute, isEc };
}
