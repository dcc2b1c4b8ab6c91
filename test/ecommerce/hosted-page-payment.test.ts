// The payment page through inject(): the page itself (amount, look and feel, accessible card form,
// CSP and SRI), card attempts with the test acquirer, 3-D Secure, retries, cancel, the outcome and
// the redirect with feedback whose SHA-OUT the test checks with its own implementation; and card
// data never reaching a table or a log line.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { CARD, SHA_OUT, createMerchant, payLocation, postCard, postEntry, postForm, queryPairs, signedOrder, verifyFeedback } from '../support/ecommerce.ts';

const t = await buildTestApp();
const { app } = t;
const db = t.database.db;

const SHOP = 'https://shop.example';
const urls = { acceptUrl: `${SHOP}/ok?shop=1`, declineUrl: `${SHOP}/ko`, exceptionUrl: `${SHOP}/unsure`, cancelUrl: `${SHOP}/cancelled` };
const withShaOut = { ...urls, shaOut: { action: 'set' as const, value: SHA_OUT, confirm: SHA_OUT } };

/** The redirect after a step: URL and its feedback pairs (UTF-8 page). */
function landing(res: { statusCode: number; headers: Record<string, unknown>; body: string }): { url: URL; pairs: Array<[string, string]> } {
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  const url = new URL(String(res.headers.location));
  return { url, pairs: queryPairs(url.search, 'utf8') };
}

const order = (id: string) => db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const attempts = (id: string) => db.selectFrom('payment_attempts').selectAll().where('order_id', '=', id).orderBy('attempt').execute();

