// Encoders: typed values → SOAP 1.1 envelopes whose body validates against the official XSD.
// Business refusals are the operation's normal response with outcome KO and a fault bean.
import { checkResponseRules } from './rules.ts';
import { nodeFault, PPT_FAULTS, type FaultBean } from './faults.ts';
import type { DecodeProblem } from './decode.ts';
import { OPERATIONS, SERVICES, requestElement, responseElement, type Operation, type RequestOf, type ResponseOf } from './operations.ts';
import type { ComplexType } from './schema.ts';
import { buildEnvelope, buildSoapFault } from './soap.ts';
import { EncodeError, writeContent } from './write.ts';

function bodyElement(op: Operation, name: string, type: ComplexType, value: unknown): string {
  const { prefix, namespace } = SERVICES[OPERATIONS[op].service];
  if (typeof value !== 'object' || value === null) throw new EncodeError(name, 'must be an object');
  const out: string[] = [`<${prefix}:${name} xmlns:${prefix}="${namespace}">`];
  // Children are unqualified: no default namespace is declared, so unprefixed names have none.
  writeContent(value as Record<string, unknown>, type, name, out);
  out.push(`</${prefix}:${name}>`);
  return out.join('');
}

/** The request body element alone (namespace declared on it), e.g. for storing or signing. */
export function encodeRequestBody<O extends Operation>(op: O, value: RequestOf<O>): string {
  return bodyElement(op, requestElement(op), OPERATIONS[op].request, value);
}

export function encodeResponseBody<O extends Operation>(op: O, value: ResponseOf<O>): string {
  // The schema first: the rules read fields the schema guarantees are there.
  const body = bodyElement(op, responseElement(op), OPERATIONS[op].response, value);
  const broken = checkResponseRules(op, value);
  if (broken) throw new EncodeError(broken.path, broken.message);
  return body;
}

/** A complete request envelope. Throws EncodeError when the value would not match the XSD. */
export function encodeRequest<O extends Operation>(op: O, value: RequestOf<O>): string {
  return buildEnvelope(encodeRequestBody(op, value));
}

/** A complete response envelope (OK or KO). Throws EncodeError when the value breaks the XSD or its rules. */
export function encodeResponse<O extends Operation>(op: O, value: ResponseOf<O>): string {
  return buildEnvelope(encodeResponseBody(op, value));
}

/** The KO answer of an operation: outcome KO and the fault bean, nothing else. */
export function encodeKo(op: Operation, fault: FaultBean): string {
  return encodeResponse(op, { outcome: 'KO', fault } as ResponseOf<Operation>);
}

/**
 * The node's answer to a request it could not decode: the operation's KO with the problem's
 * fault code and description, or — only when no operation can be named — a SOAP Client fault.
 */
export function encodeRefusal(problem: DecodeProblem): string {
  const fault = nodeFault(problem.faultCode, problem.description);
  if (problem.operation !== undefined) return encodeKo(problem.operation, fault);
  return buildSoapFault('Client', PPT_FAULTS[problem.faultCode].faultString, `${problem.faultCode}: ${problem.description}`);
}
