import type { Locale } from '../i18n.ts';

// Italian and English strings of the pagoPA exchange log pages (portal and back office).

const en = {
  title: 'pagoPA exchange log', message: 'pagoPA message', intro: 'The SOAP messages Varco received or sent that your organisation is party to (as PSP, creditor institution or station owner), newest first. Channel passwords are masked; messages are kept {days} days.',
  adminIntro: 'Every SOAP message Varco received or sent, of every organisation, newest first. Channel passwords are masked.',
  none: 'No messages match.', environment: 'Environment', any: 'Any', test: 'Test', prod: 'Production', noticeNumber: 'Notice number', token: 'Payment token',
  faultCode: 'Fault code', operation: 'Operation', search: 'Search', reset: 'Clear', at: 'Time (UTC)', direction: 'Direction', outcome: 'Outcome', duration: 'Duration',
  in: 'PSP \u2192 Varco', out: 'Varco \u2192 station', older: 'Older messages', newest: 'Newest messages', back: 'All messages',
  parties: 'Parties', psp: 'PSP organisation', ec: 'Creditor institution', station: 'Station', stationOwner: 'Station owner', fiscalCode: 'EC fiscal code',
  httpStatus: 'HTTP status', error: 'Error', request: 'Request', response: 'Response', noResponse: 'No response (see the error above).',
  download: 'Download (XML)', truncated: 'Only the first {kept} of {size} are kept.', size: 'Size', id: 'Message id', unknown: 'unknown',
  badEnv: 'The environment must be test or production.', badOperation: 'Choose an operation from the list.', tooLong: 'Each search field has at most 64 characters.',
  badCursor: 'The page link is not valid; start again from the newest messages.',
};
type Strings = typeof en;
const it: Strings = {
  title: 'Log dei messaggi pagoPA', message: 'Messaggio pagoPA', intro: 'I messaggi SOAP ricevuti o inviati da Varco di cui la tua organizzazione è parte (come PSP, ente creditore o titolare della stazione), dal più recente. Le password dei canali sono mascherate; i messaggi sono conservati {days} giorni.',
  adminIntro: 'Ogni messaggio SOAP ricevuto o inviato da Varco, di ogni organizzazione, dal più recente. Le password dei canali sono mascherate.',
  none: 'Nessun messaggio corrisponde.', environment: 'Ambiente', any: 'Tutti', test: 'Collaudo', prod: 'Produzione', noticeNumber: 'Numero avviso', token: 'Token di pagamento',
  faultCode: 'Codice di errore', operation: 'Operazione', search: 'Cerca', reset: 'Azzera', at: 'Ora (UTC)', direction: 'Direzione', outcome: 'Esito', duration: 'Durata',
  in: 'PSP \u2192 Varco', out: 'Varco \u2192 stazione', older: 'Messaggi precedenti', newest: 'Messaggi più recenti', back: 'Tutti i messaggi',
  parties: 'Parti', psp: 'Organizzazione PSP', ec: 'Ente creditore', station: 'Stazione', stationOwner: 'Titolare della stazione', fiscalCode: 'Codice fiscale EC',
  httpStatus: 'Stato HTTP', error: 'Errore', request: 'Richiesta', response: 'Risposta', noResponse: 'Nessuna risposta (vedi l\u2019errore sopra).',
  download: 'Scarica (XML)', truncated: 'Sono conservati solo i primi {kept} di {size}.', size: 'Dimensione', id: 'Id messaggio', unknown: 'sconosciuta',
  badEnv: 'L\u2019ambiente deve essere collaudo o produzione.', badOperation: 'Scegli un\u2019operazione dall\u2019elenco.', tooLong: 'Ogni campo di ricerca ha al massimo 64 caratteri.',
  badCursor: 'Il link della pagina non è valido; ricomincia dai messaggi più recenti.',
};

export const exchangeStrings = (locale: Locale): Strings => (locale === 'it' ? it : en);
export type ExchangeStrings = Strings;

export const fill = (template: string, values: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (_m, name: string) => String(values[name] ?? `{${name}}`));
