import { capitalise, env, formatInstant, optionalLine, p, type Params, type Wording } from './helpers.ts';
import type { Locale } from '../i18n.ts';

// Onboarding e-mails (issue 3): the invitation and the notices of a subscription's life.

/** `"name" of Org to Product (environment)`: the part every subscription notice shares. */
function which(locale: Locale, params: Params): string {
  return locale === 'it'
    ? `la sottoscrizione "${p(params, 'subscriptionName')}" di ${p(params, 'organisationName')} a ${p(params, 'productName')} (${env('it', params.environment)})`
    : `the subscription "${p(params, 'subscriptionName')}" of ${p(params, 'organisationName')} to ${p(params, 'productName')} (${env('en', params.environment)})`;
}

function subscriptionNotice(
  en: { subject: string; outcome: string },
  it: { subject: string; outcome: string },
  extra?: (locale: Locale, params: Params) => string[],
): Record<Locale, Wording> {
  return {
    en: (params) => ({
      subject: `${en.subject}: ${p(params, 'subscriptionName')}`,
      greeting: `Hello ${p(params, 'firstName')},`,
      paragraphs: [`${capitalise(which('en', params))} ${en.outcome}`, ...(extra?.('en', params) ?? [])],
      action: 'Open the subscription',
    }),
    it: (params) => ({
      subject: `${it.subject}: ${p(params, 'subscriptionName')}`,
      greeting: `Ciao ${p(params, 'firstName')},`,
      paragraphs: [`${capitalise(which('it', params))} ${it.outcome}`, ...(extra?.('it', params) ?? [])],
      action: 'Apri la sottoscrizione',
    }),
  };
}

export const ONBOARDING_WORDING = {
  invitation: {
    en: (params) => ({
      subject: `Invitation to the Varco developer portal for ${p(params, 'organisationName')}`,
      greeting: `Hello ${p(params, 'firstName')},`,
      paragraphs: [
        `you are invited to connect ${p(params, 'organisationName')} to Varco. Open the link below to confirm and choose your password.`,
        `The link works once and expires on ${formatInstant('en', p(params, 'expiresAt'))}. If you did not expect this e-mail, ignore it.`,
      ],
      action: 'Accept the invitation',
    }),
    it: (params) => ({
      subject: `Invito al portale sviluppatori Varco per ${p(params, 'organisationName')}`,
      greeting: `Ciao ${p(params, 'firstName')},`,
      paragraphs: [
        `ti invitiamo a collegare ${p(params, 'organisationName')} a Varco. Apri il link qui sotto per confermare e scegliere la password.`,
        `Il link funziona una sola volta e scade il ${formatInstant('it', p(params, 'expiresAt'))}. Se non aspettavi questa e-mail, ignorala.`,
      ],
      action: "Accetta l'invito",
    }),
  },
  subscription_submitted: {
    en: (params) => ({
      subject: `New subscription request: ${p(params, 'organisationName')}, ${p(params, 'productName')} (${env('en', params.environment)})`,
      paragraphs: [
        `${p(params, 'organisationName')} asks to subscribe to ${p(params, 'productName')} in the ${env('en', params.environment)} environment, as "${p(params, 'subscriptionName')}".`,
        'Review the request in the back office: approve it, or reject it with a comment.',
      ],
      action: 'Review the request',
    }),
    it: (params) => ({
      subject: `Nuova richiesta di sottoscrizione: ${p(params, 'organisationName')}, ${p(params, 'productName')} (${env('it', params.environment)})`,
      paragraphs: [
        `${p(params, 'organisationName')} chiede di sottoscrivere ${p(params, 'productName')} nell'ambiente di ${env('it', params.environment)}, con il nome "${p(params, 'subscriptionName')}".`,
        'Esamina la richiesta nel back office: approvala, oppure rifiutala con un commento.',
      ],
      action: 'Esamina la richiesta',
    }),
  },
  subscription_approved: subscriptionNotice(
    { subject: 'Subscription approved', outcome: 'has been approved. You can now reveal its keys in the developer portal.' },
    { subject: 'Sottoscrizione approvata', outcome: 'è stata approvata. Ora puoi visualizzare le sue chiavi nel portale sviluppatori.' },
  ),
  subscription_rejected: subscriptionNotice(
    { subject: 'Subscription rejected', outcome: 'has been rejected.' },
    { subject: 'Sottoscrizione rifiutata', outcome: 'è stata rifiutata.' },
    (locale, params) => optionalLine(params.comment, locale === 'it' ? "Commento dell'amministratore" : 'Comment from the administrator'),
  ),
  subscription_suspended: subscriptionNotice(
    { subject: 'Subscription suspended', outcome: 'has been suspended: its keys do not work until it is reactivated.' },
    { subject: 'Sottoscrizione sospesa', outcome: 'è stata sospesa: le sue chiavi non funzionano finché non viene riattivata.' },
    (locale, params) => optionalLine(params.comment, locale === 'it' ? 'Motivo indicato dall’amministratore' : 'Reason given by the administrator'),
  ),
  subscription_reactivated: subscriptionNotice(
    { subject: 'Subscription reactivated', outcome: 'has been reactivated: its keys work again.' },
    { subject: 'Sottoscrizione riattivata', outcome: 'è stata riattivata: le sue chiavi funzionano di nuovo.' },
  ),
  subscription_cancelled: subscriptionNotice(
    { subject: 'Subscription cancelled', outcome: 'has been cancelled: its keys no longer work.' },
    { subject: 'Sottoscrizione annullata', outcome: 'è stata annullata: le sue chiavi non funzionano più.' },
  ),
} satisfies Record<string, Readonly<Record<Locale, Wording>>>;
