import type { Locale } from '../i18n.ts';

// Italian and English strings of the station, verification, certificate and trusted-CA pages.

const en = {
  stations: 'Stations', station: 'Station', code: 'Station code', environment: 'Environment', test: 'Test', prod: 'Production', organisation: 'Organisation',
  review: 'Review', connection: 'Connection', register: 'Register a station', registerSubmit: 'Submit for review', edit: 'Change the endpoints',
  editSubmit: 'Submit the change for review', primary: 'Primary endpoint', secondary: 'Secondary (disaster recovery) endpoint, optional',
  url: 'Service URL (https://FQDN[:port]/service)', ip: 'IP address', port: 'Port', none: 'No stations yet.', noneToCheck: 'No stations wait for a review.',
  versions: 'Versions', version: 'Version', state: 'State', submitted: 'Submitted', reviewed: 'Reviewed', note: 'Note', checks: 'Check history',
  noChecks: 'Not verified yet.', verifyPending: 'Check this version', verifyPendingHint: 'Checks the endpoints of the version under review (certificate, TLS, client certificate, probe) before it is approved; the approved version keeps serving.', verify: 'Verify', verifyHint: 'Runs every step for the primary and the secondary endpoint now, with Varco\u2019s client certificate, then sends the same request without it: the station must refuse that one.',
  notApproved: 'Verification needs an approved version.', lastCheck: 'Last check', trigger: 'Started from', duration: 'Duration', result: 'Result',
  step: 'Step', verdict: 'Verdict', timing: 'Time', seen: 'What was seen', fix: 'What to fix', inbound: 'Inbound: GET /api/v1/ping',
  inboundOk: 'Last successful ping: {at}.', inboundMissing: 'No successful ping yet from an active subscription in this environment.',
  inboundHow: 'Call it with the key of an active subscription of this environment:', passed: 'passed', warning: 'warning', failed: 'failed', skipped: 'skipped',
  to_check: 'To check', to_fix: 'To fix', approved: 'Approved', superseded: 'Superseded', unverified: 'Not verified', verified: 'Connection verified',
  failing: 'Failing', flagged: 'Flagged as unreachable since {at}', underReview: 'a change is under review', approvedServing: 'Approved version (in use)',
  pendingVersion: 'Version under review', noApproved: 'No approved version yet.', submittedNotice: 'Sent for review: an administrator will check it and you will get an e-mail.',
  verifiedNotice: 'Verification finished.', approve: 'Approve', requestChanges: 'Ask for changes', reviewNote: 'Note to the organisation (required to ask for changes)',
  settings: 'Settings', connectTimeout: 'Connect timeout (ms)', responseTimeout: 'Response timeout (ms)',
  sharedHost: 'Hosts shared with other organisations', sharedHostOff: 'Other organisations may not register stations at this station\u2019s hosts, and this station may not use hosts another organisation registered.',
  sharedHostOn: 'An administrator allowed this station to share its hosts with other organisations\u2019 stations, both ways.',
  sharedHostAllow: 'Allow sharing its hosts', sharedHostRevoke: 'Stop sharing its hosts',
  verifyRateLimited: 'This station was verified several times in the last minute. Try again in {seconds} seconds.',
  save: 'Save', saved: 'Saved.', toCheck: 'To check', all: 'All stations', yes: 'yes', no: 'no', certificates: 'Client certificates',
  certificatesIntro: 'Varco presents this client certificate on every call to your stations (never on server-to-server feedback of the hosted page). Your servers must require it: trust the platform CA for client certificates and refuse connections without one.',
  current: 'Current client certificate', next: 'Next client certificate (published, not used yet)', noNext: 'No next certificate is published.',
  downloadClient: 'Client certificate and chain (PEM)', downloadCa: 'Platform CA (PEM)', downloadNext: 'Next client certificate and chain (PEM)',
  subject: 'Subject', fingerprint: 'SHA-256 fingerprint', validity: 'Valid', until: 'to', trusted: 'Trusted CAs', trustedIntro: 'Both environments trust the Mozilla root store bundled with Node.js (CAs of the CA/Browser Forum). Each CA below is authorised in addition for one organisation\u2019s stations, or for every organisation\u2019s when an administrator chose so; another organisation\u2019s CA never makes a station\u2019s certificate trusted.',
  addCa: 'Authorise a CA', pem: 'CA certificate (PEM)', trustedFor: 'Trusted for', chooseScope: 'Choose an organisation\u2026', allOrganisations: 'All organisations', add: 'Add', remove: 'Remove', noCas: 'No CAs authorised in addition.', expires: 'Expires', added: 'Added',
  timeoutsInvalid: 'Timeouts must be whole milliseconds: 100–60000 (connect) and 100–120000 (response).', organisationFilter: 'Organisation',
  endpoint: 'Endpoint', secondaryNone: 'none', back: 'Back to the station',
} as const;

