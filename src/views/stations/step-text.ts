import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';
import { stepName } from './strings.ts';

// What a verification step saw and what to fix, in Italian, by the stable codes the outbound module
// gives every step, certificate check, connection failure and handshake verdict (with the values
// each sentence names). English pages show the module's own English sentence, stored with the check;
// a check stored before steps had codes is shown as stored. test/stations/step-text.test.ts checks
// that every code the module can give has its sentence here.
//
// Technical text quoted from elsewhere (OpenSSL's reason, a system error) stays as it came, «quoted».

type Text = { message: string; fix?: string };

const IT_STEPS: Readonly<Record<string, Text>> = {
  dns_resolves: { message: '{fqdn} si risolve in {addresses}, compreso l\u2019IP registrato {ip}.' },
  dns_differs: {
    message: '{fqdn} si risolve in {addresses}, non nell\u2019IP registrato {ip}. Varco si collega comunque a {ip}: il DNS non serve alla connessione.',
    fix: 'Se il servizio è stato spostato, aggiorna l\u2019indirizzo IP registrato; altrimenti fai puntare il record DNS di {fqdn} a {ip}, così gli altri client raggiungono lo stesso servizio.',
  },
  dns_unresolved: {
    message: '{fqdn} non si risolve ({error}). Varco si collega comunque all\u2019IP registrato {ip}: il DNS non serve alla connessione.',
    fix: 'Pubblica un record DNS per {fqdn} che punti a {ip} se serve ad altri client; a Varco no.',
  },
  tcp_connected: { message: 'Connesso a {ip}:{port}.' },
  tcp_forbidden: {
    message: '{failure}',
    fix: 'Registra l\u2019indirizzo pubblico a cui il servizio risponde: gli indirizzi non pubblici sono rifiutati in ogni ambiente.',
  },
  tcp_timeout: {
    message: 'Nessuna connessione TCP a {ip}:{port} entro {ms} ms (pacchetti scartati, o un firewall).',
    fix: 'Verifica che il servizio sia in ascolto su {ip}:{port} e che i firewall lascino raggiungere quella porta dall\u2019indirizzo di uscita di Varco.',
  },
  tcp_failed: {
    message: '{failure}',
    fix: 'Verifica che il servizio sia in ascolto su {ip}:{port} e che i firewall lascino raggiungere quella porta dall\u2019indirizzo di uscita di Varco.',
  },
  tls_negotiated: { message: 'Negoziato {protocol} (Varco richiede TLS 1.2 o successivo).' },
  tls_before_client_certificate: { message: 'Il server ha accettato TLS 1.2 o successivo e ha poi chiesto un certificato client.' },
  tls_unsupported: {
    message: 'Il server non accetta TLS 1.2 o successivo, che Varco richiede («{reason}»).',
    fix: 'Abilita TLS 1.2 e TLS 1.3 sul server o sul bilanciatore che termina il TLS, e disabilita i protocolli più vecchi.',
  },
  tls_offered: {
    message: 'Il server offre al massimo {offered}; Varco richiede TLS 1.2 o successivo («{reason}»).',
    fix: 'Abilita TLS 1.2 e TLS 1.3 sul server o sul bilanciatore che termina il TLS, e disabilita i protocolli più vecchi.',
  },
  tls_timeout: {
    message: 'La connessione TCP si è aperta ma nessun handshake TLS si è completato entro {ms} ms.',
    fix: 'Verifica che {ip}:{port} serva HTTPS (TLS) e non HTTP in chiaro o un altro protocollo.',
  },
  tls_failed: {
    message: '{failure}',
    fix: 'Verifica la configurazione TLS di {ip}:{port}: deve servire il certificato di {fqdn} (SNI) con TLS 1.2 o successivo.',
  },
  certificate_passed: { message: 'Tutti i {count} controlli del certificato sono superati:' },
  certificate_failed: { message: 'Controlli del certificato non superati:' },
  client_accepted: { message: 'Il server ha accettato il certificato client di Varco: {how}.' },
  client_rejected: { message: 'Il server ha rifiutato il certificato client di Varco: {how}.', fix: '{acceptFix}' },
  client_rejected_handshake: { message: '{failure}', fix: '{acceptFix}' },
  probe_failed: {
    message: 'La richiesta firmata {call} non è riuscita: {failure}',
    fix: 'Correggi prima il passo precedente non superato; se sono tutti superati, cerca questa richiesta nei log del servizio.',
  },
  probe_passed: { message: 'Il servizio ha risposto HTTP {status} alla richiesta firmata {call}.' },
  probe_status: {
    message: 'Il servizio ha risposto HTTP {status} alla richiesta firmata {call}; è raggiungibile con qualsiasi risposta 2xx.',
    fix: 'Fai rispondere {call} su {fqdn} con uno stato 2xx a un corpo JSON "{"type":"varco.ping", …}"; il corpo della risposta è ignorato.',
  },
  certificate_demanded_handshake: { message: 'Senza il certificato client di Varco la stazione ha rifiutato la connessione: {failure}' },
  certificate_demanded_status: {
    message: 'Senza il certificato client di Varco la stazione ha risposto HTTP {status}: rifiuta le richieste che non presentano il certificato.',
  },
  certificate_not_required: {
    message: 'La stazione non richiede il certificato client di Varco: la stessa richiesta firmata senza certificato ha ricevuto la risposta HTTP {status}.',
    fix: '{requireFix}',
  },
  certificate_requirement_unconfirmed: {
    message:
      'Varco non ha potuto confermare che la stazione richieda il suo certificato client: la richiesta senza certificato è fallita per un altro motivo: {failure}',
    fix: '{requireFix}',
  },
  skipped: { message: 'Non eseguito: {because}.' },
};

