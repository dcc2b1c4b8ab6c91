import type { Locale } from '../i18n.ts';

// Italian and English strings of the pagoPA receipts pages (portal and back office).

const en = {
  title: 'pagoPA receipts', receipt: 'pagoPA receipt',
  intro: 'Receipts Varco delivers with paSendRT / paSendRTV2 for payments your organisation is party to (as creditor institution, PSP or station owner), newest first. A failed delivery is retried for {hours} hours; the station must answer OK, or PAA_RECEIPT_DUPLICATA if it already has the receipt.',
  adminIntro: 'Every receipt Varco delivers with paSendRT / paSendRTV2, of every organisation, newest first. A failed delivery is retried for {hours} hours.',
  none: 'No receipts match.', environment: 'Environment', any: 'Any', test: 'Test', prod: 'Production', state: 'State', noticeNumber: 'Notice number',
  receiptId: 'Receipt id (payment token)', search: 'Search', reset: 'Clear', created: 'Created (UTC)', amount: 'Amount', recipient: 'Sent to',
  attempts: 'Attempts', lastAttempt: 'Last attempt (UTC)', lastError: 'Last error', older: 'Older receipts', newest: 'Newest receipts', back: 'All receipts',
  pending: 'being delivered', delivered: 'delivered', failed: 'not delivered (given up)',
  id: 'Varco id', noticeEc: 'Creditor institution of the notice', recipientEc: 'Institution receiving this copy', copy: 'copy {n}', psp: 'PSP',
  station: 'Station', version: 'Primitive version', firstDelivered: 'First delivered (UTC)', deliveredAt: 'Last delivered (UTC)',
  simulated: 'simulated station', notRouted: 'no station yet',
  attemptLog: 'Delivery attempts', noAttempts: 'No attempt yet: the first one starts within seconds.', when: 'Time (UTC)', duration: 'Duration',
  destination: 'Destination', result: 'Result', http: 'HTTP', answer: 'EC answer', error: 'Error', message: 'Message',
  resultDelivered: 'delivered', resultDuplicate: 'delivered (PAA_RECEIPT_DUPLICATA)', resultRetry: 'failed',
  outboxMessage: 'Delivery {id}, try {n}', viewMessage: 'SOAP messages',
  resend: 'Resend', resendHelp: 'Sends the receipt to the institution\u2019s station again now. A station that already has it answers PAA_RECEIPT_DUPLICATA, which counts as delivered.',
  resentNow: 'The pending delivery was made due now.', resentQueued: 'The receipt will be sent again within seconds.',
  inProgress: 'A delivery of this receipt is under way; try again in a moment.', forbidden: 'Only the institution receiving this copy, or its station\u2019s owner, can resend it.',
  badEnv: 'The environment must be test or production.', badState: 'Choose a state from the list.', tooLong: 'Each search field has at most 64 characters.',
  badCursor: 'The page link is not valid; start again from the newest receipts.',
};
type Strings = typeof en;
const it: Strings = {
  title: 'Ricevute pagoPA', receipt: 'Ricevuta pagoPA',
  intro: 'Le ricevute che Varco consegna con paSendRT / paSendRTV2 per i pagamenti di cui la tua organizzazione è parte (come ente creditore, PSP o titolare della stazione), dalla più recente. Una consegna non riuscita viene ritentata per {hours} ore; la stazione deve rispondere OK, oppure PAA_RECEIPT_DUPLICATA se ha già la ricevuta.',
  adminIntro: 'Ogni ricevuta che Varco consegna con paSendRT / paSendRTV2, di ogni organizzazione, dalla più recente. Una consegna non riuscita viene ritentata per {hours} ore.',
  none: 'Nessuna ricevuta corrisponde.', environment: 'Ambiente', any: 'Tutti', test: 'Collaudo', prod: 'Produzione', state: 'Stato', noticeNumber: 'Numero avviso',
  receiptId: 'Id ricevuta (token di pagamento)', search: 'Cerca', reset: 'Azzera', created: 'Creata (UTC)', amount: 'Importo', recipient: 'Inviata a',
  attempts: 'Tentativi', lastAttempt: 'Ultimo tentativo (UTC)', lastError: 'Ultimo errore', older: 'Ricevute precedenti', newest: 'Ricevute più recenti', back: 'Tutte le ricevute',
  pending: 'in consegna', delivered: 'consegnata', failed: 'non consegnata (abbandonata)',
  id: 'Id Varco', noticeEc: 'Ente creditore dell\u2019avviso', recipientEc: 'Ente che riceve questa copia', copy: 'copia {n}', psp: 'PSP',
  station: 'Stazione', version: 'Versione delle primitive', firstDelivered: 'Prima consegna (UTC)', deliveredAt: 'Ultima consegna (UTC)',
  simulated: 'stazione simulata', notRouted: 'nessuna stazione per ora',
  attemptLog: 'Tentativi di consegna', noAttempts: 'Nessun tentativo per ora: il primo parte entro pochi secondi.', when: 'Ora (UTC)', duration: 'Durata',
  destination: 'Destinazione', result: 'Esito', http: 'HTTP', answer: 'Risposta dell\u2019ente', error: 'Errore', message: 'Messaggio',
  resultDelivered: 'consegnata', resultDuplicate: 'consegnata (PAA_RECEIPT_DUPLICATA)', resultRetry: 'non riuscito',
  outboxMessage: 'Consegna {id}, tentativo {n}', viewMessage: 'Messaggi SOAP',
  resend: 'Invia di nuovo', resendHelp: 'Invia di nuovo adesso la ricevuta alla stazione dell\u2019ente. Una stazione che l\u2019ha già risponde PAA_RECEIPT_DUPLICATA, che conta come consegna riuscita.',
  resentNow: 'La consegna in attesa è stata anticipata ad adesso.', resentQueued: 'La ricevuta verrà inviata di nuovo entro pochi secondi.',
  inProgress: 'Una consegna di questa ricevuta è in corso; riprova tra un momento.', forbidden: 'Solo l\u2019ente che riceve questa copia, o il titolare della sua stazione, può inviarla di nuovo.',
  badEnv: 'L\u2019ambiente deve essere collaudo o produzione.', badState: 'Scegli uno stato dall\u2019elenco.', tooLong: 'Ogni campo di ricerca ha al massimo 64 caratteri.',
  badCursor: 'Il link della pagina non è valido; ricomincia dalle ricevute più recenti.',
};

export const receiptStrings = (locale: Locale): Strings => (locale === 'it' ? it : en);
export type ReceiptStrings = Strings;
export { fill } from '../pagopa-exchanges/strings.ts';
