// Fault catalogue. PPT_* codes are what the node (Varco) answers; PAA_* codes are what an EC
// station may answer. faultString is the protocol's standard text for the code (pagoPA keeps code
// and faultString 1:1); `it` and `en` explain the code in our own words for docs and the portal.
import type { Infer } from './schema.ts';
import type { ctFaultBean } from './xsd.common.ts';

export type FaultBean = Infer<typeof ctFaultBean>;

/** The `id` of faults the node raises itself (pagoPA's own constant, kept for compatibility). */
export const NODE_FAULT_ID = 'NodoDeiPagamentiSPC';

export interface FaultInfo {
  readonly faultString: string;
  readonly it: string;
  readonly en: string;
}

export const PPT_FAULTS = {
  PPT_SYSTEM_ERROR: {
    faultString: 'Errore generico.',
    it: 'Errore interno del nodo: la richiesta non è stata elaborata; riprovare più tardi.',
    en: 'Internal node error: the request was not processed; retry later.',
  },
  PPT_SINTASSI_XSD: {
    faultString: 'Errore di sintassi XSD.',
    it: 'Il messaggio non è XML ben formato o non rispetta lo schema XSD; la descrizione indica l’elemento.',
    en: 'The message is not well-formed XML or does not match the XSD; the description names the element.',
  },
  PPT_SINTASSI_EXTRAXSD: {
    faultString: 'Errore di sintassi extra XSD.',
    it: 'Il messaggio rispetta lo schema ma viola una regola sintattica non espressa nello schema.',
    en: 'The message matches the schema but breaks a syntax rule the schema does not express.',
  },
  PPT_SOAPACTION_ERRATA: {
    faultString: 'SOAPAction errata.',
    it: 'L’header SOAPAction non indica un’operazione offerta o non corrisponde all’elemento nel Body.',
    en: 'The SOAPAction header names no offered operation or does not match the Body element.',
  },
  PPT_SEMANTICA: {
    faultString: 'Errore semantico.',
    it: 'La richiesta è corretta nella forma ma incoerente nel contenuto.',
    en: 'The request is well formed but its content is inconsistent.',
  },
  PPT_AUTORIZZAZIONE: {
    faultString: 'Il richiedente non ha i diritti per l’operazione.',
    it: 'PSP, intermediario e canale esistono ma non appartengono all’organizzazione della chiave o non sono collegati tra loro.',
    en: 'PSP, broker and channel exist but do not belong to the key’s organisation or are not linked to each other.',
  },
  PPT_AUTENTICAZIONE: { faultString: 'Errore di autenticazione.', it: 'La password del canale non è corretta.', en: 'The channel password is wrong.' },
  PPT_PSP_SCONOSCIUTO: {
    faultString: 'PSP sconosciuto.',
    it: 'idPSP non è registrato in questo ambiente.',
    en: 'idPSP is not registered in this environment.',
  },
  PPT_PSP_DISABILITATO: {
    faultString: 'PSP conosciuto ma disabilitato da configurazione.',
    it: 'Il PSP è registrato ma disabilitato.',
    en: 'The PSP is registered but disabled.',
  },
  PPT_INTERMEDIARIO_PSP_SCONOSCIUTO: {
    faultString: 'Identificativo intermediario psp sconosciuto.',
    it: 'idBrokerPSP non è registrato in questo ambiente.',
    en: 'idBrokerPSP is not registered in this environment.',
  },
  PPT_INTERMEDIARIO_PSP_DISABILITATO: {
    faultString: 'Intermediario psp disabilitato.',
    it: 'L’intermediario del PSP è registrato ma disabilitato.',
    en: 'The PSP broker is registered but disabled.',
  },
  PPT_CANALE_SCONOSCIUTO: {
    faultString: 'Canale sconosciuto.',
    it: 'idChannel non è registrato per questo intermediario.',
    en: 'idChannel is not registered for this broker.',
  },
  PPT_CANALE_DISABILITATO: {
    faultString: 'Canale conosciuto ma disabilitato da configurazione.',
    it: 'Il canale è registrato ma disabilitato.',
    en: 'The channel is registered but disabled.',
  },
  PPT_DOMINIO_SCONOSCIUTO: {
    faultString: 'Identificativo Dominio sconosciuto.',
    it: 'Il codice fiscale dell’ente creditore (qrCode/fiscalCode) non è registrato.',
    en: 'The creditor institution’s fiscal code (qrCode/fiscalCode) is not registered.',
  },
  PPT_DOMINIO_DISABILITATO: {
    faultString: 'Dominio disabilitato.',
    it: 'L’ente creditore è registrato ma disabilitato.',
    en: 'The creditor institution is registered but disabled.',
  },
  PPT_INTERMEDIARIO_PA_SCONOSCIUTO: {
    faultString: 'Identificativo intermediario dominio sconosciuto.',
    it: 'L’intermediario dell’ente creditore non è registrato.',
    en: 'The creditor institution’s broker is not registered.',
  },
  PPT_INTERMEDIARIO_PA_DISABILITATO: {
    faultString: 'Intermediario dominio disabilitato.',
    it: 'L’intermediario dell’ente creditore è disabilitato.',
    en: 'The creditor institution’s broker is disabled.',
  },
  PPT_STAZIONE_INT_PA_SCONOSCIUTA: {
    faultString: 'IdentificativoStazioneRichiedente sconosciuto.',
    it: 'Nessuna stazione dell’ente serve questo numero avviso (aux digit e codice di segregazione o applicazione).',
    en: 'No station of the institution serves this notice number (aux digit and segregation or application code).',
  },
  PPT_STAZIONE_INT_PA_DISABILITATA: {
    faultString: 'Stazione disabilitata.',
    it: 'La stazione che serve l’avviso è disabilitata.',
    en: 'The station serving the notice is disabled.',
  },
  PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE: {
    faultString: 'Errore di connessione verso la Stazione.',
    it: 'La stazione dell’ente non è raggiungibile (connessione o TLS falliti).',
    en: 'The institution’s station cannot be reached (connection or TLS failed).',
  },
  PPT_STAZIONE_INT_PA_TIMEOUT: {
    faultString: 'Timeout risposta dalla Stazione.',
    it: 'La stazione non ha risposto entro il tempo previsto.',
    en: 'The station did not answer in time.',
  },
  PPT_STAZIONE_INT_PA_SERVIZIO_NONATTIVO: {
    faultString: "Il Servizio Applicativo della Stazione non e' attivo.",
    it: 'La stazione è raggiungibile ma il servizio ha risposto con un errore HTTP.',
    en: 'The station is reachable but its service answered with an HTTP error.',
  },
  PPT_STAZIONE_INT_PA_ERRORE_RESPONSE: {
    faultString: 'Errore di risposta dalla stazione.',
    it: 'La risposta della stazione non è XML valido, non rispetta lo schema o è incoerente.',
    en: 'The station’s answer is not valid XML, does not match the schema or is inconsistent.',
  },
  PPT_ERRORE_EMESSO_DA_PAA: {
    faultString: 'Errore restituito dall’Ente Creditore',
    it: 'L’ente creditore ha risposto KO; il suo errore è in originalFaultCode, originalFaultString e originalDescription.',
    en: 'The creditor institution answered KO; its error is in originalFaultCode, originalFaultString and originalDescription.',
  },
  PPT_PAGAMENTO_IN_CORSO: {
    faultString: 'Pagamento in attesa risulta in corso al sistema pagoPA',
    it: 'Un’altra attivazione dello stesso avviso ha un token ancora valido.',
    en: 'Another activation of the same notice holds a token that is still valid.',
  },
  PPT_PAGAMENTO_DUPLICATO: {
    faultString: 'Pagamento in attesa risulta concluso al sistema pagoPA',
    it: 'L’avviso risulta già pagato.',
    en: 'The notice has already been paid.',
  },
  PPT_PAGAMENTO_SCONOSCIUTO: {
    faultString: 'Pagamento sconosciuto',
    it: 'Il pagamento indicato non è noto al nodo.',
    en: 'The payment is not known to the node.',
  },
  PPT_ERRORE_IDEMPOTENZA: {
    faultString: 'Errore idempotenza',
    it: 'La stessa idempotencyKey è stata usata con una richiesta diversa.',
    en: 'The same idempotencyKey was used with a different request.',
  },
  PPT_TOKEN_SCONOSCIUTO: {
    faultString: 'unknown token',
    it: 'Il paymentToken non corrisponde ad alcuna attivazione.',
    en: 'The paymentToken matches no activation.',
  },
  PPT_TOKEN_SCADUTO: {
    faultString: 'paymentToken is expired',
    it: 'Il token è scaduto e l’avviso è stato nel frattempo riattivato: l’esito OK non può essere accettato.',
    en: 'The token has expired and the notice was activated again since: the OK outcome cannot be accepted.',
  },
  PPT_TOKEN_SCADUTO_KO: {
    faultString: 'paymentToken is expired on outcome KO',
    it: 'Esito KO ricevuto dopo la scadenza del token: non c’è nulla da annullare.',
    en: 'KO outcome received after the token expired: there is nothing left to cancel.',
  },
  PPT_ESITO_GIA_ACQUISITO: {
    faultString: "L'esito del pagamento risulta già acquisito dal sistema pagoPA.",
    it: 'Per questo token l’esito è già stato ricevuto.',
    en: 'The outcome for this token has already been received.',
  },
} as const satisfies Record<string, FaultInfo>;

