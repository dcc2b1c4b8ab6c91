import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { isVarcoError } from '../../src/kernel/errors.ts';
import {
  createExchangeLog,
  hasExchanges,
  MAX_MESSAGE_BYTES,
  pruneExchanges,
  type ExchangeRow,
  type ExchangeViewer,
} from '../../src/modules/pagopa-exchanges/index.ts';
import { createKysely, createPool, currentRole, grantAppRole, loadMigrations, migrate } from '../../src/db/index.ts';
import { createJobRunner } from '../../src/app/jobs.ts';
import { retentionJobs } from '../../src/app/retention.ts';
import { testConfig } from '../support/app.ts';
import { createEmptyDatabase, createTestDatabase, explainedConnection, testAppUrl } from '../support/db.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { activateExchange, cartOutcomeExchange, CHANNEL_PASSWORD, getPaymentExchange, noticeNumber, tokenOf } from './support.ts';

// Issue 11, exchange log: what `record` stores (one INSERT; passwords masked in every column, in odd,
// truncated and malformed messages; sizes bounded; odd bytes stored, not refused) and what `search`
// and `get` give each viewer (only the rows its organisation is party to; filters; cursor pages), and
// the retention job. A row's further parties (a cart's other institutions and their stations'
// owners) read it as its named parties do.

const database = await createTestDatabase();
const { db } = database;
const NOW = new Date('2027-05-10T09:00:00Z');
const log = createExchangeLog({ db, clock: fixedClock(NOW) });
const minutes = (m: number): Date => new Date(NOW.getTime() - m * 60_000);

const psp = await createOrganisation(db, 'PSP Uno');
const ec = await createOrganisation(db, 'Comune Due');
const partner = await createOrganisation(db, 'Partner Tre');
const stranger = await createOrganisation(db, 'Banca Estranea');
const parties = { psp, ec, stationOwner: partner, stationId: 'sta_shared' };
const ADMIN: ExchangeViewer = { admin: true };
const ids = (rows: ExchangeRow[]): string[] => rows.map((r) => r.id);

/** A Kysely on the test pool that keeps the SQL of every statement it runs. */
function countedDb(): { statements: string[]; counted: Kysely<Database> } {
  const statements: string[] = [];
  const counted = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: database.pool }),
    log: (event) => {
      statements.push(event.query.sql);
    },
  });
  return { statements, counted };
}

test('record runs one INSERT and no other statement', async () => {
  const { statements, counted } = countedDb();
  const writer = createExchangeLog({ db: counted, clock: fixedClock(NOW) });
  const id = await writer.record(activateExchange(parties, { n: 900, at: minutes(1) }));
  assert.match(id, /^msg_[0-9a-z]{26}$/);
  // A cart too: its search keys are written by the INSERT's trigger, in the same statement.
  const cart = await writer.record(cartOutcomeExchange(psp, [{ n: 901, parties }, { n: 902 }], { at: minutes(1) }));
  assert.equal(statements.length, 2);
  assert.ok(statements.every((sql) => /^insert into "pagopa_exchanges"/.test(sql)));
  const keys = await db.selectFrom('pagopa_exchange_cart_keys').select(['kind', 'key', 'exchange_id']).orderBy('kind').orderBy('key').execute();
  assert.deepEqual(keys, [
    { kind: 'notice', key: noticeNumber(901), exchange_id: cart },
    { kind: 'token', key: tokenOf(901), exchange_id: cart },
    { kind: 'token', key: tokenOf(902), exchange_id: cart },
  ]);
  await db.deleteFrom('pagopa_exchanges').execute();
  await db.deleteFrom('pagopa_exchange_cart_keys').execute();
});

