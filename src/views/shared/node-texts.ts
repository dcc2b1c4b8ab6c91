import type { Locale } from '../i18n.ts';

// Texts Varco stored in English when something happened — why a receipt attempt or a call to a station
// failed, what a four-eyes proposal did when it ran — said in Italian on Italian pages. They are
// written from a few fixed templates (src/modules/pagopa-receipts/receipts.policy.ts, receipt.delivery.ts,
// src/modules/pagopa-node/fault.policy.ts, src/app/proposal-actions.ts), so each template is recognised
// here and worded again; what it quotes from elsewhere (a connection's English sentence, an institution's
// own description, a decoder's finding) stays as it came, «quoted». A text no template matches — a row
// written by an older version, or an English page — is shown as stored: nothing recorded is hidden.
// test/platform/node-texts.test.ts holds each template to its producer.

const CATEGORY_IT: Readonly<Record<string, string>> = {
  unreachable: 'stazione non raggiungibile',
  timeout: 'tempo scaduto',
  tls: 'connessione TLS non riuscita',
  certificate: 'certificato della stazione non accettato',
};

const STATE_IT: Readonly<Record<string, string>> = {
  active: 'attiva',
  submitted: 'in attesa di approvazione',
  suspended: 'sospesa',
  rejected: 'rifiutata',
  cancelled: 'annullata',
  expired: 'scaduta',
};

type Rule = readonly [RegExp, (m: RegExpExecArray) => string];

const quoted = (text: string | undefined): string => (text === undefined || text === '' ? '' : `«${text}»`);
const g = (m: RegExpExecArray, i: number): string => m[i] ?? '';

/** The failure texts of receipt attempts and of outbound exchanges (the station's side of a call). */
const FAILURE_RULES: readonly Rule[] = [
  [/^the station answered HTTP (\d{3})$/, (m) => `la stazione ha risposto HTTP ${g(m, 1)}`],
  [/^HTTP (\d{3})$/, (m) => `la stazione ha risposto HTTP ${g(m, 1)}`],
  [/^the station's answer is not a (\w+) response: ([\s\S]*)$/, (m) => `la risposta della stazione non è una risposta ${g(m, 1)}: ${quoted(g(m, 2))}`],
  [/^malformed answer: ([\s\S]*)$/, (m) => `risposta non valida: ${quoted(g(m, 1))}`],
  [/^body truncated$/, () => 'risposta troppo grande (troncata)'],
  [/^the institution answered KO (\w+)(?:: ([\s\S]*))?$/, (m) => `l’ente ha risposto KO ${g(m, 1)}${m[2] === undefined ? '' : `: ${quoted(m[2])}`}`],
  [/^station caller: not_found$/, () => 'la stazione non esiste più per il suo proprietario'],
  [/^station caller: not_approved$/, () => 'la stazione non ha una versione approvata'],
  [
    /^the receipt cannot be built for primitive version (\d): ([\s\S]*)$/,
    (m) => `la ricevuta non può essere costruita per la versione ${g(m, 1)} delle primitive: ${quoted(g(m, 2))}`,
  ],
  // A connection's failure: receipts write "category (code): sentence", the exchange log "category code: sentence".
  [/^(unreachable|timeout|tls|certificate) \(?([a-z_]+)\)?: ([\s\S]*)$/, (m) => `${CATEGORY_IT[g(m, 1)] ?? g(m, 1)} (${g(m, 2)}): ${quoted(g(m, 3))}`],
];

/** What a four-eyes proposal did when it ran (its recorded outcome). */
const OUTCOME_RULES: readonly Rule[] = [
  [/^subscription (\S+) is (\w+)$/, (m) => `sottoscrizione ${g(m, 1)}: ${STATE_IT[g(m, 2)] ?? g(m, 2)}`],
  [/^station (\S+) approved$/, (m) => `stazione ${g(m, 1)} approvata`],
  [
    /^(primary|secondary) key (\S+) waits to be revealed by the referent$/,
    (m) => `chiave ${g(m, 1) === 'primary' ? 'primaria' : 'secondaria'} ${g(m, 2)}: in attesa che il referente la mostri`,
  ],
  [/^CA ([\s\S]+) \(SHA-256 ([0-9A-Fa-f:]+)\) trusted$/, (m) => `CA ${g(m, 1)} (SHA-256 ${g(m, 2)}) resa attendibile`],
];

function said(locale: Locale, text: string, rules: readonly Rule[]): string {
  if (locale === 'en') return text;
  for (const [pattern, word] of rules) {
    const m = pattern.exec(text);
    if (m) return word(m);
  }
  return text;
}

/** Why a receipt attempt or an outbound call failed, in the page's language. */
export const failureText = (locale: Locale, text: string): string => said(locale, text, FAILURE_RULES);

/** What a proposal did when it ran, in the page's language. */
export const proposalOutcomeText = (locale: Locale, text: string): string => said(locale, text, OUTCOME_RULES);
