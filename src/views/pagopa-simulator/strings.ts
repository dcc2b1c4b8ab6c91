import { formatMoney } from '../format.ts';
import type { Locale } from '../i18n.ts';

// Italian and English strings of the test EC scenarios pages (portal) and their read-only view
// (back office), including the text of every validation problem.

const en = {
  title: 'Test EC scenarios',
  adminTitle: 'Simulated EC stations',
  intro:
    'In the test environment your institution can answer the pagoPA node with a simulated station run by Varco: no server of your own is needed. PSPs paying your notices in test then get the answers you choose here, per notice number.',
  notEc: 'Simulated stations are for creditor institutions. Your organisation is not registered as a creditor institution.',
  unregistered:
    'Your institution is not registered as an EC in the test environment yet: until it is, the node answers every notice with PPT_DOMINIO_SCONOSCIUTO and never reaches this station.',
  unregisteredLink: 'Register it on the pagoPA registry page.',
  ecDisabled:
    'Your institution\u2019s EC registration in the test environment is disabled: until it is enabled again, the node answers every notice with PPT_DOMINIO_DISABILITATO and never reaches this station.',
  ecDisabledLink: 'See it on the pagoPA registry page.',
  noFiscalCode:
    'Your organisation\u2019s tax code is not an 11-digit fiscal code, which pagoPA needs to name a creditor institution. Ask a Varco administrator to correct it.',
  adminNotEc: 'This organisation is not a creditor institution: simulated stations are for creditor institutions only.',
  adminNoFiscalCode:
    'This organisation\u2019s tax code is not an 11-digit fiscal code, which pagoPA needs to name a creditor institution: it cannot have a simulated station until its tax code is corrected.',
  testOnly: 'Test environment only: in production the node always calls your real station.',
  settings: 'Simulated station',
  status: 'Status',
  on: 'On',
  off: 'Off',
  switchOn: 'Switch the simulated station on',
  version: 'Primitive version',
  version1: 'Version 1 (paGetPayment, paSendRT)',
  version2: 'Version 2 (paGetPaymentV2, paSendRTV2)',
  versionHelp: 'The node calls the simulated station with the primitives of this version; a call of the other version is answered with a SOAP fault.',
  save: 'Save',
  saved: 'Saved.',
  nothingChanged: 'Nothing changed.',
  institution: 'Institution',
  fiscalCode: 'Fiscal code',
  updated: 'Last change',
  scenarios: 'Scenarios',
  none: 'No scenarios yet: every notice gets the default answer.',
  add: 'Add a scenario',
  order: 'The first scenario whose pattern matches the notice number answers; reorder them with the arrows.',
  defaultTitle: 'When no scenario matches',
  defaultText: 'Payable {amount}, one transfer to your institution (IBAN {iban}), due 30 days after the call.',
  patternHelp:
    'An exact notice number (18 digits), or digits followed by * for every notice starting with them: 3020* matches 302000100000009424; * alone matches every notice. Spaces are ignored.',
  position: '#',
  pattern: 'Notice number pattern',
  answer: 'Answer',
  amount: 'Amount (\u20ac)',
  amountColumn: 'Amount',
  behaviour: 'Also',
  actions: 'Actions',
  edit: 'Edit',
  up: 'Move up',
  down: 'Move down',
  remove: 'Delete',
  shadowed: 'never reached: #{n} matches first',
  answers_payable: 'Payable',
  answers_unknown: 'Unknown (PAA_PAGAMENTO_SCONOSCIUTO)',
  answers_expired: 'Expired (PAA_PAGAMENTO_SCADUTO)',
  answers_cancelled: 'Cancelled (PAA_PAGAMENTO_ANNULLATO)',
  answers_duplicate: 'Already paid (PAA_PAGAMENTO_DUPLICATO)',
  prim_verify: 'paVerifyPaymentNotice',
  prim_getPayment: 'paGetPayment[V2]',
  prim_receipt: 'paSendRT[V2]',
  slowSummary: 'slow {ms} ms on {on}',
  malformedSummary: 'malformed on {on}',
  refuseSummary: 'first {n} receipts refused ({how})',
  refuse_ko: 'KO PAA_SYSTEM_ERROR',
  refuse_http503: 'HTTP 503',
  newTitle: 'New scenario',
  editTitle: 'Scenario {pattern}',
  back: 'Back to the scenarios',
  payment: 'Payment (for a payable notice)',
  description: 'Description',
  companyName: 'Institution name shown (empty: your organisation\u2019s name)',
  dueDate: 'Due date (YYYY-MM-DD; empty: 30 days after the call)',
  transfers: 'Transfers (1 to 5; their amounts add up to the amount)',
  transfer: 'Transfer {n}',
  tAmount: 'Amount (\u20ac)',
  tFiscalCode: 'Beneficiary fiscal code',
  tIban: 'IBAN',
  tRemittance: 'Remittance information',
  tCategory: 'Category (taxonomy)',
  slow: 'Slow answer',
  delayMs: 'Wait before answering (milliseconds, 0 to 120000)',
  delayOn: 'Wait on',
  malformed: 'Malformed answer (not even well-formed XML) on',
  receipts: 'Receipts',
  refuseReceipts: 'Refuse the first N deliveries of each receipt (0 to 100)',
  refuseWith: 'Refuse with',
  problems: 'The scenario is not valid; nothing was saved:',
  stale: 'The scenarios were changed meanwhile (another page or referent). Nothing was saved: look at them again.',
  tooMany: 'An institution has at most 50 scenarios.',
  readOnly: 'Read-only view of what the institution configured.',
  organisation: 'Organisation',
  count: 'Scenarios',
} as const;