test('records arriving together share an INSERT; each caller waits for its own row; a refused row fails only its caller', async () => {
  const { statements, counted } = countedDb();
  const writer = createExchangeLog({ db: counted, clock: fixedClock(NOW) });
  const recorded = await Promise.all(Array.from({ length: 20 }, (_, i) => writer.record(activateExchange(parties, { n: 800 + i, at: minutes(1) }))));
  assert.equal(new Set(recorded).size, 20);
  const stored = await db.selectFrom('pagopa_exchanges').select('id').where('id', 'in', recorded).execute();
  assert.equal(stored.length, 20, 'every row is committed when its record() resolves');
  assert.ok(statements.length < 20 && statements.length >= 2, `${statements.length} INSERTs for 20 records`);
  assert.ok(statements.every((sql) => /^insert into "pagopa_exchanges"/.test(sql)));

  // The database refuses one row of a group (an environment its CHECK does not allow; only a caller
  // bypassing the types could send it): the others are stored, only that caller sees the error.
  const poison = { ...activateExchange(parties, { n: 1, at: minutes(1) }), env: 'staging' as 'test' };
  const results = await Promise.allSettled([
    ...Array.from({ length: 4 }, (_, i) => writer.record(activateExchange(parties, { n: 700 + i, at: minutes(1) }))),
    writer.record(poison),
    ...Array.from({ length: 4 }, (_, i) => writer.record(activateExchange(parties, { n: 710 + i, at: minutes(1) }))),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
  );
  const kept = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  assert.equal((await db.selectFrom('pagopa_exchanges').select('id').where('id', 'in', kept).execute()).length, 8);
  await db.deleteFrom('pagopa_exchanges').execute();
});

test('no column keeps a channel password, whatever shape the message has; sizes are bounded; nothing is refused', async () => {
  const pw = CHANNEL_PASSWORD;
  const odd = [
    activateExchange(parties, { n: 1, at: minutes(1) }).request as string,
    `<soapenv:Envelope><soapenv:Body><ñs:activatePaymentNoticeReq><ñs:password>${pw}</ñs:password>`,
    `<Envelope><Body><x><password><!-- note -->${pw}</password></x></Body></Envelope>`,
    `<Envelope><Body><x><pwd:password><![CDATA[${pw}]]></pwd:password></x></Body></Envelope>`,
    `<Envelope><Body><x><password>${pw.slice(0, 6)}`,
    `<a><PASSWORD>${pw}</PASSWORD><b password="${pw}"/></a>`,
    `<faultDescription>echo: &lt;password&gt;${pw}&lt;/password&gt;</faultDescription>`,
  ];
  for (const [i, request] of odd.entries()) {
    await log.record({
      env: 'test',
      direction: 'in',
      operation: 'activatePaymentNotice',
      at: minutes(2),
      durationMs: 5,
      pspOrganisationId: psp,
      request,
      response: request,
      error: `parse error near ${request.slice(-80)}`,
      noticeNumber: `<password>${pw}`,
      token: `t${i}`,
    });
  }
  // Raw bytes with invalid UTF-8 and NUL, a 5 MB body with the password at its start, an empty response.
  const bytes = Buffer.concat([Buffer.from(`<a><password>${pw}</password>`), Buffer.from([0xff, 0xc3, 0x00]), Buffer.from('</a>')]);
  await log.record({ env: 'test', direction: 'in', operation: '', at: minutes(2), durationMs: 1, request: bytes, response: Buffer.alloc(0) });
  const huge = `<a><password>${pw}</password>${'<x>è</x>'.repeat(600_000)}</a>`;
  const hugeId = await log.record({ env: 'prod', direction: 'out', operation: 'paSendRT', at: minutes(2), durationMs: 1, request: huge, response: huge });

  const all = await database.owner.query<{ row: string }>('SELECT t::text AS row FROM pagopa_exchanges t');
  assert.equal(all.rows.length, odd.length + 2);
  for (const { row } of all.rows) {
    for (const piece of [pw, pw.slice(0, 6), pw.slice(4), 'S3cret']) assert.ok(!row.includes(piece), `${piece} in ${row.slice(0, 300)}`);
  }
  const stored = await log.get(ADMIN, hugeId);
  assert.ok(stored);
  assert.equal(stored.requestBytes, Buffer.byteLength(huge));
  assert.equal(stored.requestTruncated, true);
  assert.ok(Buffer.byteLength(stored.request) <= MAX_MESSAGE_BYTES);
  assert.ok(Buffer.byteLength(stored.response ?? '') <= MAX_MESSAGE_BYTES);
  const raw = (await log.search(ADMIN)).find((r) => r.requestBytes === bytes.length);
  assert.ok(raw, 'the raw bytes were stored');
  assert.equal((await log.get(ADMIN, raw.id))?.response, '');
  await db.deleteFrom('pagopa_exchanges').execute();
});

test('an organisation sees only the messages it is party to: by search and by id', async () => {
  const shared = await log.record(activateExchange(parties, { n: 10, at: minutes(10) }));
  const outbound = await log.record(getPaymentExchange(parties, { n: 10, at: minutes(9) }));
  const strangers = await log.record(activateExchange({ psp: stranger }, { n: 11, at: minutes(8) }));
  // An EC that is also its own station's owner: one row, listed once.
  const ownStation = await log.record(getPaymentExchange({ psp: stranger, ec, stationOwner: ec }, { n: 12, at: minutes(7) }));

  assert.deepEqual(ids(await log.search({ organisationId: psp })), [outbound, shared]);
  assert.deepEqual(ids(await log.search({ organisationId: partner })), [outbound, shared]);
  assert.deepEqual(ids(await log.search({ organisationId: ec })), [ownStation, outbound, shared]);
  assert.deepEqual(ids(await log.search({ organisationId: stranger })), [ownStation, strangers]);
  assert.deepEqual(ids(await log.search(ADMIN)), [ownStation, strangers, outbound, shared]);
  assert.deepEqual(ids(await log.search({ organisationId: 'org_nobody' })), []);

  for (const viewer of [{ organisationId: psp }, { organisationId: ec }, { organisationId: partner }, ADMIN])
    assert.equal((await log.get(viewer, shared))?.id, shared);
  assert.equal(await log.get({ organisationId: stranger }, shared), undefined, 'not party: same answer as an unknown id');
  assert.equal(await log.get({ organisationId: psp }, strangers), undefined);
  assert.equal(await log.get({ organisationId: psp }, 'msg_00000000000000000000000000'), undefined);
  assert.equal(await log.get(ADMIN, 'not-an-id'), undefined);
  // Filters never widen what an organisation sees.
  assert.deepEqual(ids(await log.search({ organisationId: stranger }, { noticeNumber: noticeNumber(10) })), []);
  assert.deepEqual(ids(await log.search({ organisationId: stranger }, { token: tokenOf(10) })), []);
  await db.deleteFrom('pagopa_exchanges').execute();
});

test('a cart\u2019s other institutions and their stations\u2019 owners read its row like its named parties: search, id, pages, checklist; nobody else', async () => {
  const ec2 = await createOrganisation(db, 'Comune Quattro');
  const partner2 = await createOrganisation(db, 'Partner Cinque');
  const onlyHere = await createOrganisation(db, 'Comune Sei');
  const other = { psp, ec: ec2, stationOwner: partner2, stationId: 'sta_other' };
  // A cart outcome naming its first notice's parties, the second's as further ones (a duplicate of a
  // column, blanks and an id repeated are dropped); around it, each institution's own single-party rows,
  // two of them at the cart's very instant (the cursor's tie on `at`).
  const cart = {
    ...activateExchange(parties, { n: 40, at: minutes(39) }),
    operation: 'sendPaymentOutcomeV2',
    furtherOrganisationIds: [ec2, partner2, ec, '', ec2],
  };
  const made = [
    await log.record(activateExchange(parties, { n: 41, at: minutes(41) })),
    await log.record(getPaymentExchange(other, { n: 42, at: minutes(40) })),
    await log.record(cart),
    await log.record(activateExchange(other, { n: 43, at: minutes(39) })),
    await log.record(getPaymentExchange(parties, { n: 44, at: minutes(39) })),
    await log.record(getPaymentExchange(other, { n: 45, at: minutes(38) })),
    await log.record({ ...activateExchange({ psp: stranger }, { n: 46, at: minutes(37) }), furtherOrganisationIds: [onlyHere] }),
  ];
  const cartId = made[2] ?? '';
  const stored = await db.selectFrom('pagopa_exchanges').select('further_organisation_ids').where('id', '=', cartId).executeTakeFirstOrThrow();
  assert.deepEqual(stored.further_organisation_ids, [ec2, partner2]);
  assert.deepEqual((await log.get(ADMIN, cartId))?.furtherOrganisationIds, [ec2, partner2]);

  const all = ids(await log.search(ADMIN, { limit: 200 }));
  const expected = new Map([
    [psp, all.filter((id) => id !== made[6])],
    [ec, all.filter((id) => [made[0], made[2], made[4]].includes(id))],
    [partner, all.filter((id) => [made[0], made[2], made[4]].includes(id))],
    [ec2, all.filter((id) => [made[1], made[2], made[3], made[5]].includes(id))],
    [partner2, all.filter((id) => [made[1], made[2], made[3], made[5]].includes(id))],
    [onlyHere, [made[6]]],
  ]);
  for (const [org, rows] of expected) {
    assert.deepEqual(ids(await log.search({ organisationId: org })), rows, org);
    // Pages of two across the cart's row and the ties on its instant: every row once, in order.
    const paged: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await log.search({ organisationId: org }, { limit: 2, before });
      paged.push(...ids(rows));
      if (rows.length < 2) break;
      before = rows.at(-1)?.cursor;
    }
    assert.deepEqual(paged, rows, `${org}: pages`);
    assert.equal(await hasExchanges(db, org), true, `${org}: the checklist's first message`);
  }
  for (const org of [ec2, partner2]) {
    assert.equal((await log.get({ organisationId: org }, cartId))?.id, cartId);
    assert.deepEqual(ids(await log.search({ organisationId: org }, { operation: 'sendPaymentOutcomeV2' })), [cartId]);
  }
  // Not party: neither the cart nor the rows around it, by search, filter or id.
  assert.deepEqual(ids(await log.search({ organisationId: stranger })), [made[6]]);
  assert.deepEqual(ids(await log.search({ organisationId: stranger }, { operation: 'sendPaymentOutcomeV2' })), []);
  assert.equal(await log.get({ organisationId: stranger }, cartId), undefined);
  assert.equal(await log.get({ organisationId: onlyHere }, cartId), undefined);
  assert.equal(await hasExchanges(db, await createOrganisation(db, 'Comune Senza')), false);
  await db.deleteFrom('pagopa_exchanges').execute();
});

