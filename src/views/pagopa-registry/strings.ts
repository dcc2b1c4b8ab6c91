import type { Locale } from '../i18n.ts';

// Italian and English strings of the pagoPA registry pages (portal and back office).

const en = {
  title: 'pagoPA registry', intro: 'What Varco, acting as the pagoPA node, knows about your organisation: the PSPs, brokers and channels that may call it, and the stations that receive your notices\u2019 requests. Each environment has its own registry.',
  test: 'Test', prod: 'Production', environment: 'Environment', organisation: 'Organisation', enabled: 'Enabled', disabled: 'Disabled', state: 'State',
  enable: 'Enable', disable: 'Disable', remove: 'Remove', saved: 'Saved.', none: 'None yet.', add: 'Add',
  needsNode: 'Your organisation has no active subscription to the node product in this environment: subscribe (Products) before registering here.',
  notEligible: 'The pagoPA registry is for PSPs, technology partners (PSP brokers) and creditor institutions. This organisation is none of these.',
  psps: 'PSPs and channels', idPsp: 'idPSP', idBrokerPsp: 'idBrokerPSP (broker)', idChannel: 'idChannel', channels: 'Channels', broker: 'Broker',
  passwordSetAt: 'Password set', password: 'Channel password (8–15 characters)', passwordConfirm: 'Repeat the channel password', replacePassword: 'Replace the password',
  passwordHint: 'The password is stored only as a hash and never shown again. PSPs send it in every request (password element).',
  addPsp: 'Register a PSP or add a channel', addPspHint: 'With an idPSP that is already yours, a new channel is added to it.', addPspSubmit: 'Register',
  ecs: 'Creditor institution: stations serving your notices', ec: 'EC', fiscalCode: 'Fiscal code', ecMissing: 'Not registered as an EC yet: the first link registers it.',
  links: 'Links', auxDigit: 'Aux digit', code: 'Code', segregationCode: 'Segregation code (aux 3)', applicationCode: 'Application code (aux 0)', station: 'Station',
  stationOwner: 'Station of', version: 'Primitive version', addLink: 'Link a station', addLinkSubmit: 'Link',
  linkHint: 'Aux digit 3 routes by the segregation code, aux digit 0 by the application code, aux digits 1 and 2 by the digit alone. Only approved stations can be linked.',
  noStations: 'No approved station in this environment: register one (Stations) and wait for its approval.',
  segregation: 'segregation', application: 'application', addEc: 'Register an EC', otherStation: 'The station belongs to another organisation (e.g. the EC\u2019s technology partner); I link it on purpose',
  stationCode: 'Station code', chooseOrganisation: 'Choose an organisation\u2026', brokers: 'Brokers', otherOwner: 'another organisation',
} as const;

export type RegistryStrings = { readonly [K in keyof typeof en]: string };

const it: RegistryStrings = {
  title: 'Anagrafica pagoPA', intro: 'Ciò che Varco, nel ruolo del nodo pagoPA, sa della tua organizzazione: i PSP, gli intermediari e i canali che possono chiamarlo, e le stazioni che ricevono le richieste sui tuoi avvisi. Ogni ambiente ha la sua anagrafica.',
  test: 'Collaudo', prod: 'Produzione', environment: 'Ambiente', organisation: 'Organizzazione', enabled: 'Abilitato', disabled: 'Disabilitato', state: 'Stato',
  enable: 'Abilita', disable: 'Disabilita', remove: 'Rimuovi', saved: 'Salvato.', none: 'Nessuno.', add: 'Aggiungi',
  needsNode: 'La tua organizzazione non ha una sottoscrizione attiva al prodotto node in questo ambiente: sottoscrivila (Prodotti) prima di registrare qui.',
  notEligible: 'L\u2019anagrafica pagoPA è per PSP, partner tecnologici (intermediari PSP) ed enti creditori. Questa organizzazione non è nessuno di questi.',
  psps: 'PSP e canali', idPsp: 'idPSP', idBrokerPsp: 'idBrokerPSP (intermediario)', idChannel: 'idChannel', channels: 'Canali', broker: 'Intermediario',
  passwordSetAt: 'Password impostata', password: 'Password del canale (8–15 caratteri)', passwordConfirm: 'Ripeti la password del canale', replacePassword: 'Sostituisci la password',
  passwordHint: 'La password è conservata solo come hash e non viene più mostrata. I PSP la inviano in ogni richiesta (elemento password).',
  addPsp: 'Registra un PSP o aggiungi un canale', addPspHint: 'Con un idPSP già tuo, gli viene aggiunto un nuovo canale.', addPspSubmit: 'Registra',
  ecs: 'Ente creditore: stazioni che servono i tuoi avvisi', ec: 'EC', fiscalCode: 'Codice fiscale', ecMissing: 'Non ancora registrato come EC: il primo collegamento lo registra.',
  links: 'Collegamenti', auxDigit: 'Aux digit', code: 'Codice', segregationCode: 'Codice di segregazione (aux 3)', applicationCode: 'Codice applicativo (aux 0)', station: 'Stazione',
  stationOwner: 'Stazione di', version: 'Versione delle primitive', addLink: 'Collega una stazione', addLinkSubmit: 'Collega',
  linkHint: 'L\u2019aux digit 3 instrada per codice di segregazione, l\u2019aux digit 0 per codice applicativo, gli aux digit 1 e 2 per la sola cifra. Si possono collegare solo stazioni approvate.',
  noStations: 'Nessuna stazione approvata in questo ambiente: registrane una (Stazioni) e attendi l\u2019approvazione.',
  segregation: 'segregazione', application: 'applicativo', addEc: 'Registra un EC', otherStation: 'La stazione è di un\u2019altra organizzazione (ad es. il partner tecnologico dell\u2019EC); la collego di proposito',
  stationCode: 'Codice stazione', chooseOrganisation: 'Scegli un\u2019organizzazione\u2026', brokers: 'Intermediari', otherOwner: 'un\u2019altra organizzazione',
};

