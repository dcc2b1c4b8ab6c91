import type { Locale } from '../i18n.ts';

// Four-eyes proposals in Italian and English: the back office list and page, the notices of the
// buttons that now propose, the portal's notice to the referent, and the home page warning.

const en = {
  proposals: 'Proposals',
  proposal: 'Proposal',
  intro:
    'In production, these changes wait for a second administrator: approving a subscription or a station, regenerating a key, adding a trusted CA, rotating the platform client certificate.',
  none: 'No proposals.',
  action: 'Action',
  environment: 'Environment',
  proposer: 'Proposed by',
  decider: 'Decided by',
  state: 'State',
  created: 'Proposed',
  expires: 'Expires',
  age: 'Age',
  comment: 'Comment',
  outcome: 'Outcome',
  approve: 'Approve and execute',
  reject: 'Reject',
  rejectComment: 'Why it is rejected',
  ownProposal: 'You proposed this change: another administrator must approve or reject it.',
  proposedNotice: 'This change is a proposal: another administrator must approve it before it happens.',
  alreadyWaiting: 'The same change was already proposed and is waiting for approval.',
  decidedNotice: 'Decision recorded.',
  history: 'History (audit log)',
  hours: (h: number) => `${h} h`,
  problems: {
    not_found: 'No such proposal.',
    own_proposal: 'You cannot decide on your own proposal: another administrator must.',
    expired: 'The proposal has expired: propose the change again.',
    already_decided: 'Another administrator decided on this proposal already.',
    comment_required: 'Say why the proposal is rejected.',
  },
  states: {
    pending: 'waiting for approval',
    approved: 'approved, executing',
    rejected: 'rejected',
    expired: 'expired',
    executed: 'executed',
    failed: 'approved, failed',
  },
  kinds: {
    'subscription.approve': 'Approve subscription',
    'station.approve': 'Approve station',
    'api_key.regenerate': 'Regenerate key',
    'trust.add': 'Trust a CA',
    'pki.rotate_client': 'Rotate the platform client certificate',
  },
  slot: { primary: 'primary', secondary: 'secondary' },
  overlap: (h: number) => `previous key valid ${h} h more`,
  allOrganisations: 'for every organisation',
  forOrganisation: 'for organisation',
  keyRevealNotice: 'The regeneration of this key is a proposal: a Varco administrator must approve it. Once approved, show the new key here (once).',
  fourEyesOff:
    'Four-eyes is off (VARCO_FOUR_EYES=false): production changes that move money or trust take effect on one administrator’s click. Turn it on as soon as there is a second administrator.',
  pendingCount: (n: number) => `${n} proposal(s) waiting for a second administrator.`,
};

type Strings = typeof en;

const it: Strings = {
  proposals: 'Proposte',
  proposal: 'Proposta',
  intro:
    'In produzione queste modifiche attendono un secondo amministratore: approvare una sottoscrizione o una stazione, rigenerare una chiave, aggiungere una CA attendibile, ruotare il certificato client della piattaforma.',
  none: 'Nessuna proposta.',
  action: 'Azione',
  environment: 'Ambiente',
  proposer: 'Proposta da',
  decider: 'Decisa da',
  state: 'Stato',
  created: 'Proposta il',
  expires: 'Scade il',
  age: 'Età',
  comment: 'Commento',
  outcome: 'Esito',
  approve: 'Approva ed esegui',
  reject: 'Rifiuta',
  rejectComment: 'Motivo del rifiuto',
  ownProposal: 'Hai proposto tu questa modifica: deve approvarla o rifiutarla un altro amministratore.',
  proposedNotice: 'Questa modifica è una proposta: un altro amministratore deve approvarla perché avvenga.',
  alreadyWaiting: 'La stessa modifica era già stata proposta ed è in attesa di approvazione.',
  decidedNotice: 'Decisione registrata.',
  history: 'Cronologia (registro di audit)',
  hours: (h: number) => `${h} h`,
  problems: {
    not_found: 'Proposta inesistente.',
    own_proposal: 'Non puoi decidere su una tua proposta: deve farlo un altro amministratore.',
    expired: 'La proposta è scaduta: proponi di nuovo la modifica.',
    already_decided: 'Un altro amministratore ha già deciso su questa proposta.',
    comment_required: 'Indica perché la proposta è rifiutata.',
  },
  states: {
    pending: 'in attesa di approvazione',
    approved: 'approvata, in esecuzione',
    rejected: 'rifiutata',
    expired: 'scaduta',
    executed: 'eseguita',
    failed: 'approvata, non riuscita',
  },
  kinds: {
    'subscription.approve': 'Approva sottoscrizione',
    'station.approve': 'Approva stazione',
    'api_key.regenerate': 'Rigenera chiave',
    'trust.add': 'Rendi attendibile una CA',
    'pki.rotate_client': 'Ruota il certificato client della piattaforma',
  },
  slot: { primary: 'primaria', secondary: 'secondaria' },
  overlap: (h: number) => `chiave precedente valida altre ${h} h`,
  allOrganisations: 'per ogni organizzazione',
  forOrganisation: 'per l’organizzazione',
  keyRevealNotice:
    'La rigenerazione di questa chiave è una proposta: deve approvarla un amministratore di Varco. Dopo l’approvazione, mostra qui la nuova chiave (una volta).',
  fourEyesOff:
    'Il doppio controllo è disattivato (VARCO_FOUR_EYES=false): le modifiche di produzione che muovono denaro o fiducia avvengono con il clic di un solo amministratore. Riattivalo appena c’è un secondo amministratore.',
  pendingCount: (n: number) => `${n} proposta/e in attesa di un secondo amministratore.`,
};

export function proposalStrings(locale: Locale): Strings {
  return locale === 'it' ? it : en;
}