test('a cart is found by each of its tokens and notice numbers, by that notice\u2019s parties, its PSP and the back office; each institution reads its own notice only', async () => {
  const ec2 = await createOrganisation(db, 'Comune Sette');
  const partner2 = await createOrganisation(db, 'Partner Otto');
  const other = { psp, ec: ec2, stationOwner: partner2, stationId: 'sta_other' };
  const first = { n: 60, parties, fiscalCode: '11111111111', stationCode: '11111111111_01' };
  const second = { n: 61, parties: other, fiscalCode: '22222222222', stationCode: '22222222222_01' };
  // Around the cart, the second notice's own flow (activation, paGetPayment) and another PSP's row with its token.
  const activation = await log.record(activateExchange(other, { n: 61, at: minutes(52) }));
  const getPayment = await log.record(getPaymentExchange(other, { n: 61, at: minutes(51) }));
  // A third token of another PSP names nobody; the answer's fault names it.
  const cart = await log.record(cartOutcomeExchange(psp, [first, second, { n: 62 }], { at: minutes(50), fault: 'PPT_TOKEN_SCONOSCIUTO' }));
  const strangers = await log.record(activateExchange({ psp: stranger }, { n: 61, at: minutes(49) }));

  const found = async (viewer: ExchangeViewer, filter: { token?: string; noticeNumber?: string }) => ids(await log.search(viewer, filter));
  const byKey = (n: number) => [{ token: tokenOf(n) }, { noticeNumber: noticeNumber(n) }, { token: tokenOf(n), noticeNumber: noticeNumber(n) }];
  for (const org of [ec2, partner2]) {
    for (const filter of byKey(61))
      assert.deepEqual(await found({ organisationId: org }, filter), [cart, getPayment, activation], `${org} ${JSON.stringify(filter)}`);
    for (const filter of [...byKey(60), { token: tokenOf(62) }, { token: tokenOf(61), noticeNumber: noticeNumber(60) }])
      assert.deepEqual(await found({ organisationId: org }, filter), [], `${org}: not by another notice's ${JSON.stringify(filter)}`);
  }
  for (const org of [ec, partner]) {
    for (const filter of byKey(60)) assert.deepEqual(await found({ organisationId: org }, filter), [cart], `${org} ${JSON.stringify(filter)}`);
    for (const filter of [...byKey(61), { token: tokenOf(62) }])
      assert.deepEqual(await found({ organisationId: org }, filter), [], `${org} ${JSON.stringify(filter)}`);
  }
  for (const viewer of [{ organisationId: psp }, ADMIN]) {
    for (const filter of [...byKey(60), { token: tokenOf(62) }]) assert.deepEqual(await found(viewer, filter), [cart], JSON.stringify(filter));
    assert.deepEqual(await found(viewer, { noticeNumber: noticeNumber(61) }), [...('admin' in viewer ? [strangers] : []), cart, getPayment, activation]);
    assert.deepEqual(await found(viewer, { token: tokenOf(61), noticeNumber: noticeNumber(60) }), [], 'token and notice of one notice');
  }
  assert.deepEqual(await found(ADMIN, { token: tokenOf(61) }), [strangers, cart, getPayment, activation]);
  assert.deepEqual(await found({ organisationId: stranger }, { token: tokenOf(61) }), [strangers]);
  for (const filter of byKey(62).slice(0, 1)) assert.deepEqual(await found({ organisationId: stranger }, filter), []);
  // Pages of one across the cart and the key's other rows, for a party and the back office; other filters apply to both.
  for (const viewer of [{ organisationId: ec2 }, ADMIN]) {
    const paged: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 6; page++) {
      const rows = await log.search(viewer, { token: tokenOf(61), limit: 1, before });
      paged.push(...ids(rows));
      if (rows.length < 1) break;
      before = rows.at(-1)?.cursor;
    }
    assert.deepEqual(paged, 'admin' in viewer ? [strangers, cart, getPayment, activation] : [cart, getPayment, activation]);
    assert.deepEqual(ids(await log.search(viewer, { token: tokenOf(61), operation: 'sendPaymentOutcomeV2' })), [cart]);
    assert.deepEqual(ids(await log.search(viewer, { token: tokenOf(61), env: 'prod' })), []);
  }

  // The second institution (and its station's owner) reads the row as its own notice's, and the messages masked.
  for (const org of [ec2, partner2]) {
    const [row] = await log.search({ organisationId: org }, { token: tokenOf(61), operation: 'sendPaymentOutcomeV2' });
    assert.deepEqual(
      [row?.noticeNumber, row?.token, row?.fiscalCode, row?.ecOrganisationId, row?.stationOrganisationId, row?.stationCode, row?.furtherOrganisationIds],
      [noticeNumber(61), tokenOf(61), '22222222222', ec2, partner2, '22222222222_01', []],
    );
    assert.deepEqual(
      row?.cartNotices?.map((n) => n.token),
      [tokenOf(61)],
    );
    const detail = await log.get({ organisationId: org }, cart);
    assert.equal(detail?.cartView, 'masked');
    const both = `${detail?.request}${detail?.response}`;
    assert.ok(both.includes(tokenOf(61)) && both.includes(Buffer.from('stamp 61').toString('base64')), 'its own token and stamp');
    for (const secret of [tokenOf(60), tokenOf(62), noticeNumber(60), '11111111111', Buffer.from('stamp 60').toString('base64'), CHANNEL_PASSWORD])
      assert.ok(!both.includes(secret), `${org}: ${secret}`);
    assert.match(detail?.response ?? '', /Token \*{8} matches no activation/);
  }
  const first_ = await log.get({ organisationId: ec }, cart);
  assert.equal(first_?.cartView, 'masked');
  assert.equal(first_?.noticeNumber, noticeNumber(60));
  assert.ok(first_?.request.includes(tokenOf(60)) && !first_.request.includes(tokenOf(61)) && !first_.request.includes(tokenOf(62)));
  // Its PSP and the back office: the row as stored, the messages whole.
  for (const viewer of [{ organisationId: psp }, ADMIN]) {
    const detail = await log.get(viewer, cart);
    assert.equal(detail?.cartView, 'whole');
    assert.deepEqual([detail?.noticeNumber, detail?.ecOrganisationId, detail?.cartNotices?.length], [noticeNumber(60), ec, 3]);
    for (const token of [60, 61, 62].map(tokenOf)) assert.ok(detail?.request.includes(token));
    assert.ok(detail?.response?.includes(tokenOf(62)));
  }
  assert.equal(await log.get({ organisationId: stranger }, cart), undefined);
  await db.deleteFrom('pagopa_exchanges').execute();
  await db.deleteFrom('pagopa_exchange_cart_keys').execute();
});

