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
import { csrfFrom } from '../support/cookies.ts';
import { formBytes, signedOrder } from '../support/ecommerce.ts';
import { readNcResponse, signedDirect } from '../support/directlink.ts';
import { TEST_CARDS } from '../../src/modules/checkout/test-acquirer.ts';
import { HttpsBrowser } from './https-browser.ts';

// Issue 6, secrets: a whole run through a real server process and the CLI — administrator created,
// organisation, invitation (its link made on the Mail page), password chosen, subscription, approval, key revealed, pings (header and
// query string), merchant settings with both passphrases, a signed order, a tampered one, a card
// payment — then the captured logs and every row of the audit log, the outbox (and the e-commerce
// tables) are searched for the exact secrets used: none may appear. Issue 13 adds DirectLink (an API
// user made with the CLI, an order with a card kept under an ALIAS, a payment with the ALIAS alone
// and a CVC, a 3-D Secure order, a hosted-page order keeping its card) and a sweep of every
// text-like column of every table, the logs and the outbox for any test card number, with or without
// separators, and for the CVCs — a sweep shown to catch a planted number. At the end the referent
// forgets the password: the reset link is made on the Mail page too, and used.

const database = await createTestDatabase();
const { db } = database;
const dataDir = await makeDataDir();
const tag = randomBytes(4).toString('hex');
const SECRETS = {
  adminPassword: `Admin-harbour-${tag}-violet`,
  referentPassword: `Referent-plum-${tag}-quartz`,
  referentNewPassword: `Referent-reset-${tag}-amber`,
  shaIn: `ShaIn-${tag}-Passphrase!7`,
  shaOut: `ShaOut-${tag}-Passphrase#9`,
  cardNumber: '4111111111111111',
  cardAsTyped: '4111 1111 1111 1111',
};
const CVC = '913';
/** CVCs of the DirectLink and alias payments, each its own so a leak names its path. */
const DIRECT_CVCS = ['736', '548', '629'];
const apiPassword = `Api-user-${tag}-marble!`;
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

  await directLinkAndAliases(org, merchant);
  const resetToken = await forgottenPassword(admin, `rita-${tag}@shop.test`);

  assert.equal(await server.stop('SIGTERM'), 0);
  const logs = `${server.stdout()}\n${server.stderr()}\n${cliOutput.join('\n')}`;
  assert.ok(logs.includes('request completed') && logs.includes(subscription), 'the logs were captured');
  const tables: Record<string, string[]> = {};
  for (const table of [
    'audit_log',
    'outbox',
    'outbox_attempts',
    'ecommerce_errors',
    'orders',
    'payment_attempts',
    'merchant_settings',
    'invitations',
    'password_resets',
  ]) {
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
    for (const [what, secret] of Object.entries({ ...SECRETS, apiKey, invitationToken, resetToken, apiPassword }))
      assert.equal(text.includes(secret), false, `${what} found in ${where}`);
    assert.doesNotMatch(text, /cvc["=:\\]+"?913/i, `the CVC found in ${where}`);
  }
  // The CVC is three digits, which occur everywhere (timestamps): look for it as a whole value.
  const lines = [...logs.split('\n').filter((l) => l.startsWith('{')), ...Object.values(tables).flat()];
  for (const line of lines) assert.equal(strings(JSON.parse(line)).includes(CVC), false, `the CVC as a value in ${line.slice(0, 200)}`);
});

type Pairs = Array<[string, string]>;

/** The referent forgot the password: without SMTP the link is made on the Mail page ("Create link"), then used; its token. */
async function forgottenPassword(admin: HttpsBrowser, email: string): Promise<string> {
  const anonymous = new HttpsBrowser(server, 'portal');
  anonymous.csrf = csrfFrom((await anonymous.get('/portal/password-reset')).body);
  assert.equal((await anonymous.post('/portal/password-reset', { email })).status, 200);
  // The server's worker carries the request out after the answer: its e-mail comes shortly.
  const resetMail = () =>
    db
      .selectFrom('outbox')
      .select('id')
      .where('channel', '=', 'email')
      .where(sql<string>`payload->>'template'`, '=', 'password_reset')
      .executeTakeFirst();
  let mail = await resetMail();
  for (let tries = 0; !mail && tries < 100; tries++) {
    await new Promise((done) => setTimeout(done, 100));
    mail = await resetMail();
  }
  assert.ok(mail, 'the reset e-mail is queued');
  const linkPage = await admin.post(`/admin/mail/${mail.id}/password-reset-link`, {});
  assert.equal(linkPage.status, 200, linkPage.body.slice(0, 400));
  const link = new URL((/data-reset-link>([^<]+)</.exec(linkPage.body)?.[1] ?? '').replaceAll('&amp;', '&'));
  const token = link.searchParams.get('token') ?? '';
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const person = new HttpsBrowser(server, 'portal');
  const form = await person.get(`${link.pathname}${link.search}`);
  assert.equal(form.status, 200, form.body.slice(0, 400));
  person.csrf = csrfFrom(form.body);
  const chosen = await person.post('/portal/password-reset/new', { token, password: SECRETS.referentNewPassword, confirm: SECRETS.referentNewPassword });
  assert.equal(chosen.status, 303, chosen.body.slice(0, 400));
  await new HttpsBrowser(server, 'portal').signIn(email, SECRETS.referentNewPassword);
  return token;
}

