import { html, type SafeHtml } from '../html.ts';
import { translate, type Locale } from '../i18n.ts';
import { page } from '../layout.ts';
import { messageBox } from '../shared/message.ts';

// The password reset pages (issue 14), shown before sign-in on the back office and the portal.

type Surface = 'admin' | 'portal';

export const RESET_STRINGS = {
  en: {
    requestTitle: 'Reset your password',
    requestIntro: 'Enter the e-mail address of your account. We send a link to choose a new password; it works once, for 30 minutes.',
    send: 'Send the link',
    sent: 'If an account exists for that address, we have sent it a link. Check your e-mail (and the spam folder); the link works for 30 minutes. If nothing arrives within a few minutes, ask a Varco administrator: they can give you the link.',
    tooMany: 'Too many requests from this address. Try again in an hour.',
    newTitle: 'Choose a new password',
    newIntro: 'At least 12 characters. Choosing a new password signs you out everywhere.',
    save: 'Save the new password',
    unknown: 'This link is not valid. Ask for a new one.',
    used: 'This link was used already. Ask for a new one if you need it.',
    expired: 'This link has expired or a newer one was sent. Ask for a new one.',
    askAgain: 'Ask for a new link',
    forgot: 'Forgot your password?',
    backToSignIn: 'Back to sign-in',
    done: 'Your password was changed. Sign in with the new one.',
  },
  it: {
    requestTitle: 'Reimposta la password',
    requestIntro: "Inserisci l'indirizzo e-mail del tuo account. Ti inviamo un link per scegliere una nuova password; funziona una sola volta, per 30 minuti.",
    send: 'Invia il link',
    sent: "Se esiste un account con quell'indirizzo, gli abbiamo inviato un link. Controlla la posta (anche lo spam); il link funziona per 30 minuti. Se entro pochi minuti non arriva nulla, chiedi a un amministratore di Varco: può darti il link.",
    tooMany: 'Troppe richieste da questo indirizzo. Riprova tra un’ora.',
    newTitle: 'Scegli una nuova password',
    newIntro: 'Almeno 12 caratteri. Scegliendo una nuova password esci da tutte le sessioni.',
    save: 'Salva la nuova password',
    unknown: 'Questo link non è valido. Chiedine uno nuovo.',
    used: 'Questo link è già stato usato. Chiedine uno nuovo se ti serve.',
    expired: 'Questo link è scaduto o ne è stato inviato uno più recente. Chiedine uno nuovo.',
    askAgain: 'Chiedi un nuovo link',
    forgot: 'Password dimenticata?',
    backToSignIn: "Torna all'accesso",
    done: 'La password è stata cambiata. Accedi con quella nuova.',
  },
} as const satisfies Record<Locale, Record<string, string>>;

export type ResetStringKey = keyof (typeof RESET_STRINGS)['en'];

export interface ResetMessage {
  kind: 'error' | 'notice';
  text: string;
}

const notice = (message?: ResetMessage): SafeHtml | string => messageBox(message);

export function resetRequestPage(locale: Locale, surface: Surface, csrf: string, message?: ResetMessage): string {
  const s = RESET_STRINGS[locale];
  const body = html`${notice(message)}
<p>${s.requestIntro}</p>
<form method="post" action="/${surface}/password-reset">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="email">${translate(locale, 'signin.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<button type="submit">${s.send}</button>
</form>
<p><a href="/${surface}/sign-in">${s.backToSignIn}</a></p>`;
  return page({ locale, title: s.requestTitle, body });
}

export function resetNewPasswordPage(locale: Locale, surface: Surface, csrf: string, token: string, message?: ResetMessage): string {
  const s = RESET_STRINGS[locale];
  const body = html`${notice(message)}
<p>${s.newIntro}</p>
<form method="post" action="/${surface}/password-reset/new">
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="token" value="${token}">
<label for="password">${translate(locale, 'password.new')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<label for="confirm">${translate(locale, 'setup.passwordConfirm')}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
<button type="submit">${s.save}</button>
</form>`;
  return page({ locale, title: s.newTitle, body });
}

/** A link that no longer works: why, and the way to a new one. */
export function resetLinkDeadPage(locale: Locale, surface: Surface, why: 'unknown' | 'used' | 'expired'): string {
  const s = RESET_STRINGS[locale];
  const body = html`<p class="error" role="alert">${s[why]}</p>
<p><a href="/${surface}/password-reset">${s.askAgain}</a></p>`;
  return page({ locale, title: s.newTitle, body });
}