export function registryStrings(locale: Locale): RegistryStrings {
  return locale === 'it' ? it : en;
}

/** Refusals of the registry, by the module's problem code. */
const PROBLEMS: Record<Locale, Record<string, string>> = {
  en: {
    environment_invalid: 'Choose the test or the production environment.', organisation_not_found: 'No such organisation.',
    organisation_not_psp: 'PSP records belong to an organisation of type PSP or technology partner.', organisation_not_ec: 'EC records belong to a creditor institution.',
    ec_fiscal_code_invalid: 'An EC\u2019s fiscal code (the organisation\u2019s tax code) must be 11 digits, as pagoPA messages carry it.',
    node_subscription_required: 'The organisation needs an active subscription to the node product in this environment first.',
    id_psp_invalid: 'idPSP must be 1–35 letters, digits, dots, dashes or underscores.', id_broker_psp_invalid: 'idBrokerPSP must be 1–35 letters, digits, dots, dashes or underscores.',
    id_channel_invalid: 'idChannel must be 1–35 letters, digits, dots, dashes or underscores.',
    password_invalid: 'The channel password must be 8–15 characters (as pagoPA messages carry it), without control characters.', password_mismatch: 'The two passwords differ.',
    psp_taken: 'This idPSP is registered by another organisation in this environment.', broker_taken: 'This idBrokerPSP is registered by another organisation in this environment.',
    broker_mismatch: 'This idPSP is registered with another idBrokerPSP.', channel_taken: 'This idChannel is already registered in this environment.',
    station_not_found: 'No approved station of yours with this code in this environment.', station_not_approved: 'The station has no approved version yet.',
    station_other_organisation: 'The station belongs to another organisation: tick the box to link it on purpose.',
    aux_digit_invalid: 'The aux digit must be 0, 1, 2 or 3.', segregation_code_required: 'Aux digit 3 needs a two-digit segregation code.',
    application_code_required: 'Aux digit 0 needs a two-digit application code.', code_not_allowed: 'A segregation code goes only with aux digit 3, an application code only with aux digit 0.',
    version_invalid: 'The primitive version must be 1 or 2.', route_taken: 'A station is already linked for this aux digit and code (remove that link first).', not_found: 'No such record.',
  },
  it: {
    environment_invalid: 'Scegli l\u2019ambiente di collaudo o di produzione.', organisation_not_found: 'Organizzazione inesistente.',
    organisation_not_psp: 'I PSP appartengono a un\u2019organizzazione di tipo PSP o partner tecnologico.', organisation_not_ec: 'Gli EC sono enti creditori.',
    ec_fiscal_code_invalid: 'Il codice fiscale di un EC (il codice fiscale dell\u2019organizzazione) deve avere 11 cifre, come nei messaggi pagoPA.',
    node_subscription_required: 'L\u2019organizzazione deve prima avere una sottoscrizione attiva al prodotto node in questo ambiente.',
    id_psp_invalid: 'idPSP deve avere 1–35 lettere, cifre, punti, trattini o trattini bassi.', id_broker_psp_invalid: 'idBrokerPSP deve avere 1–35 lettere, cifre, punti, trattini o trattini bassi.',
    id_channel_invalid: 'idChannel deve avere 1–35 lettere, cifre, punti, trattini o trattini bassi.',
    password_invalid: 'La password del canale deve avere 8–15 caratteri (come nei messaggi pagoPA), senza caratteri di controllo.', password_mismatch: 'Le due password sono diverse.',
    psp_taken: 'Questo idPSP è registrato da un\u2019altra organizzazione in questo ambiente.', broker_taken: 'Questo idBrokerPSP è registrato da un\u2019altra organizzazione in questo ambiente.',
    broker_mismatch: 'Questo idPSP è registrato con un altro idBrokerPSP.', channel_taken: 'Questo idChannel è già registrato in questo ambiente.',
    station_not_found: 'Nessuna tua stazione approvata con questo codice in questo ambiente.', station_not_approved: 'La stazione non ha ancora una versione approvata.',
    station_other_organisation: 'La stazione è di un\u2019altra organizzazione: spunta la casella per collegarla di proposito.',
    aux_digit_invalid: 'L\u2019aux digit deve essere 0, 1, 2 o 3.', segregation_code_required: 'L\u2019aux digit 3 richiede un codice di segregazione di due cifre.',
    application_code_required: 'L\u2019aux digit 0 richiede un codice applicativo di due cifre.', code_not_allowed: 'Il codice di segregazione va solo con l\u2019aux digit 3, il codice applicativo solo con l\u2019aux digit 0.',
    version_invalid: 'La versione delle primitive deve essere 1 o 2.', route_taken: 'Per questo aux digit e codice è già collegata una stazione (rimuovi prima quel collegamento).', not_found: 'Elemento inesistente.',
  },
};

export const registryProblemText = (locale: Locale, problem: string): string => PROBLEMS[locale][problem] ?? PROBLEMS.en[problem] ?? problem;