test('a cart whose message cannot be read is withheld from its institutions; a cart logged before its notices were kept shows them nothing of the others', async () => {
  const ec2 = await createOrganisation(db, 'Comune Nove');
  const other = { psp, ec: ec2, stationOwner: ec2 };
  const entry = cartOutcomeExchange(
    psp,
    [
      { n: 70, parties },
      { n: 71, parties: other },
    ],
    { at: minutes(30) },
  );
  // Cut short (as a message over the log's bound is kept): no parser reads it, so it cannot be masked.
  const cut = await log.record({ ...entry, request: String(entry.request).slice(0, String(entry.request).indexOf(tokenOf(71)) + 40) });
  const withheld = await log.get({ organisationId: ec2 }, cut);
  assert.deepEqual([withheld?.cartView, withheld?.request, withheld?.response], ['withheld', '', null]);
  assert.equal((await log.get({ organisationId: psp }, cut))?.cartView, 'whole');

  // Written as between migrations 0053 and 0054: further parties, no notices. Only the first notice is
  // known to be anybody's: the further party reads no token and no notice, the first EC its own.
  const { cartNotices: _notices, ...before0054 } = entry;
  const legacy = await log.record(before0054);
  const further = await log.get({ organisationId: ec2 }, legacy);
  assert.equal(further?.cartView, 'masked');
  assert.deepEqual([further?.noticeNumber, further?.token, further?.ecOrganisationId, further?.fiscalCode], [null, null, null, null]);
  for (const secret of [tokenOf(70), tokenOf(71)]) assert.ok(!further?.request.includes(secret), secret);
  const firstEc = await log.get({ organisationId: ec }, legacy);
  assert.ok(firstEc?.request.includes(tokenOf(70)) && !firstEc.request.includes(tokenOf(71)));
  assert.ok((await log.get({ organisationId: psp }, legacy))?.request.includes(tokenOf(71)));
  // Found by the first notice's token and number by its parties and the PSP only: the further party
  // searching them would learn that another institution's token or notice is in the cart.
  for (const filter of [{ token: tokenOf(70) }, { noticeNumber: noticeNumber(70) }]) {
    assert.deepEqual(ids(await log.search({ organisationId: ec2 }, filter)), [], `further party: ${JSON.stringify(filter)}`);
    for (const viewer of [{ organisationId: ec }, { organisationId: psp }, ADMIN]) assert.deepEqual(ids(await log.search(viewer, filter)), [legacy, cut]);
  }
  assert.deepEqual(ids(await log.search({ organisationId: ec2 }, { operation: 'sendPaymentOutcomeV2' })), [legacy, cut], 'still listed to it');
  await db.deleteFrom('pagopa_exchanges').execute();
  await db.deleteFrom('pagopa_exchange_cart_keys').execute();
});

