import {
  buildSoapFault,
  encodeKo,
  encodeResponse,
  nodeFault,
  PPT_FAULTS,
  PSP_OPERATIONS,
  type DecodeProblem,
  type FaultBean,
  type PspOperation,
  type ResponseOf,
} from '../../protocols/pagopa/index.ts';
import type { CartNotice } from '../pagopa-exchanges/index.ts';
import type { NodeCaller, PagopaNodeOptions } from './node.types.ts';
import type { EcTarget } from './ec-gateway.ts';
export { inBothLanguages } from './decode-words.ts';

// What every use case shares: its context (dependencies, the caller, a trace of what the exchange log
// should name) and the encoded answer it returns.

/** The EC side of an exchange: who may read it in the portal besides the PSP. */
export type Parties = Pick<EcTarget, 'ecOrganisationId' | 'stationId' | 'stationCode' | 'stationOrganisationId'>;

/** What the inbound exchange row names, filled as the use case learns it. */
export interface Trace {
  noticeNumber?: string;
  fiscalCode?: string;
  token?: string;
  parties?: Parties;
  /** Further organisations party to the exchange: the ECs and station owners of a cart's other notices. */
  furtherParties?: string[];
  /** A cart outcome's tokens in order, each with its notice and parties when it is the caller's: what each institution of the cart may read and find. */
  cart?: CartNotice[];
}

export interface Context {
  deps: PagopaNodeOptions;
  caller: NodeCaller;
  trace: Trace;
}

/** An encoded SOAP answer and what the exchange log records about it. */
export interface Reply {
  xml: string;
  outcome: 'OK' | 'KO' | undefined;
  faultCode: string | undefined;
}

export function okReply<O extends PspOperation>(op: O, value: ResponseOf<O>): Reply {
  return { xml: encodeResponse(op, value), outcome: 'OK', faultCode: undefined };
}

/**
 * PPT_SYSTEM_ERROR with the catalogue's words (Italian / English): the PSP always reads a description,
 * never the error itself (that goes to the log).
 */
export function systemError(): FaultBean {
  const { it, en } = PPT_FAULTS.PPT_SYSTEM_ERROR;
  return nodeFault('PPT_SYSTEM_ERROR', `${it} / ${en}`);
}

export function koReply(op: PspOperation, fault: FaultBean): Reply {
  return { xml: encodeKo(op, fault), outcome: 'KO', faultCode: fault.faultCode };
}

/**
 * The node's answer to a request it could not decode: the operation's KO (the operation named by the
 * SOAPAction or the body), or — only when no operation can be named — a SOAP Client fault.
 */
export function refusalReply(problem: DecodeProblem): Reply {
  const op = problem.operation;
  if (op !== undefined && isPspOperation(op)) return koReply(op, nodeFault(problem.faultCode, problem.description));
  return {
    xml: buildSoapFault('Client', PPT_FAULTS[problem.faultCode].faultString, `${problem.faultCode}: ${problem.description}`),
    outcome: undefined,
    faultCode: problem.faultCode,
  };
}

export function isPspOperation(op: string): op is PspOperation {
  return (PSP_OPERATIONS as readonly string[]).includes(op);
}

/** The PSP identity of every request, authorised against the key's organisation. */
export async function authorise(ctx: Context, value: { idPSP: string; idBrokerPSP: string; idChannel: string; password: string }) {
  return ctx.deps.registry.authorisePsp({
    env: ctx.caller.env,
    organisationId: ctx.caller.organisationId,
    idPSP: value.idPSP,
    idBrokerPSP: value.idBrokerPSP,
    idChannel: value.idChannel,
    password: value.password,
  });
}
