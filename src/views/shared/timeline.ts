import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import type { TimelineEvent } from '../../kernel/home.ts';
import { formatDateTime } from '../format.ts';

// A timeline (issue 14): a vertical list of what happened, when and by whom, in the page's language.
// Audit actions Varco knows are worded; any other shows its code, so nothing recorded is hidden.

const ACTIONS: Record<Locale, Record<string, string>> = {
  en: {
    'subscription.submitted': 'Subscription requested',
    'subscription.created': 'Subscription created',
    'subscription.approved': 'Subscription approved',
    'subscription.rejected': 'Subscription rejected',
    'subscription.suspended': 'Subscription suspended',
    'subscription.reactivated': 'Subscription reactivated',
    'subscription.cancelled': 'Subscription cancelled',
    'subscription.expired': 'Subscription expired',
    'api_key.revealed': 'API key revealed',
    'api_key.regenerated': 'API key regenerated',
    'station.registered': 'Station registered',
    'station.edited': 'Station changed (new version submitted)',
    'station.approved': 'Station version approved',
    'station.changes_requested': 'Changes requested on the station',
    'station.configured': 'Station timeouts changed',
    'station.connection_verified': 'Verification passed',
    'station.connection_failing': 'Verification failed',
    'station.flagged': 'Station flagged: verification keeps failing',
    'station.shared_host_allowed': 'Shared host allowed',
    'station.shared_host_revoked': 'Shared host no longer allowed',
    'proposal.proposed': 'Change proposed (four-eyes)',
    'proposal.approved': 'Proposal approved',
    'proposal.rejected': 'Proposal rejected',
    'proposal.executed': 'Proposed change carried out',
    'outbox.resent': 'Deliveries resent',
    'order.created': 'Order received from the shop',
    'order.payment_authorised': 'Payment authorised',
    'order.payment_refused': 'Payment refused',
    'order.payment_uncertain': 'Payment outcome uncertain',
    'order.payment_technical_error': 'Payment failed (technical error)',
    'order.payment_cancelled': 'Payment cancelled by the customer',
    'order.payment_interrupted': 'Payment interrupted',
    'order.operation_SAL': 'Capture',
    'order.operation_SAS': 'Last capture',
    'order.operation_RFD': 'Refund',
    'order.operation_RFS': 'Last refund',
    'order.operation_DEL': 'Authorisation cancelled',
    'order.operation_DES': 'Cancelled and closed',
    'order.operation_REN': 'Authorisation renewed',
    'delivery.delivered': 'Feedback delivered to the shop',
    'delivery.failed': 'Feedback delivery failed',
    'sign_in.succeeded': 'Signed in',
    'sign_in.failed': 'Sign-in refused',
    sign_out: 'Signed out',
    'password.changed': 'Password changed',
    'password.change_failed': 'Password change refused',
    'password.reset_requested': 'Password reset requested',
    'password.reset_link_created': 'Password reset link created',
    'password.reset': 'Password reset',
    'admin.created': 'Administrator created',
    'user.disabled': 'Account disabled',
    'user.enabled': 'Account enabled again',
    'organisation.created': 'Organisation created',
    'invitation.sent': 'Invitation sent',
    'invitation.resent': 'Invitation sent again',
    'invitation.link_created': 'Invitation link created',
    'invitation.accepted': 'Invitation accepted',
    'product.created': 'Product created',
    'product.updated': 'Product changed',
    'trust.ca_added': 'Trusted CA added',
    'trust.ca_removed': 'Trusted CA removed',
    'proposal.expired': 'Proposal expired',
    'proposal.failed': 'Proposed change could not be carried out',
    'pki.client_published': 'Client certificate published',
    'pki.client_activated': 'Client certificate activated',
  },
  it: {
    'subscription.submitted': 'Sottoscrizione richiesta',
    'subscription.created': 'Sottoscrizione creata',
    'subscription.approved': 'Sottoscrizione approvata',
    'subscription.rejected': 'Sottoscrizione rifiutata',
    'subscription.suspended': 'Sottoscrizione sospesa',
    'subscription.reactivated': 'Sottoscrizione riattivata',
    'subscription.cancelled': 'Sottoscrizione annullata',
    'subscription.expired': 'Sottoscrizione scaduta',
    'api_key.revealed': 'Chiave API mostrata',
    'api_key.regenerated': 'Chiave API rigenerata',
    'station.registered': 'Stazione registrata',
    'station.edited': 'Stazione modificata (nuova versione inviata)',
    'station.approved': 'Versione della stazione approvata',
    'station.changes_requested': 'Modifiche richieste sulla stazione',
    'station.configured': 'Timeout della stazione modificati',
    'station.connection_verified': 'Verifica riuscita',
    'station.connection_failing': 'Verifica fallita',
    'station.flagged': 'Stazione segnalata: la verifica continua a fallire',
    'station.shared_host_allowed': 'Host condiviso consentito',
    'station.shared_host_revoked': 'Host condiviso non più consentito',
    'proposal.proposed': 'Modifica proposta (quattro occhi)',
    'proposal.approved': 'Proposta approvata',
    'proposal.rejected': 'Proposta rifiutata',
    'proposal.executed': 'Modifica proposta eseguita',
    'outbox.resent': 'Consegne reinviate',
    'order.created': 'Ordine ricevuto dal negozio',
    'order.payment_authorised': 'Pagamento autorizzato',
    'order.payment_refused': 'Pagamento rifiutato',
    'order.payment_uncertain': 'Esito del pagamento incerto',
    'order.payment_technical_error': 'Pagamento fallito (errore tecnico)',
    'order.payment_cancelled': 'Pagamento annullato dal cliente',
    'order.payment_interrupted': 'Pagamento interrotto',
    'order.operation_SAL': 'Incasso',
    'order.operation_SAS': 'Ultimo incasso',
    'order.operation_RFD': 'Rimborso',
    'order.operation_RFS': 'Ultimo rimborso',
    'order.operation_DEL': 'Autorizzazione annullata',
    'order.operation_DES': 'Annullato e chiuso',
    'order.operation_REN': 'Autorizzazione rinnovata',
    'delivery.delivered': 'Notifica consegnata al negozio',
    'delivery.failed': 'Consegna della notifica fallita',
    'sign_in.succeeded': 'Accesso eseguito',
    'sign_in.failed': 'Accesso rifiutato',
    sign_out: 'Uscita',
    'password.changed': 'Password cambiata',
    'password.change_failed': 'Cambio password rifiutato',
    'password.reset_requested': 'Reimpostazione della password richiesta',
    'password.reset_link_created': 'Link di reimpostazione della password creato',
    'password.reset': 'Password reimpostata',
    'admin.created': 'Amministratore creato',
    'user.disabled': 'Account disattivato',
    'user.enabled': 'Account riattivato',
    'organisation.created': 'Organizzazione creata',
    'invitation.sent': 'Invito inviato',
    'invitation.resent': 'Invito inviato di nuovo',
    'invitation.link_created': 'Link di invito creato',
    'invitation.accepted': 'Invito accettato',
    'product.created': 'Prodotto creato',
    'product.updated': 'Prodotto modificato',
    'trust.ca_added': 'CA attendibile aggiunta',
    'trust.ca_removed': 'CA attendibile rimossa',
    'proposal.expired': 'Proposta scaduta',
    'proposal.failed': 'La modifica proposta non è stata eseguita',
    'pki.client_published': 'Certificato client pubblicato',
    'pki.client_activated': 'Certificato client attivato',
  },
};

