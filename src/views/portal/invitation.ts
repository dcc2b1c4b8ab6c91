import { html, type SafeHtml } from '../html.ts';
import type { Locale } from '../i18n.ts';
import { refusal } from '../shared/message.ts';

const T = {
  en: {
    intro: 'You have been invited as referent of {org}. Confirm your registration and choose a password for the developer portal.',
    email: 'E-mail',
    password: 'Password (at least 12 characters)',
    confirm: 'Repeat the password',
    submit: 'Confirm and set password',
    expired: 'This invitation link has expired. Ask your administrator to send a new one.',
    used: 'This invitation link has already been used. Sign in with your e-mail and password.',
    superseded: 'A newer invitation link was sent to you; use the link in the latest e-mail.',
    unknown: 'This invitation link is not valid. Check that you copied the whole link, from the latest e-mail: a newer link replaces the earlier ones.',
    signIn: 'Go to sign in',
  },
  it: {
    intro: 'Sei stato invitato come referente di {org}. Conferma la registrazione e scegli una password per il portale sviluppatori.',
    email: 'E-mail',
    password: 'Password (almeno 12 caratteri)',
    confirm: 'Ripeti la password',
    submit: 'Conferma e imposta la password',
    expired: "Questo link d'invito è scaduto. Chiedi all'amministratore di inviarne uno nuovo.",
    used: "Questo link d'invito è già stato usato. Accedi con la tua e-mail e password.",
    superseded: "Ti è stato inviato un link d'invito più recente: usa il link dell'ultima e-mail.",
    unknown: "Questo link d'invito non è valido. Controlla di aver copiato tutto il link, dall'ultima e-mail: un link più recente sostituisce i precedenti.",
    signIn: "Vai all'accesso",
  },
} as const;

export type InvitationProblemState = 'expired' | 'used' | 'superseded' | 'unknown';

export function invitationProblemPage(locale: Locale, state: InvitationProblemState): SafeHtml {
  return html`<p class="error" role="alert">${T[locale][state]}</p><p><a href="/portal/sign-in">${T[locale].signIn}</a></p>`;
}

export function invitationForm(
  locale: Locale,
  view: { token: string; organisationName: string; email: string; csrf: string; error?: string | undefined },
): SafeHtml {
  const t = T[locale];
  return html`<p>${t.intro.replace('{org}', view.organisationName)}</p>
${view.error ? refusal(view.error) : ''}
<form method="post" action="/portal/invitation">
<input type="hidden" name="_csrf" value="${view.csrf}"><input type="hidden" name="token" value="${view.token}">
<label for="email">${t.email}</label><input id="email" name="email" type="email" autocomplete="username" value="${view.email}" readonly>
<label for="password">${t.password}</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<label for="passwordConfirm">${t.confirm}</label><input id="passwordConfirm" name="passwordConfirm" type="password" autocomplete="new-password" minlength="12" required>
<button type="submit">${t.submit}</button>
</form>`;
}

/** Every table of this file by locale, for the test that compares the languages (test/support/string-tables.ts). */
export const INVITATION_TABLES = { pages: T };