const IT_SHARED = {
  acceptFix:
    'Configura il server perché chieda e accetti i certificati client emessi da {ca} (scarica dal portale il certificato client di Varco per l\u2019ambiente e la sua catena, e aggiungi quella CA alle CA client attendibili del server).',
  requireFix:
    'Configura il server perché richieda obbligatoriamente (non solo chieda) un certificato client emesso da {ca} a ogni connessione, ad esempio nginx "ssl_verify_client on" o Apache "SSLVerifyClient require".',
};

const IT_SKIPPED: Readonly<Record<string, string>> = {
  no_tcp: 'nessuna connessione TCP',
  no_tls: 'nessun handshake TLS',
  handshake_ended: 'il server ha chiuso l\u2019handshake prima che il suo certificato potesse essere controllato',
  step_failed: 'il passo «{step}» non è superato',
  probe_failed: 'la richiesta di prova con il certificato client di Varco non è superata',
};

const IT_HOW: Readonly<Record<string, string>> = {
  tls12_completed: 'l\u2019handshake {protocol} si è completato, e il server lo consente solo dopo aver controllato il nostro certificato',
  tls13_no_rejection: 'l\u2019handshake TLS 1.3 si è completato e nessun rifiuto è arrivato entro {ms} ms',
  tls13_ticket: 'il server ha completato l\u2019handshake TLS 1.3 e ha emesso un ticket di sessione, quindi ha accettato il nostro certificato',
  tls13_alert: 'il server ha risposto al nostro certificato con l\u2019alert TLS «{reason}»',
  tls13_failed_after: 'la connessione è fallita subito dopo l\u2019handshake: «{reason}»',
  tls13_closed: 'il server ha chiuso la connessione subito dopo l\u2019handshake TLS 1.3, senza un alert',
};

