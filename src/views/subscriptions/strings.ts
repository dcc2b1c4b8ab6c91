import type { Locale } from '../i18n.ts';
import { formatDateTime } from '../format.ts';

// Italian and English strings of the product, subscription and key pages (portal and back office).

const en = {
  products: 'Products',
  subscriptions: 'Subscriptions',
  subscription: 'Subscription',
  product: 'Product',
  environment: 'Environment',
  name: 'Subscription name',
  state: 'State',
  created: 'Created',
  lastPing: 'Last inbound ping',
  never: 'never',
  organisation: 'Organisation',
  test: 'Test',
  prod: 'Production',
  subscribe: 'Subscribe',
  noProducts: 'No products are associated with you yet; ask your administrator.',
  noSubscriptions: 'No subscriptions yet.',
  search: 'Search',
  clearSearch: 'Clear',
  searchText: 'Organisation, name or id contains',
  anyEnvironment: 'both environments',
  noMatch: 'No subscription matches the search.',
  older: 'Older subscriptions',
  newest: 'Newest subscriptions',
  approvalNeeded: 'Needs approval',
  approvalNotNeeded: 'Active at once',
  rateLimit: 'Rate limit',
  perMinute: 'requests per minute',
  routeGroups: 'Route groups',
  keys: 'Keys',
  primary: 'Primary key',
  secondary: 'Secondary key',
  reveal: 'Show the key (once)',
  regenerate: 'Regenerate',
  overlap: 'Keep the old key valid for (hours, 0–72)',
  cancel: 'Cancel the subscription',
  cancelConfirm: 'Cancelling cannot be undone: its keys stop working at once.',
  key: 'Key',
  lastUsed: 'Last used',
  validUntil: 'Old key valid until',
  notRevealed: 'not revealed yet',
  revealAfterActivation: 'Keys can be shown once the subscription is active.',
  shownOnce: 'Copy this key now and keep it safe: it is shown only this once. Varco stores only a hash of it.',
  backToSubscription: 'Back to the subscription',
  submittedNotice: 'Your request was sent; an administrator will review it. You will get an e-mail.',
  activeNotice: 'The subscription is active: show its keys below.',
  changed: 'Done.',
  comment: 'Comment',
  ping: 'Test it with',
  alreadyRevealed: 'This key was shown already and cannot be shown again. Regenerate it if it was lost.',
  notActive: 'The subscription is not active, so its keys cannot be shown.',
  notManageable: 'The keys of this subscription can no longer be changed.',
  invalidOverlap: 'The overlap must be a whole number of hours from 0 to 72.',
  pending: 'Pending requests',
  noPending: 'No pending requests.',
  all: 'All subscriptions',
  approve: 'Approve',
  reject: 'Reject',
  suspend: 'Suspend',
  reactivate: 'Reactivate',
  rejectComment: 'Reason for the rejection (sent to the referent)',
  commentRequired: 'A rejection needs a comment for the referent.',
  suspendReason: 'Reason (e-mailed to the organisation\u2019s referents and shown on their subscription page)',
  suspendReasonRequired: 'Say why the subscription is suspended: the referents read it.',
  changedMeanwhile: 'Nothing was done: the subscription had already changed (another tab or another administrator). This is its state now.',
  filter: 'Show',
  any: 'all states',
  catalogue: 'Product catalogue',
  code: 'Code',
  description: 'Description',
  approvalTest: 'Approval required in test',
  approvalProd: 'Approval required in production',
  fourEyesProd:
    'Four-eyes is on (VARCO_FOUR_EYES): production subscriptions wait for the approval of two administrators whatever this box says; it matters only if four-eyes is turned off.',
  yesFourEyes: 'yes (four-eyes)',
  save: 'Save',
  newProduct: 'New product',
  createProduct: 'Create product',
  yes: 'yes',
  no: 'no',
  stateComment: 'Note',
  suspendedBecause: 'Reason for the suspension',
  rejectedBecause: 'Reason for the rejection',
  lastUsedNever: 'never used',
  old: 'previous key',
} as const;

export type SubscriptionStrings = { readonly [K in keyof typeof en]: string };

