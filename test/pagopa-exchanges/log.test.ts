import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { isVarcoError } from '../../src/kernel/errors.ts';
import { createExchangeLog, MAX_MESSAGE_BYTES, pruneExchanges, type ExchangeRow, type ExchangeViewer } from '../../src/modules/pagopa-exchanges/index.ts';
import { createJobRunner } from '../../src/app/jobs.ts';
import { retentionJobs } from '../../src/app/retention.ts';
import { testConfig } from '../support/app.ts';
import { createTestDatabase } from '../support/db.ts';
import { createOrganisation } from '../support/subscriptions.ts';
import { activateExchange, CHANNEL_PASSWORD, getPaymentExchange, noticeNumber, tokenOf } from './support.ts';

// Issue 11, exchange log: what `record` stores (one INSERT; passwords masked in every column, in odd,
// truncated and malformed messages; sizes bounded; odd bytes stored, not refused) and what `search`
// and `get` give each viewer (only the rows its organisation is party to; filters; cursor pages), and
// the retention job.

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
  assert.equal(statements.length, 1);
  assert.match(statements[0] ?? '', /^insert into "pagopa_exchanges"/);
  await db.deleteFrom('pagopa_exchanges').execute();
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
  await db.deleteFrom('pagopa_exchanges').execute();
});