const ENDPOINT = '{fqdn} ({ip}:{port})';
const IT_FAILURES: Readonly<Record<string, string>> = {
  destination_forbidden: `Varco non si è collegato a ${ENDPOINT}: «{detail}».`,
  certificate_refused: `Varco ha rifiutato il certificato server di ${ENDPOINT}: {meaning} («{detail}»).`,
  protocol_version: `${ENDPOINT} non accetta TLS 1.2 o successivo, il minimo usato da Varco («{detail}»).`,
  client_certificate_rejected: `${ENDPOINT} ha rifiutato il certificato client di Varco (alert TLS «{detail}»).`,
  client_certificate_closed: `${ENDPOINT} ha chiuso la connessione subito dopo aver ricevuto il certificato client di Varco, senza un alert TLS: molto probabilmente non accetta quel certificato.`,
  connect_timeout_tcp: `Nessuna connessione TCP a ${ENDPOINT} entro {ms} ms.`,
  tls_timeout: `La connessione TCP a ${ENDPOINT} si è aperta ma l\u2019handshake TLS non si è completato entro {ms} ms (questa porta serve TLS?).`,
  handshake_closed: `${ENDPOINT} ha chiuso la connessione durante l\u2019handshake TLS, prima di completarlo («{detail}»).`,
  connection_refused: `La connessione a ${ENDPOINT} è stata rifiutata: nessun servizio accetta connessioni su quella porta.`,
  host_unreachable: `${ENDPOINT} non è raggiungibile da Varco ({errorCode}): nessun instradamento verso l\u2019IP registrato.`,
  connection_closed: `${ENDPOINT} ha chiuso la connessione prima di una risposta completa («{detail}»).`,
  connect_timeout: `Nessuna connessione a ${ENDPOINT} entro {ms} ms.`,
  response_timeout: `${ENDPOINT} ha accettato la richiesta ma non ha inviato una risposta completa entro {responseMs} ms.`,
  not_tls: `${ENDPOINT} non ha risposto in TLS (sulla porta {port} c\u2019è HTTP in chiaro o un altro servizio?).`,
  handshake_failed: `L\u2019handshake TLS con ${ENDPOINT} non è riuscito: «{detail}».`,
  network_error: `La chiamata a ${ENDPOINT} non è riuscita: «{detail}».`,
};

/** The certificate problems OpenSSL reports (the `meaning` of certificate_refused). */
const IT_MEANINGS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'il certificato server (o uno della sua catena) è scaduto',
  CERT_NOT_YET_VALID: 'il certificato server (o uno della sua catena) non è ancora valido',
  ERR_TLS_CERT_ALTNAME_INVALID: 'il certificato server non riporta l\u2019FQDN del servizio',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'l\u2019emittente del certificato server non è stato inviato e non è una radice attendibile (intermedio mancante, o CA sconosciuta)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'un emittente della catena del server non è stato inviato e non è una radice attendibile (intermedio mancante, o CA sconosciuta)',
  UNABLE_TO_GET_ISSUER_CERT: 'non è stato possibile trovare un emittente della catena del server',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'il certificato server è autofirmato e non è attendibile',
  SELF_SIGNED_CERT_IN_CHAIN: 'la catena del server termina in una radice non attendibile',
  EE_KEY_TOO_SMALL: 'la chiave del certificato server è troppo debole',
  CA_KEY_TOO_SMALL: 'una chiave di CA nella catena del server è troppo debole',
  CA_MD_TOO_WEAK: 'un certificato della catena del server è firmato con un digest debole',
  CERT_SIGNATURE_FAILURE: 'una firma nella catena del server non è verificata',
  INVALID_CA: 'un certificato della catena del server è usato come CA ma non lo è',
  INVALID_PURPOSE: 'il certificato server non è per l\u2019autenticazione di server TLS',
  CERT_REVOKED: 'il certificato server è revocato',
  UNNAMED_KEY_TOO_WEAK: 'una chiave della catena del server è troppo debole',
  UNNAMED_DIGEST_TOO_WEAK: 'un certificato della catena del server è firmato con un digest debole',
  UNNAMED_INVALID: 'la catena del server non ha superato la verifica',
};

