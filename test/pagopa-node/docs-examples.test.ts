import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { decodeResponse, type PspOperation } from '../../src/protocols/pagopa/index.ts';
import { buildTestApp, startTestWorkers } from '../support/app.ts';
import { validateEnvelopes } from '../support/pagopa-xsd.ts';
import { CLI, issueKeys } from '../support/subscriptions.ts';
import { organisation } from '../pagopa-registry/support.ts';

// docs/pagopa.md's *First payment in the test environment* as a newcomer follows it: the organisations
// and registrations of its steps 1–3 with the document's own identifiers (EC 77777777770 on the
// simulated station, PSP ABCDITMMXXX / 12345678901 / 12345678901_01), then its three XML files sent
// exactly as written (the token put in place of PAYMENT_TOKEN), and the receipt delivered (step 5).

const root = resolve(import.meta.dirname, '../..');
const markdown = await readFile(resolve(root, 'docs/pagopa.md'), 'utf8');
const english = markdown.slice(markdown.indexOf('### First payment in the test environment'), markdown.indexOf('## Italiano'));

/** The guide's XML files, by their body element. */
const examples = new Map(
  [...english.matchAll(/```xml\n([\s\S]*?)```/g)].map(([, block]) => {
    const xml = (block ?? '').replace(/^ {3}/gm, '');
    return [/<nfp:(\w+)/.exec(xml)?.[1] ?? '', xml] as const;
  }),
);
const verifyXml = examples.get('verifyPaymentNoticeReq') ?? '';
const activateXml = examples.get('activatePaymentNoticeV2Request') ?? '';
const outcomeXml = examples.get('sendPaymentOutcomeV2Request') ?? '';
/** The guide's `curl` line names the header each file goes with. */
const curlHeaders = [...english.matchAll(/-H '([^:']+): ([^']+)'/g)].map(([, name, value]) => [name, value]);

const t = await buildTestApp();
await startTestWorkers(t);

const ec = await organisation(t.database.db, 'creditor_institution', { taxCode: '77777777770', name: 'Comune di Esempio' });
assert.ok((await t.services.pagopaRegistry.ecs.addEc(ec.id, 'test', CLI)).ok, 'Register as an EC');
assert.ok((await t.services.pagopaSimulator.settings.updateSettings(ec.id, { enabled: true, primitiveVersion: 2 }, CLI)).ok, 'simulated station on');
const psp = await organisation(t.database.db, 'psp', { name: 'Banca di Esempio' });
const key = (await issueKeys(t.services, psp.id, 'node', 'test')).primary;
const channel = await t.services.pagopaRegistry.psps.addPsp(
  { organisationId: psp.id, env: 'test', idPsp: 'ABCDITMMXXX', idBrokerPsp: '12345678901', idChannel: '12345678901_01', password: 'channel-pass' },
  CLI,
);
assert.ok(channel.ok, 'the channel of step 3');

async function send<O extends PspOperation>(op: O, xml: string) {
  const headers = Object.fromEntries(curlHeaders.map(([name, value]) => [String(name).toLowerCase(), String(value)]));
  const res = await t.app.inject({
    method: 'POST',
    url: '/nodo/node-for-psp/v1',
    payload: xml,
    headers: { ...headers, 'ocp-apim-subscription-key': key, soapaction: `"${op}"` },
  });
  assert.equal(res.statusCode, 200, res.body);
  const decoded = decodeResponse(op, res.body);
  assert.ok(decoded.ok, res.body);
  assert.equal(decoded.value.outcome, 'OK', `${op}: ${res.body}`);
  return { body: res.body, value: decoded.value };
}

test('the guide gives the three files and the curl headers they go with, each valid against the official XSD', async () => {
  assert.deepEqual([...examples.keys()].sort(), ['activatePaymentNoticeV2Request', 'sendPaymentOutcomeV2Request', 'verifyPaymentNoticeReq']);
  assert.deepEqual(
    curlHeaders.map(([name]) => name),
    ['Ocp-Apim-Subscription-Key', 'Content-Type', 'SOAPAction'],
  );
  const errors = await validateEnvelopes([
    { name: 'verify.xml', xml: verifyXml },
    { name: 'activate.xml', xml: activateXml },
    { name: 'outcome.xml', xml: outcomeXml.replace('PAYMENT_TOKEN', 'a'.repeat(32)) },
  ]);
  assert.deepEqual(Object.fromEntries(errors), { 'verify.xml': [], 'activate.xml': [], 'outcome.xml': [] });
});

test('sent as written: verify answers the amount activate.xml asks for, activate gives a token (the same again on a retry), the outcome is recorded and the receipt delivered', async () => {
  const verified = await send('verifyPaymentNotice', verifyXml);
  const amount = verified.value.paymentList?.paymentOptionDescription[0]?.amount;
  assert.equal(amount, 10_000, 'the simulated station’s default: 100.00');
  assert.match(activateXml, /<amount>100\.00<\/amount>/, 'activate.xml asks for the verified amount');

  const activated = await send('activatePaymentNoticeV2', activateXml);
  const token = activated.value.paymentToken ?? '';
  assert.ok(token.length > 0 && token.length <= 35, token);
  const retried = await send('activatePaymentNoticeV2', activateXml);
  assert.equal(retried.body, activated.body, 'the idempotencyKey makes the retry safe');

  assert.ok(outcomeXml.includes('PAYMENT_TOKEN'));
  await send('sendPaymentOutcomeV2', outcomeXml.replace('PAYMENT_TOKEN', token));

  const deadline = Date.now() + 15_000;
  let receipt: { state: string; notice_number: string; fiscal_code: string } | undefined;
  while (Date.now() < deadline) {
    receipt = await t.database.db
      .selectFrom('pagopa_receipts')
      .select(['state', 'notice_number', 'fiscal_code'])
      .where('ec_organisation_id', '=', ec.id)
      .executeTakeFirst();
    if (receipt?.state === 'delivered') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(receipt, { state: 'delivered', notice_number: '302000000000000001', fiscal_code: '77777777770' });
});
