import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from '../support/app.ts';
import { tempDevPki } from '../support/tls.ts';
import { httpsRequest } from '../support/server-process.ts';
import { SHA_OUT, configure, createMerchant, formBytes, queryPairs, verifyFeedback, type TestMerchant } from '../support/ecommerce.ts';
import { createApiUser, readNcResponse, signedDirect, type DirectLinkUser } from '../support/directlink.ts';
import { DEFAULT_FEEDBACK_FIELDS } from '../../src/protocols/ogone/feedback-fields.ts';

// 3-D Secure through DirectLink (issue 13), over real HTTPS: with FLAG3D=Y the test card
// 4000000000000002 answers STATUS 46 and HTML_ANSWER (base64 of a page that opens Varco's challenge
// for the order, in the order's language); the challenge page (CSP without inline script) approves
// or fails; the order reaches its final status, the customer goes to ACCEPTURL or DECLINEURL with the
// feedback signed with SHA-OUT (ECI 5 when authenticated), the server-to-server feedback is queued,
// and querydirect tells the shop. Without FLAG3D=Y the card is authorised without authentication.

const pki = await tempDevPki();
const ca = pki.envs.test.caCertPem;
const t = await buildTestApp({ tls: { cert: pki.server.chainPem, key: pki.server.keyPem } });
await t.app.listen({ host: '127.0.0.1', port: 0 });
const port = (t.app.server.address() as AddressInfo).port;
after(() => t.app.close());
const db = t.database.db;
const m = await createMerchant(t, {
  settings: {
    shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT },
    feedbackOnRedirect: true,
    feedbackParams: [...DEFAULT_FEEDBACK_FIELDS, 'ECI'],
    paymentRetries: '3',
    s2sTiming: 'deferred',
    s2sUrlAccepted: 'https://shop.example/feedback',
  },
});
const user = await createApiUser(t, m);

type Pairs = Array<[string, string]>;
type Res = Awaited<ReturnType<typeof httpsRequest>>;
const form = (body: string) => ({
  method: 'POST',
  body,
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
});
const post = (path: string, body: string): Promise<Res> => httpsRequest(port, ca, path, form(body));

/** Who calls DirectLink: the merchant, its API user and the SHA-IN algorithm of its settings. */
interface Caller {
  merchant: TestMerchant;
  user: DirectLinkUser;
  alg?: 'sha1' | 'sha512';
}

async function direct(
  page: string,
  fields: Pairs,
  caller: Caller = { merchant: m, user },
): Promise<{ attributes: Map<string, string>; htmlAnswer: string | undefined }> {
  const res = await post(
    `/ncol/test/${page}`,
    formBytes(signedDirect(caller.merchant, caller.user, fields, { alg: caller.alg ?? 'sha512' }), 'latin1').toString('ascii'),
  );
  assert.equal(res.status, 200, res.body);
  return readNcResponse(res.body);
}

const order = (id: string, extra: Pairs): Pairs => [
  ['ORDERID', id],
  ['AMOUNT', '2500'],
  ['CURRENCY', 'EUR'],
  ['CARDNO', '4000000000000002'],
  ['ED', '12/34'],
  ['CVC', '123'],
  ['CN', 'Ada Lovelace'],
  ['OPERATION', 'SAL'],
  ...extra,
];
const THREE_DS: Pairs = [
  ['FLAG3D', 'Y'],
  ['WIN3DS', 'MAINW'],
  ['HTTP_ACCEPT', 'text/html'],
  ['HTTP_USER_AGENT', 'Mozilla/5.0'],
  ['ACCEPTURL', 'https://shop.example/ok?from=dl'],
  ['DECLINEURL', 'https://shop.example/ko'],
  ['LANGUAGE', 'it_IT'],
];