const IT_CHECKS: Readonly<Record<string, Text>> = {
  no_certificate: { message: 'Il server non ha presentato alcun certificato.', fix: 'Configura un certificato server sul servizio.' },
  chain_is_root: { message: 'Il certificato {leaf} è esso stesso una radice attendibile per questo ambiente.' },
  chain_trusted: { message: 'Il certificato {leaf} risale alla radice attendibile {root}.' },
  chain_trusted_via: { message: 'Il certificato {leaf} risale, attraverso {via}, alla radice attendibile {root}.' },
  chain_self_signed: {
    message: 'Il certificato {leaf} è autofirmato e non è una radice attendibile per questo ambiente.',
    fix: 'Usa un certificato emesso da una CA del CA/Browser Forum, o chiedi a un amministratore di autorizzare {root} per questo ambiente.',
  },
  chain_untrusted_root: {
    message: 'La catena di {leaf} termina nella radice {root}, che non è attendibile per questo ambiente.',
    fix: 'Usa un certificato emesso da una CA del CA/Browser Forum, o chiedi a un amministratore di autorizzare {root} per questo ambiente.',
  },
  chain_issuer_missing: {
    message: '{subject} è emesso da {issuer}, che il server non ha inviato e che non è una radice attendibile: la catena non può essere verificata.',
    fix: 'Installa sul server la catena completa, compreso l\u2019intermedio {issuer}; se quella CA è privata, chiedi a un amministratore di autorizzarne la radice.',
  },
  chain_invalid: {
    message: 'La catena di {leaf} non è valida: «{reason}».',
    fix: 'Installa una catena di certificati emessa da una gerarchia di CA corretta.',
  },
  name_matches: { message: 'Il certificato riporta {matched}, che corrisponde all\u2019FQDN del servizio {fqdn}.' },
  name_mismatch: {
    message: 'I nomi del certificato sono {names}, ma l\u2019FQDN del servizio è {fqdn}.{ignoredCn}',
    fix: 'Usa un certificato i cui nomi alternativi (SAN) includano {fqdn}, o registra l\u2019URL del servizio con un nome host coperto dal certificato.',
  },
  validity_not_yet: {
    message: 'Il certificato {cert} non è ancora valido: è valido dal {from} al {to} (inizia tra {days} giorni).',
    fix: 'Installa un certificato valido ora, o verifica l\u2019orologio del server della CA che lo ha emesso.',
  },
  validity_expired: {
    message: 'Il certificato {cert} è scaduto il {to} ({days} giorni fa); era valido dal {from} al {to}.',
    fix: 'Rinnova {cert} e installa il nuovo certificato con la sua catena completa.',
  },
  validity_ok: { message: 'Il certificato {cert} è valido dal {from} al {to} (scade tra {days} giorni).' },
  validity_nothing: { message: 'Nessun certificato da controllare.' },
  key_weak: {
    message: 'Il certificato {cert} ha una chiave {key}; Varco richiede RSA di almeno {bits} bit o EC P-256 o più robusta.',
    fix: 'Emetti di nuovo {cert} con una chiave RSA da {bits} bit o più, o EC P-256 o più robusta.',
  },
  key_ok: { message: 'Le chiavi sono abbastanza robuste ({keys}).' },
  full_chain_missing: {
    message: '{sentences}; manca l\u2019intermedio {issuer} che ha emesso {subject}, e Varco non scarica gli intermedi mancanti.',
    fix: 'Installa la catena completa sul server (o sul bilanciatore che termina il TLS): il certificato seguito dall\u2019intermedio {issuer}{more}.',
  },
  full_chain_self_signed: { message: '{sentences}; è autofirmato, quindi non c\u2019è una catena da servire.' },
  full_chain_direct: { message: '{sentences}; è emesso direttamente dalla radice, quindi non serve alcun intermedio.' },
  full_chain_complete: { message: '{sentences}: ogni intermedio fino alla radice è incluso.' },
};

/** Every Italian table of this file, for the test that compares them with the module's codes. */
export const STEP_TEXT_TABLES = { steps: IT_STEPS, skipped: IT_SKIPPED, how: IT_HOW, failures: IT_FAILURES, meanings: IT_MEANINGS, checks: IT_CHECKS };