async function postHttps(path: string, pairs: Pairs, charset: 'latin1' | 'utf8') {
  const body = formBytes(pairs, charset).toString('ascii');
  return httpsRequest(server.port, server.ca, path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
  });
}

/** Issue 13: an API user (CLI), DirectLink orders with a card kept under an ALIAS, paid again with the ALIAS alone, 3-D Secure, a hosted order with ALIAS. */
async function directLinkAndAliases(org: string, merchant: { organisationId: string; merchantId: string; pspid: string }): Promise<void> {
  const passwordFile = join(dataDir, 'api-password.txt');
  await writeFile(passwordFile, `${apiPassword}\n`, { mode: 0o600 });
  const made = await runCliInProcess(
    ['merchant', 'api-user', '--org', org, '--pspid', merchant.pspid, '--env', 'test', '--userid', 'shop-api', '--password-file', passwordFile],
    env,
  );
  cliOutput.push(made.stdout, made.stderr);
  assert.equal(made.code, 0, made.stderr);
  const user = { userid: 'shop-api', password: apiPassword };
  const direct = async (fields: Pairs) => {
    const res = await postHttps('/ncol/test/orderdirect.asp', signedDirect(merchant, user, fields, { passphrase: SECRETS.shaIn }), 'latin1');
    assert.equal(res.status, 200, res.body);
    return readNcResponse(res.body).attributes;
  };
  const amount: Pairs = [
    ['AMOUNT', '1200'],
    ['CURRENCY', 'EUR'],
  ];
  // The number typed with dashes, a CVC, an ALIAS: the card is kept, sealed.
  const kept = await direct([
    ['ORDERID', `dl-${tag}`],
    ...amount,
    ['CARDNO', '5399-9999-9999-9999'],
    ['ED', '12/34'],
    ['CVC', DIRECT_CVCS[0]!],
    ['ALIAS', `CUST-${tag}`],
  ]);
  assert.deepEqual([kept.get('STATUS'), kept.get('ALIAS')], ['9', `CUST-${tag}`]);
  const reused = await direct([['ORDERID', `dl-alias-${tag}`], ...amount, ['ALIAS', `CUST-${tag}`], ['CVC', DIRECT_CVCS[1]!]]);
  assert.deepEqual([reused.get('STATUS'), reused.get('BRAND')], ['9', 'MasterCard'], 'paid with the stored card');
  const challenged = await direct([
    ['ORDERID', `dl-3ds-${tag}`],
    ...amount,
    ['CARDNO', '4000 0000 0000 0002'],
    ['ED', '1234'],
    ['CVC', DIRECT_CVCS[2]!],
    ['FLAG3D', 'Y'],
    ['ALIAS', `THREE-${tag}`],
  ]);
  assert.equal(challenged.get('STATUS'), '46');
  const entry = await postHttps(
    '/ncol/test/orderstandard_utf8.asp',
    signedOrder(merchant, `hp-alias-${tag}`, [['ALIAS', `PAGE-${tag}`]], { passphrase: SECRETS.shaIn }),
    'utf8',
  );
  const pay = new URL(location(entry), server.baseUrl);
  const card = new URLSearchParams({
    token: pay.searchParams.get('token') ?? '',
    holder: 'Ada',
    number: '3741 1111 1111 111',
    expiry: '12/34',
    cvc: '4729',
  }).toString();
  const paid = await httpsRequest(server.port, server.ca, pay.pathname, {
    method: 'POST',
    body: card,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(card.length) },
  });
  assert.ok(paid.status === 303 || paid.status === 200, `hosted alias payment answered ${paid.status}`);
  const aliases = await db.selectFrom('card_aliases').select(['alias', 'card_masked']).orderBy('alias').execute();
  assert.deepEqual(
    aliases.map((a) => a.card_masked),
    ['XXXXXXXXXXXX9999', 'XXXXXXXXXXX1111', 'XXXXXXXXXXXX0002'],
    'three cards kept: the searches below look where they went',
  );
}