test('a search by token or notice number reads that key\u2019s rows, not the organisation\u2019s (PostgreSQL\u2019s count)', async () => {
  // A PSP with 40,000 messages, four per notice (a month of a small PSP). The statement before migration
  // 0054 joined the parties to the log by id alone, so PostgreSQL read every party row of the PSP (80,000
  // here, 2.4 s for 100,000 messages) to find the 4 rows of a token; a key's rows are a handful, each
  // probed with its (organisation, at, id).
  await database.owner.query(
    `
    INSERT INTO pagopa_exchanges (id, environment, at, direction, operation, psp_organisation_id, ec_organisation_id, station_organisation_id,
      notice_number, token, duration_ms, request, request_bytes, request_truncated)
    SELECT 'msg_p' || lpad(n::text, 25, '0'), 'test', now() - make_interval(secs => n), 'in', 'activatePaymentNoticeV2', $1, 'org_ec' || (n / 4 % 50),
      'org_ec' || (n / 4 % 50), lpad((n / 4)::text, 18, '3'), md5((n / 4)::text), 1, '<a/>', 4, false
    FROM generate_series(1, 40000) AS n`,
    [psp],
  );
  await database.owner.query('ANALYZE pagopa_exchanges; ANALYZE pagopa_exchange_parties; ANALYZE pagopa_exchange_cart_keys');
  const cart = await log.record(
    cartOutcomeExchange(
      psp,
      [
        { n: 80, parties },
        { n: 81, parties: { psp, ec: stranger } },
      ],
      { at: minutes(5) },
    ),
  );
  const { db: watched, notices } = await explainedConnection(database.ownerUrl);
  try {
    const explained = createExchangeLog({ db: watched, clock: fixedClock(NOW) });
    const token = (await database.owner.query<{ token: string }>(`SELECT md5('2000') AS token`)).rows[0]?.token ?? '';
    for (const [viewer, filter, expected] of [
      [{ organisationId: psp }, { token }, 4],
      [{ organisationId: psp }, { noticeNumber: '2000'.padStart(18, '3') }, 4],
      [{ organisationId: 'org_ec0' }, { token }, 4],
      [{ organisationId: psp }, { token: tokenOf(81) }, 1],
      [{ organisationId: stranger }, { noticeNumber: noticeNumber(81) }, 1],
      [ADMIN, { token: tokenOf(81) }, 1],
    ] as const) {
      notices.length = 0;
      const rows = await explained.search(viewer, filter);
      assert.equal(rows.length, expected, JSON.stringify(filter));
      // Every scan's rows (returned, and removed by its filter), over its loops.
      const plans = notices.join('\n');
      let read = 0;
      const lines = plans.split('\n');
      lines.forEach((line, k) => {
        const scan = /Scan[^\n]* on pagopa_exchange\w*.*actual time=\S+ rows=([\d.]+) loops=(\d+)/.exec(line);
        if (!scan) return;
        const removed = /Rows Removed by Filter: (\d+)/.exec(lines.slice(k + 1, k + 4).join('\n'));
        read += Number(scan[1]) * Number(scan[2]) + (removed ? Number(removed[1]) : 0);
      });
      assert.ok(read > 0 && read <= 100, `${read} rows read for ${JSON.stringify(filter)} as ${JSON.stringify(viewer)}\n${plans}`);
    }
    assert.ok(ids(await explained.search({ organisationId: stranger }, { token: tokenOf(81) })).includes(cart));
  } finally {
    await watched.destroy();
    await db.deleteFrom('pagopa_exchanges').execute();
    await db.deleteFrom('pagopa_exchange_parties').execute();
    await db.deleteFrom('pagopa_exchange_cart_keys').execute();
  }
});

