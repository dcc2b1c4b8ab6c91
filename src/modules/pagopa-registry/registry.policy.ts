import { noticeRoutingKey, type ParsedNoticeNumber, type PptFaultCode } from '../../protocols/pagopa/index.ts';
import type { DisabledBy, RegistryActor, RegistryProblem, RegistryRefusal } from './registry.types.ts';

// Pure rules of the registry: what a valid identifier, channel password and link key are, which
// link serves a notice, which link receives receipts, the verdict on a PSP's identity, and who may
// switch a record back on.

/** The side an actor switches records for: a referent its organisation's; the back office, the CLI and the platform the administrator's. */
export const sideOf = (actor: Pick<RegistryActor, 'type'>): DisabledBy => (actor.type === 'referent' ? 'organisation' : 'administrator');

/** Whether `side` may undo the state a record is off by (switch it on, remove it): not the organisation what an administrator switched off. */
export const mayUndo = (disabledBy: DisabledBy | null, side: DisabledBy): boolean => !(disabledBy === 'administrator' && side === 'organisation');

/**
 * Who a switch leaves a record off by (null: on), from who it is off by now. The organisation switches off
 * any of its records and on what it switched off itself; an administrator switches anything either way,
 * and what an administrator switched off stays theirs: a referent switching it off again changes nothing.
 */
export function switchVerdict(
  disabledBy: DisabledBy | null,
  side: DisabledBy,
  enabled: boolean,
): { ok: true; disabledBy: DisabledBy | null } | { ok: false; problem: 'disabled_by_administrator' } {
  if (!mayUndo(disabledBy, side)) return enabled ? { ok: false, problem: 'disabled_by_administrator' } : { ok: true, disabledBy };
  return { ok: true, disabledBy: enabled ? null : side };
}

/** idPSP, idBrokerPSP, idChannel: 1–35 characters (stText35 on the wire) of a URL- and log-safe set. */
const REGISTRY_ID = /^[A-Za-z0-9._-]{1,35}$/;

export function isRegistryId(value: string): boolean {
  return REGISTRY_ID.test(value);
}

/** The wire's stPassword is 8–15 characters; control characters could never be typed back. */
export function channelPasswordProblem(password: string, confirm?: string): RegistryProblem | undefined {
  const length = [...password].length;
  if (length < 8 || length > 15 || /\p{Cc}/u.test(password)) return 'password_invalid';
  if (confirm !== undefined && confirm !== password) return 'password_mismatch';
  return undefined;
}

export type AuxDigit = 0 | 1 | 2 | 3;

export interface LinkKey {
  auxDigit: AuxDigit;
  segregationCode: string | null;
  applicationCode: string | null;
  primitiveVersion: 1 | 2;
}

export interface LinkKeyInput {
  auxDigit: string;
  /** Blank means not given. */
  segregationCode?: string | undefined;
  applicationCode?: string | undefined;
  /** Blank means 1. */
  version?: string | undefined;
}

const TWO_DIGITS = /^\d{2}$/;

/** aux 3 needs a segregation code, aux 0 an application code (two digits each), aux 1 and 2 neither. */
export function checkLinkKey(input: LinkKeyInput): { ok: true; value: LinkKey } | { ok: false; problems: RegistryProblem[] } {
  const problems: RegistryProblem[] = [];
  const aux = /^[0-3]$/.test(input.auxDigit.trim()) ? (Number(input.auxDigit.trim()) as AuxDigit) : undefined;
  const segregation = (input.segregationCode ?? '').trim();
  const application = (input.applicationCode ?? '').trim();
  const version = (input.version ?? '').trim() === '' ? 1 : /^[12]$/.test((input.version ?? '').trim()) ? (Number(input.version?.trim()) as 1 | 2) : undefined;
  if (aux === undefined) problems.push('aux_digit_invalid');
  if (aux === 3 && !TWO_DIGITS.test(segregation)) problems.push('segregation_code_required');
  if (aux === 0 && !TWO_DIGITS.test(application)) problems.push('application_code_required');
  if ((aux !== 3 && segregation !== '') || (aux !== 0 && application !== '')) problems.push('code_not_allowed');
  if (version === undefined) problems.push('version_invalid');
  if (problems.length > 0 || aux === undefined || version === undefined) return { ok: false, problems };
  return {
    ok: true,
    value: { auxDigit: aux, segregationCode: aux === 3 ? segregation : null, applicationCode: aux === 0 ? application : null, primitiveVersion: version },
  };
}

/** What a link routes on: its aux digit and the one code that digit uses (the database's uniqueness key). */
export function linkRoutingCode(link: { auxDigit: number; segregationCode: string | null; applicationCode: string | null }): string {
  return link.auxDigit === 3 ? (link.segregationCode ?? '') : link.auxDigit === 0 ? (link.applicationCode ?? '') : '';
}

export interface RoutableLink {
  linkId: string;
  auxDigit: number;
  segregationCode: string | null;
  applicationCode: string | null;
  enabled: boolean;
}

export type LinkVerdict<L> = { ok: true; link: L } | { ok: false; faultCode: 'PPT_STAZIONE_INT_PA_SCONOSCIUTA' | 'PPT_STAZIONE_INT_PA_DISABILITATA' };

