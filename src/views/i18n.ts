// Italian and English strings for the server-rendered pages. Keys are grouped by page; a missing
// Italian string falls back to English so a page never shows a key.

export type Locale = 'en' | 'it';

const en = {
  'app.name': 'Varco',
  'error.title': 'Something went wrong',
  'error.notFound': 'The page you asked for does not exist.',
  'error.generic': 'The request could not be completed.',
  'error.invalidInput': 'The request has a value this page does not accept ({field}). Go back, reload the page and try again.',
  'error.reference': 'Reference',
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
  'setup.invalid': 'This setup link is not valid: it was used already, has expired, or an administrator exists. Use `npx varco admin create` instead.',
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
  'csrf.invalid': 'The form expired. Reload the page and try again.',
  'lang.switch': 'Italiano',
} as const;

export type MessageKey = keyof typeof en;

const it: Partial<Record<MessageKey, string>> = {
  'error.title': 'Si è verificato un errore',
  'error.notFound': 'La pagina richiesta non esiste.',
  'error.generic': 'Non è stato possibile completare la richiesta.',
  'error.invalidInput': 'La richiesta contiene un valore che questa pagina non accetta ({field}). Torna indietro, ricarica la pagina e riprova.',
  'error.reference': 'Riferimento',
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
  'setup.invalid': 'Questo link di configurazione non è valido: è già stato usato, è scaduto o esiste già un amministratore. Usa `npx varco admin create`.',
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
  'csrf.invalid': 'Il modulo è scaduto. Ricarica la pagina e riprova.',
  'lang.switch': 'English',
};

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = (locale === 'it' ? it[key] : undefined) ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** Picks it or en from ?lang= or Accept-Language. */
export function pickLocale(query: string | undefined, acceptLanguage: string | undefined): Locale {
  if (query === 'it' || query === 'en') return query;
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('it') ? 'it' : 'en';
}
