import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { decodeEcResponse, type EcOperation } from '../../src/protocols/pagopa/index.ts';
import { splitPemChain } from '../../src/pki/index.ts';
import { buildTestApp } from '../support/app.ts';
import { connectEcStation, paRequest, paRequestBody, scenario, startEcStation } from '../support/ec-station.ts';
import { makeCa, makeLeaf } from '../support/test-certs.ts';
import { createEc, scenarioForm, transferRow } from './support.ts';
import { padTransfers } from '../../src/modules/pagopa-simulator/index.ts';

// The test suite's real EC station: it demands Varco's client certificate, answers paForNode from
// scenarios with the simulator's own decision (so it and the simulated station agree), records what
// it received and can be told to fail. Driven here through the real station caller.

const { services, database } = await buildTestApp();
const db = database.db;
const CLI = { type: 'cli', id: null, ip: null } as const;
const ec = await createEc(db, 'Comune con Stazione');
const platform = await services.platformCertificates.downloads('test');
const payment = {
  amountCents: 4500,
  description: 'Refezione scolastica',
  transfers: [{ amountCents: 4500, fiscalCode: ec.fiscalCode, iban: 'IT60X0542811101000000123456', remittance: 'Mensa', category: '9/0101108TS/' }],
};
const station = await startEcStation({
  ecs: ec,
  clientCas: [platform.caPem],
  scenarios: [
    scenario({ pattern: '302*', payment }),
    scenario({ pattern: '303*', answer: 'expired' }),
    scenario({ pattern: '304*', refuseReceipts: 1, refuseWith: 'http503' }),
  ],
});
const { stationId } = await connectEcStation(services, { organisationId: ec.id, station, code: `${ec.fiscalCode}_01` });
const target = (responseTimeoutMs = 3000) => ({ organisationId: ec.id, env: 'test' as const, stationId, responseTimeoutMs });
const fingerprint = (pem: string | undefined): string => new X509Certificate(splitPemChain(pem ?? '')[0] ?? '').fingerprint256;

async function viaCaller(op: EcOperation, noticeNumber: string, options: { timeoutMs?: number; receiptId?: string } = {}) {
  const sent = await services.stationCaller.send(
    target(options.timeoutMs),
    paRequest(op, { ec: ec.fiscalCode, noticeNumber, ...(options.receiptId ? { receiptId: options.receiptId } : {}) }),
  );
  assert.ok(sent.ok, JSON.stringify(sent));
  return sent.value;
}

test('a call through the station caller presents Varco\u2019s client certificate and gets the scenario\u2019s answer', async () => {
  const result = await viaCaller('paGetPaymentV2', '302000100000009424');
  assert.ok(result.kind === 'response' && result.status === 200, JSON.stringify(result));
  const decoded = decodeEcResponse('paGetPaymentV2', result.body);
  assert.ok(decoded.kind === 'ok');
  assert.equal(decoded.value.data?.paymentAmount, 4500);
  const seen = station.calls('paGetPaymentV2').at(-1);
  assert.equal(fingerprint(seen?.clientCertificatePem), fingerprint(platform.current.chainPem));
  assert.equal(seen?.headers.soapaction, '"paGetPaymentV2"');
  assert.ok(seen?.call?.operation === 'paGetPaymentV2' && seen.call.value.qrCode.noticeNumber === '302000100000009424');
  assert.deepEqual([seen.outcome, seen.scenario], ['OK', 0]);
  const expired = decodeEcResponse('paVerifyPaymentNotice', ((await viaCaller('paVerifyPaymentNotice', '303000000000000001')) as { body: string }).body);
  assert.ok(expired.kind === 'ko' && expired.fault.faultCode === 'PAA_PAGAMENTO_SCADUTO');
});

function post(options: { cert?: string; key?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: station.host,
        port: station.port,
        servername: 'localhost',
        path: station.path,
        method: 'POST',
        ca: station.serverRootPem,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"paVerifyPaymentNotice"' },
        ...options,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(paRequestBody('paVerifyPaymentNotice', { ec: ec.fiscalCode, noticeNumber: '302000100000009424' }));
  });
}

