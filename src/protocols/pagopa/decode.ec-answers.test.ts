// How the node reads an EC station's answers: OK, a valid KO (relayed as PPT_ERRORE_EMESSO_DA_PAA
// with the EC's fault in original*), or malformed (PPT_STAZIONE_INT_PA_ERRORE_RESPONSE).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEcResponse, decodeResponse, ecErrorFault, ecFault, encodeKo, encodeResponse, NS, PPT_FAULTS, type EcOperation } from './index.ts';
import { EC, responseSamples } from '../../../test/support/pagopa-samples.ts';

const getOk = responseSamples.find((s) => s.name === 'paGetPayment OK full')!;
const getOkXml = encodeResponse('paGetPayment', getOk.value as never);
const PAFN = NS.paForNode;
const envelope = (body: string): string => `<s:Envelope xmlns:s="${NS.soap11}"><s:Body>${body}</s:Body></s:Envelope>`;

function malformed(op: EcOperation, xml: string, kind: string): string {
  const answer = decodeEcResponse(op, xml);
  assert.equal(answer.kind, 'malformed');
  if (answer.kind !== 'malformed') throw new Error('unreachable');
  assert.equal(answer.faultCode, 'PPT_STAZIONE_INT_PA_ERRORE_RESPONSE');
  assert.equal(answer.problem.kind, kind, answer.problem.description);
  return answer.problem.description;
}

describe('EC answers', () => {
  it('an OK answer is returned typed, amounts in cents', () => {
    const answer = decodeEcResponse('paGetPayment', getOkXml);
    assert.equal(answer.kind, 'ok');
    assert.ok(answer.kind === 'ok');
    assert.equal(answer.value.data?.paymentAmount, 3000);
    assert.deepEqual(
      answer.value.data?.transferList.transfer.map((t) => t.transferAmount),
      [2000, 1000],
    );
  });

  it('a KO answer carries the EC fault, which the node relays in original*', () => {
    const fault = ecFault('PAA_PAGAMENTO_SCADUTO', EC, 'scaduto il 31/12');
    const answer = decodeEcResponse('paVerifyPaymentNotice', encodeKo('paVerifyPaymentNotice', fault));
    assert.equal(answer.kind, 'ko');
    if (answer.kind !== 'ko') return;
    assert.deepEqual(answer.fault, fault);
    const relayed = ecErrorFault(answer.fault, EC);
    assert.deepEqual(relayed, {
      faultCode: 'PPT_ERRORE_EMESSO_DA_PAA',
      faultString: PPT_FAULTS.PPT_ERRORE_EMESSO_DA_PAA.faultString,
      id: EC,
      description: 'scaduto il 31/12',
      originalFaultCode: 'PAA_PAGAMENTO_SCADUTO',
      originalFaultString: fault.faultString,
      originalDescription: 'scaduto il 31/12',
    });
    const toPsp = decodeResponse('verifyPaymentNotice', encodeKo('verifyPaymentNotice', relayed));
    assert.ok(toPsp.ok && toPsp.value.fault?.originalFaultCode === 'PAA_PAGAMENTO_SCADUTO');
  });

  it('PAA_RECEIPT_DUPLICATA is an ordinary KO the node can recognise', () => {
    const answer = decodeEcResponse('paSendRTV2', encodeKo('paSendRTV2', ecFault('PAA_RECEIPT_DUPLICATA', EC)));
    assert.ok(answer.kind === 'ko' && answer.fault.faultCode === 'PAA_RECEIPT_DUPLICATA');
  });

  it('unreadable answers are malformed', () => {
    malformed('paGetPayment', '', 'not_xml');
    malformed('paGetPayment', '<html><body><h1>502 Bad Gateway</h1></body></html>', 'not_soap');
    malformed('paGetPayment', '{"outcome":"OK"}', 'not_xml');
    malformed('paGetPayment', getOkXml.slice(0, 300), 'not_xml');
    malformed('paGetPayment', getOkXml.replace('?>', '?><!DOCTYPE x [<!ENTITY e "x">]>'), 'doctype');
  });

  it('a SOAP Fault instead of the response element is malformed, and its text is kept for the log', () => {
    const description = malformed(
      'paSendRT',
      envelope('<s:Fault><faultcode>s:Server</faultcode><faultstring>NullPointerException</faultstring></s:Fault>'),
      'soap_fault',
    );
    assert.match(description, /NullPointerException/);
  });

  it('the wrong response element or namespace is malformed', () => {
    malformed('paGetPayment', getOkXml.replaceAll('paGetPaymentRes', 'paGetPaymentV2Response'), 'schema');
    malformed('paGetPayment', getOkXml.replace(`xmlns:pafn="${PAFN}"`, 'xmlns:pafn="urn:wrong"'), 'schema');
    malformed('paGetPayment', getOkXml.replace('<paymentAmount>30.00</paymentAmount>', '<paymentAmount>30</paymentAmount>'), 'schema');
    malformed(
      'paVerifyPaymentNotice',
      envelope(`<p:paVerifyPaymentNoticeRes xmlns:p="${PAFN}"><outcome>MAYBE</outcome></p:paVerifyPaymentNoticeRes>`),
      'schema',
    );
  });

  it('rules outside the schema: KO needs a fault, OK has none, OK carries its data, transfers add up', () => {
    const res = (op: string, inner: string): string => envelope(`<p:${op} xmlns:p="${PAFN}">${inner}</p:${op}>`);
    assert.match(malformed('paSendRT', res('paSendRTRes', '<outcome>KO</outcome>'), 'extra_schema'), /<fault> is mandatory/);
    assert.match(
      malformed(
        'paSendRT',
        res('paSendRTRes', `<outcome>OK</outcome><fault><faultCode>X</faultCode><faultString>x</faultString><id>${EC}</id></fault>`),
        'extra_schema',
      ),
      /<fault> must be absent/,
    );
    assert.match(malformed('paGetPayment', res('paGetPaymentRes', '<outcome>OK</outcome>'), 'extra_schema'), /<data> is mandatory/);
    assert.match(malformed('paVerifyPaymentNotice', res('paVerifyPaymentNoticeRes', '<outcome>OK</outcome>'), 'extra_schema'), /<paymentList> is mandatory/);
    assert.match(
      malformed('paGetPayment', getOkXml.replace('<paymentAmount>30.00</paymentAmount>', '<paymentAmount>31.00</paymentAmount>'), 'extra_schema'),
      /add up/,
    );
    assert.match(
      malformed('paGetPayment', getOkXml.replace('<idTransfer>2</idTransfer>', '<idTransfer>1</idTransfer>'), 'extra_schema'),
      /repeats an <idTransfer>/,
    );
  });
});
