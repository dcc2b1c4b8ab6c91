// The full feedback field set (issue 13): with every *dynamic e-Commerce parameter* selected, each
// outcome's redirect and server-to-server request carry the fields Varco knows (BIN, ECI, NCERRORPLUS,
// IP…) and the platform's "unknown" values for the others (IPCTY/CCCTY 99, CVCCheck/AAVCheck NO);
// every SHASIGN is checked with the test's own SHA-OUT (the published list, not Varco's code);
// a merchant who selected nothing new receives nothing new.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import {
  CARD,
  SHA_OUT,
  createMerchant,
  payLocation,
  postCard,
  postEntry,
  postForm,
  queryPairs,
  signedOrder,
  verifyFeedback,
  type TestMerchant,
} from '../support/ecommerce.ts';
import { makeCa, makeLeaf, startPeer, type Peer, type TestCertificate } from '../support/tls-peers.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createOutboxWorker } from '../../src/modules/delivery/index.ts';
import { FEEDBACK_PARAMETERS } from '../../src/modules/merchants/index.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;

let leaf: TestCertificate;
before(async () => {
  const ca = await makeCa({ name: 'Feedback Fields CA' });
  leaf = await makeLeaf({ issuer: ca, commonName: 'localhost', altNames: ['localhost'] });
  assert.ok((await services.trust.add('test', ca.certPem, { allOrganisations: true }, { type: 'admin', id: null, ip: null })).ok);
});

const URLS = {
  acceptUrl: 'https://shop.example/ok',
  declineUrl: 'https://shop.example/ko',
  exceptionUrl: 'https://shop.example/ex',
  cancelUrl: 'https://shop.example/cancel',
};

/** A merchant selecting `fields`, with its own server-to-server receiver (stopped after the test). */
async function merchant(fields: readonly string[]): Promise<TestMerchant & { peer: Peer }> {
  const peer = await startPeer({ leaf, requestCert: false });
  const m = await createMerchant(t, {
    settings: {
      ...URLS,
      shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
      feedbackParams: [...fields],
      paymentRetries: '1',
      s2sTiming: 'deferred',
      s2sUrlAccepted: peer.url('/feedback'),
      s2sMethod: 'POST',
    },
  });
  return { ...m, peer };
}

async function deliverFeedback(): Promise<void> {
  const quiet = new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
  await createOutboxWorker({
    db,
    clock: { now: () => new Date() },
    workerId: `fields-${Date.now()}`,
    logger: createLogger('warn', quiet),
    handlers: { http: services.hostedPage.feedback.deliver },
  }).runOnce();
}

/** The redirect's feedback, SHASIGN checked independently. */
function redirected(res: { statusCode: number; headers: Record<string, unknown>; body: string }, path: string): Map<string, string> {
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  const url = new URL(String(res.headers.location));
  assert.equal(url.pathname, path);
  return verifyFeedback(queryPairs(url.search, 'utf8'));
}

/** The server-to-server request the receiver got for `orderRef`, SHASIGN checked independently. */
async function serverSide(peer: Peer, orderRef: string): Promise<Map<string, string>> {
  await deliverFeedback();
  const request = peer.requests.find((r) => new URLSearchParams(r.body.toString('ascii')).get('orderID') === orderRef);
  assert.ok(request, `the receiver got the feedback of ${orderRef}`);
  return verifyFeedback(queryPairs(request.body.toString('ascii'), 'utf8'));
}

/** Both channels carry the same parameters and the same signature. */
async function bothChannels(m: { peer: Peer }, redirect: Map<string, string>, orderRef: string): Promise<Map<string, string>> {
  const server = await serverSide(m.peer, orderRef);
  assert.deepEqual([...server], [...redirect], 'the server-to-server request carries what the redirect carried');
  return redirect;
}