describe('the payment page', () => {
  it('shows merchant, reference and amount in the LANGUAGE, the look and feel, and a labelled card form with autocomplete', async () => {
    const m = await createMerchant(t, { settings: urls });
    const pay = payLocation(
      await postEntry(
        app,
        signedOrder(m, 'page-1', [
          ['AMOUNT', '123456'],
          ['LANGUAGE', 'de_DE'],
          ['CN', 'Zoë'],
          ['TITLE', 'Mein Shop'],
          ['BGCOLOR', '#FFEEDD'],
          ['BUTTONBGCOLOR', 'navy'],
          ['LOGO', 'https://cdn.shop.example/logo.png'],
          ['TXTCOLOR', 'red;}body{x:y'],
        ]),
      ),
    );
    const res = await app.inject({ url: pay.path });
    assert.equal(res.statusCode, 200);
    const page = res.body;
    assert.match(page, /<html lang="de-DE">/);
    assert.match(page, /1\.234,56\s€/);
    assert.match(page, /<h1>Mein Shop<\/h1>/);
    assert.match(page, /page-1/);
    for (const [id, auto] of [
      ['holder', 'cc-name'],
      ['card-number', 'cc-number'],
      ['expiry', 'cc-exp'],
      ['cvc', 'cc-csc'],
    ]) {
      assert.match(page, new RegExp(`<label for="${id}">`), `label of ${id}`);
      assert.match(page, new RegExp(`<input id="${id}" name="[a-z]+" autocomplete="${auto}" required`), `input ${id}`);
    }
    assert.match(page, /value="Zoë"/);
    assert.match(page, /<img class="logo" src="https:\/\/cdn\.shop\.example\/logo\.png"/);
    assert.match(page, /<button type="submit" class="secondary">Abbrechen<\/button>/);

    const csp = String(res.headers['content-security-policy']);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /img-src 'self' https:\/\/cdn\.shop\.example(;|$)/);
    assert.match(csp, /form-action 'self' https:\/\/shop\.example(;|$)/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['set-cookie'], undefined, 'the payment page sets no cookie');
    assert.ok(!t.rawLogs().includes(pay.token), 'the page token is censored in the access log');
    assert.doesNotMatch(page, /<script>|<style|\sstyle="|\son[a-z]+="/, 'no inline script or style');

    // Every asset carries an integrity that matches what Varco serves at that address.
    const assets = [...page.matchAll(/(?:href|src)="(\/ncol\/[^"]+)" integrity="(sha384-[^"]+)"/g)];
    assert.equal(assets.length, 3, 'stylesheet, look-and-feel stylesheet, script');
    for (const [, href, sri] of assets) {
      const asset = await app.inject({ url: href!.replaceAll('&amp;', '&') });
      assert.equal(asset.statusCode, 200, href);
      assert.equal(`sha384-${createHash('sha384').update(asset.rawPayload).digest('base64')}`, sri, href);
    }
    const look = await app.inject({ url: assets.find(([, href]) => href!.includes('look.css'))![1]! });
    assert.match(look.body, /background:#ffeedd/);
    assert.match(look.body, /button\.pay\{background:navy\}/);
    assert.doesNotMatch(look.body, /x:y/, 'an unsafe colour is dropped');
  });

  it('an order entered with a PSPID sent with spaces around it (signed as sent) opens and can be paid; the order keeps the merchant\u2019s PSPID', async () => {
    const m = await createMerchant(t, { settings: withShaOut });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'space-1', [['PSPID', ` ${m.pspid} `]])));
    assert.equal(((await order(pay.orderId)).request as { order: { pspid: string } }).order.pspid, m.pspid);
    assert.equal((await app.inject({ url: pay.path })).statusCode, 200);
    const { url, pairs } = landing(await postCard(app, pay));
    assert.equal(url.pathname, '/ok');
    assert.equal(verifyFeedback(pairs.slice(1)).get('STATUS'), '9');
    // An order stored before, with the spaces as sent, opens too.
    const old = payLocation(await postEntry(app, signedOrder(m, 'space-2')));
    await sql`UPDATE orders SET request = jsonb_set(request, '{order,pspid}', to_jsonb(${`${m.pspid} `}::text)) WHERE id = ${old.orderId}`.execute(db);
    assert.equal((await app.inject({ url: old.path })).statusCode, 200);
  });

  it('a wrong token, another environment or an unknown order answer 404 with the generic page', async () => {
    const m = await createMerchant(t);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'page-2')));
    for (const url of [
      `/ncol/test/pay/${pay.orderId}?token=${pay.token}x`,
      `/ncol/prod/pay/${pay.orderId}?token=${pay.token}`,
      `/ncol/test/pay/${pay.orderId}`,
    ]) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.match(res.body, /An error has occurred/);
    }
  });

  it('card problems are shown on their fields and cost no attempt', async () => {
    const m = await createMerchant(t);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'page-3')));
    const res = await postCard(app, pay, { number: '4111111111111112', expiry: '01/20' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<input id="card-number"[^>]*aria-describedby="card-number-error"[^>]*aria-invalid="true">/s);
    assert.match(res.body, /id="card-number-error">This card number is not valid\./);
    assert.match(res.body, /id="expiry-error">This card has expired\./);
    assert.match(res.body, /role="alert"/);
    assert.doesNotMatch(res.body, /4111111111111112/, 'the number is not echoed');
    assert.equal((await order(pay.orderId)).attempts, 0);
  });
});