export type SimulatorStrings = { readonly [K in keyof typeof en]: string };

const it: SimulatorStrings = {
  title: 'Scenari EC di test',
  adminTitle: 'Stazioni EC simulate',
  intro:
    'Nell’ambiente di collaudo il tuo ente può rispondere al nodo pagoPA con una stazione simulata gestita da Varco: non serve un server proprio. I PSP che pagano i tuoi avvisi in collaudo ricevono le risposte che scegli qui, per numero avviso.',
  notEc: 'Le stazioni simulate sono per gli enti creditori. La tua organizzazione non è registrata come ente creditore.',
  unregistered:
    'Il tuo ente non è ancora registrato come EC nell’ambiente di collaudo: finché non lo è, il nodo risponde a ogni avviso con PPT_DOMINIO_SCONOSCIUTO e non arriva mai a questa stazione.',
  unregisteredLink: 'Registralo nella pagina Anagrafica pagoPA.',
  ecDisabled:
    'La registrazione del tuo ente come EC nell’ambiente di collaudo è disabilitata: finché non viene riabilitata, il nodo risponde a ogni avviso con PPT_DOMINIO_DISABILITATO e non arriva mai a questa stazione.',
  ecDisabledLink: 'Vedila nella pagina Anagrafica pagoPA.',
  noFiscalCode:
    'Il codice fiscale della tua organizzazione non è di 11 cifre, come pagoPA richiede per un ente creditore. Chiedi a un amministratore di Varco di correggerlo.',
  adminNotEc: 'Questa organizzazione non è un ente creditore: le stazioni simulate sono solo per gli enti creditori.',
  adminNoFiscalCode:
    'Il codice fiscale di questa organizzazione non è di 11 cifre, come pagoPA richiede per un ente creditore: non può avere una stazione simulata finché il codice fiscale non viene corretto.',
  testOnly: 'Solo ambiente di collaudo: in produzione il nodo chiama sempre la tua stazione reale.',
  settings: 'Stazione simulata',
  status: 'Stato',
  on: 'Attiva',
  off: 'Spenta',
  switchOn: 'Attiva la stazione simulata',
  version: 'Versione delle primitive',
  version1: 'Versione 1 (paGetPayment, paSendRT)',
  version2: 'Versione 2 (paGetPaymentV2, paSendRTV2)',
  versionHelp: 'Il nodo chiama la stazione simulata con le primitive di questa versione; una chiamata dell’altra versione riceve un SOAP fault.',
  save: 'Salva',
  saved: 'Salvato.',
  nothingChanged: 'Nessuna modifica.',
  institution: 'Ente',
  fiscalCode: 'Codice fiscale',
  updated: 'Ultima modifica',
  scenarios: 'Scenari',
  none: 'Nessuno scenario: ogni avviso riceve la risposta predefinita.',
  add: 'Aggiungi uno scenario',
  order: 'Risponde il primo scenario il cui modello corrisponde al numero avviso; riordinali con le frecce.',
  defaultTitle: 'Quando nessuno scenario corrisponde',
  defaultText: 'Pagabile {amount}, un trasferimento al tuo ente (IBAN {iban}), scadenza 30 giorni dopo la chiamata.',
  patternHelp:
    'Un numero avviso esatto (18 cifre), oppure cifre seguite da * per tutti gli avvisi che iniziano così: 3020* corrisponde a 302000100000009424; * da solo corrisponde a ogni avviso. Gli spazi sono ignorati.',
  position: 'N.',
  pattern: 'Modello del numero avviso',
  answer: 'Risposta',
  amount: 'Importo (€)',
  amountColumn: 'Importo',
  behaviour: 'Inoltre',
  actions: 'Azioni',
  edit: 'Modifica',
  up: 'Sposta su',
  down: 'Sposta giù',
  remove: 'Elimina',
  shadowed: 'mai raggiunto: corrisponde prima il n. {n}',
  answers_payable: 'Pagabile',
  answers_unknown: 'Sconosciuto (PAA_PAGAMENTO_SCONOSCIUTO)',
  answers_expired: 'Scaduto (PAA_PAGAMENTO_SCADUTO)',
  answers_cancelled: 'Annullato (PAA_PAGAMENTO_ANNULLATO)',
  answers_duplicate: 'Già pagato (PAA_PAGAMENTO_DUPLICATO)',
  prim_verify: 'paVerifyPaymentNotice',
  prim_getPayment: 'paGetPayment[V2]',
  prim_receipt: 'paSendRT[V2]',
  slowSummary: 'lenta {ms} ms su {on}',
  malformedSummary: 'malformata su {on}',
  refuseSummary: 'prime {n} ricevute rifiutate ({how})',
  refuse_ko: 'KO PAA_SYSTEM_ERROR',
  refuse_http503: 'HTTP 503',
  newTitle: 'Nuovo scenario',
  editTitle: 'Scenario {pattern}',
  back: 'Torna agli scenari',
  payment: 'Pagamento (per un avviso pagabile)',
  description: 'Descrizione',
  companyName: 'Nome dell’ente mostrato (vuoto: il nome della tua organizzazione)',
  dueDate: 'Scadenza (AAAA-MM-GG; vuoto: 30 giorni dopo la chiamata)',
  transfers: 'Trasferimenti (da 1 a 5; la somma degli importi è l’importo)',
  transfer: 'Trasferimento {n}',
  tAmount: 'Importo (€)',
  tFiscalCode: 'Codice fiscale del beneficiario',
  tIban: 'IBAN',
  tRemittance: 'Causale',
  tCategory: 'Categoria (tassonomia)',
  slow: 'Risposta lenta',
  delayMs: 'Attesa prima di rispondere (millisecondi, da 0 a 120000)',
  delayOn: 'Attesa su',
  malformed: 'Risposta malformata (XML non ben formato) su',
  receipts: 'Ricevute',
  refuseReceipts: 'Rifiuta le prime N consegne di ogni ricevuta (da 0 a 100)',
  refuseWith: 'Rifiuta con',
  problems: 'Lo scenario non è valido; non è stato salvato nulla:',
  stale: 'Gli scenari sono stati modificati nel frattempo (da un’altra pagina o un altro referente). Non è stato salvato nulla: ricontrollali.',
  tooMany: 'Un ente può avere al massimo 50 scenari.',
  readOnly: 'Vista in sola lettura di quanto configurato dall’ente.',
  organisation: 'Organizzazione',
  count: 'Scenari',
};