export type StationStrings = { readonly [K in keyof typeof en]: string };

const it: StationStrings = {
  stations: 'Stazioni', station: 'Stazione', code: 'Codice stazione', environment: 'Ambiente', test: 'Collaudo', prod: 'Produzione', organisation: 'Organizzazione',
  review: 'Revisione', connection: 'Connessione', register: 'Registra una stazione', registerSubmit: 'Invia per la revisione', edit: 'Modifica gli endpoint',
  editSubmit: 'Invia la modifica per la revisione', primary: 'Endpoint primario', secondary: 'Endpoint secondario (disaster recovery), facoltativo',
  url: 'URL del servizio (https://FQDN[:porta]/servizio)', ip: 'Indirizzo IP', port: 'Porta', none: 'Nessuna stazione.', noneToCheck: 'Nessuna stazione da esaminare.',
  versions: 'Versioni', version: 'Versione', state: 'Stato', submitted: 'Inviata', reviewed: 'Esaminata', note: 'Nota', checks: 'Storico delle verifiche',
  noChecks: 'Non ancora verificata.', verifyPending: 'Verifica questa versione', verifyPendingHint: 'Verifica gli endpoint della versione in revisione (certificato, TLS, certificato client, sonda) prima dell\u2019approvazione; la versione approvata resta in servizio.', verify: 'Verifica', verifyHint: 'Esegue ora ogni passo per l\u2019endpoint primario e secondario, con il certificato client di Varco, poi invia la stessa richiesta senza: la stazione deve rifiutarla.',
  notApproved: 'La verifica richiede una versione approvata.', lastCheck: 'Ultima verifica', trigger: 'Avviata da', duration: 'Durata', result: 'Esito',
  step: 'Passo', verdict: 'Esito', timing: 'Tempo', seen: 'Cosa è stato rilevato', fix: 'Cosa correggere', inbound: 'In ingresso: GET /api/v1/ping',
  inboundOk: 'Ultimo ping riuscito: {at}.', inboundMissing: 'Nessun ping riuscito da una sottoscrizione attiva in questo ambiente.',
  inboundHow: 'Chiamalo con la chiave di una sottoscrizione attiva di questo ambiente:', passed: 'superato', warning: 'avviso', failed: 'fallito', skipped: 'non eseguito',
  to_check: 'Da verificare', to_fix: 'Da correggere', approved: 'Approvata', superseded: 'Sostituita', unverified: 'Non verificata', verified: 'Connessione verificata',
  failing: 'In errore', flagged: 'Segnalata come irraggiungibile dal {at}', underReview: 'una modifica è in revisione', approvedServing: 'Versione approvata (in uso)',
  pendingVersion: 'Versione in revisione', noApproved: 'Nessuna versione approvata.', submittedNotice: 'Inviata per la revisione: un amministratore la esaminerà e riceverai un\u2019e-mail.',
  verifiedNotice: 'Verifica completata.', approve: 'Approva', requestChanges: 'Chiedi modifiche', reviewNote: 'Nota per l\u2019organizzazione (obbligatoria per chiedere modifiche)',
  settings: 'Impostazioni', connectTimeout: 'Timeout di connessione (ms)', responseTimeout: 'Timeout di risposta (ms)',
  sharedHost: 'Host condivisi con altre organizzazioni', sharedHostOff: 'Altre organizzazioni non possono registrare stazioni sugli host di questa stazione, e questa stazione non può usare host registrati da un\u2019altra organizzazione.',
  sharedHostOn: 'Un amministratore ha consentito a questa stazione di condividere i suoi host con le stazioni di altre organizzazioni, in entrambe le direzioni.',
  sharedHostAllow: 'Consenti di condividere i suoi host', sharedHostRevoke: 'Non condividere più i suoi host',
  verifyRateLimited: 'Questa stazione è stata verificata più volte nell\u2019ultimo minuto. Riprova tra {seconds} secondi.',
  save: 'Salva', saved: 'Salvato.', toCheck: 'Da verificare', all: 'Tutte le stazioni', yes: 'sì', no: 'no', certificates: 'Certificati client',
  certificatesIntro: 'Varco presenta questo certificato client a ogni chiamata alle tue stazioni (mai sulle notifiche server-to-server della pagina di pagamento). I tuoi server devono richiederlo: considera attendibile la CA della piattaforma per i certificati client e rifiuta le connessioni senza certificato.',
  current: 'Certificato client attuale', next: 'Prossimo certificato client (pubblicato, non ancora in uso)', noNext: 'Nessun prossimo certificato pubblicato.',
  downloadClient: 'Certificato client e catena (PEM)', downloadCa: 'CA della piattaforma (PEM)', downloadNext: 'Prossimo certificato client e catena (PEM)',
  subject: 'Soggetto', fingerprint: 'Impronta SHA-256', validity: 'Valido dal', until: 'al', trusted: 'CA attendibili', trustedIntro: 'Entrambi gli ambienti considerano attendibile l\u2019archivio di radici Mozilla incluso in Node.js (CA del CA/Browser Forum). Ogni CA qui sotto è autorizzata in aggiunta per le stazioni di una organizzazione, o di tutte quando un amministratore lo ha scelto; la CA di un\u2019altra organizzazione non rende mai attendibile il certificato di una stazione.',
  addCa: 'Autorizza una CA', pem: 'Certificato della CA (PEM)', trustedFor: 'Attendibile per', chooseScope: 'Scegli un\u2019organizzazione\u2026', allOrganisations: 'Tutte le organizzazioni', add: 'Aggiungi', remove: 'Rimuovi', noCas: 'Nessuna CA autorizzata in aggiunta.', expires: 'Scade', added: 'Aggiunta',
  timeoutsInvalid: 'I timeout devono essere millisecondi interi: 100–60000 (connessione) e 100–120000 (risposta).', organisationFilter: 'Organizzazione',
  endpoint: 'Endpoint', secondaryNone: 'nessuno', back: 'Torna alla stazione',
};

