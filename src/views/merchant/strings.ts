import type { Locale } from '../i18n.ts';

// Italian and English strings of the merchant pages: Technical information, Error logs, SHASIGN.

const en = {
  technical: 'Technical information', errorLogs: 'Error logs', shasign: 'SHASIGN tool', test: 'Test', prod: 'Production',
  pspid: 'PSPID', pspidHelp: '2 to 30 letters, digits, "_" or "-". Shops send it as PSPID; it cannot be changed later.',
  createIntro: 'Your organisation has no merchant account yet. Choose its PSPID: shops send it to identify you on the hosted payment page. It is reserved in each environment once your E-commerce subscription there is approved.',
  create: 'Create the merchant account', notEligible: 'A merchant account needs an active E-commerce subscription. Subscribe to the E-commerce product first.',
  envInactive: 'Your organisation has no active E-commerce subscription in this environment: the hosted payment page refuses its requests until there is one.',
  globalSecurity: 'Global security parameters', hashingMethod: 'Compose the string to be hashed by concatenating the value of',
  eachParameter: 'Each parameter followed by the passphrase', mainParameters: 'Main parameters only (legacy)',
  hashAlgorithm: 'Hash algorithm', sha1: 'SHA-1 (legacy, weak)', sha256: 'SHA-256', sha512: 'SHA-512',
  charset: 'Character encoding', charsetPage: 'As the page called (ISO-8859-1 on orderstandard.asp, UTF-8 on orderstandard_utf8.asp)',
  latin1: 'ISO-8859-1', utf8: 'UTF-8',
  dataOrigin: 'Data and origin verification', referrers: 'URLs of the merchant pages containing the payment form',
  referrersHelp: 'Separate with ";" and no spaces; each starts with http:// or https://. A domain accepts every page under it. Empty: no referrer check.',
  shaIn: 'SHA-IN passphrase', shaOut: 'SHA-OUT passphrase', set: 'set', notSet: 'not set',
  newPassphrase: 'New passphrase (leave empty to keep the current one)', confirmPassphrase: 'Type the new passphrase again',
  removePassphrase: 'Remove this passphrase',
  passphraseHelp: 'At least 16 characters with a letter and a digit or symbol, none of ^ { } [ ] " \' | < >. It is never shown again.',
  feedback: 'Transaction feedback', acceptUrl: 'Accept URL (ACCEPTURL)', declineUrl: 'Decline URL (DECLINEURL)', exceptionUrl: 'Exception URL (EXCEPTIONURL)',
  cancelUrl: 'Cancel URL (CANCELURL)', feedbackOnRedirect: 'Send the transaction feedback parameters on the redirection URLs',
  s2s: 'Direct HTTP server-to-server request', s2sTiming: 'Timing of the request', timingNone: 'No request', timingDeferred: 'Always deferred (not immediately after the payment)',
  timingOnline: 'Always online (immediately after the payment)', timingFallback: 'Online, but deferred when the online request fails',
  s2sUrlAccepted: 'URL for accepted, pending or uncertain payments', s2sUrlDeclined: 'URL for cancelled or declined payments',
  s2sMethod: 'Request method', dynamicParams: 'Dynamic e-Commerce parameters (sent as feedback and signed with SHA-OUT)',
  globalTransaction: 'Global transaction parameters', defaultOperation: 'Default operation code', res: 'Authorisation (RES)', sal: 'Sale (SAL)',
  paymentRetries: 'Payment retries (maximum attempts per order, 1–99)', currencies: 'Enabled currencies',
  currenciesHelp: 'ISO 4217 codes separated by commas, e.g. EUR, USD.', save: 'Save', saved: 'Settings saved.', nothingChanged: 'Nothing changed.',
  problems: 'Some settings are not valid; nothing was saved:',
  replaced: 'A test passphrase was the same as a production passphrase. Varco replaced the test one with a random passphrase and e-mailed your referents: choose a new test passphrase.',
  copy: 'Copy test to production', copyHelp: 'Copies every setting of test to production, and gives production a new random SHA-IN passphrase, shown once. The production SHA-OUT passphrase is kept.',
  copied: 'The test settings were copied to production.', copyFailed: 'The test settings cannot be copied to production:',
  shownOnce: 'The new production SHA-IN passphrase, shown only this once. Copy it into your production shop now: Varco will never show it again.',
  prodShaOutMissing: 'Production has no SHA-OUT passphrase: set one on the production page, or your shop receives no feedback parameters.',
  backToProd: 'Open the production settings', updated: 'Last change',
  time: 'Time', environment: 'Environment', orderId: 'ORDERID', code: 'Code', message: 'Error', clientIp: 'Client IP', all: 'All', noErrors: 'No errors recorded.',
  debugger: 'Signature debugger', included: 'Parameters included, in order', name: 'Name', value: 'Value', hashedString: 'String hashed (passphrase masked)',
  order: 'Sort order', shasignMissing: 'The request had no SHASIGN.', shasignGiven: 'The request carried a SHASIGN.', duplicate: 'Sent twice',
  noPassphrase: 'No SHA-IN passphrase is set for this environment.', page: 'Page', referrer: 'Referrer', problem: 'Problem',
  valuesInString: 'Values are in the string below.',
  shaIntro: 'Type or paste the parameters, one NAME=value per line, choose the algorithm and type the passphrase: you see the string that is hashed (passphrase masked) and the digest. The passphrase is not stored.',
  params: 'Parameters (NAME=value, one per line)', signature: 'Signature', shaInList: 'SHA-IN (payment request)', shaOutList: 'SHA-OUT (feedback)',
  encoding: 'Encoding', passphrase: 'Passphrase', compute: 'Compute', digest: 'Digest (SHASIGN)', testTransaction: 'Test transaction',
  testTransactionHelp: 'Posts these parameters and this SHASIGN to the test payment page.',
  lineProblem: 'Line {line} is not NAME=value.', tooManyLines: 'Too many parameters (at most {max}).', needPassphrase: 'Type the passphrase.',
  duplicateParam: 'The parameter {name} occurs more than once.',
  legacyAck: 'I understand the risk of "Main parameters only": the signature covers only the values of ORDERID, AMOUNT, CURRENCY and PSPID joined without names, so a customer can move digits between ORDERID and AMOUNT (ORDERID 12 with AMOUNT 3400 is signed like ORDERID 123 with AMOUNT 400), and no other parameter is signed. While it is on, Varco ignores ACCEPTURL, DECLINEURL, EXCEPTIONURL, CANCELURL and OPERATION sent with a payment and uses these settings instead.',
  legacyWarning: 'Legacy hashing ("Main parameters only") is on: a customer can change the amount by moving digits between ORDERID and AMOUNT, and no parameter other than those four is signed. Switch to "Each parameter followed by the passphrase" as soon as your shop can.',
  legacyAccepted: 'Risk acknowledged on {date} UTC.',
  prodNeedsShaIn: 'Production needs a SHA-IN passphrase: without one every payment request is refused (unknown order/0/s/ in the error log). A referrer list alone is not enough in production.',
  pspidTakenHere: 'The PSPID {pspid} is already used by another merchant in this environment. Choose the PSPID your shop will send here:',
  pspidPending: 'The PSPID is reserved in this environment once your E-commerce subscription here is approved.',
  claim: 'Reserve this PSPID',
} as const;