test('a client without a certificate, or with one Varco\u2019s CA did not issue, is refused before any request', async () => {
  const [requests, refused] = [station.requests.length, station.refusedHandshakes];
  await assert.rejects(post({}));
  const stranger = await makeCa({ name: 'Not Varco' });
  const leaf = await makeLeaf({ commonName: 'intruder', issuer: stranger, usage: 'client' });
  await assert.rejects(post({ cert: leaf.certPem, key: leaf.keyPem }));
  assert.equal(station.requests.length, requests, 'no request reached the station');
  assert.ok(station.refusedHandshakes >= refused + 2, `${station.refusedHandshakes} refused handshakes`);
});

test('the EC station and the simulated station answer the same scenarios alike', async () => {
  assert.ok((await services.pagopaSimulator.settings.updateSettings(ec.id, { enabled: true, primitiveVersion: 2 }, CLI)).ok);
  for (const form of [
    scenarioForm('31*', ec.fiscalCode, { amount: '12.34', transfers: padTransfers([transferRow('12.34', ec.fiscalCode)]) }),
    scenarioForm('32*', ec.fiscalCode, { answer: 'duplicate' }),
    scenarioForm('33*', ec.fiscalCode, { answer: 'cancelled' }),
  ]) {
    assert.ok((await services.pagopaSimulator.settings.addScenario(ec.id, form, undefined, CLI)).ok);
  }
  const previous = station.scenarios;
  station.scenarios = (await services.pagopaSimulator.settings.view(ec.id))?.scenarios ?? [];
  for (const op of ['paVerifyPaymentNotice', 'paGetPaymentV2', 'paSendRTV2'] as const) {
    for (const notice of ['310000000000000001', '320000000000000001', '330000000000000001', '900000000000000001']) {
      const real = await viaCaller(op, notice, { receiptId: `same-${op}-${notice}` });
      const simulated = await services.pagopaSimulator.send(
        { env: 'test', ecOrganisationId: ec.id, responseTimeoutMs: 3000 },
        paRequest(op, { ec: ec.fiscalCode, noticeNumber: notice, receiptId: `same-${op}-${notice}` }),
      );
      assert.ok(real.kind === 'response' && simulated.kind === 'response');
      assert.equal(real.status, simulated.status);
      assert.deepEqual(decodeEcResponse(op, real.body), decodeEcResponse(op, simulated.body), `${op} ${notice}`);
    }
  }
  station.scenarios = previous;
});

test('it can be told to answer 503, slowly, with a malformed body, or to close the socket, then answers normally again', async () => {
  station.inject({ kind: 'http503' }, 1);
  const unavailable = await viaCaller('paGetPayment', '302000100000009424');
  assert.equal(unavailable.kind === 'response' && unavailable.status, 503);
  station.inject({ kind: 'malformed' }, 1);
  const malformed = await viaCaller('paGetPayment', '302000100000009424');
  assert.equal(malformed.kind === 'response' && decodeEcResponse('paGetPayment', malformed.body).kind, 'malformed');
  station.inject({ kind: 'close' }, 1);
  const closed = await viaCaller('paGetPayment', '302000100000009424');
  assert.equal(closed.kind === 'failure' && closed.category, 'unreachable', JSON.stringify(closed));
  station.inject({ kind: 'slow', delayMs: 1500 }, 1);
  const slow = await viaCaller('paGetPayment', '302000100000009424', { timeoutMs: 300 });
  assert.equal(slow.kind === 'failure' && slow.category, 'timeout', JSON.stringify(slow));
  const normal = await viaCaller('paGetPayment', '302000100000009424');
  assert.equal(normal.kind === 'response' && decodeEcResponse('paGetPayment', normal.body).kind, 'ok');
  assert.deepEqual(
    station
      .calls('paGetPayment')
      .slice(-5)
      .map((r) => r.outcome),
    ['http503', 'malformed', 'closed', 'OK', 'OK'],
  );
});

test('receipts are refused the first N deliveries, counted per receipt', async () => {
  const first = await viaCaller('paSendRT', '304000000000000001', { receiptId: 'rt-station-1' });
  const second = await viaCaller('paSendRT', '304000000000000001', { receiptId: 'rt-station-1' });
  assert.deepEqual([first.kind === 'response' && first.status, second.kind === 'response' && second.status], [503, 200]);
  assert.equal(second.kind === 'response' && decodeEcResponse('paSendRT', second.body).kind, 'ok');
  assert.equal(station.deliveries('rt-station-1'), 2);
  const other = await viaCaller('paSendRT', '304000000000000001', { receiptId: 'rt-station-2' });
  assert.equal(other.kind === 'response' && other.status, 503);
});
