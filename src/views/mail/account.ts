import { formatInstant, greetingFor, p, type Wording } from './helpers.ts';
import type { Locale } from '../i18n.ts';

// Account e-mails (issue 14): the password reset link. It says who asked only as "someone" (the
// request is anonymous), how long the link works, and that ignoring the e-mail changes nothing.

export const ACCOUNT_WORDING = {
  password_reset: {
    en: (params) => ({
      subject: 'Reset your Varco password',
      ...greetingFor('en', params),
      paragraphs: [
        'someone asked to reset the password of your Varco account. Open the link below to choose a new one.',
        `The link works once and expires at ${formatInstant('en', p(params, 'expiresAt'))}. Choosing a new password signs you out everywhere.`,
        'If you did not ask, ignore this e-mail: your password stays as it is.',
      ],
      action: 'Choose a new password',
    }),
    it: (params) => ({
      subject: 'Reimposta la password di Varco',
      ...greetingFor('it', params),
      paragraphs: [
        'qualcuno ha chiesto di reimpostare la password del tuo account Varco. Apri il link qui sotto per sceglierne una nuova.',
        `Il link funziona una sola volta e scade alle ${formatInstant('it', p(params, 'expiresAt'))}. Scegliendo una nuova password esci da tutte le sessioni.`,
        'Se non sei stato tu, ignora questa e-mail: la password resta quella di prima.',
      ],
      action: 'Scegli una nuova password',
    }),
  },
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;