export type Params = Readonly<Record<string, string>> | undefined;

const fill = (text: string, values: Readonly<Record<string, string>>): string => text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
const isInstant = (value: string): boolean => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/.test(value);

/** The params with the ones that are sentences themselves (failure, how, because…) said in Italian. */
function spelled(params: Params): Record<string, string> {
  const p: Record<string, string> = {};
  for (const [name, value] of Object.entries(params ?? {})) p[name] = isInstant(value) ? formatDateTime('it', value) : value;
  const failure = p.sentence === undefined ? undefined : IT_FAILURES[p.sentence];
  if (p.meaning !== undefined) p.meaning = IT_MEANINGS[p.meaning] ?? p.meaning;
  if (failure !== undefined) p.failure = fill(failure, p);
  if (p.how !== undefined) p.how = fill(IT_HOW[p.how] ?? p.how, p);
  if (p.step !== undefined) p.step = stepName('it', p.step);
  if (p.because !== undefined) p.because = fill(IT_SKIPPED[p.because] ?? p.because, p);
  if (p.ca !== undefined) {
    p.acceptFix = fill(IT_SHARED.acceptFix, p);
    p.requireFix = fill(IT_SHARED.requireFix, p);
  }
  if (p.namesKind !== undefined)
    p.names =
      p.namesKind === 'san'
        ? `${p.names ?? ''} (nomi alternativi)`
        : p.namesKind === 'cn'
          ? `${p.names ?? ''} (common name; nessun nome alternativo)`
          : 'nessuno';
  if (p.ignoredCn !== undefined)
    p.ignoredCn = p.ignoredCn === '' ? '' : ` Il common name ${p.ignoredCn} corrisponderebbe, ma è ignorato perché il certificato ha nomi alternativi.`;
  if (p.leaf !== undefined && p.sent !== undefined)
    p.sentences =
      p.sent === '' ? `Il server ha inviato solo il proprio certificato ${p.leaf}` : `Il server ha inviato il proprio certificato ${p.leaf} e ${p.sent}`;
  if (p.more !== undefined) p.more = p.more === '' ? '' : ' e gli intermedi sopra di esso';
  return p;
}

export interface CheckSaid {
  ok: boolean;
  message: string;
  fix?: string | undefined;
  code?: string | undefined;
  params?: Params;
}

export interface StepSaid {
  message: string;
  fix?: string | undefined;
  code?: string | undefined;
  params?: Params;
  checks?: readonly CheckSaid[] | undefined;
}

function sayCheck(check: CheckSaid): { message: string; fix: string | undefined } {
  const text = check.code === undefined ? undefined : IT_CHECKS[check.code];
  if (text === undefined) return { message: check.message, fix: check.fix };
  const p = spelled(check.params);
  return { message: fill(text.message, p), fix: text.fix === undefined ? undefined : fill(text.fix, p) };
}

/** A step's sentence and fix in `locale`: Italian from its code when known, the stored English otherwise. */
export function stepText(locale: Locale, step: StepSaid): { message: string; fix: string | undefined } {
  const text = step.code === undefined ? undefined : IT_STEPS[step.code];
  if (locale === 'en' || text === undefined) return { message: step.message, fix: step.fix };
  const p = spelled(step.params);
  if (step.checks !== undefined && (step.code === 'certificate_passed' || step.code === 'certificate_failed')) {
    const shown = step.code === 'certificate_passed' ? step.checks : step.checks.filter((c) => !c.ok);
    const said = shown.map(sayCheck);
    const fixes = said.map((s) => s.fix).filter((f): f is string => f !== undefined);
    return { message: [fill(text.message, p), ...said.map((s) => s.message)].join(' '), fix: fixes.length > 0 ? fixes.join(' ') : undefined };
  }
  return { message: fill(text.message, p), fix: text.fix === undefined ? step.fix : fill(text.fix, p) };
}
