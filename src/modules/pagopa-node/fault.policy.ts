import type { OutboundResult } from '../outbound/index.ts';
import type { StationCallRefusal } from '../stations/index.ts';
import { englishOf, italianOf } from './decode-words.ts';
import {
  decodeEcResponse,
  ecErrorFault,
  nodeFault,
  type EcOperation,
  type FaultBean,
  type PptFaultCode,
  type ResponseOf,
} from '../../protocols/pagopa/index.ts';

// What an EC station's answer (or its absence) means for the PSP, pure. The mapping of the issue's
// design: unreachable, TLS or certificate failures → PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE; no answer
// in time → PPT_STAZIONE_INT_PA_TIMEOUT; an HTTP status other than 2xx, a body cut at the client's
// limit, or a body that is not the operation's valid answer → PPT_STAZIONE_INT_PA_ERRORE_RESPONSE; a
// valid KO → PPT_ERRORE_EMESSO_DA_PAA carrying the EC's fault in original*. The station caller
// refusing the call (the station is not the owner's, or has no approved version) never opens a
// connection: PPT_STAZIONE_INT_PA_SCONOSCIUTA / PPT_STAZIONE_INT_PA_DISABILITATA.
// Descriptions are Italian, then English, and never quote the station's addresses.

export interface EcParty {
  /** The EC's fiscal code: the `id` of a relayed EC fault. */
  fiscalCode: string;
  /** idStation, named in descriptions. */
  stationCode: string;
}

export type EcVerdict<O extends EcOperation> =
  | { kind: 'ok'; value: ResponseOf<O> }
  | {
      kind: 'fault';
      /** What the node answers the PSP. */
      fault: FaultBean;
      /** For the exchange log's outbound row: the EC's own code when it answered KO, else the node's. */
      logFaultCode: string;
      /** The EC's outcome when it answered a valid message. */
      ecOutcome?: 'OK' | 'KO';
      /** Below SOAP, in the node's words (exchange log only). */
      error?: string;
    };

const fault = (code: PptFaultCode, it: string, en: string, error?: string): EcVerdict<never> => ({
  kind: 'fault',
  fault: nodeFault(code, `${it} / ${en}`),
  logFaultCode: code,
  ...(error === undefined ? {} : { error }),
});

/** The station caller's refusal: nothing left Varco. */
export function refusalVerdict(refusal: StationCallRefusal, party: EcParty): EcVerdict<never> {
  return refusal === 'not_found'
    ? fault(
        'PPT_STAZIONE_INT_PA_SCONOSCIUTA',
        `La stazione ${party.stationCode} non esiste più per il suo proprietario.`,
        `Station ${party.stationCode} no longer exists for its owner.`,
        'station caller: not_found',
      )
    : fault(
        'PPT_STAZIONE_INT_PA_DISABILITATA',
        `La stazione ${party.stationCode} non ha una versione approvata.`,
        `Station ${party.stationCode} has no approved version.`,
        'station caller: not_approved',
      );
}

/** Judges what came back from a station (real or simulated) for `op`. */
export function judgeEcResult<O extends EcOperation>(op: O, result: OutboundResult, party: EcParty): EcVerdict<O> {
  const s = party.stationCode;
  if (result.kind === 'failure') {
    const error = `${result.category} ${result.code}: ${result.message}`;
    if (result.category === 'timeout') {
      return fault('PPT_STAZIONE_INT_PA_TIMEOUT', `La stazione ${s} non ha risposto a ${op} in tempo.`, `Station ${s} did not answer ${op} in time.`, error);
    }
    return fault(
      'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE',
      `La stazione ${s} non è raggiungibile (${result.code}).`,
      `Station ${s} cannot be reached (${result.code}).`,
      error,
    );
  }
  if (result.status < 200 || result.status > 299) {
    return fault(
      'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
      `La stazione ${s} ha risposto a ${op} con HTTP ${result.status}.`,
      `Station ${s} answered ${op} with HTTP ${result.status}.`,
      `HTTP ${result.status}`,
    );
  }
  if (result.bodyTruncated) {
    return fault(
      'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
      `La risposta della stazione ${s} a ${op} è troppo grande.`,
      `Station ${s}'s answer to ${op} is too large.`,
      'body truncated',
    );
  }
  const answer = decodeEcResponse(op, result.body);
  switch (answer.kind) {
    case 'ok':
      return { kind: 'ok', value: answer.value };
    case 'ko': {
      // The EC's own description travels as is; an EC that sent none still gets the PSP a sentence.
      const relayed = ecErrorFault(answer.fault, party.fiscalCode);
      const code = answer.fault.faultCode;
      const described =
        relayed.description !== undefined
          ? relayed
          : { ...relayed, description: `L’ente creditore ha risposto KO a ${op}: ${code}. / The creditor institution answered ${op} KO: ${code}.` };
      return { kind: 'fault', fault: described, logFaultCode: code, ecOutcome: 'KO' };
    }
    case 'malformed': {
      const what = englishOf(answer.problem);
      return fault(
        'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
        `La risposta della stazione ${s} a ${op} non è valida. ${italianOf(answer.problem)}`,
        `Station ${s}'s answer to ${op} is not valid: ${what}.`,
        `malformed answer: ${what}`,
      );
    }
  }
}