test('an upgraded install: rows written before the parties table are read by their parties, from the same version on', async () => {
  const partiesFrom = (await loadMigrations()).find((m) => m.name === 'pagopa_exchange_parties')?.version ?? 0;
  const { url, name } = await createEmptyDatabase();
  const pool = createPool(url, 2);
  const old = createKysely(pool);
  // The older instance writes as the application role, with the grants its own start gave it.
  const appUrl = new URL(testAppUrl());
  appUrl.pathname = `/${name}`;
  const appPool = createPool(appUrl.toString(), 1);
  try {
    await migrate(pool, { target: partiesFrom - 1 });
    await grantAppRole(pool, await currentRole(appPool));
    const rows = [
      { id: 'msg_00000000000000000000000001', at: minutes(3), psp: 'org_p', ec: 'org_e', owner: 'org_o' },
      { id: 'msg_00000000000000000000000002', at: minutes(2), psp: 'org_p', ec: 'org_e', owner: 'org_e' },
      { id: 'msg_00000000000000000000000003', at: minutes(1), psp: 'org_q', ec: null, owner: null },
    ];
    // As the older Varco writes them (no further parties).
    const write = (writer: typeof pool, r: { id: string; at: Date; psp: string; ec: string | null; owner: string | null }) =>
      writer.query(
        `INSERT INTO pagopa_exchanges (id, environment, at, direction, operation, psp_organisation_id, ec_organisation_id, station_organisation_id,
           duration_ms, request, request_bytes, request_truncated) VALUES ($1, 'test', $2, 'in', 'activatePaymentNotice', $3, $4, $5, 1, '<a/>', 4, false)`,
        [r.id, r.at, r.psp, r.ec, r.owner],
      );
    for (const r of rows) await write(pool, r);
    // An older instance still running writes on while the new one migrates, and a little after (before
    // the new one's grants).
    let migrating = true;
    let written = 0;
    const olderInstance = (async () => {
      for (let after = 0; after < 5; written++) {
        await write(appPool, { id: `msg_1${String(written).padStart(25, '0')}`, at: new Date(NOW.getTime() + written), psp: 'org_w', ec: null, owner: null });
        if (!migrating) after++;
      }
    })();
    await migrate(pool);
    migrating = false;
    await olderInstance;
    const missing = await pool.query(`SELECT e.id FROM pagopa_exchanges e WHERE NOT EXISTS (
      SELECT 1 FROM pagopa_exchange_parties p WHERE p.exchange_id = e.id AND p.organisation_id = e.psp_organisation_id)`);
    assert.deepEqual(missing.rows, [], `every one of the ${written} rows written during the upgrade has its parties`);
    const upgraded = createExchangeLog({ db: old, clock: fixedClock(NOW) });
    const [first, second, third] = rows.map((r) => r.id);
    assert.deepEqual(ids(await upgraded.search({ organisationId: 'org_p' })), [second, first]);
    assert.deepEqual(ids(await upgraded.search({ organisationId: 'org_e' })), [second, first], 'once, also where the EC owns the station');
    assert.equal((await upgraded.search({ organisationId: 'org_w' }, { limit: 200 })).length, Math.min(written, 200));
    assert.deepEqual(ids(await upgraded.search({ organisationId: 'org_o' })), [first]);
    assert.deepEqual(ids(await upgraded.search({ organisationId: 'org_q' })), [third]);
    assert.equal((await upgraded.get({ organisationId: 'org_o' }, first ?? ''))?.id, first);
    assert.equal(await upgraded.get({ organisationId: 'org_o' }, second ?? ''), undefined);
    assert.equal(await hasExchanges(old, 'org_q'), true);
    assert.equal(await hasExchanges(old, 'org_x'), false);
    assert.deepEqual((await upgraded.get(ADMIN, third ?? ''))?.furtherOrganisationIds, []);
  } finally {
    await appPool.end();
    await old.destroy();
  }
});