export function stationStrings(locale: Locale): StationStrings {
  return locale === 'it' ? it : en;
}

/** Names of the verification steps. */
const STEPS: Record<Locale, Record<string, string>> = {
  en: { dns: 'DNS answer compared with the registered IP', tcp: 'TCP connection to the registered IP and port', tls_version: 'TLS version (1.2 or later)',
    server_certificate: 'Server certificate: chain, name, validity, key, full chain', client_certificate_accepted: 'Varco\u2019s client certificate accepted', probe: 'Signed probe request (POST varco.ping)',
    client_certificate_required: 'The same request without Varco\u2019s client certificate is refused' },
  it: { dns: 'Risposta DNS confrontata con l\u2019IP registrato', tcp: 'Connessione TCP all\u2019IP e alla porta registrati', tls_version: 'Versione TLS (1.2 o successiva)',
    server_certificate: 'Certificato server: catena, nome, validità, chiave, catena completa', client_certificate_accepted: 'Certificato client di Varco accettato', probe: 'Richiesta di prova firmata (POST varco.ping)',
    client_certificate_required: 'La stessa richiesta senza il certificato client di Varco è rifiutata' },
};

export const stepName = (locale: Locale, step: string): string => STEPS[locale][step] ?? step;

/** Problems of the station form, by the module's problem code. */
const PROBLEMS: Record<Locale, Record<string, string>> = {
  en: {
    url_invalid: 'The service URL is not a valid URL (expected https://FQDN[:port]/service).', url_not_https: 'The service URL must use https.',
    fqdn_is_ip: 'The service URL must name the host by its FQDN, not by an IP address (the certificate is checked against the name).',
    fqdn_invalid: 'The host of the service URL is not a valid fully qualified domain name.', url_has_credentials: 'The service URL must not contain a user name or password.',
    ip_invalid: 'The IP address is not a valid IPv4 or IPv6 address.',
    ip_not_public: 'The IP address must be public: loopback, private, link-local, shared, documentation and other special-purpose addresses (in any spelling), and Varco\u2019s own, are refused in every environment unless the operator allowed their range.',
    port_invalid: 'The port must be a whole number from 1 to 65535.', code_invalid: 'The station code must be 2–40 letters, digits, dashes or underscores, starting with a letter or digit.',
    code_taken: 'A station with this code already exists in this environment.', not_found: 'No such station.',
    host_taken: 'Another organisation has registered a station at this host in this environment. Two organisations may share a host only when a Varco administrator allows it.',
    scope_required: 'Choose the organisation the CA is trusted for, or explicitly all organisations.', organisation_not_found: 'No such organisation.', environment_invalid: 'Choose the test or the production environment.',
    note_required: 'Say what must be changed.', invalid_state_transition: 'This version is not waiting for a review.', nothing_to_review: 'No version of this station is waiting for a review.',
    not_a_certificate: 'The text is not one PEM certificate.', not_a_ca: 'The certificate is not a CA certificate (basicConstraints CA:TRUE is missing).',
    expired: 'The CA certificate has expired.', already_trusted: 'This CA is already trusted for this organisation (or for every organisation) in this environment.', development_ca_in_prod: 'A Varco development CA can be trusted only in the test environment.',
  },
  it: {
    url_invalid: 'L\u2019URL del servizio non è valido (atteso https://FQDN[:porta]/servizio).', url_not_https: 'L\u2019URL del servizio deve usare https.',
    fqdn_is_ip: 'L\u2019URL del servizio deve indicare l\u2019host con il suo FQDN, non con un indirizzo IP (il certificato è verificato sul nome).',
    fqdn_invalid: 'L\u2019host dell\u2019URL del servizio non è un nome di dominio completo valido.', url_has_credentials: 'L\u2019URL del servizio non deve contenere utente o password.',
    ip_invalid: 'L\u2019indirizzo IP non è un indirizzo IPv4 o IPv6 valido.',
    ip_not_public: 'L\u2019indirizzo IP deve essere pubblico: indirizzi di loopback, privati, link-local, condivisi, di documentazione e gli altri a uso speciale (in qualsiasi grafia), e quelli di Varco stesso, sono rifiutati in ogni ambiente, salvo che il gestore ne abbia consentito l\u2019intervallo.',
    port_invalid: 'La porta deve essere un numero intero da 1 a 65535.', code_invalid: 'Il codice stazione deve avere 2–40 lettere, cifre, trattini o trattini bassi, e iniziare con una lettera o una cifra.',
    code_taken: 'Esiste già una stazione con questo codice in questo ambiente.', not_found: 'Stazione inesistente.',
    host_taken: 'Un\u2019altra organizzazione ha registrato una stazione su questo host in questo ambiente. Due organizzazioni possono condividere un host solo se un amministratore di Varco lo consente.',
    scope_required: 'Scegli l\u2019organizzazione per cui la CA è attendibile, o esplicitamente tutte le organizzazioni.', organisation_not_found: 'Organizzazione inesistente.', environment_invalid: 'Scegli l\u2019ambiente di collaudo o di produzione.',
    note_required: 'Indica cosa va modificato.', invalid_state_transition: 'Questa versione non è in attesa di revisione.', nothing_to_review: 'Nessuna versione di questa stazione è in attesa di revisione.',
    not_a_certificate: 'Il testo non è un certificato PEM.', not_a_ca: 'Il certificato non è di una CA (manca basicConstraints CA:TRUE).',
    expired: 'Il certificato della CA è scaduto.', already_trusted: 'Questa CA è già attendibile per questa organizzazione (o per tutte) in questo ambiente.', development_ca_in_prod: "Una CA di sviluppo di Varco può essere attendibile solo nell'ambiente di test.",
  },
};