const it: SubscriptionStrings = {
  products: 'Prodotti',
  subscriptions: 'Sottoscrizioni',
  subscription: 'Sottoscrizione',
  product: 'Prodotto',
  environment: 'Ambiente',
  name: 'Nome della sottoscrizione',
  state: 'Stato',
  created: 'Creata',
  lastPing: 'Ultimo ping in ingresso',
  never: 'mai',
  organisation: 'Organizzazione',
  test: 'Collaudo',
  prod: 'Produzione',
  subscribe: 'Sottoscrivi',
  noProducts: "Nessun prodotto associato a te; chiedi all'amministratore.",
  noSubscriptions: 'Nessuna sottoscrizione.',
  search: 'Cerca',
  clearSearch: 'Azzera',
  searchText: 'Organizzazione, nome o id contiene',
  anyEnvironment: 'entrambi gli ambienti',
  noMatch: 'Nessuna sottoscrizione corrisponde alla ricerca.',
  older: 'Sottoscrizioni precedenti',
  newest: 'Sottoscrizioni più recenti',
  approvalNeeded: 'Richiede approvazione',
  approvalNotNeeded: 'Attiva subito',
  rateLimit: 'Limite di richieste',
  perMinute: 'richieste al minuto',
  routeGroups: 'Gruppi di route',
  keys: 'Chiavi',
  primary: 'Chiave primaria',
  secondary: 'Chiave secondaria',
  reveal: 'Mostra la chiave (una volta)',
  regenerate: 'Rigenera',
  overlap: 'Mantieni valida la vecchia chiave per (ore, 0–72)',
  cancel: 'Annulla la sottoscrizione',
  cancelConfirm: "L'annullamento è definitivo: le chiavi smettono subito di funzionare.",
  key: 'Chiave',
  lastUsed: 'Ultimo uso',
  validUntil: 'Vecchia chiave valida fino a',
  notRevealed: 'non ancora mostrata',
  revealAfterActivation: 'Le chiavi si possono mostrare quando la sottoscrizione è attiva.',
  shownOnce: 'Copia ora questa chiave e conservala al sicuro: viene mostrata solo questa volta. Varco ne conserva solo un hash.',
  backToSubscription: 'Torna alla sottoscrizione',
  submittedNotice: "Richiesta inviata; un amministratore la esaminerà. Riceverai un'e-mail.",
  activeNotice: 'La sottoscrizione è attiva: mostra le chiavi qui sotto.',
  changed: 'Fatto.',
  comment: 'Commento',
  ping: 'Provala con',
  alreadyRevealed: 'Questa chiave è già stata mostrata e non può essere mostrata di nuovo. Rigenerala se è andata persa.',
  notActive: 'La sottoscrizione non è attiva, quindi le chiavi non si possono mostrare.',
  notManageable: 'Le chiavi di questa sottoscrizione non si possono più cambiare.',
  invalidOverlap: 'La sovrapposizione deve essere un numero intero di ore da 0 a 72.',
  pending: 'Richieste in attesa',
  noPending: 'Nessuna richiesta in attesa.',
  all: 'Tutte le sottoscrizioni',
  approve: 'Approva',
  reject: 'Rifiuta',
  suspend: 'Sospendi',
  reactivate: 'Riattiva',
  rejectComment: 'Motivo del rifiuto (inviato al referente)',
  commentRequired: 'Un rifiuto richiede un commento per il referente.',
  suspendReason: 'Motivo (inviato via e-mail ai referenti dell\u2019organizzazione e mostrato sulla pagina della sottoscrizione)',
  suspendReasonRequired: 'Indica perché la sottoscrizione viene sospesa: i referenti lo leggono.',
  changedMeanwhile: 'Non è stato fatto nulla: la sottoscrizione era già cambiata (un’altra scheda o un altro amministratore). Questo è il suo stato attuale.',
  filter: 'Mostra',
  any: 'tutti gli stati',
  catalogue: 'Catalogo prodotti',
  code: 'Codice',
  description: 'Descrizione',
  approvalTest: 'Approvazione richiesta in collaudo',
  approvalProd: 'Approvazione richiesta in produzione',
  fourEyesProd:
    'Il doppio controllo è attivo (VARCO_FOUR_EYES): le sottoscrizioni di produzione attendono l\u2019approvazione di due amministratori, qualunque cosa dica questa casella; conta solo se il doppio controllo viene disattivato.',
  yesFourEyes: 'sì (doppio controllo)',
  save: 'Salva',
  newProduct: 'Nuovo prodotto',
  createProduct: 'Crea prodotto',
  yes: 'sì',
  no: 'no',
  stateComment: 'Nota',
  suspendedBecause: 'Motivo della sospensione',
  rejectedBecause: 'Motivo del rifiuto',
  lastUsedNever: 'mai usata',
  old: 'chiave precedente',
};

const STATES: Record<Locale, Record<string, string>> = {
  en: { submitted: 'submitted', active: 'active', rejected: 'rejected', suspended: 'suspended', cancelled: 'cancelled', expired: 'expired' },
  it: { submitted: 'in attesa', active: 'attiva', rejected: 'rifiutata', suspended: 'sospesa', cancelled: 'annullata', expired: 'scaduta' },
};

export function strings(locale: Locale): SubscriptionStrings {
  return locale === 'it' ? it : en;
}

export function stateLabel(locale: Locale, state: string): string {
  return STATES[locale][state] ?? state;
}

/** Timestamps in UTC, to the minute (seconds for pings and last use, which people compare). */
export function when(locale: Locale, date: Date | null, seconds = false): string {
  if (!date) return strings(locale).never;
  return formatDateTime(locale, date, { seconds });
}

/**
 * The built-in products' names and descriptions (migrations/0002_onboarding.sql, in English) in
 * Italian. Products are the administrators' text: one they have rewritten is shown as written.
 */
const BUILT_IN_PRODUCTS: Readonly<Record<string, string>> = {
  'Node connection': 'Connessione al nodo',
  'Direct connection to the Varco node: ping and node services.': 'Connessione diretta al nodo Varco: ping e servizi del nodo.',
  'E-commerce': 'E-commerce',
  'Hosted payment page orders and their status.': 'Ordini della pagina di pagamento e il loro stato.',
};

export function productText(locale: Locale, stored: string): string {
  return locale === 'it' ? (BUILT_IN_PRODUCTS[stored] ?? stored) : stored;
}

/** Every table of this file by locale, for the test that compares the languages (test/support/string-tables.ts). */
export const SUBSCRIPTION_TABLES = { pages: { en, it }, states: STATES };
