import type { Locale } from '../i18n.ts';

// What each destructive action does, in words, for its confirmation page (issue 14, safe actions).

const en = {
  suspend: {
    title: 'Suspend this subscription?',
    consequences: [
      'Both API keys of the subscription stop working at once: every call with them is refused (401) until an administrator reactivates it.',
      'The organisation’s referents are told by e-mail.',
    ],
    confirm: 'Suspend the subscription',
  },
  cancel: {
    title: 'Cancel this subscription?',
    consequences: [
      'Cancelling is final: both API keys stop working at once and cannot be brought back.',
      'To connect again you request a new subscription, which an administrator approves again.',
    ],
    confirm: 'Cancel the subscription',
  },
  regenerate: {
    title: (slot: 'primary' | 'secondary') => `Regenerate the ${slot} key?`,
    consequences: [
      'A new key is made and shown once, on the next page: copy it then. In production a Varco administrator approves the regeneration first; then you show the key once on the subscription\u2019s page.',
      'The current key keeps working for the hours you choose below (0 stops it at once), then stops for good.',
      'Change the key in every client that uses it before the overlap ends.',
    ],
    overlap: 'Hours the current key keeps working (0–72)',
    confirm: 'Regenerate the key',
  },
  removeCa: {
    title: 'Remove this trusted CA?',
    consequences: [
      'Varco stops trusting servers whose certificate chains to this CA, at once and on every instance.',
      'Calls to stations that rely on it fail the TLS check until another trusted CA covers them.',
    ],
    which: (subject: string, env: string) => `The CA: ${subject} (${env === 'prod' ? 'production' : 'test'}).`,
    confirm: 'Remove the CA',
  },
  approveFailing: {
    title: 'Approve a station whose last check failed?',
    warning: 'The last verification of this station failed (its page says at which step and what to fix): calls to it would likely fail the same way.',
    consequences: [
      'Approving makes this version the one Varco calls; calls to it are likely to fail until the station is fixed.',
      'The organisation is told that the station is approved.',
    ],
    confirm: 'Approve anyway',
  },
  resend: {
    title: 'Send this message again?',
    consequences: [
      'A copy of the message is queued now and delivered by the workers, with the same event id.',
      'The receiver may get a message it already processed: it recognises it by that event id.',
    ],
    confirm: 'Send it again',
  },
  resendReceipt: {
    title: 'Send this receipt again?',
    consequences: [
      'The receipt goes to the institution\u2019s station again (paSendRT or paSendRTV2, as its link says), now (or as soon as a delivery under way ends), then on the usual retry schedule until the station answers OK.',
      'The institution may get a receipt it already has: it recognises it by its receiptId (the payment token) and may answer PAA_RECEIPT_DUPLICATA, which counts as delivered.',
    ],
    confirm: 'Send it again',
  },
};

const it: typeof en = {
  suspend: {
    title: 'Sospendere questa sottoscrizione?',
    consequences: [
      'Entrambe le chiavi API della sottoscrizione smettono subito di funzionare: ogni chiamata viene rifiutata (401) finché un amministratore non la riattiva.',
      'I referenti dell’organizzazione vengono avvisati via e-mail.',
    ],
    confirm: 'Sospendi la sottoscrizione',
  },
  cancel: {
    title: 'Annullare questa sottoscrizione?',
    consequences: [
      'L’annullamento è definitivo: entrambe le chiavi API smettono subito di funzionare e non si possono recuperare.',
      'Per collegarti di nuovo richiedi una nuova sottoscrizione, che un amministratore approva di nuovo.',
    ],
    confirm: 'Annulla la sottoscrizione',
  },
  regenerate: {
    title: (slot: 'primary' | 'secondary') => `Rigenerare la chiave ${slot === 'primary' ? 'primaria' : 'secondaria'}?`,
    consequences: [
      'Viene creata una nuova chiave, mostrata una sola volta nella pagina successiva: copiala allora. In produzione un amministratore di Varco approva prima la rigenerazione; poi mostri la chiave una volta nella pagina della sottoscrizione.',
      'La chiave attuale continua a funzionare per le ore che scegli qui sotto (0 la ferma subito), poi smette per sempre.',
      'Cambia la chiave in ogni client che la usa prima che finisca la sovrapposizione.',
    ],
    overlap: 'Ore in cui la chiave attuale continua a funzionare (0–72)',
    confirm: 'Rigenera la chiave',
  },
  removeCa: {
    title: 'Rimuovere questa CA fidata?',
    consequences: [
      'Varco smette subito, su ogni istanza, di fidarsi dei server il cui certificato discende da questa CA.',
      'Le chiamate alle stazioni che la usano falliscono il controllo TLS finché un’altra CA fidata non le copre.',
    ],
    which: (subject: string, env: string) => `La CA: ${subject} (${env === 'prod' ? 'produzione' : 'collaudo'}).`,
    confirm: 'Rimuovi la CA',
  },
  approveFailing: {
    title: 'Approvare una stazione la cui ultima verifica è fallita?',
    warning:
      'L’ultima verifica di questa stazione è fallita (la sua pagina dice a quale passo e cosa correggere): le chiamate fallirebbero probabilmente allo stesso modo.',
    consequences: [
      'Approvando, questa versione diventa quella che Varco chiama; le chiamate probabilmente falliranno finché la stazione non viene sistemata.',
      'L’organizzazione viene avvisata che la stazione è approvata.',
    ],
    confirm: 'Approva comunque',
  },
  resend: {
    title: 'Inviare di nuovo questo messaggio?',
    consequences: [
      'Una copia del messaggio viene messa in coda ora e consegnata dai worker, con lo stesso event id.',
      'Il destinatario potrebbe ricevere un messaggio già elaborato: lo riconosce da quell’event id.',
    ],
    confirm: 'Invialo di nuovo',
  },
  resendReceipt: {
    title: 'Inviare di nuovo questa ricevuta?',
    consequences: [
      'La ricevuta viene inviata di nuovo alla stazione dell\u2019ente (paSendRT o paSendRTV2, secondo il collegamento), ora (o appena termina una consegna in corso), poi secondo i consueti tentativi finché la stazione risponde OK.',
      'L\u2019ente potrebbe ricevere una ricevuta che ha già: la riconosce dal receiptId (il token di pagamento) e può rispondere PAA_RECEIPT_DUPLICATA, che vale come consegnata.',
    ],
    confirm: 'Inviala di nuovo',
  },
};

export const CONFIRM_TABLES = { confirm: { en, it } };
export const confirmStrings = (locale: Locale) => (locale === 'it' ? it : en);
