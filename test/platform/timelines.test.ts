// Timelines (issue 14): what happened to a subscription, a station and an order, oldest first, with
// who did it — an organisation sees its own people by e-mail and Varco's administrators only as such.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { createApiUser, ncAnswer, postDirect, signedDirect } from '../support/directlink.ts';
import { createMerchant, payLocation, postCard, postEntry, SHA_OUT, signedOrder } from '../support/ecommerce.ts';
import { registerStation } from '../stations/support.ts';
import { Browser, createAdmin, createOrganisation, createReferent, productId } from '../support/subscriptions.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const adminEmail = (await createAdmin(services)).email;
const admin = await new Browser(app, 'admin').signIn(adminEmail);

/** The timeline's lines as [action, text], oldest first. */
function timeline(body: string): Array<[string, string]> {
  const section = /<section aria-labelledby="timeline">(.*?)<\/section>/s.exec(body)?.[1] ?? '';
  return [...section.matchAll(/<li data-action="([^"]+)">(.*?)<\/li>/gs)].map((m) => [m[1] ?? '', (m[2] ?? '').replace(/<[^>]+>/g, '')]);
}

test('a subscription: requested by the referent, approved by the administrator, in order and in Italian too', async () => {
  const org = await createOrganisation(db);
  const referent = await createReferent(db, org, ['node']);
  const sub = await services.subscriptions.subscribe(
    { productId: await productId(db, 'node'), environment: 'test', name: 'Timeline sub' },
    { type: 'referent', id: referent.id, ip: null },
  );
  assert.ok(sub.ok);
  assert.equal((await admin.post(`/admin/subscriptions/${sub.value.id}/approve`, { comment: '' })).statusCode, 303);
  const lines = timeline((await admin.get(`/admin/subscriptions/${sub.value.id}`)).body);
  assert.deepEqual(
    lines.map(([action]) => action),
    ['subscription.submitted', 'subscription.approved'],
  );
  assert.match(lines[0]?.[1] ?? '', new RegExp(`Subscription requested · ${referent.email}`));
  assert.match(lines[1]?.[1] ?? '', new RegExp(`Subscription approved · ${adminEmail}`));
  const italian = timeline((await admin.get(`/admin/subscriptions/${sub.value.id}?lang=it`)).body);
  assert.match(italian[1]?.[1] ?? '', /Sottoscrizione approvata/);
});

test('a station: the organisation sees its referent by e-mail and the administrator only as an administrator', async () => {
  const org = await createOrganisation(db);
  const referent = await createReferent(db, org, ['node']);
  const asReferent = { type: 'referent' as const, id: referent.id, ip: null, organisationId: org };
  const stationId = await registerStation(services, org, { code: 'TIME_01', host: 'pa.time.example', ip: '93.184.215.50' }, asReferent);
  const adminRow = await db.selectFrom('users').select('id').where('email', '=', adminEmail).executeTakeFirstOrThrow();
  assert.ok((await services.stations.reviewStation(stationId, 'approve', 'looks right', { type: 'admin', id: adminRow.id, ip: null })).ok);

  const portal = await new Browser(app, 'portal').signIn(referent.email);
  const seen = timeline((await portal.get(`/portal/stations/${stationId}`)).body);
  assert.deepEqual(
    seen.map(([action]) => action),
    ['station.registered', 'station.approved'],
  );
  assert.match(seen[0]?.[1] ?? '', new RegExp(referent.email));
  assert.match(seen[1]?.[1] ?? '', /a Varco administrator/);
  assert.doesNotMatch(JSON.stringify(seen), new RegExp(adminEmail), 'no administrator e-mail on the portal');
  const back = timeline((await admin.get(`/admin/stations/${stationId}`)).body);
  assert.match(back[1]?.[1] ?? '', new RegExp(adminEmail));

  // Another organisation's referent cannot open it (and so not its timeline).
  const stranger = await new Browser(app, 'portal').signIn((await createReferent(db, await createOrganisation(db), ['node'])).email);
  assert.equal((await stranger.get(`/portal/stations/${stationId}`)).statusCode, 404);
});

test('an order: received, then the payment, in order', async () => {
  const merchant = await createMerchant(t);
  const pay = payLocation(await postEntry(app, signedOrder(merchant, 'time-1')));
  assert.ok((await postCard(app, pay)).statusCode < 400);
  const portal = await new Browser(app, 'portal').signIn((await createReferent(db, merchant.organisationId, ['ecommerce'])).email);
  const lines = timeline((await portal.get(`/portal/orders/${pay.orderId}`)).body);
  assert.deepEqual(
    lines.slice(0, 2).map(([action]) => action),
    ['order.created', 'order.payment_authorised'],
  );
  assert.match(lines[1]?.[1] ?? '', /Payment authorised · the customer/);
});

