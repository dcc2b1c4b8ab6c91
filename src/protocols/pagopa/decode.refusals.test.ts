// What the decoder refuses, and how each refusal is classified (kind, PPT fault code, element).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePspRequest, decodeResponse, encodeRefusal, encodeRequest, NS, type DecodeProblem } from './index.ts';
import { requestSamples } from '../../../test/support/pagopa-samples.ts';

const sample = requestSamples.find((s) => s.name === 'activatePaymentNotice full')!;
const valid = encodeRequest('activatePaymentNotice', sample.value as never);
const ACTION = '"activatePaymentNotice"';
const NFP = NS.nodeForPsp;

/** `soapAction` null: no SOAPAction header at all. */
function refused(xml: string | Uint8Array, soapAction: string | null = ACTION, limits?: { maxBytes: number; maxDepth: number }): DecodeProblem {
  const result = decodePspRequest(xml, soapAction ?? undefined, limits === undefined ? {} : { limits });
  assert.equal(result.ok, false, 'expected a refusal');
  return (result as { problem: DecodeProblem }).problem;
}

function expectProblem(problem: DecodeProblem, kind: string, faultCode: string, element?: string): void {
  assert.equal(problem.kind, kind, problem.description);
  assert.equal(problem.faultCode, faultCode);
  if (element !== undefined) {
    assert.equal(problem.element, element);
    assert.match(problem.description, new RegExp(`<${element}>`));
  }
}

/** The node's answer to the refusal is the operation's KO carrying the same code and description. */
function answersKo(problem: DecodeProblem): void {
  const answer = decodeResponse('activatePaymentNotice', encodeRefusal(problem));
  assert.ok(answer.ok);
  assert.equal(answer.value.outcome, 'KO');
  assert.equal(answer.value.fault?.faultCode, problem.faultCode);
  assert.equal(answer.value.fault?.description, problem.description);
}

const envelope = (body: string, prefix = 'soapenv'): string =>
  `<?xml version="1.0" encoding="UTF-8"?><${prefix}:Envelope xmlns:${prefix}="${NS.soap11}"><${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`;
const bodyOf = (xml: string): string => xml.slice(xml.indexOf('<nfp:'), xml.indexOf('</soapenv:Body>'));