export const problemText = (locale: Locale, problem: string): string => PROBLEMS[locale][problem] ?? PROBLEMS.en[problem] ?? problem;

/**
 * What a verification step saw, by its stable code (ReachabilityStep.code), with `{name}` filled
 * from its params. Steps without a code (or with one not listed here) show the module's English text.
 */
const STEP_TEXT: Record<Locale, Record<string, { message: string; fix?: string }>> = {
  en: {
    certificate_demanded_handshake: { message: 'Without Varco\u2019s client certificate the station refused the connection: {detail}' },
    certificate_demanded_status: { message: 'Without Varco\u2019s client certificate the station answered HTTP {status}: it refuses requests that do not present the certificate.' },
    certificate_not_required: { message: 'The station does not require Varco\u2019s client certificate: the same signed request without it was answered HTTP {status}.',
      fix: 'Configure the server to require (not merely request) a client certificate issued by Varco\u2019s platform CA on every connection, e.g. nginx "ssl_verify_client on" or Apache "SSLVerifyClient require".' },
    certificate_requirement_unconfirmed: { message: 'Varco could not confirm that the station requires its client certificate: the request without it failed otherwise ({detail}).',
      fix: 'Configure the server to require (not merely request) a client certificate issued by Varco\u2019s platform CA on every connection, e.g. nginx "ssl_verify_client on" or Apache "SSLVerifyClient require".' },
  },
  it: {
    certificate_demanded_handshake: { message: 'Senza il certificato client di Varco la stazione ha rifiutato la connessione: {detail}' },
    certificate_demanded_status: { message: 'Senza il certificato client di Varco la stazione ha risposto HTTP {status}: rifiuta le richieste che non presentano il certificato.' },
    certificate_not_required: { message: 'La stazione non richiede il certificato client di Varco: la stessa richiesta firmata senza certificato ha ricevuto la risposta HTTP {status}.',
      fix: 'Configura il server perché richieda obbligatoriamente (non solo chieda) un certificato client emesso dalla CA della piattaforma Varco a ogni connessione, ad esempio nginx "ssl_verify_client on" o Apache "SSLVerifyClient require".' },
    certificate_requirement_unconfirmed: { message: 'Varco non ha potuto confermare che la stazione richieda il suo certificato client: la richiesta senza certificato è fallita per un altro motivo ({detail}).',
      fix: 'Configura il server perché richieda obbligatoriamente (non solo chieda) un certificato client emesso dalla CA della piattaforma Varco a ogni connessione, ad esempio nginx "ssl_verify_client on" o Apache "SSLVerifyClient require".' },
  },
};

const fill = (text: string, params: Record<string, string> | undefined): string => text.replace(/\{(\w+)\}/g, (whole, name: string) => params?.[name] ?? whole);

/** A step's sentence and fix in `locale` when its code is known; the stored English otherwise. */
export function stepText(locale: Locale, step: { code?: string | undefined; params?: Record<string, string> | undefined; message: string; fix?: string | undefined }): { message: string; fix: string | undefined } {
  const known = step.code === undefined ? undefined : STEP_TEXT[locale][step.code];
  if (known === undefined) return { message: step.message, fix: step.fix };
  return { message: fill(known.message, step.params), fix: known.fix === undefined ? step.fix : fill(known.fix, step.params) };
}
