// Every message the encoders emit — each operation's request and response, OK and KO, optional
// elements present and absent — validates against the official pagoPA XSD (libxml2 via
// xmllint-wasm, schemas copied unchanged in test/fixtures/pagopa/xsd).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { encodeKo, encodeRefusal, encodeRequest, encodeResponse, nodeFault, OPERATIONS, type Operation } from './index.ts';
import { requestSamples, responseSamples } from '../../../test/support/pagopa-samples.ts';
import { officialFixture, validateEnvelopes } from '../../../test/support/pagopa-xsd.ts';

const encodedRequests = requestSamples.map((s) => ({ name: `${s.name} (request)`, xml: encodeRequest(s.operation, s.value as never) }));
const encodedResponses = responseSamples.map((s) => ({ name: `${s.name} (response)`, xml: encodeResponse(s.operation, s.value as never) }));

describe('official XSD validation of encoded messages', () => {
  it('covers every operation in both directions, OK and KO', () => {
    for (const op of Object.keys(OPERATIONS) as Operation[]) {
      assert.ok(
        requestSamples.some((s) => s.operation === op),
        `request sample for ${op}`,
      );
      assert.ok(
        responseSamples.some((s) => s.operation === op && s.value.outcome === 'OK'),
        `OK response for ${op}`,
      );
      assert.ok(
        responseSamples.some((s) => s.operation === op && s.value.outcome === 'KO'),
        `KO response for ${op}`,
      );
    }
  });

  it('every encoded request and response is valid', async () => {
    const errors = await validateEnvelopes([...encodedRequests, ...encodedResponses]);
    const invalid = [...errors].filter(([, e]) => e.length > 0);
    assert.deepEqual(invalid, [], 'no message may fail the official schema');
    assert.equal(errors.size, encodedRequests.length + encodedResponses.length);
  });

  it('KO answers built from the fault catalogue and from decode problems are valid', async () => {
    const messages = (Object.keys(OPERATIONS) as Operation[]).flatMap((op) => [
      { name: `${op} KO`, xml: encodeKo(op, nodeFault('PPT_SYSTEM_ERROR', 'prova')) },
      {
        name: `${op} refusal`,
        xml: encodeRefusal({ kind: 'schema', faultCode: 'PPT_SINTASSI_XSD', description: 'x/y: <y> is missing in <x>', operation: op }),
      },
    ]);
    const errors = await validateEnvelopes(messages);
    assert.deepEqual(
      [...errors].filter(([, e]) => e.length > 0),
      [],
    );
  });

  it('the validator is not a rubber stamp: broken messages are reported', async () => {
    const good = encodedRequests.find((m) => m.name.startsWith('activatePaymentNotice full'))!.xml;
    const errors = await validateEnvelopes([
      { name: 'missing idPSP', xml: good.replace('<idPSP>AGID_01</idPSP>', '') },
      { name: 'amount with one decimal', xml: good.replace('<amount>30.00</amount>', '<amount>30.0</amount>') },
      {
        name: 'order swapped',
        xml: good.replace(
          '<idBrokerPSP>97735020584</idBrokerPSP><idChannel>97735020584_03</idChannel>',
          '<idChannel>97735020584_03</idChannel><idBrokerPSP>97735020584</idBrokerPSP>',
        ),
      },
      { name: 'qualified child', xml: good.replace('<idPSP>AGID_01</idPSP>', '<nfp:idPSP>AGID_01</nfp:idPSP>') },
    ]);
    for (const [name, e] of errors) assert.ok(e.length > 0, `${name} should be invalid`);
  });

  it('the fixtures are the unchanged official files listed in PROVENANCE.md', () => {
    const provenance = readFileSync(new URL('../../../test/fixtures/pagopa/xsd/PROVENANCE.md', import.meta.url), 'utf8');
    const rows = [...provenance.matchAll(/^\| ([\w/.-]+\.(?:xsd|wsdl)) \| ([0-9a-f]{64}) \|$/gm)];
    assert.equal(rows.length, 6);
    for (const [, path, hash] of rows) {
      assert.equal(createHash('sha256').update(officialFixture(path!)).digest('hex'), hash, path);
    }
  });
});
