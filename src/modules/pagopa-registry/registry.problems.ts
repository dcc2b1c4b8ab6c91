import type { RegistryProblem } from './registry.types.ts';

// What each refusal means, in English, for the CLI (pages show src/views/pagopa-registry/strings.ts,
// in Italian and English).

export const REGISTRY_PROBLEM_TEXT: Record<RegistryProblem, string> = {
  environment_invalid: 'The environment must be test or prod.',
  organisation_not_found: 'No such organisation.',
  organisation_not_psp: 'PSP records belong to an organisation of type psp or technology_partner.',
  organisation_not_ec: 'EC records belong to an organisation of type creditor_institution.',
  ec_fiscal_code_invalid: 'An EC\u2019s fiscal code (the organisation\u2019s tax code) must be 11 digits, as pagoPA messages carry it.',
  node_subscription_required: 'The organisation needs an active subscription to the node product in this environment first.',
  id_psp_invalid: 'idPSP must be 1–35 letters, digits, dots, dashes or underscores.',
  id_broker_psp_invalid: 'idBrokerPSP must be 1–35 letters, digits, dots, dashes or underscores.',
  id_channel_invalid: 'idChannel must be 1–35 letters, digits, dots, dashes or underscores.',
  password_invalid: 'The channel password must be 8–15 characters (as pagoPA messages carry it), without control characters.',
  password_mismatch: 'The two passwords differ.',
  psp_taken: 'This idPSP is registered by another organisation in this environment.',
  broker_taken: 'This idBrokerPSP is registered by another organisation in this environment.',
  broker_mismatch: 'This idPSP is registered with another idBrokerPSP.',
  channel_taken: 'This idChannel is already registered in this environment (to replace its password, use the password form or `psp password`).',
  station_not_found: 'No station of the organisation with this code in this environment.',
  station_not_approved: 'The station has no approved version yet: an administrator must approve it first.',
  station_other_organisation:
    'The station belongs to another organisation: an administrator may link it (e.g. a technology partner acting as the EC\u2019s broker) only by saying so explicitly.',
  aux_digit_invalid: 'The aux digit must be 0, 1, 2 or 3.',
  segregation_code_required: 'Aux digit 3 needs a two-digit segregation code.',
  application_code_required: 'Aux digit 0 needs a two-digit application code.',
  code_not_allowed: 'A segregation code goes only with aux digit 3, an application code only with aux digit 0.',
  version_invalid: 'The primitive version must be 1 or 2.',
  route_taken: 'The EC already has a station for this aux digit and code (remove that link first).',
  disabled_by_administrator:
    'A platform administrator disabled this record: only an administrator (back office or CLI) can enable it again or remove it, not its organisation.',
  not_found: 'No such record.',
};
