// Decoders: bytes of a SOAP message → typed value, or a classified problem with the PPT fault
// code the node answers for it. They never throw, whatever the input.
import { checkRequestRules, checkResponseRules } from './rules.ts';
import type { FaultBean, PptFaultCode } from './faults.ts';
import {
  OPERATIONS,
  SERVICES,
  operationsOf,
  requestElement,
  responseElement,
  type EcOperation,
  type Operation,
  type PspOperation,
  type RequestFor,
  type ResponseOf,
  type Service,
} from './operations.ts';
import { readElement, type SchemaProblem } from './read.ts';
import { parseSoapAction, readEnvelope, readSoapFault } from './soap.ts';
import { DEFAULT_XML_LIMITS, readXml, type XmlElement, type XmlLimits, type XmlProblemKind } from './xml.ts';

export type DecodeProblemKind =
  XmlProblemKind | 'not_soap' | 'unknown_operation' | 'soap_action_mismatch' | 'schema' | 'extra_schema' | 'soap_fault' | 'internal';

export interface DecodeProblem {
  readonly kind: DecodeProblemKind;
  /** What the node answers: for requests the PPT code of the refusal; for EC answers PPT_STAZIONE_INT_PA_ERRORE_RESPONSE. */
  readonly faultCode: PptFaultCode;
  /** Human description naming the element; safe to return in a fault bean (values are never quoted). */
  readonly description: string;
  /** The operation, when SOAPAction or the body named one: the KO answer uses its response element. */
  readonly operation?: Operation;
  readonly path?: string;
  readonly element?: string;
}

export type DecodeInput = string | Uint8Array;
export interface DecodeOptions {
  readonly limits?: XmlLimits;
}

type OpsOf<S extends Service> = S extends 'nodeForPsp' ? PspOperation : EcOperation;
export type DecodedRequest<S extends Service> = ({ ok: true } & RequestFor<OpsOf<S>>) | { ok: false; problem: DecodeProblem };
export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: DecodeProblem };

const REQUEST_FAULT: Record<DecodeProblemKind, PptFaultCode> = {
  too_large: 'PPT_SINTASSI_XSD',
  not_xml: 'PPT_SINTASSI_XSD',
  doctype: 'PPT_SINTASSI_XSD',
  processing_instruction: 'PPT_SINTASSI_XSD',
  too_deep: 'PPT_SINTASSI_XSD',
  not_soap: 'PPT_SINTASSI_XSD',
  schema: 'PPT_SINTASSI_XSD',
  soap_fault: 'PPT_SINTASSI_XSD',
  unknown_operation: 'PPT_SOAPACTION_ERRATA',
  soap_action_mismatch: 'PPT_SOAPACTION_ERRATA',
  extra_schema: 'PPT_SINTASSI_EXTRAXSD',
  internal: 'PPT_SYSTEM_ERROR',
};

class Refusal extends Error {
  readonly problem: Omit<DecodeProblem, 'faultCode'>;
  constructor(problem: Omit<DecodeProblem, 'faultCode'>) {
    super(problem.description);
    this.problem = problem;
  }
}

const refuse = (kind: DecodeProblemKind, description: string, operation?: Operation, at?: SchemaProblem): never => {
  throw new Refusal({
    kind,
    description,
    ...(operation === undefined ? {} : { operation }),
    ...(at === undefined ? {} : { path: at.path, element: at.element }),
  });
};

function bodyOf(input: DecodeInput, options: DecodeOptions, operation?: Operation): XmlElement {
  const xml = readXml(input, options.limits ?? DEFAULT_XML_LIMITS);
  if (!xml.ok) return refuse(xml.kind, xml.message, operation);
  const envelope = readEnvelope(xml.root);
  if (!envelope.ok) return refuse('not_soap', envelope.message, operation);
  return envelope.body;
}

function readBody(body: XmlElement, op: Operation, direction: 'request' | 'response'): unknown {
  const def = OPERATIONS[op];
  const name = direction === 'request' ? requestElement(op) : responseElement(op);
  const namespace = SERVICES[def.service].namespace;
  if (body.local !== name) return refuse('schema', `the Body element must be <${name}>, found <${body.local}>`, op);
  if (body.ns !== namespace) return refuse('schema', `<${name}> must be in the namespace ${namespace}`, op);
  const read = readElement(body, direction === 'request' ? def.request : def.response, name);
  if (!read.ok) return refuse('schema', `${read.problem.path}: ${read.problem.message}`, op, read.problem);
  return read.value;
}