describe('feedback with every dynamic e-Commerce parameter selected', () => {
  it('an authorised payment: BIN, ECI 7, IP, NCERRORPLUS "!", unknown countries 99, checks NO; signed on both channels', async () => {
    const m = await merchant(FEEDBACK_PARAMETERS);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'fields-ok', [['EMAIL', 'ada@shop.example']])));
    const f = await bothChannels(m, redirected(await postCard(app, pay), '/ok'), 'fields-ok');
    assert.equal(f.get('STATUS'), '9');
    assert.equal(f.get('NCERROR'), '0');
    assert.equal(f.get('NCERRORPLUS'), '!');
    assert.equal(f.get('BIN'), CARD.number.slice(0, 6));
    assert.equal(f.get('CARDNO'), 'XXXXXXXXXXXX1111');
    assert.equal(f.get('ECI'), '7');
    assert.equal(f.get('IPCTY'), '99');
    assert.equal(f.get('CCCTY'), '99');
    assert.equal(f.get('CVCCheck'), 'NO');
    assert.equal(f.get('AAVCheck'), 'NO');
    assert.equal(f.get('IP'), '127.0.0.1');
    assert.equal(f.get('CN'), CARD.holder);
    assert.equal(f.get('EMAIL'), 'ada@shop.example');
    assert.match(f.get('TRXDATE') ?? '', /^(0[1-9]|1[0-2])\/[0-3][0-9]\/[0-9]{2}$/);
    for (const unknown of ['SUBBRAND', 'SCORING', 'SCO_CATEGORY', 'ALIAS'])
      assert.equal(f.get(unknown), '', `${unknown} is sent empty: Varco does not know it`);
    const stored = await db.selectFrom('orders').select(['card_bin', 'card_masked']).where('id', '=', pay.orderId).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { card_bin: '411111', card_masked: 'XXXXXXXXXXXX1111' }, 'six digits and the last four, never more');
  });

  it('after 3-D Secure: ECI 5', async () => {
    const m = await merchant(FEEDBACK_PARAMETERS);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'fields-3ds')));
    assert.equal((await postCard(app, pay, { number: '4000000000000002' })).statusCode, 303);
    const f = await bothChannels(
      m,
      redirected(await postForm(app, `/ncol/test/pay/${pay.orderId}/3ds`, { token: pay.token, decision: 'approve' }), '/ok'),
      'fields-3ds',
    );
    assert.equal(f.get('ECI'), '5');
    assert.equal(f.get('BIN'), '400000');
  });

  it('a refusal: NCERRORPLUS is the text of NCERROR', async () => {
    const m = await merchant(FEEDBACK_PARAMETERS);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'fields-ko')));
    const f = await bothChannels(m, redirected(await postCard(app, pay, { number: '4000000000000010' }), '/ko'), 'fields-ko');
    assert.equal(f.get('STATUS'), '2');
    assert.equal(f.get('NCERROR'), '30051001');
    assert.equal(f.get('NCERRORPLUS'), 'Authorization declined');
    assert.equal(f.get('ACCEPTANCE'), '');
  });

  it('a cancel before any card: no card fields, IPCTY 99, NCERRORPLUS of the cancel', async () => {
    const m = await merchant(FEEDBACK_PARAMETERS);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'fields-cancel')));
    const res = await postForm(app, `/ncol/test/pay/${pay.orderId}/cancel`, { token: pay.token });
    const f = await bothChannels(m, redirected(res, '/cancel'), 'fields-cancel');
    assert.equal(f.get('STATUS'), '1');
    assert.equal(f.get('NCERRORPLUS'), 'Payment method cancelled by the buyer');
    for (const name of ['BIN', 'ECI', 'CCCTY', 'CVCCheck', 'AAVCheck', 'CARDNO']) assert.equal(f.get(name), '', name);
    assert.equal(f.get('IPCTY'), '99');
  });
});

describe('the merchant\u2019s selection decides', () => {
  it('with the default selection none of the dynamic parameters is sent', async () => {
    const m = await createMerchant(t, { settings: { ...URLS, shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT } } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'fields-default')));
    const f = redirected(await postCard(app, pay), '/ok');
    assert.deepEqual(
      [...f.keys()],
      ['orderID', 'currency', 'amount', 'PM', 'ACCEPTANCE', 'STATUS', 'CARDNO', 'PAYID', 'NCERROR', 'BRAND', 'ED', 'TRXDATE', 'CN', 'SHASIGN'],
    );
  });

  it('a selection of a few: exactly those, signed', async () => {
    const m = await merchant(['ORDERID', 'STATUS', 'NCERROR', 'NCERRORPLUS', 'BIN', 'ECI']);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'fields-few')));
    const f = await bothChannels(m, redirected(await postCard(app, pay), '/ok'), 'fields-few');
    assert.deepEqual([...f.keys()], ['orderID', 'STATUS', 'NCERROR', 'NCERRORPLUS', 'ECI', 'BIN', 'SHASIGN']);
  });
});
