import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase } from '../support/db.ts';
import { runCliInProcess } from '../support/cli.ts';
import { httpsRequest, makeDataDir, startServer } from '../support/server-process.ts';
import { shownKey } from '../support/subscriptions.ts';
import { formBytes, signedOrder } from '../support/ecommerce.ts';
import { HttpsBrowser } from './https-browser.ts';

// Issue 6, secrets: a whole run through a real server process and the CLI — administrator created,
// organisation, invitation (its link made on the Mail page), password chosen, subscription, approval, key revealed, pings (header and
// query string), merchant settings with both passphrases, a signed order, a tampered one, a card
// payment — then the captured logs and every row of the audit log, the outbox (and the e-commerce
// tables) are searched for the exact secrets used: none may appear.

const database = await createTestDatabase();
const { db } = database;
const dataDir = await makeDataDir();
const tag = randomBytes(4).toString('hex');
const SECRETS = {
  adminPassword: `Admin-harbour-${tag}-violet`,
  referentPassword: `Referent-plum-${tag}-quartz`,
  shaIn: `ShaIn-${tag}-Passphrase!7`,
  shaOut: `ShaOut-${tag}-Passphrase#9`,
  cardNumber: '4111111111111111',
  cardAsTyped: '4111 1111 1111 1111',
};
const CVC = '913';
const env = { DATABASE_URL: database.url, VARCO_DATA_DIR: dataDir };
const server = await startServer({ dataDir, env: { ...env, VARCO_LOG_LEVEL: 'debug' } });
after(() => server.stop());
const cliOutput: string[] = [];

function location(res: { status: number; headers: Record<string, string | string[] | undefined>; body: string }): string {
  assert.equal(res.status, 303, res.body.slice(0, 400));
  return String(res.headers.location);
}

