// Italian and English strings for the server-rendered pages. Keys are grouped by page; both tables
// have every key (the type says so, and test/foundation/string-tables.test.ts compares them).

export type Locale = 'en' | 'it';

const en = {
  'app.name': 'Varco',
  'error.title': 'Something went wrong',
  'error.notFound': 'The page you asked for does not exist.',
  'error.generic': 'The request could not be completed.',
  'error.invalidInput': 'The request has a value this page does not accept ({field}). Go back, reload the page and try again.',
  'error.reference': 'Reference',
  'error.code.bad_request': 'The request is not valid. Go back, reload the page and try again.',
  'error.code.payload_too_large': 'What was sent is too large.',
  'error.code.unsupported_media_type': 'This page does not accept data in that format.',
  'error.code.unauthenticated': 'Sign in first.',
  'error.code.forbidden': 'You are not allowed to open this page or do this.',
  'error.code.request_timeout': 'The request took too long. Try again.',
  'error.code.conflict': 'This cannot be done in the current state: someone may have changed it meanwhile. Reload the page and try again.',
  'error.code.invalid_state_transition': 'This cannot be done in the current state: reload the page to see it.',
  'error.code.rate_limited': 'Too many requests. Wait a moment and try again.',
  'error.code.headers_too_large': 'The request headers are too large.',
  'error.back': 'Back to the start',
  'signin.title': 'Sign in',
  'signin.adminTitle': 'Back office sign in',
  'signin.portalTitle': 'Developer portal sign in',
  'signin.email': 'E-mail',
  'signin.password': 'Password',
  'signin.submit': 'Sign in',
  'signin.failed': 'E-mail or password is not correct.',
  'signin.locked': 'Too many failed attempts. Try again in {minutes} minutes.',
  'signin.signedOut': 'You are signed out.',
  'signin.welcome': 'Your registration is confirmed. Sign in with your e-mail and the password you chose.',
  'signout.submit': 'Sign out',
  'setup.title': 'Create the first administrator',
  'setup.intro': 'This link works once. Choose the e-mail and password of the first administrator.',
  'setup.passwordConfirm': 'Repeat the password',
  'setup.submit': 'Create administrator',
  'setup.invalid': 'This setup link is not valid: it was used already, has expired, or an administrator exists. Use {command} instead.',
  'password.tooShort': 'The password must have at least 12 characters.',
  'password.common': 'This password is too common; choose another.',
  'password.mismatch': 'The two passwords differ.',
  'password.title': 'Change password',
  'password.intro': 'Type your current password, then the new one twice. Every other session of yours is signed out; this browser stays signed in.',
  'password.current': 'Current password',
  'password.new': 'New password (at least 12 characters)',
  'password.submit': 'Change password',
  'password.currentWrong': 'The current password is not correct.',
  'password.changed': 'Your password is changed. Every other session of yours was signed out.',
  'admin.dashboard': 'Back office',
  'admin.welcome': 'Signed in as {email}.',
  'organisations.title': 'Organisations',
  'portal.title': 'Developer portal',
  'portal.welcome': 'Signed in as {name} <{email}>.',
  'portal.welcomeReferent': 'Signed in as {name} <{email}>, referent of {organisation}.',
  'portal.products': 'Products',
  'portal.subscriptions': 'Subscriptions and keys',
  'csrf.invalid': 'The form expired. Reload the page and try again.',
  'lang.label': 'Language',
  'invitation.title': 'Confirm your registration',
  'invitation.alreadyReferent': 'A referent with this e-mail already exists.',
} as const;

export type MessageKey = keyof typeof en;