test('a DirectLink order: its payment and capture by the shop’s server, a refund by a referent, each feedback labelled with what it notified', async () => {
  const merchant = await createMerchant(t, {
    settings: { s2sTiming: 'deferred', s2sUrlAccepted: 'https://shop.example/status', shaOut: { action: 'set', value: SHA_OUT, confirm: SHA_OUT } },
  });
  const user = await createApiUser(t, merchant, 'time-api');
  const direct = async (page: 'orderdirect.asp' | 'maintenancedirect.asp', fields: Array<[string, string]>) =>
    ncAnswer(await postDirect(app, page, signedDirect(merchant, user, fields))).attributes;
  const paid = await direct('orderdirect.asp', [
    ['ORDERID', 'time-dl'],
    ['AMOUNT', '1500'],
    ['CURRENCY', 'EUR'],
    ['CARDNO', '4111111111111111'],
    ['ED', '1234'],
    ['OPERATION', 'RES'],
  ]);
  const payId = paid.get('PAYID') ?? '';
  assert.equal(
    (
      await direct('maintenancedirect.asp', [
        ['PAYID', payId],
        ['OPERATION', 'SAL'],
        ['AMOUNT', '700'],
      ])
    ).get('STATUS'),
    '9',
  );
  const order = await db.selectFrom('orders').select('id').where('pay_id', '=', Number(payId)).executeTakeFirstOrThrow();
  const referent = await createReferent(db, merchant.organisationId, ['ecommerce']);
  const refunded = await services.hostedPage.operations.maintain({ orderId: order.id, organisationId: merchant.organisationId }, 'RFD', 200, {
    type: 'referent',
    id: referent.id,
  });
  assert.ok(refunded.ok);
  const portal = await new Browser(app, 'portal').signIn(referent.email);
  const page = (await portal.get(`/portal/orders/${order.id}`)).body;
  const lines = timeline(page);
  assert.deepEqual(
    lines.map(([action]) => action),
    ['order.created', 'order.payment_authorised', 'order.operation_SAL', 'order.operation_RFD'],
  );
  assert.match(lines[1]?.[1] ?? '', /Payment authorised · the shop’s server \(DirectLink\)/);
  assert.match(lines[2]?.[1] ?? '', /Capture · the shop’s server \(DirectLink\) · PAYIDSUB 1 · €7\.00 · STATUS 9 · Captured/);
  assert.match(lines[3]?.[1] ?? '', /Refund · a referent of the organisation · PAYIDSUB 2 · €2\.00 · STATUS 8 · Refunded/);
  const headings = [...page.matchAll(/<h3>([^<]*(?:<[^>]+>[^<]*)*?)<\/h3>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ''));
  assert.deepEqual(
    headings.filter((h) => h.includes('shop.example')),
    ['POST https://shop.example/status', 'PAYIDSUB 1 · POST https://shop.example/status', 'PAYIDSUB 2 · POST https://shop.example/status'],
    'each feedback says what it notified',
  );
  assert.match(timeline((await portal.get(`/portal/orders/${order.id}?lang=it`)).body)[2]?.[1] ?? '', /Incasso · il server del negozio \(DirectLink\)/);
});

test('a long timeline shows its newest events: a station that changed state hundreds of times still shows its latest approval', async () => {
  const org = await createOrganisation(db);
  const referent = await createReferent(db, org, ['node']);
  const asReferent = { type: 'referent' as const, id: referent.id, ip: null, organisationId: org };
  const stationId = await registerStation(services, org, { code: 'TIME_02', host: 'pa.time2.example', ip: '93.184.215.51' }, asReferent);
  // A station whose checks flapped for months: 250 state changes, as the verification service records them.
  await db.transaction().execute(async (trx) => {
    for (let n = 0; n < 250; n++) {
      const to = n % 2 === 0 ? 'failing' : 'verified';
      await t.audit.append(trx, {
        actorType: 'system',
        action: `station.connection_${to}`,
        subjectType: 'station',
        subjectId: stationId,
        organisationId: org,
        details: { from: n % 2 === 0 ? 'verified' : 'failing', to, trigger: 'scheduled' },
      });
    }
  });
  const adminRow = await db.selectFrom('users').select('id').where('email', '=', adminEmail).executeTakeFirstOrThrow();
  assert.ok((await services.stations.reviewStation(stationId, 'approve', 'approved at last', { type: 'admin', id: adminRow.id, ip: null })).ok);

  const portal = await new Browser(app, 'portal').signIn(referent.email);
  for (const lines of [timeline((await portal.get(`/portal/stations/${stationId}`)).body), timeline((await admin.get(`/admin/stations/${stationId}`)).body)]) {
    assert.equal(lines.length, 200, 'at most 200 events');
    assert.equal(lines.at(-1)?.[0], 'station.approved', 'the newest event is shown, last (oldest first)');
    assert.match(lines.at(-1)?.[1] ?? '', /approved at last/);
    assert.deepEqual(
      lines.slice(-3, -1).map(([action]) => action),
      ['station.connection_failing', 'station.connection_verified'],
      'in order',
    );
  }
});