test('search by environment, notice number, token, fault code and operation', async () => {
  const a = await log.record(activateExchange(parties, { n: 20, at: minutes(20) }));
  const b = await log.record(activateExchange(parties, { n: 21, at: minutes(19), fault: 'PPT_PAGAMENTO_IN_CORSO' }));
  const c = await log.record(getPaymentExchange(parties, { n: 20, at: minutes(18) }));
  const d = await log.record(activateExchange(parties, { n: 22, at: minutes(17), env: 'prod', fault: 'PPT_DOMINIO_SCONOSCIUTO' }));
  for (const viewer of [{ organisationId: psp }, ADMIN]) {
    assert.deepEqual(ids(await log.search(viewer, { env: 'prod' })), [d]);
    assert.deepEqual(ids(await log.search(viewer, { env: 'test' })), [c, b, a]);
    assert.deepEqual(ids(await log.search(viewer, { noticeNumber: noticeNumber(20) })), [c, a]);
    assert.deepEqual(ids(await log.search(viewer, { token: tokenOf(20) })), [c, a]);
    assert.deepEqual(ids(await log.search(viewer, { faultCode: 'PPT_PAGAMENTO_IN_CORSO' })), [b]);
    assert.deepEqual(ids(await log.search(viewer, { operation: 'paGetPayment' })), [c]);
    assert.deepEqual(ids(await log.search(viewer, { operation: 'activatePaymentNotice', env: 'test', noticeNumber: noticeNumber(21) })), [b]);
    assert.deepEqual(ids(await log.search(viewer, { noticeNumber: 'nothing' })), []);
  }
  const row = (await log.search(ADMIN, { faultCode: 'PPT_DOMINIO_SCONOSCIUTO' }))[0];
  assert.equal(row?.outcome, 'KO');
  assert.equal(row?.token, null);
  assert.equal(row?.stationCode, '77777777777_01');
  await db.deleteFrom('pagopa_exchanges').execute();
});

