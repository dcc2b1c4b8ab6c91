// NCERROR codes and texts of the hosted page (issue 13): every code the page emits is the
// platform's, with its text, in docs/errors.md; the payment page tells the customer why a payment
// was refused (3-D Secure failure included) in his language; the merchant's error log shows the
// text beside the code and the `unknown order/…` detail.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, payLocation, postCard, postEntry, postForm, signedOrder } from '../support/ecommerce.ts';
import { Browser, createReferent } from '../support/subscriptions.ts';
import { HOSTED_NC_ERROR, HOSTED_NC_ERROR_TEXT } from '../../src/protocols/ogone/index.ts';
import { ENTRY_NC_ERROR } from '../../src/modules/checkout/entry.policy.ts';
import { ORDER_PROBLEM_NC_ERROR } from '../../src/modules/checkout/order-problems.ts';
import { DEFAULT_NC_ERROR } from '../../src/modules/checkout/outcome.ts';
import { TEST_NC_ERRORS } from '../../src/modules/checkout/test-acquirer.ts';
import { statusText } from '../../src/views/orders/portal.ts';

const t = await buildTestApp();
const { app } = t;

/** NCERROR → text, from the docs/errors.md table of the hosted page. */
function documented(): Map<string, string> {
  const doc = readFileSync(resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
  const start = doc.indexOf('## Hosted payment page: NCERROR codes');
  // Up to the next section (DirectLink's NCERROR table follows later with its own columns).
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  const rows = [...section.matchAll(/^\| `(\d+)` \| ([^|]+) \|/gm)];
  return new Map(rows.map((m) => [m[1] ?? '', (m[2] ?? '').trim()]));
}

describe('the hosted page\u2019s NCERROR catalogue', () => {
  it('every code the entry, the validation, the outcomes and the test acquirer emit is the platform\u2019s, documented with its text', () => {
    const emitted = new Set([
      ...Object.values(ENTRY_NC_ERROR),
      ...Object.values(ORDER_PROBLEM_NC_ERROR),
      ...Object.values(DEFAULT_NC_ERROR),
      ...Object.values(TEST_NC_ERRORS),
      HOSTED_NC_ERROR.PSPID_NOT_FOUND,
      HOSTED_NC_ERROR.ALREADY_PROCESSED,
    ]);
    const known = new Set<string>(Object.values(HOSTED_NC_ERROR));
    for (const code of emitted) assert.ok(known.has(code), `${code} is in the catalogue`);
    const docs = documented();
    for (const [code, text] of Object.entries(HOSTED_NC_ERROR_TEXT)) {
      const row = docs.get(code);
      assert.ok(row !== undefined, `${code} is in docs/errors.md`);
      // Long texts are cut with an ellipsis in the table.
      assert.ok(row.endsWith('…') ? text.startsWith(row.slice(0, -1)) : row === text, `${code}: "${row}" is the platform's "${text}"`);
    }
    assert.deepEqual([...docs.keys()].sort(), Object.keys(HOSTED_NC_ERROR_TEXT).sort(), 'nothing documented that the page does not emit');
  });
});

describe('the customer is told why', () => {
  it('a refused card: the platform\u2019s reason and code on the page, in English and in Italian', async () => {
    const m = await createMerchant(t, { settings: { paymentRetries: '3' } });
    const en = payLocation(await postEntry(app, signedOrder(m, 'why-en')));
    const refused = await postCard(app, en, { number: '4000000000000010' });
    assert.equal(refused.statusCode, 200);
    assert.match(refused.body, /role="alert">Your payment was refused\. [^<]* Authorization declined \(error code 30051001\)<\/p>/);
    const it = payLocation(await postEntry(app, signedOrder(m, 'why-it', [['LANGUAGE', 'it_IT']])));
    const rifiutato = await postCard(app, it, { number: '4000000000000010' });
    // The portal's wording of the same refusal (STATUS 2), so a merchant and a customer read one phrase.
    assert.match(rifiutato.body, /Autorizzazione rifiutata\. \(codice di errore 30051001\)/);
    assert.match(statusText('it', 2), /Autorizzazione rifiutata$/);
  });

  it('a failed 3-D Secure authentication: "Authentication failed, please retry or cancel."', async () => {
    const m = await createMerchant(t, { settings: { paymentRetries: '3' } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'why-3ds')));
    assert.equal((await postCard(app, pay, { number: '4000000000000002' })).statusCode, 303);
    const page = await postForm(app, `/ncol/test/pay/${pay.orderId}/3ds`, { token: pay.token, decision: 'decline' });
    assert.match(page.body, /Authentication failed, please retry or cancel\. \(error code 40001134\)/);
  });

  it('Varco\u2019s own result page of a denied payment says why', async () => {
    const m = await createMerchant(t, { settings: { paymentRetries: '1' } });
    const pay = payLocation(await postEntry(app, signedOrder(m, 'why-final')));
    const result = await postCard(app, pay, { number: '4000000000000036' });
    assert.equal(result.statusCode, 200);
    assert.match(result.body, /The transaction has been denied\. A technical problem occurred, please try again\. \(error code 30001998\)/);
    assert.match((await app.inject({ url: pay.path })).body, /error code 30001998/, 'and again when the page is reloaded');
  });
});

describe('the merchant\u2019s error log', () => {
  it('shows the platform\u2019s text beside the code, and the unknown order/… detail', async () => {
    const m = await createMerchant(t);
    const forged = signedOrder(m, 'why-forged').map(([n, v]): [string, string] => (n === 'AMOUNT' ? [n, '1'] : [n, v]));
    assert.equal((await postEntry(app, forged)).statusCode, 200);
    const referent = await createReferent(t.database.db, m.organisationId, ['ecommerce']);
    const portal = await new Browser(app, 'portal').signIn(referent.email);
    const page = await portal.get(`/portal/merchants/${m.merchantId}/errors`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<code>50001184<\/code><br><small>SHA Mismatch<\/small><\/td><td[^>]*>unknown order\/1\/s\/<\/td>/);
  });
  it('keeps no API user password: PSWD posted to the hosted page is masked in the signature debugger, as the passphrase', async () => {
    const m = await createMerchant(t);
    const secret = 'Pswd-Not-For-The-Log-77';
    const forged = [...signedOrder(m, 'why-pswd'), ['PSWD', secret]] as Array<[string, string]>;
    assert.equal((await postEntry(app, forged)).statusCode, 200, 'rejected: PSWD is signed and was added after signing');
    const rows = await t.database.db.selectFrom('ecommerce_errors').selectAll().where('order_ref', '=', 'why-pswd').execute();
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes(secret), JSON.stringify(rows[0]?.debug).slice(0, 400));
  });
});