export function simulatorStrings(locale: Locale): SimulatorStrings {
  return locale === 'it' ? it : en;
}

const PROBLEMS = {
  en: {
    pattern_invalid: 'The pattern must be an 18-digit notice number, or up to 17 digits followed by * (e.g. 3020*).',
    pattern_duplicate: 'Another scenario has this pattern already: change that one instead.',
    answer_invalid: 'Choose one of the answers listed.',
    amount_invalid: 'The amount must be a positive number of euros with at most two decimals, e.g. 100.00 or 100,00 (no thousands separators).',
    description_invalid: 'The description is required: 1 to 140 characters, no control characters.',
    company_name_invalid: 'The institution name is at most 140 characters, without control characters.',
    due_date_invalid: 'The due date must be an existing date written YYYY-MM-DD, or empty.',
    transfers_missing: 'A payable notice needs at least one transfer.',
    transfers_too_many: 'A payment has at most {max} transfers.',
    transfer_amount_invalid: 'Transfer {n}: the amount must be a positive number of euros, e.g. 50.00.',
    transfer_fiscal_code_invalid: 'Transfer {n}: the beneficiary fiscal code must be 11 digits.',
    transfer_iban_invalid: 'Transfer {n}: the IBAN must be two letters, two check digits and 11 to 30 letters or digits (spaces are ignored).',
    transfer_remittance_invalid: 'Transfer {n}: the remittance information is required: 1 to 140 characters.',
    transfer_category_invalid: 'Transfer {n}: the category is required: 1 to 140 characters (e.g. 9/0101108TS/).',
    transfers_sum: 'The transfers add up to {sum} but the amount is {amount}.',
    delay_invalid: 'The wait must be a whole number of milliseconds from 0 to {max}.',
    delay_on_required: 'Choose at least one primitive the wait applies to.',
    primitive_invalid: 'Choose among the primitives listed.',
    refusals_invalid: 'The number of refusals must be a whole number from 0 to {max}.',
    refuse_with_invalid: 'Choose how receipts are refused.',
    primitive_version_invalid: 'Choose version 1 or 2 of the primitives; nothing was saved.',
  },
  it: {
    pattern_invalid: 'Il modello deve essere un numero avviso di 18 cifre, oppure fino a 17 cifre seguite da * (per esempio 3020*).',
    pattern_duplicate: 'Un altro scenario ha già questo modello: modifica quello.',
    answer_invalid: 'Scegli una delle risposte elencate.',
    amount_invalid:
      'L’importo deve essere un numero positivo di euro con al massimo due decimali, per esempio 100.00 o 100,00 (senza separatori delle migliaia).',
    description_invalid: 'La descrizione è obbligatoria: da 1 a 140 caratteri, senza caratteri di controllo.',
    company_name_invalid: 'Il nome dell’ente ha al massimo 140 caratteri, senza caratteri di controllo.',
    due_date_invalid: 'La scadenza deve essere una data esistente scritta AAAA-MM-GG, oppure vuota.',
    transfers_missing: 'Un avviso pagabile richiede almeno un trasferimento.',
    transfers_too_many: 'Un pagamento ha al massimo {max} trasferimenti.',
    transfer_amount_invalid: 'Trasferimento {n}: l’importo deve essere un numero positivo di euro, per esempio 50,00.',
    transfer_fiscal_code_invalid: 'Trasferimento {n}: il codice fiscale del beneficiario deve avere 11 cifre.',
    transfer_iban_invalid: 'Trasferimento {n}: l’IBAN è formato da due lettere, due cifre di controllo e da 11 a 30 lettere o cifre (gli spazi sono ignorati).',
    transfer_remittance_invalid: 'Trasferimento {n}: la causale è obbligatoria: da 1 a 140 caratteri.',
    transfer_category_invalid: 'Trasferimento {n}: la categoria è obbligatoria: da 1 a 140 caratteri (per esempio 9/0101108TS/).',
    transfers_sum: 'La somma dei trasferimenti è {sum} ma l’importo è {amount}.',
    delay_invalid: 'L’attesa deve essere un numero intero di millisecondi da 0 a {max}.',
    delay_on_required: 'Scegli almeno una primitiva a cui applicare l’attesa.',
    primitive_invalid: 'Scegli tra le primitive elencate.',
    refusals_invalid: 'Il numero di rifiuti deve essere un numero intero da 0 a {max}.',
    refuse_with_invalid: 'Scegli come rifiutare le ricevute.',
    primitive_version_invalid: 'Scegli la versione 1 o 2 delle primitive; non è stato salvato nulla.',
  },
} as const;

export type ProblemCode = keyof typeof PROBLEMS.en;

export function fill(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** A validation problem in the referent's language; an unknown code falls back to a generic text. */
export function problemText(locale: Locale, problem: { code: string; params?: Record<string, string> }): string {
  const table: Record<string, string> = PROBLEMS[locale];
  return fill(table[problem.code] ?? (locale === 'it' ? 'Valore non valido.' : 'Invalid value.'), moneyParams(locale, problem.params ?? {}));
}

/** `sumCents: '6000'` → `sum: '60,00 €'` (Italian) or `'€60.00'` (English): amounts as the page's language writes money. */
function moneyParams(locale: Locale, params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) =>
      name.endsWith('Cents') && /^\d{1,15}$/.test(value) ? [name.slice(0, -'Cents'.length), formatMoney(locale, Number(value), 'EUR')] : [name, value],
    ),
  );
}

/** Every table of this file by locale, for the test that compares the languages (test/support/string-tables.ts). */
export const SIMULATOR_TABLES = { pages: { en, it }, problems: PROBLEMS };