test('cursor pages: newest first, every row once, ties on the same instant ordered by id', async () => {
  const made: string[] = [];
  for (let n = 0; n < 11; n++) made.push(await log.record(activateExchange(parties, { n: 100 + n, at: minutes(n < 4 ? 30 : 30 - n) })));
  const expected = (await log.search(ADMIN, { limit: 200 })).map((r) => r.id);
  assert.equal(expected.length, 11);
  for (const viewer of [{ organisationId: ec }, ADMIN]) {
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await log.search(viewer, { limit: 3, before });
      seen.push(...ids(rows));
      if (rows.length < 3) break;
      before = rows.at(-1)?.cursor;
    }
    assert.deepEqual(seen, expected);
  }
  const times = (await log.search(ADMIN, { limit: 200 })).map((r) => r.at.getTime());
  assert.deepEqual(
    times,
    [...times].sort((x, y) => y - x),
    'newest first',
  );
  await assert.rejects(log.search(ADMIN, { before: 'garbage' }), (error: unknown) => isVarcoError(error) && error.code === 'validation_failed');
  assert.equal((await log.search(ADMIN, { limit: 10_000 })).length, 11, 'the limit is capped, not refused');
  await db.deleteFrom('pagopa_exchanges').execute();
});

test('retention: the job deletes exchanges older than VARCO_RETENTION_EXCHANGES_DAYS (default 30), in batches, by the injected clock', async () => {
  const config = await testConfig({ DATABASE_URL: database.url });
  assert.equal(config.retention.exchangesDays, 30);
  const DAY = 24 * 3600_000;
  const kept: string[] = [];
  for (const days of [45, 31, 30.01, 30.5]) await log.record(activateExchange(parties, { n: 200, at: new Date(NOW.getTime() - days * DAY) }));
  for (const days of [29.99, 3, 0]) kept.push(await log.record(activateExchange(parties, { n: 201, at: new Date(NOW.getTime() - days * DAY) })));
  const clock = fixedClock(NOW);
  const runner = createJobRunner({
    db,
    clock,
    logger: { info: () => undefined, warn: () => undefined },
    owner: 'test',
    jobs: retentionJobs({ db, retention: config.retention }).filter((job) => job.name === 'retention.pagopa_exchanges'),
  });
  assert.deepEqual(
    (await runner.runDue()).map((o) => [o.name, o.report?.deleted]),
    [['retention.pagopa_exchanges', 4]],
  );
  assert.deepEqual(ids(await log.search(ADMIN)).sort(), [...kept].sort());
  // Small batches: every old row goes, in several statements.
  for (let i = 0; i < 5; i++) await log.record(activateExchange(parties, { n: 300 + i, at: new Date(NOW.getTime() - 40 * DAY) }));
  assert.equal(await pruneExchanges(db, new Date(NOW.getTime() - 30 * DAY), 2), 5);
  assert.deepEqual(ids(await log.search(ADMIN)).sort(), [...kept].sort());
  // Their parties went with them (a cart's further ones too), and a cart's keys; the kept rows' stay.
  const cart = await log.record({ ...activateExchange(parties, { n: 400, at: new Date(NOW.getTime() - 40 * DAY) }), furtherOrganisationIds: [stranger] });
  const outcome = await log.record(
    cartOutcomeExchange(
      psp,
      [
        { n: 401, parties },
        { n: 402, parties: { psp, ec: stranger } },
      ],
      { at: new Date(NOW.getTime() - 40 * DAY) },
    ),
  );
  const keptCart = await log.record(cartOutcomeExchange(psp, [{ n: 403, parties }, { n: 404 }], { at: minutes(1) }));
  kept.push(keptCart);
  assert.equal(await pruneExchanges(db, new Date(NOW.getTime() - 30 * DAY), 2), 2);
  const left = await db
    .selectFrom('pagopa_exchange_parties')
    .select('exchange_id')
    .where('at', '<', new Date(NOW.getTime() - 30 * DAY))
    .execute();
  assert.deepEqual(left, [], `no party row of ${cart}, ${outcome} or of the older rows is left`);
  const keys = await db.selectFrom('pagopa_exchange_cart_keys').select('exchange_id').distinct().execute();
  assert.deepEqual(keys, [{ exchange_id: keptCart }], 'the pruned cart\u2019s keys went with it');
  for (const org of [psp, ec, partner]) assert.deepEqual(ids(await log.search({ organisationId: org })).sort(), [...kept].sort());
  await db.deleteFrom('pagopa_exchanges').execute();
});
