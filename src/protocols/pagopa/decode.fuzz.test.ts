// Whatever arrives, every decoder returns a classified problem (or a value) and never throws.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeEcRequest,
  decodeEcResponse,
  decodePspRequest,
  decodeResponse,
  EC_OPERATIONS,
  encodeRequest,
  encodeResponse,
  isPptFaultCode,
  OPERATIONS,
  PSP_OPERATIONS,
  type DecodeInput,
  type Operation,
} from './index.ts';
import { requestSamples, responseSamples } from '../../../test/support/pagopa-samples.ts';

const KINDS = new Set([
  'too_large',
  'not_xml',
  'doctype',
  'processing_instruction',
  'too_deep',
  'not_soap',
  'unknown_operation',
  'soap_action_mismatch',
  'schema',
  'extra_schema',
  'soap_fault',
]);

function check(result: { ok: boolean; problem?: { kind: string; faultCode: string; description: string } }): void {
  if (result.ok) return;
  assert.ok(KINDS.has(result.problem!.kind), `kind ${result.problem!.kind}`);
  assert.ok(isPptFaultCode(result.problem!.faultCode));
  assert.ok(result.problem!.description.length > 0 && result.problem!.description.length < 1000);
}

/** Runs every decoder on one input; a throw fails the property. */
function decodeAll(input: DecodeInput, soapAction: string | undefined): void {
  check(decodePspRequest(input, soapAction));
  check(decodeEcRequest(input, soapAction));
  for (const op of Object.keys(OPERATIONS) as Operation[]) check(decodeResponse(op, input));
  for (const op of EC_OPERATIONS) {
    const answer = decodeEcResponse(op, input);
    if (answer.kind === 'malformed') check({ ok: false, problem: answer.problem });
  }
}

const actionArb = fc.option(fc.oneof(fc.constantFrom(...PSP_OPERATIONS, ...EC_OPERATIONS), fc.string()), { nil: undefined });
const TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [',
  '<!ENTITY a "b">',
  ']>',
  '&amp;',
  '&a;',
  '&#0;',
  '&#x41;',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">',
  '<soapenv:Body>',
  '</soapenv:Body>',
  '</soapenv:Envelope>',
  '<nfp:verifyPaymentNoticeReq xmlns:nfp="http://pagopa-api.pagopa.gov.it/node/nodeForPsp.xsd">',
  '<idPSP>',
  '</idPSP>',
  '<qrCode>',
  'x:',
  ' a="1"',
  'AGID_01',
  '\u0000',
  '\uFFFF',
  '😀',
];

const validMessages = [
  ...requestSamples.map((s) => encodeRequest(s.operation, s.value as never)),
  ...responseSamples.map((s) => encodeResponse(s.operation, s.value as never)),
];

describe('decoders never throw', () => {
  it('random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), actionArb, (bytes, action) => decodeAll(bytes, action)),
      { numRuns: 300 },
    );
  });

  it('random text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1024 }), actionArb, (text, action) => decodeAll(text, action)),
      { numRuns: 300 },
    );
  });

  it('random XML-like token soup (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), actionArb, (tokens, action) => decodeAll(tokens.join(''), action)),
      { numRuns: 500 },
    );
  });

  it('valid messages with a random slice cut, duplicated or replaced (property)', () => {
    const mutation = fc.record({
      message: fc.constantFrom(...validMessages),
      at: fc.nat(),
      length: fc.nat({ max: 40 }),
      insert: fc.oneof(fc.constantFrom('', ...TOKENS), fc.string({ maxLength: 8 })),
    });
    fc.assert(
      fc.property(mutation, actionArb, ({ message, at, length, insert }, action) => {
        const i = at % message.length;
        decodeAll(message.slice(0, i) + insert + message.slice(i + length), action);
      }),
      { numRuns: 500 },
    );
  });
});