describe('payment outcome and redirect', () => {
  it('4111111111111111 is authorised: ACCEPTURL with the merchant query kept and feedback signed by SHA-OUT', async () => {
    const m = await createMerchant(t, { settings: withShaOut });
    const pay = payLocation(
      await postEntry(
        app,
        signedOrder(m, 'ok-1', [
          ['COMPLUS', 'cart 42'],
          ['PARAMPLUS', 'session=abc&lang=it'],
        ]),
      ),
    );
    const { url, pairs } = landing(await postCard(app, pay));
    assert.equal(`${url.origin}${url.pathname}`, `${SHOP}/ok`);
    assert.deepEqual(pairs[0], ['shop', '1'], 'the merchant\u2019s own query string comes first, untouched');
    const f = verifyFeedback(pairs.slice(1));
    const row = await order(pay.orderId);
    assert.equal(f.get('orderID'), 'ok-1');
    assert.equal(f.get('amount'), '15');
    assert.equal(f.get('currency'), 'EUR');
    assert.equal(f.get('STATUS'), '9');
    assert.equal(f.get('ACCEPTANCE'), 'test123');
    assert.equal(f.get('NCERROR'), '0');
    assert.equal(f.get('CARDNO'), 'XXXXXXXXXXXX1111');
    assert.equal(f.get('BRAND'), 'VISA');
    assert.equal(f.get('ED'), '1234');
    assert.equal(f.get('CN'), 'Ada Lovelace');
    assert.equal(f.get('PAYID'), String(row.pay_id));
    assert.equal(f.get('COMPLUS'), 'cart 42');
    assert.equal(f.get('session'), 'abc');
    assert.match(f.get('TRXDATE') ?? '', /^\d\d\/\d\d\/\d\d$/);
    assert.equal(row.status, 9);
    assert.equal(row.card_masked, 'XXXXXXXXXXXX1111');
    assert.equal(row.card_expiry, '1234');
    assert.ok(row.paid_at);
    const [attempt] = await attempts(pay.orderId);
    assert.equal(attempt?.outcome, 'authorised');
    assert.equal(attempt?.status, 9);
    // The page now says it is done; paying twice is impossible.
    const again = await postCard(app, pay);
    assert.equal(again.statusCode, 200);
    assert.match(again.body, /Your payment is accepted/);
    assert.equal((await attempts(pay.orderId)).length, 1);
  });

  it('an ACCEPTURL with non-ASCII characters is sent as a valid Location', async () => {
    const m = await createMerchant(t);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'idn-1', [['ACCEPTURL', 'https://shop.example/café?ü=1']])));
    const res = await postCard(app, pay);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, 'https://shop.example/caf%C3%A9?%C3%BC=1');
  });

  it('without a SHA-OUT passphrase the redirect carries no parameters at all', async () => {
    const m = await createMerchant(t, { settings: urls });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'nosha-1')));
    const { url } = landing(await postCard(app, pay));
    assert.equal(url.href, `${SHOP}/ok?shop=1`);
  });

  it('RES authorises (STATUS 5); the request\u2019s ACCEPTURL wins over the settings', async () => {
    const m = await createMerchant(t, { settings: { ...withShaOut, defaultOperation: 'RES' } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'res-1', [['ACCEPTURL', 'https://other.example/thanks']])));
    const { url, pairs } = landing(await postCard(app, pay));
    assert.equal(url.origin, 'https://other.example');
    assert.equal(verifyFeedback(pairs).get('STATUS'), '5');
  });

  it('4000000000000002: the simulated 3-D Secure page, then authorised', async () => {
    const m = await createMerchant(t, { settings: withShaOut });
    const pay = payLocation(await postEntry(app, signedOrder(m, '3ds-1')));
    const challenged = await postCard(app, pay, { number: '4000 0000 0000 0002' });
    assert.equal(challenged.statusCode, 303);
    assert.equal(challenged.headers.location, `/ncol/test/pay/${pay.orderId}/3ds?token=${pay.token}`);
    assert.equal((await order(pay.orderId)).status, 46);
    const page = await app.inject({ url: String(challenged.headers.location) });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /3-D Secure/);
    assert.match(page.body, /name="decision" value="approve"/);
    assert.match(String(page.headers['content-security-policy']), /form-action 'self' https:\/\/shop\.example/);
    // The payment page itself now leads to the challenge.
    assert.equal((await app.inject({ url: pay.path })).headers.location, challenged.headers.location);
    const { pairs } = landing(await postForm(app, `/ncol/test/pay/${pay.orderId}/3ds`, { token: pay.token, decision: 'approve' }));
    const f = verifyFeedback(pairs.slice(1));
    assert.equal(f.get('STATUS'), '9');
    assert.equal(f.get('CARDNO'), 'XXXXXXXXXXXX0002');
    assert.deepEqual(
      (await attempts(pay.orderId)).map((a) => `${a.outcome}:${a.status}`),
      ['challenge_required:46', 'authorised:9'],
    );
  });

  it('a challenge abandoned on the last allowed attempt: the shop sends the customer back to the same order, and he can pay', async () => {
    const m = await createMerchant(t, { settings: { ...withShaOut, paymentRetries: '1' } });
    const first = payLocation(await postEntry(app, signedOrder(m, 'abandoned-3ds-1')));
    assert.equal((await postCard(app, first, { number: '4000000000000002' })).statusCode, 303);
    assert.equal((await order(first.orderId)).status, 46);
    // The customer closes the challenge; the shop sends him back with the same ORDERID.
    const again = payLocation(await postEntry(app, signedOrder(m, 'abandoned-3ds-1')));
    assert.equal(again.orderId, first.orderId);
    assert.deepEqual([(await order(again.orderId)).status, (await order(again.orderId)).attempts], [0, 0], 'the unanswered attempt is given back');
    const page = await app.inject({ url: again.path });
    assert.match(page.body, /<input id="card-number"/);
    const { url, pairs } = landing(await postCard(app, again));
    assert.equal(url.pathname, '/ok');
    assert.equal(verifyFeedback(pairs.slice(1)).get('STATUS'), '9');
    assert.deepEqual(
      (await attempts(again.orderId)).map((a) => `${a.outcome}:${a.status}`),
      ['challenge_required:46', 'authorised:9'],
    );
    assert.equal((await order(again.orderId)).attempts, 1);
  });

  it('a challenge left three times on the last allowed attempt, the shop sending the customer back each time: he can still pay', async () => {
    const m = await createMerchant(t, { settings: { ...withShaOut, paymentRetries: '1' } });
    let pay = payLocation(await postEntry(app, signedOrder(m, 'abandoned-3ds-3')));
    for (let round = 1; round <= 3; round += 1) {
      assert.equal((await postCard(app, pay, { number: '4000000000000002' })).statusCode, 303, `challenge ${round}`);
      pay = payLocation(await postEntry(app, signedOrder(m, 'abandoned-3ds-3')));
      const row = await order(pay.orderId);
      assert.deepEqual([row.status, row.attempts, row.challenges_given_back], [0, 0, round], `round ${round}: the attempt is given back`);
    }
    const { url, pairs } = landing(await postCard(app, pay));
    assert.equal(url.pathname, '/ok');
    assert.equal(verifyFeedback(pairs.slice(1)).get('STATUS'), '9');
  });

  it('one captured entry request replayed after each unanswered challenge: three attempts given back, then each costs one; on the last the order is declined (2, 40001134), DECLINEURL, and the merchant told once', async () => {
    const s2s = { s2sTiming: 'deferred' as const, s2sUrlAccepted: `${SHOP}/feedback` };
    const m = await createMerchant(t, { settings: { ...withShaOut, ...s2s, paymentRetries: '2' } });
    // The shop's signed form, captured once and sent again as it is: a new card behind each challenge.
    const captured = signedOrder(m, 'replay-3ds-1');
    const entries: Array<{ attempts: number; givenBack: number }> = [];
    let orderId = '';
    for (let round = 1; round <= 5; round += 1) {
      const pay = payLocation(await postEntry(app, captured));
      orderId = pay.orderId;
      const row = await order(pay.orderId);
      entries.push({ attempts: row.attempts, givenBack: row.challenges_given_back });
      assert.equal((await postCard(app, pay, { number: '4000000000000002' })).statusCode, 303, `challenge ${round}`);
    }
    // The sixth entry: the fifth challenge, unanswered, was the last allowed attempt.
    const sixth = await postEntry(app, captured);
    assert.doesNotMatch(String(sixth.headers.location), /^\/ncol\/test\/pay\//, 'no sixth card form');
    const { url, pairs } = landing(sixth);
    assert.equal(`${url.origin}${url.pathname}`, `${SHOP}/ko`);
    assert.deepEqual(
      entries.map((e) => `${e.attempts}/${e.givenBack}`),
      ['0/0', '0/1', '0/2', '0/3', '1/3'],
      'attempts/given back at each entry: three given back, then the unanswered challenge counts',
    );
    const told = verifyFeedback(pairs);
    assert.deepEqual([told.get('orderID'), told.get('STATUS'), told.get('NCERROR'), told.get('CARDNO')], ['replay-3ds-1', '2', '40001134', 'XXXXXXXXXXXX0002']);
    const row = await order(orderId);
    assert.deepEqual([row.status, row.nc_error, row.attempts, row.challenges_given_back], [2, '40001134', 2, 3]);
    assert.deepEqual(
      (await attempts(orderId)).map((a) => `${a.outcome}:${a.status}`),
      [...Array<string>(5).fill('challenge_required:46'), 'refused:2'],
      'five cards reached the acquirer: the payment retries (2) and the three given back',
    );
    const outbox = await db.selectFrom('outbox').select('payload').where('subject_id', '=', orderId).execute();
    assert.equal(outbox.length, 1, 'the server-to-server feedback is queued');
    assert.match((outbox[0]?.payload as { body: string }).body, /(^|&)STATUS=2(&|$)/);
    assert.match((outbox[0]?.payload as { body: string }).body, /(^|&)NCERROR=40001134(&|$)/);
    const logged = await db.selectFrom('ecommerce_errors').select(['code', 'message']).where('merchant_id', '=', m.merchantId).execute();
    assert.deepEqual(
      logged.map((e) => e.code),
      ['50001113'],
    );
    assert.match(logged[0]?.message ?? '', /3-D Secure challenge was left unanswered/);
    // Replayed again: the order is final, as after a refusal on the last attempt; nothing more is told.
    const again = await postEntry(app, captured);
    assert.equal(again.statusCode, 200);
    assert.match(again.body, /The transaction has been denied\./);
    assert.equal((await db.selectFrom('outbox').select('id').where('subject_id', '=', orderId).execute()).length, 1);
    assert.equal((await attempts(orderId)).length, 6);
  });

  it('concurrent re-entries give back no more than the bound, and end the order once: one refusal, one feedback', async () => {
    const s2s = { s2sTiming: 'deferred' as const, s2sUrlAccepted: `${SHOP}/feedback` };
    const m = await createMerchant(t, { settings: { ...withShaOut, ...s2s, paymentRetries: '1' } });
    const captured = signedOrder(m, 'replay-3ds-2');
    let pay = payLocation(await postEntry(app, captured));
    for (let round = 1; round <= 2; round += 1) {
      assert.equal((await postCard(app, pay, { number: '4000000000000002' })).statusCode, 303);
      pay = payLocation(await postEntry(app, captured));
    }
    assert.equal((await postCard(app, pay, { number: '4000000000000002' })).statusCode, 303);
    assert.equal((await order(pay.orderId)).status, 46, 'a third challenge; one give-back left');
    // Three re-entries at once: one takes the last give-back, the others take the order over as it then is.
    const taken = await Promise.all([postEntry(app, captured), postEntry(app, captured), postEntry(app, captured)]);
    assert.deepEqual(
      taken.map((r) => r.statusCode),
      [303, 303, 303],
    );
    let row = await order(pay.orderId);
    assert.deepEqual([row.status, row.attempts], [0, 0], 'given back once');
    const current = taken.map((r) => payLocation(r)).find((p) => createHash('sha256').update(p.token).digest('hex') === row.page_token_hash);
    assert.ok(current, 'one of them holds the page');
    assert.equal((await postCard(app, current, { number: '4000000000000002' })).statusCode, 303);
    // Three more at once on the last attempt, nothing left to give back: one ends the order.
    const ended = await Promise.all([postEntry(app, captured), postEntry(app, captured), postEntry(app, captured)]);
    const declined = ended.filter((r) => r.statusCode === 303);
    assert.equal(declined.length, 1, ended.map((r) => `${r.statusCode} ${String(r.headers.location ?? '')}`).join(', '));
    assert.equal(new URL(String(declined[0]?.headers.location)).pathname, '/ko');
    // The others: the page of an order that cannot be paid again (being processed, or declined, as they found it).
    for (const other of ended.filter((r) => r.statusCode !== 303))
      assert.deepEqual([other.statusCode, /data-order-ref>replay-3ds-2</.test(other.body)], [200, true]);
    row = await order(pay.orderId);
    assert.deepEqual([row.status, row.nc_error, row.attempts, row.challenges_given_back], [2, '40001134', 1, 3]);
    assert.equal((await db.selectFrom('outbox').select('id').where('subject_id', '=', pay.orderId).execute()).length, 1, 'the merchant is told once');
    assert.deepEqual(
      (await attempts(pay.orderId)).map((a) => a.outcome),
      ['challenge_required', 'challenge_required', 'challenge_required', 'challenge_required', 'refused'],
    );
  });

  it('an order sent again starts clean: the previous attempt\u2019s NCERROR, acceptance and ALIAS are not reported for it', async () => {
    const m = await createMerchant(t, { settings: { ...withShaOut, paymentRetries: '3' } });
    const first = payLocation(await postEntry(app, signedOrder(m, 'clean-again', [['ALIAS', 'CLEAN-AGAIN-1']])));
    assert.equal((await postCard(app, first, { number: '4000000000000002' })).statusCode, 303, 'a challenge');
    assert.equal((await order(first.orderId)).alias, 'CLEAN-AGAIN-1', 'the card is kept under the alias');
    // The customer leaves the challenge; the shop sends the order again, without ALIAS, and the card is refused.
    const second = payLocation(await postEntry(app, signedOrder(m, 'clean-again')));
    assert.equal((await order(second.orderId)).alias, null, 'the new request names no alias');
    assert.equal((await postCard(app, second, { number: '4000000000000010' })).statusCode, 200);
    assert.equal((await order(second.orderId)).status, 2);
    assert.notEqual((await order(second.orderId)).nc_error, null);
    const third = payLocation(await postEntry(app, signedOrder(m, 'clean-again')));
    const fresh = await order(third.orderId);
    assert.deepEqual([fresh.status, fresh.nc_error, fresh.acceptance, fresh.alias], [0, null, null, null], 'as a new order');
    const { pairs } = landing(await postCard(app, third));
    const told = verifyFeedback(pairs.slice(1));
    assert.equal(told.get('STATUS'), '9');
    assert.equal(told.has('ALIAS'), false, 'the paid attempt used no alias');
  });

  it('failed authentication and refusals stay on the page while retries remain, then DECLINEURL', async () => {
    const m = await createMerchant(t, { settings: { ...withShaOut, paymentRetries: '2' } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'retry-1')));
    await postCard(app, pay, { number: '4000000000000002' });
    const retry = await postForm(app, `/ncol/test/pay/${pay.orderId}/3ds`, { token: pay.token, decision: 'decline' });
    assert.equal(retry.statusCode, 200);
    assert.match(retry.body, /Your payment was refused/);
    const { url, pairs } = landing(await postCard(app, pay, { number: '4000000000000010' }));
    assert.equal(url.pathname, '/ko');
    const f = verifyFeedback(pairs);
    assert.equal(f.get('STATUS'), '2');
    assert.equal(f.get('NCERROR'), '30051001');
    assert.equal((await order(pay.orderId)).attempts, 2);
  });

  it('a sale\u2019s technical refusal (93) stays on the page while retries remain, like a 2; on the last attempt DECLINEURL', async () => {
    const m = await createMerchant(t, { settings: { ...withShaOut, paymentRetries: '2' } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'tech-1')));
    const first = await postCard(app, pay, { number: '4000000000000036' });
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Your payment was refused/);
    assert.match(first.body, /<input id="card-number"/, 'the card form is back');
    assert.equal((await order(pay.orderId)).status, 93);
    const { url, pairs } = landing(await postCard(app, pay, { number: '4000000000000036' }));
    assert.equal(url.pathname, '/ko');
    assert.equal(verifyFeedback(pairs).get('STATUS'), '93');
  });

  it('uncertain goes to EXCEPTIONURL (92); cancel goes to CANCELURL (1)', async () => {
    const m = await createMerchant(t, { settings: withShaOut });
    const unsure = payLocation(await postEntry(app, signedOrder(m, 'unsure-1')));
    const u = landing(await postCard(app, unsure, { number: '4000000000000028' }));
    assert.equal(u.url.pathname, '/unsure');
    assert.equal(verifyFeedback(u.pairs).get('STATUS'), '92');
    const cancelled = payLocation(await postEntry(app, signedOrder(m, 'cancel-1')));
    const c = landing(await postForm(app, `/ncol/test/pay/${cancelled.orderId}/cancel`, { token: cancelled.token }));
    assert.equal(c.url.pathname, '/cancelled');
    const f = verifyFeedback(c.pairs);
    assert.equal(f.get('STATUS'), '1');
    assert.equal(f.get('NCERROR'), '30171001');
    // A cancelled ORDERID may be paid later: the shop sends the customer back.
    payLocation(await postEntry(app, signedOrder(m, 'cancel-1')));
  });

  it('a final refusal stays final: Cancel on the stale page (Back, same token) changes nothing and tells the merchant nothing more', async () => {
    const s2s = { s2sTiming: 'deferred' as const, s2sUrlAccepted: `${SHOP}/feedback` };
    const m = await createMerchant(t, { settings: { ...withShaOut, ...s2s, paymentRetries: '1' } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'final-cancel-1')));
    const { url, pairs } = landing(await postCard(app, pay, { number: '4000000000000010' }));
    assert.equal(url.pathname, '/ko');
    assert.equal(verifyFeedback(pairs).get('STATUS'), '2');
    const refused = await order(pay.orderId);
    const cancel = await postForm(app, `/ncol/test/pay/${pay.orderId}/cancel`, { token: pay.token });
    assert.equal(cancel.statusCode, 200, `no redirect to CANCELURL: ${String(cancel.headers.location ?? '')}`);
    assert.match(cancel.body, /The transaction has been denied\./, 'the order\u2019s result page');
    const after = await order(pay.orderId);
    assert.deepEqual([after.status, after.nc_error, after.feedback_message_id], [2, refused.nc_error, refused.feedback_message_id]);
    assert.equal((await db.selectFrom('outbox').select('id').where('subject_id', '=', pay.orderId).execute()).length, 1, 'one outcome told');
    assert.deepEqual(
      (await attempts(pay.orderId)).map((a) => a.outcome),
      ['refused'],
    );
    // While a retry remains, Cancel still works from the refused page.
    const m2 = await createMerchant(t, { settings: { ...withShaOut, paymentRetries: '2' } });
    const pay2 = payLocation(await postEntry(app, signedOrder(m2, 'final-cancel-2')));
    assert.equal((await postCard(app, pay2, { number: '4000000000000010' })).statusCode, 200);
    const c = landing(await postForm(app, `/ncol/test/pay/${pay2.orderId}/cancel`, { token: pay2.token }));
    assert.equal(c.url.pathname, '/cancelled');
    assert.equal(verifyFeedback(c.pairs).get('STATUS'), '1');
  });

  it('without any URL the customer sees Varco\u2019s own result page', async () => {
    const m = await createMerchant(t);
    const pay = payLocation(await postEntry(app, signedOrder(m, 'nourl-1', [['LANGUAGE', 'it_IT']])));
    const res = await postCard(app, pay);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Il pagamento è stato accettato/);
  });

  it('a double-submitted card form pays once', async () => {
    const m = await createMerchant(t, { settings: withShaOut });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'double-1')));
    const results = await Promise.all([postCard(app, pay), postCard(app, pay), postCard(app, pay)]);
    assert.equal(results.filter((r) => r.statusCode === 303).length, 1, results.map((r) => r.statusCode).join(','));
    assert.equal((await attempts(pay.orderId)).length, 1);
  });
});

