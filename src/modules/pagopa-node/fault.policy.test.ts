import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ecFault, encodeKo, encodeResponse, buildSoapFault } from '../../protocols/pagopa/index.ts';
import type { OutboundResult } from '../outbound/index.ts';
import { judgeEcResult, refusalVerdict } from './fault.policy.ts';

// The fault mapping of an EC station's answer, for every kind of result the station caller (or the
// simulator) gives.

const party = { fiscalCode: '77777777777', stationCode: '77777777777_01' };
const response = (status: number, body: string, bodyTruncated = false): OutboundResult => ({
  kind: 'response',
  status,
  headers: {},
  body,
  bodyTruncated,
  endpoint: 'primary',
  durationMs: 5,
});
const failure = (category: 'unreachable' | 'timeout' | 'tls' | 'certificate', code: string): OutboundResult => ({
  kind: 'failure',
  category,
  code,
  message: `seen at 203.0.113.9:443 (${code})`,
  endpoint: 'primary',
  durationMs: 5,
});
const codeOf = (result: OutboundResult) => {
  const v = judgeEcResult('paGetPayment', result, party);
  return v.kind === 'ok' ? 'OK' : v.fault.faultCode;
};

test('transport failures: unreachable, TLS and certificate \u2192 IRRAGGIUNGIBILE; timeout \u2192 TIMEOUT; addresses never reach the PSP', () => {
  for (const [category, code] of [
    ['unreachable', 'connection_refused'],
    ['tls', 'handshake_failed'],
    ['certificate', 'certificate_expired'],
  ] as const) {
    const v = judgeEcResult('paGetPayment', failure(category, code), party);
    assert.ok(v.kind === 'fault');
    assert.equal(v.fault.faultCode, 'PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE');
    assert.doesNotMatch(v.fault.description ?? '', /203\.0\.113/);
    assert.match(v.error ?? '', /203\.0\.113/, 'the exchange log keeps what was seen');
  }
  assert.equal(codeOf(failure('timeout', 'response_timeout')), 'PPT_STAZIONE_INT_PA_TIMEOUT');
});

test('answers: non-2xx, truncated or malformed \u2192 ERRORE_RESPONSE; a KO \u2192 PPT_ERRORE_EMESSO_DA_PAA with the EC\u2019s fault in original*', () => {
  const ok = encodeResponse('paGetPayment', {
    outcome: 'OK',
    data: {
      creditorReferenceId: '11111111112222222',
      paymentAmount: 100,
      dueDate: '2026-12-31',
      description: 'x',
      debtor: { uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'ANONIMO' }, fullName: 'A' },
      transferList: {
        transfer: [
          {
            idTransfer: 1,
            transferAmount: 100,
            fiscalCodePA: party.fiscalCode,
            IBAN: 'IT60X0542811101000000123456',
            remittanceInformation: 'r',
            transferCategory: 'c',
          },
        ],
      },
    },
  });
  assert.equal(codeOf(response(200, ok)), 'OK');
  assert.equal(codeOf(response(503, 'Service Unavailable')), 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE');
  assert.equal(codeOf(response(500, buildSoapFault('Server', 'boom'))), 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE');
  assert.equal(codeOf(response(200, ok, true)), 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE');
  assert.equal(codeOf(response(200, ok.slice(0, 200))), 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE');
  assert.equal(
    codeOf(
      response(
        200,
        encodeResponse('paVerifyPaymentNotice', { outcome: 'OK', paymentList: { paymentOptionDescription: { amount: 1, options: 'EQ', allCCP: false } } }),
      ),
    ),
    'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE',
    'another operation\u2019s answer',
  );
  const ko = judgeEcResult('paGetPayment', response(200, encodeKo('paGetPayment', ecFault('PAA_PAGAMENTO_SCADUTO', party.fiscalCode, 'scaduto'))), party);
  assert.ok(ko.kind === 'fault');
  assert.deepEqual(
    [ko.fault.faultCode, ko.fault.id, ko.fault.originalFaultCode, ko.fault.originalDescription, ko.logFaultCode, ko.ecOutcome],
    ['PPT_ERRORE_EMESSO_DA_PAA', party.fiscalCode, 'PAA_PAGAMENTO_SCADUTO', 'scaduto', 'PAA_PAGAMENTO_SCADUTO', 'KO'],
  );
  assert.equal(ko.fault.description, 'scaduto', 'the EC\u2019s own description is relayed');
  // An EC KO without a description: the PSP still reads one, naming the EC's code; original* stays the EC's.
  const bare = judgeEcResult('paGetPayment', response(200, encodeKo('paGetPayment', ecFault('PAA_PAGAMENTO_ANNULLATO', party.fiscalCode))), party);
  assert.ok(bare.kind === 'fault');
  assert.match(bare.fault.description ?? '', /PAA_PAGAMENTO_ANNULLATO.* \/ .*PAA_PAGAMENTO_ANNULLATO/);
  assert.equal(bare.fault.originalDescription, undefined);
});

test('a refusal of the station caller: not_found \u2192 STAZIONE_INT_PA_SCONOSCIUTA, not_approved \u2192 STAZIONE_INT_PA_DISABILITATA', () => {
  const codes = (['not_found', 'not_approved'] as const).map((r) => {
    const v = refusalVerdict(r, party);
    return v.kind === 'fault' ? v.fault.faultCode : 'OK';
  });
  assert.deepEqual(codes, ['PPT_STAZIONE_INT_PA_SCONOSCIUTA', 'PPT_STAZIONE_INT_PA_DISABILITATA']);
});