export type PptFaultCode = keyof typeof PPT_FAULTS;

export const PAA_FAULTS = {
  PAA_SYSTEM_ERROR: { faultString: 'Errore generico', it: 'Errore interno dell’ente creditore.', en: 'Internal error at the creditor institution.' },
  PAA_SINTASSI_XSD: {
    faultString: 'Errore di sintassi XSD',
    it: 'L’ente ha trovato la richiesta del nodo non conforme allo schema.',
    en: 'The institution found the node’s request not valid against the schema.',
  },
  PAA_SINTASSI_EXTRAXSD: {
    faultString: 'Errore di sintassi extra XSD',
    it: 'L’ente ha trovato nella richiesta una violazione di una regola extra schema.',
    en: 'The institution found a rule outside the schema broken in the request.',
  },
  PAA_SEMANTICA: { faultString: 'Errore semantico', it: 'L’ente ha trovato la richiesta incoerente.', en: 'The institution found the request inconsistent.' },
  PAA_ID_DOMINIO_ERRATO: {
    faultString: 'La PAA non corrisponde al Dominio indicato',
    it: 'La stazione non serve l’ente indicato in idPA.',
    en: 'The station does not serve the institution named in idPA.',
  },
  PAA_ID_INTERMEDIARIO_ERRATO: {
    faultString: 'Identificativo intermediario non corrispondente',
    it: 'idBrokerPA non corrisponde all’intermediario della stazione.',
    en: 'idBrokerPA does not match the station’s broker.',
  },
  PAA_STAZIONE_INT_ERRATA: {
    faultString: 'Stazione intermediario non corrispondente',
    it: 'idStation non corrisponde alla stazione chiamata.',
    en: 'idStation does not match the station called.',
  },
  PAA_PAGAMENTO_SCONOSCIUTO: {
    faultString: 'Pagamento in attesa risulta sconosciuto all’Ente Creditore',
    it: 'L’ente non conosce l’avviso.',
    en: 'The institution does not know the notice.',
  },
  PAA_PAGAMENTO_SCADUTO: {
    faultString: 'Pagamento in attesa risulta scaduto all’Ente Creditore',
    it: 'L’avviso è scaduto e non è più pagabile.',
    en: 'The notice has expired and can no longer be paid.',
  },
  PAA_PAGAMENTO_ANNULLATO: {
    faultString: 'Pagamento in attesa risulta annullato all’Ente Creditore',
    it: 'L’ente ha annullato l’avviso.',
    en: 'The institution has cancelled the notice.',
  },
  PAA_PAGAMENTO_DUPLICATO: {
    faultString: 'Pagamento in attesa risulta concluso all’Ente Creditore',
    it: 'Per l’ente l’avviso è già pagato.',
    en: 'For the institution the notice is already paid.',
  },
  PAA_PAGAMENTO_IN_CORSO: {
    faultString: 'Pagamento in attesa risulta in corso all’Ente Creditore',
    it: 'Per l’ente un pagamento dell’avviso è già in corso.',
    en: 'For the institution a payment of the notice is already in progress.',
  },
  PAA_RECEIPT_DUPLICATA: {
    faultString: 'La receipt è già stata ricevuta',
    it: 'L’ente ha già la ricevuta: la consegna conta come riuscita.',
    en: 'The institution already has the receipt: the delivery counts as done.',
  },
} as const satisfies Record<string, FaultInfo>;