/**
 * The link serving a notice: same aux digit and, for aux 0 and 3, the same code; aux 1 and 2 route
 * by the digit alone. The database keeps at most one link per key; were there two, the enabled one
 * with the smallest id would win, so the answer never depends on the order links are read in.
 */
export function selectLink<L extends RoutableLink>(links: readonly L[], notice: ParsedNoticeNumber): LinkVerdict<L> {
  const key = noticeRoutingKey(notice);
  if (key === undefined) return { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_SCONOSCIUTA' };
  const matching = links.filter((l) => l.auxDigit === key.auxDigit && (key.code === undefined || linkRoutingCode(l) === key.code));
  if (matching.length === 0) return { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_SCONOSCIUTA' };
  const enabled = matching.filter((l) => l.enabled).sort((a, b) => (a.linkId < b.linkId ? -1 : a.linkId > b.linkId ? 1 : 0));
  const chosen = enabled[0];
  return chosen === undefined ? { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_DISABILITATA' } : { ok: true, link: chosen };
}

/** The link receipts go to: the first enabled one by aux digit, then code, then id. */
export function receiptLink<L extends RoutableLink>(links: readonly L[]): LinkVerdict<L> {
  if (links.length === 0) return { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_SCONOSCIUTA' };
  const order = (l: L): string => `${l.auxDigit}:${linkRoutingCode(l)}:${l.linkId}`;
  const chosen = links.filter((l) => l.enabled).sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))[0];
  return chosen === undefined ? { ok: false, faultCode: 'PPT_STAZIONE_INT_PA_DISABILITATA' } : { ok: true, link: chosen };
}

/** A fault with its description in Italian, then English (the PSP's developers may read either). */
export function refusal(faultCode: PptFaultCode, it: string, en: string): RegistryRefusal {
  return { ok: false, faultCode, description: `${it} / ${en}` };
}

export interface PspRows {
  psp?: { id: string; organisationId: string; idBrokerPsp: string; enabled: boolean } | undefined;
  broker?: { organisationId: string; enabled: boolean } | undefined;
  channel?: { id: string; pspId: string; organisationId: string; enabled: boolean } | undefined;
}

export interface PspClaim {
  env: string;
  organisationId: string;
  idPSP: string;
  idBrokerPSP: string;
  idChannel: string;
}

/**
 * The verdict on a request's PSP identity before its password is checked: unknown ids first (as
 * pagoPA answers them), then ownership — every record must belong to the key's organisation and
 * the broker and channel must be the PSP's — and only then the enable flags, so another
 * organisation never learns whether its records are enabled. `undefined`: check the password.
 */
export function pspVerdict(rows: PspRows, claim: PspClaim): RegistryRefusal | undefined {
  const { psp, broker, channel } = rows;
  if (!psp)
    return refusal('PPT_PSP_SCONOSCIUTO', `idPSP ${claim.idPSP} non è registrato in ${claim.env}.`, `idPSP ${claim.idPSP} is not registered in ${claim.env}.`);
  if (!broker)
    return refusal(
      'PPT_INTERMEDIARIO_PSP_SCONOSCIUTO',
      `idBrokerPSP ${claim.idBrokerPSP} non è registrato in ${claim.env}.`,
      `idBrokerPSP ${claim.idBrokerPSP} is not registered in ${claim.env}.`,
    );
  if (!channel)
    return refusal(
      'PPT_CANALE_SCONOSCIUTO',
      `idChannel ${claim.idChannel} non è registrato in ${claim.env}.`,
      `idChannel ${claim.idChannel} is not registered in ${claim.env}.`,
    );
  const others = [psp.organisationId, broker.organisationId, channel.organisationId].some((org) => org !== claim.organisationId);
  if (others) {
    return refusal(
      'PPT_AUTORIZZAZIONE',
      'PSP, intermediario o canale appartengono a un’altra organizzazione, non a quella della chiave.',
      'The PSP, broker or channel belongs to another organisation than the key’s.',
    );
  }
  if (psp.idBrokerPsp !== claim.idBrokerPSP) {
    return refusal(
      'PPT_AUTORIZZAZIONE',
      `idBrokerPSP ${claim.idBrokerPSP} non è l’intermediario del PSP ${claim.idPSP}.`,
      `idBrokerPSP ${claim.idBrokerPSP} is not the broker of PSP ${claim.idPSP}.`,
    );
  }
  if (channel.pspId !== psp.id) {
    return refusal(
      'PPT_AUTORIZZAZIONE',
      `Il canale ${claim.idChannel} non è del PSP ${claim.idPSP}.`,
      `Channel ${claim.idChannel} is not a channel of PSP ${claim.idPSP}.`,
    );
  }
  if (!psp.enabled) return refusal('PPT_PSP_DISABILITATO', `Il PSP ${claim.idPSP} è disabilitato.`, `PSP ${claim.idPSP} is disabled.`);
  if (!broker.enabled)
    return refusal('PPT_INTERMEDIARIO_PSP_DISABILITATO', `L’intermediario ${claim.idBrokerPSP} è disabilitato.`, `Broker ${claim.idBrokerPSP} is disabled.`);
  if (!channel.enabled) return refusal('PPT_CANALE_DISABILITATO', `Il canale ${claim.idChannel} è disabilitato.`, `Channel ${claim.idChannel} is disabled.`);
  return undefined;
}
