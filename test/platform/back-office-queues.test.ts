// The back office home's work queues (issue 14): counts and the oldest item's age per queue, each
// linking to the filtered list that clears it; the deliveries given up are resent from there after a
// confirmation. Real app, real PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enqueueHttpMessage } from '../../src/modules/delivery/index.ts';
import { formatAge } from '../../src/views/format.ts';
import { buildTestApp } from '../support/app.ts';
import { registerStation } from '../stations/support.ts';
import { Browser, createAdmin, createOrganisation, createReferent, productId } from '../support/subscriptions.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const admin = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);
const DAY = 86_400_000;

const queueRow = (body: string, name: string) => new RegExp(`<tr data-queue="${name}">(.*?)</tr>`, 's').exec(body)?.[1];

test('an empty installation says every queue is clear', async () => {
  const home = await admin.get('/admin');
  assert.equal(home.statusCode, 200);
  assert.match(home.body, /id="queues-clear"/);
});

test('each queue shows how many wait and the oldest age, in the admin’s language, and links to the list that clears it', async () => {
  const org = await createOrganisation(db, 'Banca Queue');
  const referent = await createReferent(db, org, ['node']);
  const asReferent = { type: 'referent' as const, id: referent.id, ip: null, organisationId: org };
  // A subscription request waiting for three days.
  const sub = await services.subscriptions.subscribe({ productId: await productId(db, 'node'), environment: 'test', name: 'Queue test' }, asReferent);
  assert.ok(sub.ok);
  await db
    .updateTable('subscriptions')
    .set({ state_changed_at: new Date(Date.now() - 3 * DAY - 60_000) })
    .where('id', '=', sub.value.id)
    .execute();
  // A station to review, and a station whose last verification failed.
  await registerStation(services, org, { code: 'QUEUE_01', host: 'pa.queue.example', ip: '93.184.215.30' }, asReferent);
  const failingId = await registerStation(services, org, { code: 'QUEUE_02', host: 'pb.queue.example', ip: '93.184.215.31' }, asReferent);
  await db
    .updateTable('stations')
    .set({ connection_state: 'failing', last_check_at: new Date(Date.now() - 5 * 3_600_000 - 60_000) })
    .where('id', '=', failingId)
    .execute();
  // Two deliveries given up.
  for (const n of [1, 2]) {
    const id = await db.transaction().execute(
      async (trx) =>
        (
          await enqueueHttpMessage(trx, {
            env: 'test',
            method: 'POST',
            url: 'https://shop.example/fb',
            body: `n=${n}`,
            organisationId: org,
            subjectType: 'order',
            subjectId: `ord_q${n}`,
          })
        ).id,
    );
    await db.updateTable('outbox').set({ state: 'exhausted', attempts: 201, last_error: 'HTTP 503' }).where('id', '=', id).execute();
  }

  const home = (await admin.get('/admin')).body;
  assert.doesNotMatch(home, /id="queues-clear"/);
  const subs = queueRow(home, 'subscriptions');
  assert.ok(subs, home);
  assert.match(subs, /href="\/admin\/subscriptions\?state=submitted"/);
  assert.match(subs, />1</);
  assert.match(subs, /3 days ago/);
  assert.match(queueRow(home, 'stationsToReview') ?? '', /href="\/admin\/stations\?filter=to_check"/);
  assert.match(queueRow(home, 'stationsFailing') ?? '', /5 hours ago/);
  assert.match(queueRow(home, 'deliveriesExhausted') ?? '', />2</);
  assert.equal(queueRow(home, 'certificatesExpiring'), undefined, 'an empty queue is not listed');
  const italian = (await admin.get('/admin?lang=it')).body;
  assert.match(queueRow(italian, 'subscriptions') ?? '', /3 giorni fa/);

  assert.match((await admin.get('/admin/subscriptions?state=submitted')).body, /Queue test/);
  const failingList = (await admin.get('/admin/stations?filter=failing')).body;
  assert.match(failingList, /QUEUE_02/);
  assert.doesNotMatch(failingList, /QUEUE_01/, 'only the failing station');
  const deliveries = (await admin.get('/admin/deliveries')).body;
  assert.match(deliveries, /ord_q1/);
  assert.match(deliveries, /HTTP 503/);
  const csv = await admin.get('/admin/deliveries.csv');
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  assert.match(csv.body, /^\uFEFFcreated_at,id,channel/);
  assert.equal((csv.body.match(/ord_q\d/g) ?? []).length, 2);
});

test('resend all asks first with the number and what happens, asks again when the number changed, then resends and clears the queue', async () => {
  const before = await db.selectFrom('outbox').select('id').where('state', '=', 'exhausted').execute();
  assert.ok(before.length > 0);
  const ask = await admin.post('/admin/deliveries/resend');
  assert.equal(ask.statusCode, 200);
  assert.match(ask.body, new RegExp(`${before.length} message\\(s\\) will be tried once more`));
  assert.equal((await db.selectFrom('outbox').select('id').where('state', '=', 'exhausted').execute()).length, before.length, 'asking changes nothing');

  const stale = await admin.post('/admin/deliveries/resend', { confirm: String(before.length + 5) });
  assert.equal(stale.statusCode, 200, 'a confirmation for another number asks again');
  assert.match(stale.body, /will be tried once more/);

  const done = await admin.post('/admin/deliveries/resend', { confirm: String(before.length) });
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, `/admin/deliveries?resent=${before.length}`);
  assert.equal((await db.selectFrom('outbox').select('id').where('state', '=', 'exhausted').execute()).length, 0);
  const audit = await db.selectFrom('audit_log').select(['actor_type', 'details']).where('action', '=', 'outbox.resent').execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]?.actor_type, 'admin');
  assert.equal(queueRow((await admin.get('/admin')).body, 'deliveriesExhausted'), undefined);
});

test('a referent cannot see or use the deliveries queue', async () => {
  const org = await createOrganisation(db);
  const referent = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['node'])).email);
  // The portal session does not reach the back office (its cookie is scoped to /portal).
  assert.equal((await referent.get('/admin/deliveries')).statusCode, 303);
  assert.equal((await referent.post('/admin/deliveries/resend', { confirm: '1' })).statusCode, 403);
});

test('ages read in each language', () => {
  assert.equal(formatAge('en', 2 * DAY + 5), '2 days');
  assert.equal(formatAge('it', 2 * DAY + 5), '2 giorni');
  assert.equal(formatAge('en', 3_600_000), '1 hour');
  assert.equal(formatAge('it', 30_000), '1 minuto');
});