const WORDS = {
  en: {
    title: 'Timeline',
    empty: 'Nothing recorded yet.',
    customer: 'the customer',
    api_user: 'the shop’s server (DirectLink)',
    referent: 'a referent of the organisation',
    admin: 'a Varco administrator',
    cli: 'an operator (CLI)',
    system: 'Varco',
    anonymous: 'someone not signed in',
    subscription: 'a client with the key',
  },
  it: {
    title: 'Cronologia',
    empty: 'Ancora nulla di registrato.',
    customer: 'il cliente',
    api_user: 'il server del negozio (DirectLink)',
    referent: 'un referente dell’organizzazione',
    admin: 'un amministratore Varco',
    cli: 'un operatore (CLI)',
    system: 'Varco',
    anonymous: 'qualcuno non autenticato',
    subscription: 'un client con la chiave',
  },
} as const;

/** The audit actions the pages word, for the audit viewer's suggestions. */
export const WORDED_ACTIONS: readonly string[] = Object.keys(ACTIONS.en);

export function actionWords(locale: Locale, action: string): string {
  return ACTIONS[locale][action] ?? action;
}

function who(locale: Locale, e: TimelineEvent): string {
  if (e.who) return e.who;
  const w = WORDS[locale];
  return e.actorType in w ? w[e.actorType as keyof typeof w] : e.actorType;
}

export function timelineSection(locale: Locale, events: readonly TimelineEvent[]): SafeHtml {
  const w = WORDS[locale];
  return html`<section aria-labelledby="timeline"><h2 id="timeline">${w.title}</h2>
${
  events.length === 0
    ? html`<p>${w.empty}</p>`
    : html`<ol class="timeline">${events.map(
        (e) =>
          html`<li data-action="${e.action}"><time datetime="${e.at.toISOString()}">${formatDateTime(locale, e.at)}</time> — <strong>${actionWords(locale, e.action)}</strong> · ${who(locale, e)}${typeof e.details.comment === 'string' && e.details.comment ? html` · “${e.details.comment}”` : ''}${typeof e.details.note === 'string' && e.details.note ? html` · ${e.details.note}` : ''}</li>`,
      )}</ol>`
}</section>`;
}