export type MerchantStrings = { readonly [K in keyof typeof en]: string };

const it: MerchantStrings = {
  technical: 'Informazioni tecniche', errorLogs: 'Log degli errori', shasign: 'Strumento SHASIGN', test: 'Collaudo', prod: 'Produzione',
  pspid: 'PSPID', pspidHelp: 'Da 2 a 30 lettere, cifre, "_" o "-". I negozi lo inviano come PSPID; non si può cambiare in seguito.',
  createIntro: 'La tua organizzazione non ha ancora un account esercente. Scegli il PSPID: i negozi lo inviano per identificarti sulla pagina di pagamento. Viene riservato in ciascun ambiente quando la sottoscrizione E-commerce lì è approvata.',
  create: "Crea l'account esercente", notEligible: "Un account esercente richiede una sottoscrizione E-commerce attiva. Sottoscrivi prima il prodotto E-commerce.",
  envInactive: 'La tua organizzazione non ha una sottoscrizione E-commerce attiva in questo ambiente: la pagina di pagamento rifiuta le richieste finché non ce n’è una.',
  globalSecurity: 'Parametri di sicurezza globali', hashingMethod: 'Componi la stringa da sottoporre a hash concatenando il valore di',
  eachParameter: 'Ogni parametro seguito dalla passphrase', mainParameters: 'Solo i parametri principali (legacy)',
  hashAlgorithm: 'Algoritmo di hash', sha1: 'SHA-1 (legacy, debole)', sha256: 'SHA-256', sha512: 'SHA-512',
  charset: 'Codifica dei caratteri', charsetPage: 'Come la pagina chiamata (ISO-8859-1 su orderstandard.asp, UTF-8 su orderstandard_utf8.asp)',
  latin1: 'ISO-8859-1', utf8: 'UTF-8',
  dataOrigin: 'Verifica dei dati e della provenienza', referrers: 'URL delle pagine del negozio che contengono il modulo di pagamento',
  referrersHelp: 'Separa con ";" senza spazi; ognuno inizia con http:// o https://. Un dominio accetta tutte le sue pagine. Vuoto: nessun controllo del referrer.',
  shaIn: 'Passphrase SHA-IN', shaOut: 'Passphrase SHA-OUT', set: 'impostata', notSet: 'non impostata',
  newPassphrase: 'Nuova passphrase (lascia vuoto per mantenere quella attuale)', confirmPassphrase: 'Ripeti la nuova passphrase',
  removePassphrase: 'Rimuovi questa passphrase',
  passphraseHelp: 'Almeno 16 caratteri con una lettera e una cifra o un simbolo, nessuno tra ^ { } [ ] " \' | < >. Non viene più mostrata.',
  feedback: 'Esito della transazione', acceptUrl: 'URL di accettazione (ACCEPTURL)', declineUrl: 'URL di rifiuto (DECLINEURL)', exceptionUrl: 'URL di eccezione (EXCEPTIONURL)',
  cancelUrl: 'URL di annullamento (CANCELURL)', feedbackOnRedirect: "Invia i parametri dell'esito sugli URL di reindirizzamento",
  s2s: 'Richiesta HTTP diretta server-to-server', s2sTiming: 'Tempistica della richiesta', timingNone: 'Nessuna richiesta', timingDeferred: 'Sempre differita (non subito dopo il pagamento)',
  timingOnline: 'Sempre online (subito dopo il pagamento)', timingFallback: 'Online, ma differita se la richiesta online fallisce',
  s2sUrlAccepted: 'URL per pagamenti accettati, in attesa o incerti', s2sUrlDeclined: 'URL per pagamenti annullati o rifiutati',
  s2sMethod: 'Metodo della richiesta', dynamicParams: "Parametri e-Commerce dinamici (inviati nell'esito e firmati con SHA-OUT)",
  globalTransaction: 'Parametri globali delle transazioni', defaultOperation: 'Operazione predefinita', res: 'Autorizzazione (RES)', sal: 'Vendita (SAL)',
  paymentRetries: 'Tentativi di pagamento (massimo per ordine, 1–99)', currencies: 'Valute abilitate',
  currenciesHelp: 'Codici ISO 4217 separati da virgole, per esempio EUR, USD.', save: 'Salva', saved: 'Impostazioni salvate.', nothingChanged: 'Nessuna modifica.',
  problems: 'Alcune impostazioni non sono valide; non è stato salvato nulla:',
  replaced: 'Una passphrase di collaudo era uguale a una di produzione. Varco ha sostituito quella di collaudo con una casuale e ha avvisato i referenti via e-mail: scegli una nuova passphrase di collaudo.',
  copy: 'Copia il collaudo in produzione', copyHelp: 'Copia ogni impostazione del collaudo in produzione e assegna alla produzione una nuova passphrase SHA-IN casuale, mostrata una sola volta. La passphrase SHA-OUT di produzione resta invariata.',
  copied: 'Le impostazioni di collaudo sono state copiate in produzione.', copyFailed: 'Le impostazioni di collaudo non si possono copiare in produzione:',
  shownOnce: 'La nuova passphrase SHA-IN di produzione, mostrata solo questa volta. Copiala subito nel negozio di produzione: Varco non la mostrerà più.',
  prodShaOutMissing: 'La produzione non ha una passphrase SHA-OUT: impostala nella pagina di produzione, altrimenti il negozio non riceve i parametri di esito.',
  backToProd: 'Apri le impostazioni di produzione', updated: 'Ultima modifica',
  time: 'Ora', environment: 'Ambiente', orderId: 'ORDERID', code: 'Codice', message: 'Errore', clientIp: 'IP del cliente', all: 'Tutti', noErrors: 'Nessun errore registrato.',
  debugger: 'Debugger della firma', included: 'Parametri inclusi, in ordine', name: 'Nome', value: 'Valore', hashedString: 'Stringa sottoposta a hash (passphrase mascherata)',
  order: 'Ordinamento', shasignMissing: 'La richiesta non aveva SHASIGN.', shasignGiven: 'La richiesta conteneva uno SHASIGN.', duplicate: 'Inviato due volte',
  noPassphrase: 'Nessuna passphrase SHA-IN è impostata per questo ambiente.', page: 'Pagina', referrer: 'Referrer', problem: 'Problema',
  valuesInString: 'I valori sono nella stringa qui sotto.',
  shaIntro: "Scrivi o incolla i parametri, un NOME=valore per riga, scegli l'algoritmo e scrivi la passphrase: vedi la stringa sottoposta a hash (passphrase mascherata) e il digest. La passphrase non viene conservata.",
  params: 'Parametri (NOME=valore, uno per riga)', signature: 'Firma', shaInList: 'SHA-IN (richiesta di pagamento)', shaOutList: 'SHA-OUT (esito)',
  encoding: 'Codifica', passphrase: 'Passphrase', compute: 'Calcola', digest: 'Digest (SHASIGN)', testTransaction: 'Transazione di prova',
  testTransactionHelp: 'Invia questi parametri e questo SHASIGN alla pagina di pagamento di collaudo.',
  lineProblem: 'La riga {line} non è NOME=valore.', tooManyLines: 'Troppi parametri (al massimo {max}).', needPassphrase: 'Scrivi la passphrase.',
  duplicateParam: 'Il parametro {name} compare più di una volta.',
  legacyAck: 'Ho compreso il rischio di "Solo i parametri principali": la firma copre solo i valori di ORDERID, AMOUNT, CURRENCY e PSPID concatenati senza nomi, quindi un cliente può spostare cifre tra ORDERID e AMOUNT (ORDERID 12 con AMOUNT 3400 ha la stessa firma di ORDERID 123 con AMOUNT 400) e nessun altro parametro è firmato. Finché è attivo, Varco ignora ACCEPTURL, DECLINEURL, EXCEPTIONURL, CANCELURL e OPERATION inviati con un pagamento e usa invece queste impostazioni.',
  legacyWarning: 'È attivo l’hashing legacy ("Solo i parametri principali"): un cliente può cambiare l’importo spostando cifre tra ORDERID e AMOUNT, e nessun parametro oltre a quei quattro è firmato. Passa a "Ogni parametro seguito dalla passphrase" appena il negozio lo consente.',
  legacyAccepted: 'Rischio confermato il {date} UTC.',
  prodNeedsShaIn: 'La produzione richiede una passphrase SHA-IN: senza, ogni richiesta di pagamento viene rifiutata (unknown order/0/s/ nel log degli errori). In produzione l’elenco dei referrer da solo non basta.',
  pspidTakenHere: 'Il PSPID {pspid} è già usato da un altro esercente in questo ambiente. Scegli il PSPID che il negozio invierà qui:',
  pspidPending: 'Il PSPID viene riservato in questo ambiente quando la sottoscrizione E-commerce qui è approvata.',
  claim: 'Riserva questo PSPID',
};