describe('dangerous XML is refused before anything expands', () => {
  it('XXE: an external entity is never resolved', () => {
    const xxe = valid
      .replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
      .replace('<idPSP>AGID_01</idPSP>', '<idPSP>&xxe;</idPSP>');
    const problem = refused(xxe);
    expectProblem(problem, 'doctype', 'PPT_SINTASSI_XSD');
    assert.equal(problem.operation, 'activatePaymentNotice');
    assert.doesNotMatch(problem.description, /root:/);
    answersKo(problem);
  });

  it('billion laughs: refused at once, nothing is expanded', () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [${lol}]>${envelope(`<nfp:activatePaymentNoticeReq xmlns:nfp="${NFP}"><idPSP>&lol9;</idPSP></nfp:activatePaymentNoticeReq>`)}`;
    const started = process.hrtime.bigint();
    const problem = refused(bomb);
    assert.ok(process.hrtime.bigint() - started < 200_000_000n, 'refused in well under a second');
    expectProblem(problem, 'doctype', 'PPT_SINTASSI_XSD');
    assert.ok(problem.description.length < 200);
  });

  it('a DOCTYPE without entities, an external DTD, and undeclared entity references are refused', () => {
    expectProblem(refused(valid.replace('?>', '?><!DOCTYPE soapenv:Envelope>')), 'doctype', 'PPT_SINTASSI_XSD');
    expectProblem(refused(valid.replace('?>', '?><!DOCTYPE x SYSTEM "http://127.0.0.1:1/evil.dtd">')), 'doctype', 'PPT_SINTASSI_XSD');
    expectProblem(refused(valid.replace('<idPSP>AGID_01', '<idPSP>&ent;')), 'doctype', 'PPT_SINTASSI_XSD');
  });

  it('processing instructions other than the XML declaration are refused', () => {
    expectProblem(refused(valid.replace('?>', '?><?xml-stylesheet href="x.xsl"?>')), 'processing_instruction', 'PPT_SINTASSI_XSD');
    expectProblem(refused(valid.replace('<idPSP>', '<?php system("id") ?><idPSP>')), 'processing_instruction', 'PPT_SINTASSI_XSD');
  });

  it('oversize input is refused by size alone, with the default and a smaller limit', () => {
    const padded = valid.replace('<paymentNote>', `<paymentNote>${' '.repeat(300 * 1024)}`);
    expectProblem(refused(padded), 'too_large', 'PPT_SINTASSI_XSD');
    expectProblem(refused(valid, ACTION, { maxBytes: 200, maxDepth: 32 }), 'too_large', 'PPT_SINTASSI_XSD');
    expectProblem(refused(Buffer.from(valid), ACTION, { maxBytes: 200, maxDepth: 32 }), 'too_large', 'PPT_SINTASSI_XSD');
  });

  it('deep nesting is refused', () => {
    const deep = valid.replace('<paymentNote>', `<paymentNote>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`);
    expectProblem(refused(deep), 'too_deep', 'PPT_SINTASSI_XSD');
    expectProblem(refused(valid, ACTION, { maxBytes: 1 << 20, maxDepth: 4 }), 'too_deep', 'PPT_SINTASSI_XSD');
  });
});

describe('not XML, not SOAP', () => {
  it('classifies unreadable input as not_xml', () => {
    for (const input of ['', 'hello', '{"idPSP":"AGID_01"}', '<a><b></a>', valid.slice(0, -20), valid.replace('AGID_01', 'A & B')]) {
      expectProblem(refused(input), 'not_xml', 'PPT_SINTASSI_XSD');
    }
    expectProblem(refused(valid.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')), 'not_xml', 'PPT_SINTASSI_XSD');
    expectProblem(
      refused(Buffer.concat([Buffer.from(valid.slice(0, 200)), Buffer.from([0xc3, 0x28]), Buffer.from(valid.slice(200))])),
      'not_xml',
      'PPT_SINTASSI_XSD',
    );
  });

  it('classifies XML that is not a SOAP 1.1 envelope as not_soap', () => {
    const body = bodyOf(valid);
    for (const input of [
      body,
      valid.replaceAll(NS.soap11, NS.soap12),
      envelope(''),
      envelope(body + body),
      valid.replace('<soapenv:Body>', '<soapenv:Body>text'),
      `<soapenv:Envelope xmlns:soapenv="${NS.soap11}"><soapenv:Header/></soapenv:Envelope>`,
    ]) {
      expectProblem(refused(input), 'not_soap', 'PPT_SINTASSI_XSD');
    }
  });

  it('accepts any prefixes, a Header with any content, and an unqualified-by-reset default namespace', () => {
    const body = bodyOf(valid);
    const variants = [
      envelope(body.replaceAll('nfp:', 'x:').replace('xmlns:x=', 'xmlns:x=').replace(`xmlns:nfp="${NFP}"`, `xmlns:x="${NFP}"`), 'S'),
      valid.replace('<soapenv:Body>', '<soapenv:Header><wsse:Security xmlns:wsse="urn:x"><t>1</t></wsse:Security></soapenv:Header><soapenv:Body>'),
      envelope(
        `<activatePaymentNoticeReq xmlns="${NFP}">${body.slice(body.indexOf('>') + 1, body.lastIndexOf('</')).replaceAll(/<(\w+)>/g, '<$1 xmlns="">')}</activatePaymentNoticeReq>`,
      ),
      valid.replace('<soapenv:Envelope', '<!-- comment --><soapenv:Envelope').replace('<idPSP>', '<!-- c --><idPSP>'),
      valid.replace('<idPSP>AGID_01</idPSP>', '<idPSP><![CDATA[AGID_01]]></idPSP>'),
    ];
    for (const xml of variants) {
      const decoded = decodePspRequest(xml, ACTION);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.problem.description);
      assert.deepEqual(decoded.value, sample.value);
    }
  });
});

describe('schema violations name the element (PPT_SINTASSI_XSD)', () => {
  const cases: Array<[string, string, string]> = [
    [
      'wrong order',
      valid.replace(
        '<idBrokerPSP>97735020584</idBrokerPSP><idChannel>97735020584_03</idChannel>',
        '<idChannel>97735020584_03</idChannel><idBrokerPSP>97735020584</idBrokerPSP>',
      ),
      'idBrokerPSP',
    ],
    ['missing mandatory', valid.replace('<password>pwdpwdpwd</password>', ''), 'password'],
    ['missing nested mandatory', valid.replace('<noticeNumber>311111111112222222</noticeNumber>', ''), 'noticeNumber'],
    ['too long', valid.replace('<idPSP>AGID_01</idPSP>', `<idPSP>${'A'.repeat(36)}</idPSP>`), 'idPSP'],
    ['empty', valid.replace('<idPSP>AGID_01</idPSP>', '<idPSP/>'), 'idPSP'],
    ['pattern', valid.replace('<noticeNumber>311111111112222222</noticeNumber>', '<noticeNumber>31111111111222222</noticeNumber>'), 'noticeNumber'],
    ['amount one decimal', valid.replace('<amount>30.00</amount>', '<amount>30.0</amount>'), 'amount'],
    ['amount negative', valid.replace('<amount>30.00</amount>', '<amount>-30.00</amount>'), 'amount'],
    ['amount too large', valid.replace('<amount>30.00</amount>', '<amount>1000000000.00</amount>'), 'amount'],
    ['expirationTime over the maximum', valid.replace('<expirationTime>60000</expirationTime>', '<expirationTime>1800001</expirationTime>'), 'expirationTime'],
    ['date that does not exist', valid.replace('<dueDate>2026-12-31</dueDate>', '<dueDate>2026-02-30</dueDate>'), 'dueDate'],
    [
      'idempotency key pattern',
      valid.replace('<idempotencyKey>AGID01_a1B2c3D4e5</idempotencyKey>', '<idempotencyKey>AGID_01_a1B2c3D4e5</idempotencyKey>'),
      'idempotencyKey',
    ],
    ['unknown element', valid.replace('<amount>', '<surprise>1</surprise><amount>'), 'surprise'],
    ['repeated element', valid.replace('<idPSP>AGID_01</idPSP>', '<idPSP>AGID_01</idPSP><idPSP>AGID_01</idPSP>'), 'idPSP'],
    ['qualified child', valid.replace('<idPSP>AGID_01</idPSP>', '<nfp:idPSP>AGID_01</nfp:idPSP>'), 'idPSP'],
    ['attribute on a child', valid.replace('<idPSP>', '<idPSP lang="it">'), 'idPSP'],
    ['text in a complex element', valid.replace('<qrCode>', '<qrCode>x'), 'qrCode'],
    ['element inside a simple one', valid.replace('<idPSP>AGID_01</idPSP>', '<idPSP><b>AGID_01</b></idPSP>'), 'idPSP'],
  ];
  for (const [name, xml, element] of cases) {
    it(name, () => {
      const problem = refused(xml);
      expectProblem(problem, 'schema', 'PPT_SINTASSI_XSD', element);
      assert.equal(problem.operation, 'activatePaymentNotice');
      answersKo(problem);
    });
  }

  it('the body element must be in the operation namespace', () => {
    const problem = refused(valid.replace(`xmlns:nfp="${NFP}"`, 'xmlns:nfp="http://example.org/other"'));
    expectProblem(problem, 'schema', 'PPT_SINTASSI_XSD');
    assert.match(problem.description, /namespace/);
  });

  it('never quotes the values, so a password cannot leak into a fault or a log', () => {
    const secret = 'S3cret!pass#9999';
    const problem = refused(valid.replace('<password>pwdpwdpwd</password>', `<password>${secret}</password>`));
    expectProblem(problem, 'schema', 'PPT_SINTASSI_XSD', 'password');
    assert.ok(!problem.description.includes(secret));
    assert.ok(!encodeRefusal(problem).includes(secret));
  });

  it('whitespace around non-string values is collapsed as XSD does', () => {
    const decoded = decodePspRequest(valid.replace('<amount>30.00</amount>', '<amount>\n  30.00 </amount>'), ACTION);
    assert.ok(decoded.ok);
    assert.equal(decoded.operation === 'activatePaymentNotice' && decoded.value.amount, 3000);
  });
});

describe('SOAPAction', () => {
  it('quoted, unquoted, padded or absent all select the operation', () => {
    for (const action of ['"activatePaymentNotice"', 'activatePaymentNotice', ' "activatePaymentNotice" ', undefined, '""', '']) {
      const decoded = decodePspRequest(valid, action);
      assert.ok(decoded.ok, `SOAPAction ${String(action)}`);
      assert.equal(decoded.operation, 'activatePaymentNotice');
    }
  });

  it('a SOAPAction of another operation is PPT_SOAPACTION_ERRATA, answered with that operation’s KO', () => {
    const problem = refused(valid, '"verifyPaymentNotice"');
    expectProblem(problem, 'soap_action_mismatch', 'PPT_SOAPACTION_ERRATA');
    assert.equal(problem.operation, 'verifyPaymentNotice');
    const answer = decodeResponse('verifyPaymentNotice', encodeRefusal(problem));
    assert.ok(answer.ok && answer.value.fault?.faultCode === 'PPT_SOAPACTION_ERRATA');
  });

  it('an operation Varco does not offer is PPT_SOAPACTION_ERRATA; only then the answer is a SOAP Fault', () => {
    const problem = refused(valid, '"nodoChiediCatalogoServiziV2"');
    expectProblem(problem, 'unknown_operation', 'PPT_SOAPACTION_ERRATA');
    assert.equal(problem.operation, undefined);
    const fault = encodeRefusal(problem);
    assert.match(fault, /<soapenv:Fault><faultcode>soapenv:Client<\/faultcode><faultstring>SOAPAction errata.<\/faultstring>/);
    expectProblem(refused(valid.replaceAll('activatePaymentNoticeReq', 'verificaBollettinoReq'), null), 'unknown_operation', 'PPT_SOAPACTION_ERRATA');
    expectProblem(refused(valid, '"paGetPayment"'), 'unknown_operation', 'PPT_SOAPACTION_ERRATA');
  });
});

describe('rules outside the XSD (PPT_SINTASSI_EXTRAXSD)', () => {
  it('expirationTime must be positive', () => {
    for (const v of ['0', '-5']) {
      const problem = refused(valid.replace('<expirationTime>60000</expirationTime>', `<expirationTime>${v}</expirationTime>`));
      expectProblem(problem, 'extra_schema', 'PPT_SINTASSI_EXTRAXSD', 'expirationTime');
      answersKo(problem);
    }
  });

  it('an OK outcome needs its details', () => {
    const ok = requestSamples.find((s) => s.name === 'sendPaymentOutcome OK full')!;
    const xml = encodeRequest('sendPaymentOutcome', ok.value as never);
    const problem = refused(xml.replace(/<details>.*<\/details>/, ''), '"sendPaymentOutcome"');
    expectProblem(problem, 'extra_schema', 'PPT_SINTASSI_EXTRAXSD', 'details');
    const v2 = requestSamples.find((s) => s.name === 'sendPaymentOutcomeV2 OK full')!;
    const xml2 = encodeRequest('sendPaymentOutcomeV2', v2.value as never);
    expectProblem(refused(xml2.replace(/<details>.*<\/details>/, ''), 'sendPaymentOutcomeV2'), 'extra_schema', 'PPT_SINTASSI_EXTRAXSD', 'details');
  });

  it('a cart may not list the same token twice', () => {
    const v2 = requestSamples.find((s) => s.name === 'sendPaymentOutcomeV2 OK full')!;
    const xml = encodeRequest('sendPaymentOutcomeV2', v2.value as never).replace('d221820d258c4ab1b765fe902aae6d14', 'c110729d258c4ab1b765fe902aae41d6');
    expectProblem(refused(xml, 'sendPaymentOutcomeV2'), 'extra_schema', 'PPT_SINTASSI_EXTRAXSD', 'paymentTokens');
  });
});