export type PaaFaultCode = keyof typeof PAA_FAULTS;

/** A fault the node raises: standard faultString, the node's id, an optional description. */
export function nodeFault(code: PptFaultCode, description?: string, serial?: number): FaultBean {
  return {
    faultCode: code,
    faultString: PPT_FAULTS[code].faultString,
    id: NODE_FAULT_ID,
    ...(description === undefined ? {} : { description }),
    ...(serial === undefined ? {} : { serial }),
  };
}

/**
 * PPT_ERRORE_EMESSO_DA_PAA carrying an EC's KO: the id is the EC's fiscal code (the one case
 * where the node names another party) and the EC's own fault travels in original*.
 */
export function ecErrorFault(ecFault: FaultBean, ecFiscalCode: string): FaultBean {
  return {
    faultCode: 'PPT_ERRORE_EMESSO_DA_PAA',
    faultString: PPT_FAULTS.PPT_ERRORE_EMESSO_DA_PAA.faultString,
    id: ecFiscalCode,
    ...(ecFault.description === undefined ? {} : { description: ecFault.description }),
    // Which element of the EC's request the fault is about, as the EC said.
    ...(ecFault.serial === undefined ? {} : { serial: ecFault.serial }),
    originalFaultCode: ecFault.faultCode,
    originalFaultString: ecFault.faultString,
    ...(ecFault.description === undefined ? {} : { originalDescription: ecFault.description }),
  };
}

/** An EC station's own KO (for simulated stations and test ECs): id is the EC's fiscal code. */
export function ecFault(code: PaaFaultCode, ecFiscalCode: string, description?: string): FaultBean {
  return {
    faultCode: code,
    faultString: PAA_FAULTS[code].faultString,
    id: ecFiscalCode,
    ...(description === undefined ? {} : { description }),
  };
}

export function isPptFaultCode(code: string): code is PptFaultCode {
  return Object.hasOwn(PPT_FAULTS, code);
}