/** Every string in a JSON value, for the exact-value search of short secrets (the CVC). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

test('after a full run no password, API key, passphrase, card number or CVC is in the logs, the audit log or the outbox', async () => {
  const passwordFile = join(dataDir, 'admin-password.txt');
  await writeFile(passwordFile, `${SECRETS.adminPassword}\n`, { mode: 0o600 });
  const created = await runCliInProcess(['admin', 'create', '--email', `admin-${tag}@varco.test`, '--password-file', passwordFile], env);
  cliOutput.push(created.stdout, created.stderr);
  assert.equal(created.code, 0, created.stderr);
  const admin = await new HttpsBrowser(server, 'admin').signIn(`admin-${tag}@varco.test`, SECRETS.adminPassword);

  const org =
    location(
      await admin.post('/admin/organisations', {
        name: `Shop ${tag}`,
        taxCode: `SHOP-${tag}`,
        taxCodeKind: 'other',
        type: 'merchant',
        contactEmail: `it-${tag}@shop.test`,
      }),
    )
      .split('/')
      .at(-1) ?? '';
  const ecommerce = await db.selectFrom('products').select('id').where('code', '=', 'ecommerce').executeTakeFirstOrThrow();
  location(
    await admin.post(`/admin/organisations/${org}/invitations`, {
      firstName: 'Rita',
      lastName: 'Referente',
      email: `rita-${tag}@shop.test`,
      locale: 'en',
      products: ecommerce.id,
    }),
  );
  // Without SMTP the link is made on the Mail page ("Create link"), shown once.
  const invitation = await db.selectFrom('outbox').select('id').where('channel', '=', 'email').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const linkPage = await admin.post(`/admin/mail/${invitation.id}/invitation-link`, {});
  assert.equal(linkPage.status, 200, linkPage.body.slice(0, 400));
  const link = new URL((/data-invitation-link>([^<]+)</.exec(linkPage.body)?.[1] ?? '').replaceAll('&amp;', '&'));
  const invitationToken = link.searchParams.get('token') ?? '';
  assert.match(invitationToken, /^[A-Za-z0-9_-]{43}$/);

  const portal = new HttpsBrowser(server, 'portal');
  portal.csrf = /name="_csrf" value="([^"]+)"/.exec((await portal.get(`/portal/invitation${link.search}`)).body)?.[1] ?? '';
  location(
    await portal.post('/portal/invitation', {
      token: link.searchParams.get('token') ?? '',
      password: SECRETS.referentPassword,
      passwordConfirm: SECRETS.referentPassword,
    }),
  );
  await portal.signIn(`rita-${tag}@shop.test`, SECRETS.referentPassword);
  const subscription =
    location(await portal.post('/portal/subscriptions', { productId: ecommerce.id, environment: 'test', name: 'Shop test' }))
      .split('?')[0]
      ?.split('/')
      .at(-1) ?? '';
  location(await admin.post(`/admin/subscriptions/${subscription}/approve`, {}));
  const apiKey = shownKey((await portal.post(`/portal/subscriptions/${subscription}/keys/primary/reveal`, {})).body);
  assert.equal((await httpsRequest(server.port, server.ca, '/api/v1/ping', { headers: { 'ocp-apim-subscription-key': apiKey } })).status, 200);
  assert.equal((await httpsRequest(server.port, server.ca, `/api/v1/ping?subscription-key=${apiKey}`)).status, 200);

  const pspid = `shop${tag}`;
  const settings = location(await portal.post('/portal/merchant', { pspid }));
  const saved = await portal.post(settings, {
    hashingMethod: 'each-parameter',
    hashAlgorithm: 'sha512',
    charset: 'page',
    referrers: '',
    acceptUrl: 'https://shop.example/ok',
    declineUrl: '',
    exceptionUrl: '',
    cancelUrl: '',
    feedbackOnRedirect: 'on',
    s2sTiming: 'deferred',
    s2sUrlAccepted: 'https://shop.example/feedback',
    s2sUrlDeclined: '',
    s2sMethod: 'POST',
    defaultOperation: 'SAL',
    paymentRetries: '10',
    enabledCurrencies: 'EUR',
    shaInNew: SECRETS.shaIn,
    shaInConfirm: SECRETS.shaIn,
    shaOutNew: SECRETS.shaOut,
    shaOutConfirm: SECRETS.shaOut,
  });
  assert.equal(saved.status, 200, saved.body.slice(0, 600));
  const merchant = { organisationId: org, merchantId: '', pspid };

  const post = (pairs: Array<[string, string]>) => {
    const body = formBytes(pairs, 'utf8').toString('ascii');
    return httpsRequest(server.port, server.ca, '/ncol/test/orderstandard_utf8.asp', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
    });
  };
  const tampered = signedOrder(merchant, `tampered-${tag}`, [], { passphrase: SECRETS.shaIn }).map(([n, v]): [string, string] => [n, n === 'AMOUNT' ? '1' : v]);
  assert.equal((await post(tampered)).status, 200, 'the generic error page');
  const pay = new URL(location(await post(signedOrder(merchant, `paid-${tag}`, [['CN', 'Ada Lovelace']], { passphrase: SECRETS.shaIn }))), server.baseUrl);
  assert.equal((await httpsRequest(server.port, server.ca, `${pay.pathname}${pay.search}`)).status, 200);
  const card = new URLSearchParams({
    token: pay.searchParams.get('token') ?? '',
    holder: 'Ada Lovelace',
    number: SECRETS.cardAsTyped,
    expiry: '12/34',
    cvc: CVC,
  }).toString();
  const paid = await httpsRequest(server.port, server.ca, pay.pathname, {
    method: 'POST',
    body: card,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(card.length) },
  });
  assert.ok(paid.status === 303 || paid.status === 200, `payment answered ${paid.status}`);
  const order = await db.selectFrom('orders').select(['status', 'card_masked']).where('order_ref', '=', `paid-${tag}`).executeTakeFirstOrThrow();
  assert.equal(order.card_masked, 'XXXXXXXXXXXX1111', 'the payment went through');
  assert.ok(
    (await db.selectFrom('ecommerce_errors').select('id').where('order_ref', '=', `tampered-${tag}`).execute()).length === 1,
    'the tampered order was logged',
  );

  assert.equal(await server.stop('SIGTERM'), 0);
  const logs = `${server.stdout()}\n${server.stderr()}\n${cliOutput.join('\n')}`;
  assert.ok(logs.includes('request completed') && logs.includes(subscription), 'the logs were captured');
  const tables: Record<string, string[]> = {};
  for (const table of ['audit_log', 'outbox', 'outbox_attempts', 'ecommerce_errors', 'orders', 'payment_attempts', 'merchant_settings', 'invitations']) {
    tables[table] = (await sql<{ row: string }>`SELECT row_to_json(t)::text AS row FROM ${sql.table(table)} t`.execute(db)).rows.map((r) => r.row);
  }
  assert.ok((tables.audit_log?.length ?? 0) > 10 && (tables.outbox?.length ?? 0) > 3, 'the run left audit and outbox rows');
  // The search looks where the secrets went: the query-string key was logged (censored), the feedback signed with SHA-OUT is queued.
  assert.match(logs, /subscription-key=(%5B|\[)redacted/);
  assert.ok(
    tables.outbox?.some((row) => row.includes('"channel":"http"') && row.includes('SHASIGN')),
    'the server-to-server feedback is in the outbox',
  );
  const places: Record<string, string> = { logs, ...Object.fromEntries(Object.entries(tables).map(([k, rows]) => [k, rows.join('\n')])) };
  for (const [where, text] of Object.entries(places)) {
    for (const [what, secret] of Object.entries({ ...SECRETS, apiKey, invitationToken }))
      assert.equal(text.includes(secret), false, `${what} found in ${where}`);
    assert.doesNotMatch(text, /cvc["=:\\]+"?913/i, `the CVC found in ${where}`);
  }
  // The CVC is three digits, which occur everywhere (timestamps): look for it as a whole value.
  const lines = [...logs.split('\n').filter((l) => l.startsWith('{')), ...Object.values(tables).flat()];
  for (const line of lines) assert.equal(strings(JSON.parse(line)).includes(CVC), false, `the CVC as a value in ${line.slice(0, 200)}`);
});