export function strings(locale: Locale): MerchantStrings {
  return locale === 'it' ? it : en;
}

export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

const FIELD_LABEL: Record<string, keyof typeof en> = {
  hashingMethod: 'hashingMethod', hashAlgorithm: 'hashAlgorithm', charset: 'charset', referrers: 'referrers', shaIn: 'shaIn', shaOut: 'shaOut',
  acceptUrl: 'acceptUrl', declineUrl: 'declineUrl', exceptionUrl: 'exceptionUrl', cancelUrl: 'cancelUrl', feedbackOnRedirect: 'feedbackOnRedirect',
  s2sTiming: 's2sTiming', s2sUrlAccepted: 's2sUrlAccepted', s2sUrlDeclined: 's2sUrlDeclined', s2sMethod: 's2sMethod', feedbackParams: 'dynamicParams',
  defaultOperation: 'defaultOperation', paymentRetries: 'paymentRetries', enabledCurrencies: 'currencies', pspid: 'pspid',
};

export function fieldLabel(locale: Locale, field: string): string {
  const key = FIELD_LABEL[field];
  return key ? strings(locale)[key] : field;
}

const PROBLEMS: Record<Locale, Record<string, string>> = {
  en: {
    invalid_choice: 'choose one of the options', invalid_url: 'not a valid URL', not_http: 'must start with http:// or https://',
    https_required: 'production sends server-to-server feedback over https:// only', too_long: 'too long', too_many: 'too many entries',
    contains_space: 'must not contain spaces', url_required: 'needed when a server-to-server request is sent',
    passphrase_mismatch: 'the two passphrases differ', too_short: 'at least 16 characters', needs_letter: 'needs a letter',
    needs_digit_or_symbol: 'needs a digit or a symbol', too_few_distinct: 'needs at least 4 different characters',
    forbidden_character: 'must not contain ^ { } [ ] " \' | < >', invalid_character: 'only printable ASCII characters, no spaces',
    unknown_currency: 'not an ISO 4217 currency code', no_currency: 'enable at least one currency', unknown_parameter: 'not a feedback parameter Varco sends',
    invalid_number: 'a whole number from 1 to 99', invalid_pspid: '2 to 30 letters, digits, "_" or "-"',
    pspid_taken: 'this PSPID is already used by another merchant in this environment: choose another one',
    already_claimed: 'your merchant account already has a PSPID in this environment; it cannot change',
    legacy_ack_required: 'tick the box that acknowledges the risks of legacy hashing, or keep "Each parameter followed by the passphrase"',
    already_exists: 'your organisation has a merchant account already', not_eligible: 'an approved E-commerce subscription in this environment is needed',
    organisation_not_found: 'no such organisation',
  },
  it: {
    invalid_choice: 'scegli una delle opzioni', invalid_url: 'non è un URL valido', not_http: 'deve iniziare con http:// o https://',
    https_required: "in produzione l'esito server-to-server si invia solo su https://", too_long: 'troppo lungo', too_many: 'troppe voci',
    contains_space: 'non deve contenere spazi', url_required: 'necessario quando si invia una richiesta server-to-server',
    passphrase_mismatch: 'le due passphrase sono diverse', too_short: 'almeno 16 caratteri', needs_letter: 'serve una lettera',
    needs_digit_or_symbol: 'serve una cifra o un simbolo', too_few_distinct: 'servono almeno 4 caratteri diversi',
    forbidden_character: 'non deve contenere ^ { } [ ] " \' | < >', invalid_character: 'solo caratteri ASCII stampabili, senza spazi',
    unknown_currency: 'non è un codice valuta ISO 4217', no_currency: 'abilita almeno una valuta', unknown_parameter: 'non è un parametro di esito che Varco invia',
    invalid_number: 'un numero intero da 1 a 99', invalid_pspid: 'da 2 a 30 lettere, cifre, "_" o "-"',
    pspid_taken: 'questo PSPID è già usato da un altro esercente in questo ambiente: scegline un altro',
    already_claimed: 'il tuo account esercente ha già un PSPID in questo ambiente; non si può cambiare',
    legacy_ack_required: 'spunta la casella che conferma i rischi dell’hashing legacy, oppure mantieni "Ogni parametro seguito dalla passphrase"',
    already_exists: 'la tua organizzazione ha già un account esercente', not_eligible: 'serve una sottoscrizione E-commerce approvata in questo ambiente',
    organisation_not_found: 'organizzazione inesistente',
  },
};

/** "Accept URL (ACCEPTURL): must start with http:// or https:// (ftp://x)". */
export function problemText(locale: Locale, problem: { field: string; code: string; detail?: string }): string {
  const text = PROBLEMS[locale][problem.code] ?? problem.code;
  return `${fieldLabel(locale, problem.field)}: ${text}${problem.detail ? ` (${problem.detail})` : ''}`;
}
