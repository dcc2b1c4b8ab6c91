import type { PptFaultCode } from '../../protocols/pagopa/index.ts';

// Types of the pagoPA registry shared by its services, its policy and its callers (the node engine,
// the portal, the back office, the CLI).

export type Environment = 'test' | 'prod';

export interface RegistryActor {
  type: 'admin' | 'referent' | 'cli' | 'system';
  id: string | null;
  ip: string | null;
  /** Set for referents: they act only on their own organisation's records. */
  organisationId?: string | null;
}

/** Where the node sends an EC's primitives: the station, its owner (for the mTLS call) and idBrokerPA. */
export interface EcRoute {
  ecOrganisationId: string;
  ecFiscalCode: string;
  ecName: string;
  stationId: string;
  stationCode: string;
  /** The station's owner: the organisation the station caller is called for. */
  stationOrganisationId: string;
  /** idBrokerPA sent to the station: the tax code of the station's owner. */
  brokerFiscalCode: string;
  primitiveVersion: 1 | 2;
  linkId: string;
}

/** A refusal of the node's registry: the fault code to answer and a description (Italian / English). */
export interface RegistryRefusal {
  ok: false;
  faultCode: PptFaultCode;
  description: string;
}

export type PspAuthorisation =
  { ok: true; psp: { id: string; idPSP: string; idBrokerPSP: string; organisationId: string }; channel: { id: string; idChannel: string } } | RegistryRefusal;

export type RouteOutcome = { ok: true; route: EcRoute } | RegistryRefusal;

export interface EcRecord {
  organisationId: string;
  name: string;
  enabled: boolean;
}

export interface AuthorisePspInput {
  env: Environment;
  /** The organisation of the API key the request came with. */
  organisationId: string;
  idPSP: string;
  idBrokerPSP: string;
  idChannel: string;
  password: string;
}

/** What the node engine needs from the registry (the rest of the module is administration). */
export interface PagopaDirectory {
  authorisePsp(input: AuthorisePspInput): Promise<PspAuthorisation>;
  routeNotice(input: { env: Environment; fiscalCode: string; noticeNumber: string }): Promise<RouteOutcome>;
  /**
   * The station an EC receives a receipt on. With the notice number (the notice's own EC): the link the
   * notice routes to, the station paGetPayment went to. Without it (another EC of the transfer list),
   * or when the notice's link is gone or disabled since: the EC's first enabled link by aux digit, then code.
   */
  receiptRoute(input: { env: Environment; fiscalCode: string; noticeNumber?: string }): Promise<RouteOutcome>;
  isEc(env: Environment, fiscalCode: string): Promise<EcRecord | undefined>;
}

/** Why a change to the registry was refused (an expected outcome, shown beside the form or by the CLI). */
export type RegistryProblem =
  | 'environment_invalid'
  | 'organisation_not_found'
  | 'organisation_not_psp'
  | 'organisation_not_ec'
  | 'ec_fiscal_code_invalid'
  | 'node_subscription_required'
  | 'id_psp_invalid'
  | 'id_broker_psp_invalid'
  | 'id_channel_invalid'
  | 'password_invalid'
  | 'password_mismatch'
  | 'psp_taken'
  | 'broker_taken'
  | 'broker_mismatch'
  | 'channel_taken'
  | 'station_not_found'
  | 'station_not_approved'
  | 'station_other_organisation'
  | 'aux_digit_invalid'
  | 'segregation_code_required'
  | 'application_code_required'
  | 'code_not_allowed'
  | 'version_invalid'
  | 'route_taken'
  | 'disabled_by_administrator'
  | 'not_found';

/**
 * Who switched a record off: its organisation (a referent) or the platform (an administrator, in the back
 * office or with the CLI). Null while it is on. A referent may not switch on what an administrator switched off.
 */
export type DisabledBy = 'organisation' | 'administrator';

/** A switch done: the record's flag now, and who it is off by (null when on). */
export interface Switched {
  enabled: boolean;
  disabledBy: DisabledBy | null;
}

export type RegistryOutcome<T> = { ok: true; value: T } | { ok: false; problem: RegistryProblem; problems: RegistryProblem[] };
