import { env, formatInstant, greetingFor, p, type Wording } from './helpers.ts';
import type { Locale } from '../i18n.ts';
import { failureText } from '../shared/node-texts.ts';

// pagoPA e-mails: a creditor institution's referents are told when Varco gave up delivering a
// receipt to their station (paSendRT / paSendRTV2), so they fix the station and re-send it.

export const PAGOPA_WORDING = {
  pagopa_receipt_undelivered: {
    en: (params) => ({
      subject: `pagoPA receipt not delivered: notice ${p(params, 'noticeNumber')} (${env('en', params.environment)})`,
      ...greetingFor('en', params),
      paragraphs: [
        `Varco could not deliver the receipt ${p(params, 'receiptId')} of notice ${p(params, 'noticeNumber')} to ${p(params, 'organisationName')} (${env('en', params.environment)}), sent to ${p(params, 'destination')}.`,
        `It tried ${p(params, 'attempts')} times since ${formatInstant('en', p(params, 'firstAttemptAt'))} and has stopped. The last failure: ${p(params, 'lastError')}.`,
        'The payment has been made: once your station answers paSendRT again, open the receipt and press Resend. The station must answer OK, or PAA_RECEIPT_DUPLICATA if it already has the receipt.',
      ],
      action: 'Open the receipt',
    }),
    it: (params) => ({
      subject: `Ricevuta pagoPA non consegnata: avviso ${p(params, 'noticeNumber')} (${env('it', params.environment)})`,
      ...greetingFor('it', params),
      paragraphs: [
        `Varco non è riuscito a consegnare la ricevuta ${p(params, 'receiptId')} dell’avviso ${p(params, 'noticeNumber')} a ${p(params, 'organisationName')} (${env('it', params.environment)}), inviata a ${p(params, 'destination')}.`,
        `Ha tentato ${p(params, 'attempts')} volte dal ${formatInstant('it', p(params, 'firstAttemptAt'))} e ha smesso. L’ultimo errore: ${failureText('it', p(params, 'lastError'))}.`,
        'Il pagamento è avvenuto: quando la stazione risponde di nuovo a paSendRT, apri la ricevuta e premi Invia di nuovo. La stazione deve rispondere OK, oppure PAA_RECEIPT_DUPLICATA se ha già la ricevuta.',
      ],
      action: 'Apri la ricevuta',
    }),
  },
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;