/** Picks the operation from SOAPAction (when sent) and checks the body element agrees with it. */
function resolveOperation(service: Service, named: Operation | undefined, body: XmlElement): Operation {
  const offered = operationsOf(service);
  if (named !== undefined) {
    const op = named;
    if (body.local !== requestElement(op)) {
      return refuse('soap_action_mismatch', `SOAPAction ${op} does not match the Body element <${body.local}>`, op);
    }
    return op;
  }
  const byBody = offered.find((o) => requestElement(o) === body.local);
  return byBody ?? refuse('unknown_operation', `no SOAPAction and <${body.local}> is not a request of ${service}`);
}

function settle<T>(run: () => T, faults: Record<DecodeProblemKind, PptFaultCode>): { ok: true; value: T } | { ok: false; problem: DecodeProblem } {
  try {
    return { ok: true, value: run() };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, problem: { ...e.problem, faultCode: faults[e.problem.kind] } };
    return { ok: false, problem: { kind: 'internal', faultCode: 'PPT_SYSTEM_ERROR', description: 'the message could not be decoded' } };
  }
}

/** Decodes a request to one of a service's operations, chosen by SOAPAction or by the body element. */
export function decodeRequest<S extends Service>(
  service: S,
  input: DecodeInput,
  soapActionHeader: string | readonly string[] | undefined,
  options: DecodeOptions = {},
): DecodedRequest<S> {
  const result = settle(() => {
    const action = parseSoapAction(soapActionHeader);
    const named = action === undefined ? undefined : operationsOf(service).find((o) => o === action);
    if (action !== undefined && named === undefined) refuse('unknown_operation', `SOAPAction ${action.slice(0, 60)} is not an operation of ${service}`);
    const body = bodyOf(input, options, named);
    const operation = resolveOperation(service, named, body);
    const value = readBody(body, operation, 'request') as RequestFor<Operation>['value'];
    const broken = checkRequestRules(operation, value as never);
    if (broken) refuse('extra_schema', `${broken.path}: ${broken.message}`, operation, broken);
    return { operation, value };
  }, REQUEST_FAULT);
  return (result.ok ? { ok: true, ...result.value } : result) as DecodedRequest<S>;
}

export const decodePspRequest = (
  input: DecodeInput,
  soapAction: string | readonly string[] | undefined,
  options?: DecodeOptions,
): DecodedRequest<'nodeForPsp'> => decodeRequest('nodeForPsp', input, soapAction, options);
export const decodeEcRequest = (input: DecodeInput, soapAction: string | readonly string[] | undefined, options?: DecodeOptions): DecodedRequest<'paForNode'> =>
  decodeRequest('paForNode', input, soapAction, options);

const RESPONSE_FAULT = Object.fromEntries(Object.keys(REQUEST_FAULT).map((k) => [k, 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE'])) as Record<
  DecodeProblemKind,
  PptFaultCode
>;

/** Decodes the answer to `op` (any service): schema and the rules outside it, OK and KO alike. */
export function decodeResponse<O extends Operation>(op: O, input: DecodeInput, options: DecodeOptions = {}): Decoded<ResponseOf<O>> {
  return settle(() => {
    const body = bodyOf(input, options, op);
    const soapFault = readSoapFault(body);
    if (soapFault) refuse('soap_fault', `SOAP Fault instead of <${responseElement(op)}>: ${soapFault.faultcode} ${soapFault.faultstring}`.trim(), op);
    const value = readBody(body, op, 'response') as ResponseOf<O>;
    const broken = checkResponseRules(op, value);
    if (broken) refuse('extra_schema', `${broken.path}: ${broken.message}`, op, broken);
    return value;
  }, RESPONSE_FAULT);
}

/** What an EC station's answer means to the node. */
export type EcAnswer<O extends EcOperation> =
  | { kind: 'ok'; value: ResponseOf<O> }
  /** A valid KO: the node answers PPT_ERRORE_EMESSO_DA_PAA with this fault in original* (ecErrorFault). */
  | { kind: 'ko'; fault: FaultBean; value: ResponseOf<O> }
  /** Not XML, not SOAP, not the schema or breaking its rules: PPT_STAZIONE_INT_PA_ERRORE_RESPONSE. */
  | { kind: 'malformed'; faultCode: 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE'; problem: DecodeProblem };

export function decodeEcResponse<O extends EcOperation>(op: O, input: DecodeInput, options: DecodeOptions = {}): EcAnswer<O> {
  const decoded = decodeResponse(op, input, options);
  if (!decoded.ok) return { kind: 'malformed', faultCode: 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE', problem: decoded.problem };
  // The rules checked above guarantee a fault exactly when the outcome is KO.
  const { fault } = decoded.value as { fault?: FaultBean };
  return fault === undefined ? { kind: 'ok', value: decoded.value } : { kind: 'ko', fault, value: decoded.value };
}
