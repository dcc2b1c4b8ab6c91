import { env, formatInstant, greetingFor, p, type Wording } from './helpers.ts';
import type { Locale } from '../i18n.ts';

// Delivery e-mails (ADR 0025): a merchant's referents are told when Varco stopped retrying the
// server-to-server feedback of an order, so they fix their endpoint and resend it from the portal.

export const DELIVERY_WORDING = {
  feedback_undelivered: {
    en: (params) => ({
      subject: `Payment feedback not delivered: order ${p(params, 'orderId')} (${env('en', params.environment)})`,
      ...greetingFor('en', params),
      paragraphs: [
        `Varco could not deliver the server-to-server feedback of order ${p(params, 'orderId')} of ${p(params, 'organisationName')} (${env('en', params.environment)}) to ${p(params, 'destination')}. Event id: ${p(params, 'eventId')}.`,
        `It tried ${p(params, 'attempts')} times since ${formatInstant('en', p(params, 'firstAttemptAt'))} and has stopped. The last failure: ${p(params, 'lastError')}.`,
        'The payment outcome is recorded in Varco. Once your endpoint answers with a 2xx status again, open the order and press Resend: the request carries the same event id, so your shop can recognise a duplicate.',
      ],
      action: 'Open the order',
    }),
    it: (params) => ({
      subject: `Notifica di pagamento non consegnata: ordine ${p(params, 'orderId')} (${env('it', params.environment)})`,
      ...greetingFor('it', params),
      paragraphs: [
        `Varco non è riuscito a consegnare la notifica server-to-server dell’ordine ${p(params, 'orderId')} di ${p(params, 'organisationName')} (${env('it', params.environment)}) a ${p(params, 'destination')}. Id evento: ${p(params, 'eventId')}.`,
        `Ha tentato ${p(params, 'attempts')} volte dal ${formatInstant('it', p(params, 'firstAttemptAt'))} e ha smesso. L’ultimo errore: ${p(params, 'lastError')}.`,
        'L’esito del pagamento è registrato in Varco. Quando il tuo endpoint risponde di nuovo con uno stato 2xx, apri l’ordine e premi Reinvia: la richiesta porta lo stesso id evento, così il negozio può riconoscere un duplicato.',
      ],
      action: 'Apri l’ordine',
    }),
  },
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;
