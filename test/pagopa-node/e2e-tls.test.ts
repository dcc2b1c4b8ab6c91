import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { Agent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createClientAsync, type Client } from 'soap';
import { decodeResponse, encodeRequest, type PspOperation, type RequestOf, type ResponseOf } from '../../src/protocols/pagopa/index.ts';
import { splitPemChain } from '../../src/pki/index.ts';
import { scenario, startEcStation } from '../support/ec-station.ts';
import { assertEmittedValid } from '../support/pagopa-emitted.ts';
import { createEcOrganisation, faultOf, nodeTestApp, noticeNumber, OK_DETAILS, qr, registerPsp, stationEc } from '../support/pagopa-node.ts';
import { tempDevPki } from '../support/tls.ts';
import { issueKeys, mistypedKey } from '../support/subscriptions.ts';

// The whole flow over real sockets: a PSP client speaking HTTPS to a listening Varco (the app
// production runs, with its server certificate), and a real EC station that DEMANDS Varco's client
// certificate (mutual TLS), for verify → activate → outcome, the receipt scheduled in the outcome's
// transaction. Then an independent SOAP implementation (the npm `soap` client) built from the WSDL
// Varco serves drives the same endpoint; and every message Varco emitted validates against the XSD.

const pki = await tempDevPki();
const t = await nodeTestApp({ tls: { cert: pki.server.chainPem, key: pki.server.keyPem } });
await t.app.listen({ port: 0, host: '127.0.0.1' });
const port = (t.app.server.address() as AddressInfo).port;
const ENDPOINT = `https://localhost:${port}/nodo/node-for-psp/v1`;
const agent = new Agent({ ca: pki.envs.test.caCertPem, keepAlive: false });

const psp = await registerPsp(t.services, t, 'Banca TLS');
const ec = await createEcOrganisation(t, 'Comune TLS');
const other = await createEcOrganisation(t, 'Provincia TLS');
const platform = await t.services.platformCertificates.downloads('test');
const station = await startEcStation({
  ecs: { fiscalCode: ec.fiscalCode, name: ec.name },
  clientCas: [platform.caPem],
  primitiveVersion: 2,
  scenarios: [
    scenario({
      pattern: '*',
      payment: {
        amountCents: 12_345,
        description: 'TARI 2026',
        transfers: [
          { amountCents: 10_000, fiscalCode: ec.fiscalCode, iban: 'IT60X0542811101000000123456', remittance: 'TARI', category: '0101100IM' },
          { amountCents: 2_345, fiscalCode: other.fiscalCode, iban: 'IT60X0542811101000000654321', remittance: 'TEFA', category: '0201102IM' },
        ],
      },
    }),
  ],
});
const { code } = await stationEc(t.services, ec, station, { version: 2 });

function post(op: PspOperation | string, body: string, key = psp.key): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      ENDPOINT,
      { method: 'POST', agent, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${op}"`, 'ocp-apim-subscription-key': key } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function call<O extends PspOperation>(op: O, value: RequestOf<O>): Promise<ResponseOf<O>> {
  const res = await post(op, encodeRequest(op, value));
  assert.equal(res.status, 200);
  assert.equal(res.contentType, 'text/xml; charset=utf-8');
  const decoded = decodeResponse(op, res.body);
  assert.ok(decoded.ok, res.body);
  return decoded.value;
}

const fingerprint = (pem: string | undefined): string => new X509Certificate(splitPemChain(pem ?? '')[0] ?? '').fingerprint256;

test('verify \u2192 activate \u2192 outcome over HTTPS, the EC station reached over mutual TLS, the receipt scheduled in the outcome\u2019s transaction', async () => {
  const notice = noticeNumber();
  const verified = await call('verifyPaymentNotice', { ...psp.head, qrCode: qr(ec, notice) });
  assert.equal(faultOf(verified), 'OK');
  assert.deepEqual(
    verified.paymentList?.paymentOptionDescription.map((o) => o.amount),
    [12_345],
  );
  assert.equal(verified.paymentDescription, 'TARI 2026');

  const activated = await call('activatePaymentNoticeV2', { ...psp.head, qrCode: qr(ec, notice), amount: 12_345, expirationTime: 600_000 });
  assert.equal(faultOf(activated), 'OK');
  assert.match(activated.paymentToken ?? '', /^[0-9a-f]{32}$/);
  assert.deepEqual(
    activated.transferList?.transfer.map((tr) => [tr.fiscalCodePA, tr.transferAmount]),
    [
      [ec.fiscalCode, 10_000],
      [other.fiscalCode, 2_345],
    ],
  );
  const token = activated.paymentToken ?? '';

  // The station saw Varco's client certificate, the registry's identity and the PSP's notice.
  const seen = station.calls().slice(-2);
  assert.deepEqual(
    seen.map((r) => r.operation),
    ['paVerifyPaymentNotice', 'paGetPaymentV2'],
  );
  for (const r of seen) {
    assert.equal(fingerprint(r.clientCertificatePem), fingerprint(platform.current.chainPem));
    assert.ok(r.call && r.call.operation !== 'paSendRT' && r.call.operation !== 'paSendRTV2');
    assert.deepEqual([r.call.value.idPA, r.call.value.idBrokerPA, r.call.value.idStation], [ec.fiscalCode, ec.fiscalCode, code]);
  }
  const outcome = await call('sendPaymentOutcomeV2', { ...psp.head, paymentTokens: { paymentToken: [token] }, outcome: 'OK', details: OK_DETAILS });
  assert.equal(faultOf(outcome), 'OK');
  const scheduled = t.receipts.scheduled.find((s) => s.paid.token === token);
  assert.ok(scheduled, 'the receipts module was asked to schedule the receipt');
  assert.deepEqual([scheduled.stateInTransaction, scheduled.inTransaction], ['paid', true]);
  const { paid } = scheduled;
  assert.deepEqual(
    [paid.env, paid.noticeNumber, paid.fiscalCode, paid.ecOrganisationId, paid.payment.version, paid.payment.data.paymentAmount],
    ['test', notice, ec.fiscalCode, ec.organisationId, 2, 12_345],
  );
  assert.deepEqual(paid.psp, {
    organisationId: psp.organisationId,
    idPSP: psp.head.idPSP,
    idBrokerPSP: psp.head.idBrokerPSP,
    idChannel: psp.head.idChannel,
    companyName: psp.name,
  });
  assert.deepEqual(paid.details, OK_DETAILS);
  const row = await t.database.db.selectFrom('pagopa_payments').select(['state', 'outcome']).where('token', '=', token).executeTakeFirstOrThrow();
  assert.deepEqual(row, { state: 'paid', outcome: 'OK' });
  // Paid at the node: the next verify answers without asking the EC.
  const calls = station.requests.length;
  assert.equal(faultOf(await call('verifyPaymentNotice', { ...psp.head, qrCode: qr(ec, notice) })), 'PPT_PAGAMENTO_DUPLICATO');
  assert.equal(station.requests.length, calls);
});

