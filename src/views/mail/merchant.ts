import { greetingFor, p, type Wording } from './helpers.ts';
import type { Locale } from '../i18n.ts';

// Merchant account e-mails (hosted payment page, issue 5). They name which passphrase changed,
// never its value: the new one is random and nobody, the merchant included, is ever shown it.

export const MERCHANT_WORDING = {
  merchant_passphrase_replaced: {
    en: (params) => ({
      subject: `Test passphrase replaced for PSPID ${p(params, 'pspid')}`,
      ...greetingFor('en', params),
      paragraphs: [
        `The ${p(params, 'which')} passphrase of the test configuration of PSPID ${p(params, 'pspid')} (${p(params, 'organisationName')}) was the same as a production passphrase.`,
        'Test and production passphrases must differ, so Varco replaced the test one with a random passphrase. Test requests signed with the old one are now refused.',
        'Choose a new test passphrase on the Technical information page and put it in your test shop.',
      ],
      action: 'Open Technical information (test)',
    }),
    it: (params) => ({
      subject: `Passphrase di collaudo sostituita per il PSPID ${p(params, 'pspid')}`,
      ...greetingFor('it', params),
      paragraphs: [
        `La passphrase ${p(params, 'which')} della configurazione di collaudo del PSPID ${p(params, 'pspid')} (${p(params, 'organisationName')}) era uguale a una passphrase di produzione.`,
        'Le passphrase di collaudo e di produzione devono essere diverse, quindi Varco ha sostituito quella di collaudo con una casuale. Le richieste di collaudo firmate con la vecchia ora vengono rifiutate.',
        'Scegli una nuova passphrase di collaudo nella pagina Informazioni tecniche e inseriscila nel tuo negozio di collaudo.',
      ],
      action: 'Apri Informazioni tecniche (collaudo)',
    }),
  },
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;