describe('card data', () => {
  it('the full number and the CVC are in no table and no log line', async () => {
    const numbers = [CARD.number, '4000000000000002', '4000000000000010', '4000000000000028'];
    const dump = await sql<{ j: string }>`
      SELECT string_agg(row_to_json(x)::text, E'\n') AS j FROM (
        SELECT 'orders' AS t, to_jsonb(o) AS r FROM orders o UNION ALL SELECT 'payment_attempts', to_jsonb(p) FROM payment_attempts p
        UNION ALL SELECT 'outbox', to_jsonb(b) FROM outbox b UNION ALL SELECT 'outbox_attempts', to_jsonb(a) FROM outbox_attempts a
        UNION ALL SELECT 'ecommerce_errors', to_jsonb(e) FROM ecommerce_errors e UNION ALL SELECT 'audit_log', to_jsonb(l) FROM audit_log l) x`.execute(db);
    const everything = `${dump.rows[0]?.j ?? ''}\n${t.rawLogs()}`;
    assert.ok(everything.includes('XXXXXXXXXXXX1111'), 'the masked number is there (the search works)');
    for (const value of [...numbers, `cvc=${CARD.cvc}`, `"${CARD.cvc}"`, `=${CARD.cvc}&`]) assert.ok(!everything.includes(value), `${value} found`);
  });
});
