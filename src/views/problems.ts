import type { Locale } from './i18n.ts';

// Why a back office or portal form was refused, in Italian, by the module's problem code. English
// pages show the module's own sentence (the CLI prints the same); test/foundation/string-tables.test.ts
// checks that every code of those modules has its Italian sentence here.

const ORGANISATION: Readonly<Record<string, string>> = {
  name_required: 'Il nome è obbligatorio (al massimo 200 caratteri).',
  invalid_type: 'Il tipo deve essere uno di: ente creditore, PSP, esercente, partner tecnologico.',
  invalid_email: 'L\u2019e-mail di contatto non è un indirizzo valido.',
  italian_format: 'Un codice fiscale / partita IVA italiano ha esattamente 11 cifre.',
  italian_check_digit: 'L\u2019ultima cifra di questo codice fiscale / partita IVA non torna: controlla che non ci sia un errore di battitura.',
  other_format: 'L\u2019identificativo deve avere 2–40 lettere, cifre, spazi, punti, barre o trattini.',
  tax_code_taken: 'Esiste già un\u2019organizzazione con questo codice fiscale.',
};

const INVITE: Readonly<Record<string, string>> = {
  organisation_not_found: 'Organizzazione inesistente.',
  name_required: 'Nome e cognome sono obbligatori.',
  invalid_email: 'L\u2019indirizzo e-mail non è valido.',
  no_products: 'Scegli almeno un prodotto che il referente può sottoscrivere.',
  unknown_product: 'Uno dei prodotti scelti non esiste.',
  already_referent: 'Esiste già un referente con questa e-mail.',
};

const PRODUCT: Readonly<Record<string, string>> = {
  invalid_code: 'Il codice deve avere 2–32 lettere minuscole, cifre, trattini o trattini bassi, e iniziare con una lettera.',
  name_required: 'Il nome è obbligatorio (al massimo 100 caratteri).',
  description_too_long: 'La descrizione può avere al massimo 500 caratteri.',
  no_route_groups: 'Scegli almeno un gruppo di route.',
  unknown_route_group: 'I gruppi di route devono essere tra quelli elencati.',
  invalid_rate_limit: 'Il limite deve essere un numero intero di richieste al minuto tra 1 e 1.000.000.',
  code_taken: 'Esiste già un prodotto con questo codice.',
  not_found: 'Prodotto inesistente.',
};

const SUBSCRIBE: Readonly<Record<string, string>> = {
  product_not_allowed: 'Questo prodotto non è tra quelli che puoi sottoscrivere.',
  invalid_environment: 'Scegli l\u2019ambiente di test o di produzione.',
  name_required: 'Dai un nome alla sottoscrizione (al massimo 100 caratteri).',
};

/** Italian sentences by module: `organisation`, `invite`, `product`, `subscribe`. */
export const ITALIAN_PROBLEMS = { organisation: ORGANISATION, invite: INVITE, product: PRODUCT, subscribe: SUBSCRIBE } as const;

/** The sentence for `reason` in `locale`: Italian from the table above, English as the module says it. */
export function problemIn(locale: Locale, kind: keyof typeof ITALIAN_PROBLEMS, reason: string, english: Readonly<Record<string, string>>): string {
  return (locale === 'it' ? ITALIAN_PROBLEMS[kind][reason] : undefined) ?? english[reason] ?? reason;
}