type AsyncOperation = (args: unknown, options?: unknown) => Promise<[Record<string, unknown>, ...unknown[]]>;
const operation = (client: Client, op: string): AsyncOperation => (client as unknown as Record<string, AsyncOperation>)[`${op}Async`]!;

test('the npm soap client, built from the WSDL Varco serves at ?wsdl, runs verify, activate and outcome with the subscription key', async () => {
  const client = await createClientAsync(`${ENDPOINT}?wsdl`, { endpoint: ENDPOINT, wsdl_options: { httpsAgent: agent } });
  client.addHttpHeader('Ocp-Apim-Subscription-Key', psp.key);
  const notice = noticeNumber();
  const head = psp.head;
  const options = { httpsAgent: agent };
  const [verified] = await operation(client, 'verifyPaymentNotice')({ ...head, qrCode: qr(ec, notice) }, options);
  assert.equal(verified.outcome, 'OK');
  const [activated] = await operation(client, 'activatePaymentNotice')({ ...head, qrCode: qr(ec, notice), amount: '123.45' }, options);
  assert.equal(activated.outcome, 'OK', JSON.stringify(activated));
  assert.equal(activated.totalAmount, '123.45');
  const token = String(activated.paymentToken);
  const [done] = await operation(client, 'sendPaymentOutcome')(
    { ...head, paymentToken: token, outcome: 'OK', details: { paymentMethod: 'cash', fee: '1.00', applicationDate: '2026-03-01', transferDate: '2026-03-01' } },
    options,
  );
  assert.equal(done.outcome, 'OK');
  const [again] = await operation(client, 'sendPaymentOutcome')(
    { ...head, paymentToken: token, outcome: 'OK', details: { paymentMethod: 'cash', fee: '1.00', applicationDate: '2026-03-01', transferDate: '2026-03-01' } },
    options,
  );
  assert.equal(again.outcome, 'KO');
  assert.equal((again.fault as { faultCode: string }).faultCode, 'PPT_ESITO_GIA_ACQUISITO');
  assert.ok(t.receipts.scheduled.some((s) => s.paid.token === token));
});

test('without a key the gateway answers 401 in its own words, as a SOAP fault; with a key of another product, 403', async () => {
  const stations = station.requests.length;
  const body = encodeRequest('verifyPaymentNotice', { ...psp.head, qrCode: qr(ec, noticeNumber()) });
  const missing = await post('verifyPaymentNotice', body, '');
  assert.equal(missing.status, 401);
  assert.equal(missing.contentType, 'text/xml; charset=utf-8');
  assert.match(missing.body, /<faultstring>Access denied due to missing subscription key\./);
  const invalid = await post('verifyPaymentNotice', body, mistypedKey(psp.key));
  assert.equal(invalid.status, 401);
  assert.match(invalid.body, /<faultstring>Access denied due to invalid subscription key\./);
  const shop = await issueKeys(t.services, psp.organisationId, 'ecommerce', 'test');
  const forbidden = await post('verifyPaymentNotice', body, shop.primary);
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.body, /<faultstring>The product of this subscription does not grant access to this API\.<\/faultstring>/);
  assert.equal(station.requests.length, stations, 'nothing reached the EC');
});

test('every message Varco emitted here (answers to the PSP, requests to the EC) validates against the official XSD', async () => {
  const { names } = await assertEmittedValid(t.database.db);
  for (const kind of [
    'verifyPaymentNotice answer OK',
    'activatePaymentNoticeV2 answer OK',
    'activatePaymentNotice answer OK',
    'sendPaymentOutcomeV2 answer OK',
    'sendPaymentOutcome answer PPT_ESITO_GIA_ACQUISITO',
    'verifyPaymentNotice answer PPT_PAGAMENTO_DUPLICATO',
    'paVerifyPaymentNotice request',
    'paGetPaymentV2 request',
  ]) {
    assert.ok(
      names.some((n) => n.includes(kind)),
      kind,
    );
  }
});
