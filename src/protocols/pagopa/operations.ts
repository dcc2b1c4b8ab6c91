// The ten operations: which service (WSDL) each belongs to, its SOAPAction (the operation name, as
// both official WSDLs bind it) and the descriptions of its request and response body elements.
import type { ComplexType, Infer } from './schema.ts';
import { NS } from './xsd.common.ts';
import * as psp from './messages.psp.ts';
import * as pa from './messages.pa.ts';

export const SERVICES = {
  /** PSP → node: what Varco serves at /nodo/node-for-psp/v1. */
  nodeForPsp: { namespace: NS.nodeForPsp, prefix: 'nfp' },
  /** Node → EC station: what Varco calls (and what a simulated station answers). */
  paForNode: { namespace: NS.paForNode, prefix: 'pafn' },
} as const;
export type Service = keyof typeof SERVICES;

export const OPERATIONS = {
  verifyPaymentNotice: { service: 'nodeForPsp', request: psp.verifyPaymentNoticeReq, response: psp.verifyPaymentNoticeRes },
  activatePaymentNotice: { service: 'nodeForPsp', request: psp.activatePaymentNoticeReq, response: psp.activatePaymentNoticeRes },
  activatePaymentNoticeV2: { service: 'nodeForPsp', request: psp.activatePaymentNoticeV2Request, response: psp.activatePaymentNoticeV2Response },
  sendPaymentOutcome: { service: 'nodeForPsp', request: psp.sendPaymentOutcomeReq, response: psp.sendPaymentOutcomeRes },
  sendPaymentOutcomeV2: { service: 'nodeForPsp', request: psp.sendPaymentOutcomeV2Request, response: psp.sendPaymentOutcomeV2Response },
  paVerifyPaymentNotice: { service: 'paForNode', request: pa.paVerifyPaymentNoticeReq, response: pa.paVerifyPaymentNoticeRes },
  paGetPayment: { service: 'paForNode', request: pa.paGetPaymentReq, response: pa.paGetPaymentRes },
  paGetPaymentV2: { service: 'paForNode', request: pa.paGetPaymentV2Request, response: pa.paGetPaymentV2Response },
  paSendRT: { service: 'paForNode', request: pa.paSendRTReq, response: pa.paSendRTRes },
  paSendRTV2: { service: 'paForNode', request: pa.paSendRTV2Request, response: pa.paSendRTV2Response },
} as const satisfies Record<string, { service: Service; request: ComplexType; response: ComplexType }>;

export type Operation = keyof typeof OPERATIONS;
export type PspOperation = { [O in Operation]: (typeof OPERATIONS)[O]['service'] extends 'nodeForPsp' ? O : never }[Operation];
export type EcOperation = Exclude<Operation, PspOperation>;

export const PSP_OPERATIONS: readonly PspOperation[] = [
  'verifyPaymentNotice',
  'activatePaymentNotice',
  'activatePaymentNoticeV2',
  'sendPaymentOutcome',
  'sendPaymentOutcomeV2',
];
export const EC_OPERATIONS: readonly EcOperation[] = ['paVerifyPaymentNotice', 'paGetPayment', 'paGetPaymentV2', 'paSendRT', 'paSendRTV2'];

export type RequestOf<O extends Operation> = Infer<(typeof OPERATIONS)[O]['request']>;
export type ResponseOf<O extends Operation> = Infer<(typeof OPERATIONS)[O]['response']>;

/** A decoded request tagged with its operation, so a switch on `operation` narrows `value`. */
export type RequestFor<S extends Operation> = { [O in S]: { operation: O; value: RequestOf<O> } }[S];

export function operationsOf(service: Service): Operation[] {
  return (Object.keys(OPERATIONS) as Operation[]).filter((o) => OPERATIONS[o].service === service);
}

export function isOperation(name: string): name is Operation {
  return Object.hasOwn(OPERATIONS, name);
}

/** Body element names: the XSD names each wrapper element like its complex type. */
export function requestElement(op: Operation): string {
  return OPERATIONS[op].request.name ?? op;
}
export function responseElement(op: Operation): string {
  return OPERATIONS[op].response.name ?? op;
}