const it: Record<MessageKey, string> = {
  'app.name': 'Varco',
  'error.title': 'Si è verificato un errore',
  'error.notFound': 'La pagina richiesta non esiste.',
  'error.generic': 'Non è stato possibile completare la richiesta.',
  'error.invalidInput': 'La richiesta contiene un valore che questa pagina non accetta ({field}). Torna indietro, ricarica la pagina e riprova.',
  'error.reference': 'Riferimento',
  'error.code.bad_request': 'La richiesta non è valida. Torna indietro, ricarica la pagina e riprova.',
  'error.code.payload_too_large': 'I dati inviati sono troppo grandi.',
  'error.code.unsupported_media_type': 'Questa pagina non accetta dati in quel formato.',
  'error.code.unauthenticated': 'Prima accedi.',
  'error.code.forbidden': 'Non hai il permesso di aprire questa pagina o di fare questa operazione.',
  'error.code.request_timeout': 'La richiesta ha impiegato troppo tempo. Riprova.',
  'error.code.conflict': 'Non è possibile nello stato attuale: qualcuno potrebbe averlo modificato nel frattempo. Ricarica la pagina e riprova.',
  'error.code.invalid_state_transition': 'Non è possibile nello stato attuale: ricarica la pagina per vederlo.',
  'error.code.rate_limited': 'Troppe richieste. Attendi un momento e riprova.',
  'error.code.headers_too_large': 'Le intestazioni della richiesta sono troppo grandi.',
  'error.back': "Torna all'inizio",
  'signin.title': 'Accedi',
  'signin.adminTitle': 'Accesso al back office',
  'signin.portalTitle': 'Accesso al portale sviluppatori',
  'signin.email': 'E-mail',
  'signin.password': 'Password',
  'signin.submit': 'Accedi',
  'signin.failed': 'E-mail o password non corretti.',
  'signin.locked': 'Troppi tentativi falliti. Riprova tra {minutes} minuti.',
  'signin.signedOut': 'Sei uscito.',
  'signin.welcome': 'Registrazione confermata. Accedi con la tua e-mail e la password che hai scelto.',
  'signout.submit': 'Esci',
  'setup.title': 'Crea il primo amministratore',
  'setup.intro': "Questo link funziona una sola volta. Scegli l'e-mail e la password del primo amministratore.",
  'setup.passwordConfirm': 'Ripeti la password',
  'setup.submit': 'Crea amministratore',
  'setup.invalid': 'Questo link di configurazione non è valido: è già stato usato, è scaduto o esiste già un amministratore. Usa {command}.',
  'password.tooShort': 'La password deve avere almeno 12 caratteri.',
  'password.common': 'Questa password è troppo comune; scegline un’altra.',
  'password.mismatch': 'Le due password sono diverse.',
  'password.title': 'Cambia password',
  'password.intro': 'Scrivi la password attuale, poi due volte quella nuova. Tutte le tue altre sessioni vengono chiuse; questo browser resta collegato.',
  'password.current': 'Password attuale',
  'password.new': 'Nuova password (almeno 12 caratteri)',
  'password.submit': 'Cambia password',
  'password.currentWrong': 'La password attuale non è corretta.',
  'password.changed': 'La password è stata cambiata. Tutte le tue altre sessioni sono state chiuse.',
  'admin.dashboard': 'Back office',
  'admin.welcome': 'Accesso effettuato come {email}.',
  'organisations.title': 'Organizzazioni',
  'portal.title': 'Portale sviluppatori',
  'portal.welcome': 'Accesso effettuato come {name} <{email}>.',
  'portal.welcomeReferent': 'Accesso effettuato come {name} <{email}>, referente di {organisation}.',
  'portal.products': 'Prodotti',
  'portal.subscriptions': 'Sottoscrizioni e chiavi',
  'csrf.invalid': 'Il modulo è scaduto. Ricarica la pagina e riprova.',
  'lang.label': 'Lingua',
  'invitation.title': 'Conferma registrazione',
  'invitation.alreadyReferent': 'Esiste già un referente con questa e-mail.',
};

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = (locale === 'it' ? it : en)[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);

export const isLocale = (value: unknown): value is Locale => value === 'it' || value === 'en';

/**
 * The first of it or en in an Accept-Language header, by preference (q-values, then order), so
 * `de-DE,de;q=0.9,it;q=0.8,en;q=0.7` is Italian; en when neither is listed.
 */
export function acceptedLocale(acceptLanguage: string | undefined): Locale {
  const ranked = (acceptLanguage ?? '')
    .slice(0, 500)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { primary: tag.trim().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && isLocale(entry.primary))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.primary === 'it' ? 'it' : 'en';
}

/** Picks it or en from ?lang= or Accept-Language. */
export function pickLocale(query: string | undefined, acceptLanguage: string | undefined): Locale {
  return isLocale(query) ? query : acceptedLocale(acceptLanguage);
}

/** Every table of this file by locale, for the test that compares the languages (test/support/string-tables.ts). */
export const MESSAGE_TABLES = { messages: { en, it } };