/** STATUS 46, then the page HTML_ANSWER opens, as the customer's browser would: the challenge's form action and token. */
async function challenge(id: string, caller?: Caller): Promise<{ action: string; token: string; page: Res }> {
  const answer = await direct('orderdirect.asp', order(id, THREE_DS), caller);
  assert.deepEqual([answer.attributes.get('STATUS'), answer.attributes.get('NCERROR')], ['46', '0']);
  assert.ok(answer.htmlAnswer, 'HTML_ANSWER');
  const bytes = Buffer.from(answer.htmlAnswer, 'base64');
  assert.ok(
    bytes.every((b) => b < 0x80),
    'ASCII: the same page in an ISO-8859-1 or a UTF-8 shop',
  );
  const html = bytes.toString('ascii');
  assert.match(html, /JavaScript non &#232; attivo: premi Continua per completare l&#8217;autenticazione/, 'in the order’s language');
  // The CVC as a value: the page's token and order id are random base64url and base32, where "123" occurs by chance.
  assert.doesNotMatch(html, /4000000000000002|(?<![\w-])123(?![\w-])/);
  const form = /<form[^>]* action="([^"]+)" method="get">\s*<input type="hidden" name="token" value="([^"]+)">/.exec(html);
  assert.ok(form, html);
  const url = new URL(form[1]!.replaceAll('&#38;', '&'));
  assert.match(url.pathname, /^\/ncol\/test\/pay\/ord_[0-9a-z]{26}\/3ds$/);
  const page = await httpsRequest(port, ca, `${url.pathname}?token=${encodeURIComponent(form[2]!)}`);
  return { action: url.pathname, token: form[2]!, page };
}

/** The customer's answer to the challenge: where he is sent (origin and path), and the feedback there, its SHA-OUT checked. */
async function answer(id: string, decision: string): Promise<{ to: string; location: URL; feedback: Map<string, string>; action: string; token: string }> {
  const { action, token } = await challenge(id);
  const done = await post(action, new URLSearchParams({ token, decision }).toString());
  assert.equal(done.status, 303, done.body.slice(0, 300));
  const location = new URL(String(done.headers.location));
  const feedback = verifyFeedback(queryPairs(location.search.slice(1), 'latin1'), SHA_OUT, 'sha512', 'latin1');
  const again = await post(action, new URLSearchParams({ token, decision: 'approve' }).toString());
  assert.notEqual(again.status, 303, 'the challenge cannot be answered twice');
  return { to: `${location.origin}${location.pathname}`, location, feedback, action, token };
}

const query = async (id: string) => (await direct('querydirect.asp', [['ORDERID', id]])).attributes;

test('FLAG3D=Y: STATUS 46 and HTML_ANSWER; the challenge page in Italian under a CSP without inline script', async () => {
  const { page } = await challenge('3ds-1');
  assert.equal(page.status, 200);
  assert.match(page.body, /<html lang="it-IT"/);
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.doesNotMatch(page.body, /<script>|\son[a-z]+="/i, 'no inline script or handler');
  assert.equal((await query('3ds-1')).get('STATUS'), '46');
});

test('authenticated: STATUS 9, the customer goes to ACCEPTURL with the feedback signed (ECI 5); the shop is told', async () => {
  const { to, location, feedback } = await answer('3ds-2', 'approve');
  assert.equal(to, 'https://shop.example/ok');
  assert.equal(location.searchParams.get('from'), 'dl', 'the shop’s own query is kept');
  assert.deepEqual(
    ['orderID', 'STATUS', 'NCERROR', 'ECI', 'amount', 'CARDNO'].map((n) => feedback.get(n)),
    ['3ds-2', '9', '0', '5', '25', 'XXXXXXXXXXXX0002'],
  );
  const row = await db.selectFrom('orders').select(['id', 'status']).where('order_ref', '=', '3ds-2').executeTakeFirstOrThrow();
  assert.equal(row.status, 9);
  assert.equal((await db.selectFrom('outbox').select('id').where('subject_id', '=', row.id).execute()).length, 1, 'server-to-server feedback queued');
  assert.equal((await query('3ds-2')).get('STATUS'), '9');
});

test('failed authentication: STATUS 2 (40001134) at once, to DECLINEURL, whatever retries the hosted page would allow', async () => {
  const { to, feedback, action, token } = await answer('3ds-3', 'decline');
  assert.equal(to, 'https://shop.example/ko');
  assert.deepEqual([feedback.get('STATUS'), feedback.get('NCERROR')], ['2', '40001134']);
  const q = await query('3ds-3');
  assert.deepEqual([q.get('STATUS'), q.get('NCERROR')], ['2', '40001134']);
  const row = await db.selectFrom('orders').select('id').where('order_ref', '=', '3ds-3').executeTakeFirstOrThrow();
  assert.equal((await db.selectFrom('outbox').select('id').where('subject_id', '=', row.id).execute()).length, 1, 'the shop is told');
  // Back to the challenge page and its Cancel: the refusal stays, nothing more is sent.
  const cancel = await post(action.replace(/\/3ds$/, '/cancel'), new URLSearchParams({ token }).toString());
  assert.equal(cancel.status, 200, `no redirect: ${String(cancel.headers.location ?? '')}`);
  assert.deepEqual(
    [(await query('3ds-3')).get('STATUS'), (await db.selectFrom('outbox').select('id').where('subject_id', '=', row.id).execute()).length],
    ['2', 1],
  );
});

test('an ORDERID sent again after each unanswered challenge: three attempts given back, then each costs one; on the last the order is refused (2, 40001134) and the shop told', async () => {
  const statuses: string[] = [];
  // The payment retry setting (3) and the three given back: six challenges, none answered.
  for (let round = 1; round <= 6; round += 1) statuses.push((await direct('orderdirect.asp', order('3ds-replay', THREE_DS))).attributes.get('STATUS') ?? '');
  assert.deepEqual(statuses, ['46', '46', '46', '46', '46', '46']);
  const seventh = await direct('orderdirect.asp', order('3ds-replay', THREE_DS));
  assert.deepEqual([seventh.attributes.get('NCERROR'), seventh.htmlAnswer], ['50001113', undefined], 'no seventh card reaches the acquirer');
  const row = await db.selectFrom('orders').select(['id', 'attempts', 'challenges_given_back']).where('order_ref', '=', '3ds-replay').executeTakeFirstOrThrow();
  assert.deepEqual([row.attempts, row.challenges_given_back], [3, 3]);
  const q = await query('3ds-replay');
  assert.deepEqual([q.get('STATUS'), q.get('NCERROR')], ['2', '40001134']);
  const outbox = await db.selectFrom('outbox').select('payload').where('subject_id', '=', row.id).execute();
  assert.equal(outbox.length, 1, 'the shop is told');
  assert.match((outbox[0]?.payload as { body: string }).body, /(^|&)STATUS=2(&|$)/);
  const attempts = await db.selectFrom('payment_attempts').select('outcome').where('order_id', '=', row.id).orderBy('attempt').execute();
  assert.deepEqual(
    attempts.map((a) => a.outcome),
    [...Array<string>(6).fill('challenge_required'), 'refused'],
  );
  assert.equal((await direct('orderdirect.asp', order('3ds-replay', THREE_DS))).attributes.get('NCERROR'), '50001113');
  assert.equal((await db.selectFrom('outbox').select('id').where('subject_id', '=', row.id).execute()).length, 1, 'told once');
});

test('without FLAG3D=Y the same card is authorised without authentication: no HTML_ANSWER', async () => {
  const answer = await direct('orderdirect.asp', order('3ds-4', []));
  assert.deepEqual([answer.attributes.get('STATUS'), answer.htmlAnswer], ['9', undefined]);
});

test('a merchant on legacy hosted-page hashing: DirectLink signed ACCEPTURL and DECLINEURL, so the customer goes there', async () => {
  const legacy = await createMerchant(t);
  const caller: Caller = { merchant: legacy, user: await createApiUser(t, legacy), alg: 'sha1' };
  await configure(t, legacy, { hashingMethod: 'main-parameters', hashAlgorithm: 'sha1', acceptLegacyHashing: true });
  for (const [id, decision, status, to] of [
    ['3ds-leg-1', 'approve', 9, 'https://shop.example/ok'],
    ['3ds-leg-2', 'decline', 2, 'https://shop.example/ko'],
  ] as const) {
    const { action, token } = await challenge(id, caller);
    const done = await post(action, new URLSearchParams({ token, decision }).toString());
    const row = await db.selectFrom('orders').select('status').where('order_ref', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, status);
    assert.equal(done.status, 303, `Varco's own result page instead of the signed URL: ${done.body.slice(0, 200)}`);
    const location = new URL(String(done.headers.location));
    assert.equal(`${location.origin}${location.pathname}`, to);
  }
});