/** Every text-like column (text, varchar, json, jsonb, arrays; bytea decoded) of every table, one string per row. */
async function everyColumn(): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
    SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY', 'USER-DEFINED')`.execute(db);
  const byTable = new Map<string, Array<{ name: string; type: string }>>();
  for (const c of columns.rows) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), { name: c.column_name, type: c.data_type }]);
  const rows: string[] = [];
  for (const [table, cols] of byTable) {
    const parts = cols.map((c) => (c.type === 'bytea' ? sql`coalesce(encode(${sql.ref(c.name)}, 'escape'), '')` : sql`coalesce(${sql.ref(c.name)}::text, '')`));
    const found = await sql<{ row: string }>`SELECT concat_ws(' | ', ${sql.join(parts)}) AS row FROM ${sql.table(table)}`.execute(db);
    rows.push(...found.rows.map((r) => `${table}: ${r.row}`));
  }
  return rows;
}

/** A card number as written anywhere: its digits with spaces, dashes, `+` or `%20` between them. */
const panPattern = (pan: string): RegExp => new RegExp([...pan].join('(?:[\\s+-]|%20|%2D)*'));
const PANS = [...new Set([...TEST_CARDS.map((c) => c.number), SECRETS.cardNumber])];

function sweep(rows: readonly string[], logs: string): string[] {
  const found: string[] = [];
  for (const pan of PANS) {
    const re = panPattern(pan);
    for (const row of rows) if (re.test(row)) found.push(`${pan} in ${row.slice(0, 120)}`);
    if (re.test(logs)) found.push(`${pan} in the logs`);
  }
  for (const cvc of [CVC, ...DIRECT_CVCS, '4729']) {
    // Three digits occur everywhere (times, sizes): a CVC is looked for as a value — quoted, a whole column, or named.
    const re = new RegExp(`"${cvc}"|(?:^|: | \\| )${cvc}(?: \\| |$)|cvc["=:\\\\]+"?${cvc}`, 'i');
    for (const row of rows) if (re.test(row)) found.push(`CVC ${cvc} in ${row.slice(0, 120)}`);
    if (re.test(logs)) found.push(`CVC ${cvc} in the logs`);
  }
  return found;
}

test('no test card number (with or without separators) and no CVC in any column of any table, the logs or the outbox', async () => {
  const rows = await everyColumn();
  const logs = `${server.stdout()}\n${server.stderr()}\n${cliOutput.join('\n')}`;
  assert.ok(
    rows.some((r) => r.startsWith('card_aliases: ') && r.includes('sb1.')),
    'the vault was swept: its sealed cards are there',
  );
  assert.ok(
    rows.filter((r) => r.startsWith('outbox: ') && r.includes(' | http | ')).length >= 4,
    'the outbox was swept: the feedback of the hosted, DirectLink and alias payments is there',
  );
  assert.ok(logs.includes('orderdirect'), 'the DirectLink requests are in the access log');
  assert.deepEqual(sweep(rows, logs), []);
});

test('the sweep finds a planted card number, in a jsonb column and in plain text, separated or not', async () => {
  const planted = await db.selectFrom('orders').select(['id', 'request']).limit(1).executeTakeFirstOrThrow();
  await sql`UPDATE orders SET request = jsonb_set(request, '{planted}', to_jsonb('5399 9999 9999 9999'::text)) WHERE id = ${planted.id}`.execute(db);
  await sql`UPDATE merchants SET name = name || ' 4111-1111-1111-1111'`.execute(db);
  try {
    const found = sweep(await everyColumn(), '');
    assert.ok(
      found.some((f) => f.startsWith('5399999999999999 in orders: ')),
      found.join('\n'),
    );
    assert.ok(
      found.some((f) => f.startsWith('4111111111111111 in merchants: ')),
      found.join('\n'),
    );
  } finally {
    await sql`UPDATE orders SET request = request - 'planted' WHERE id = ${planted.id}`.execute(db);
    await sql`UPDATE merchants SET name = replace(name, ' 4111-1111-1111-1111', '')`.execute(db);
  }
});
