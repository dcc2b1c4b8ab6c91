import { env, formatInstant, greetingFor, p, type Wording } from './helpers.ts';
import type { Locale } from '../i18n.ts';
import { proposalStrings } from '../proposals/strings.ts';

const kindName = (locale: Locale, kind: string | undefined): string => (proposalStrings(locale).kinds as Record<string, string>)[kind ?? ''] ?? kind ?? '';

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
  // Four-eyes (ADR 0034): a production change waits for another administrator than its proposer.
  proposal_waiting: {
    en: (params) => ({
      subject: `A ${env('en', params.environment)} change waits for your approval: ${kindName('en', params.kind)}`,
      paragraphs: [
        `${p(params, 'proposerEmail')} proposed a change that needs a second administrator: ${kindName('en', params.kind)} (${p(params, 'subject')}), in the ${env('en', params.environment)} environment.`,
        `Approve or reject it in the back office before ${formatInstant('en', p(params, 'expiresAt'))}; after that it expires and nothing happens.`,
      ],
      action: 'Review the proposal',
    }),
    it: (params) => ({
      subject: `Una modifica di ${env('it', params.environment)} attende la tua approvazione: ${kindName('it', params.kind)}`,
      paragraphs: [
        `${p(params, 'proposerEmail')} ha proposto una modifica che richiede un secondo amministratore: ${kindName('it', params.kind)} (${p(params, 'subject')}), nell'ambiente di ${env('it', params.environment)}.`,
        `Approvala o respingila nel back office entro il ${formatInstant('it', p(params, 'expiresAt'))}; dopo scade e non accade nulla.`,
      ],
      action: 'Esamina la proposta',
    }),
  },
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;
