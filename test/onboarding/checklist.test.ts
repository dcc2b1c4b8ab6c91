// The portal home's onboarding checklist (issue 14): the steps for the organisation's kind, each
// marked done from the real records, the next one linked. Real app, real PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { createMerchant, postEntry, signedOrder } from '../support/ecommerce.ts';
import { registerStation } from '../stations/support.ts';
import { Browser, createOrganisation, createReferent, productId } from '../support/subscriptions.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const CLI = { type: 'cli', id: null, ip: null } as const;

type Kind = 'creditor_institution' | 'psp' | 'merchant' | 'technology_partner';
async function setKind(organisationId: string, type: Kind): Promise<void> {
  await db.updateTable('organisations').set({ type }).where('id', '=', organisationId).execute();
}

/** The checklist as the referent sees it: step id → state. */
async function checklist(browser: Browser, lang = 'en'): Promise<{ states: Record<string, string>; body: string }> {
  const body = (await browser.get(`/portal?lang=${lang}`)).body;
  const states = Object.fromEntries([...body.matchAll(/<li data-step="(\w+)" data-state="(\w+)">/g)].map((m) => [m[1], m[2]]));
  return { states, body };
}

test('a creditor institution: subscription → approval → keys → station → verification → first message, each from its records', async () => {
  const org = await createOrganisation(db);
  await setKind(org, 'creditor_institution');
  const referent = await createReferent(db, org, ['node']);
  const browser = await new Browser(app, 'portal').signIn(referent.email);

  let seen = await checklist(browser);
  assert.deepEqual(seen.states, {
    profile: 'done',
    subscription: 'next',
    approval: 'todo',
    keys: 'todo',
    station: 'todo',
    verification: 'todo',
    first: 'todo',
  });
  assert.match(seen.body, /<a href="\/portal\/products"><strong>Request a subscription/);

  const asReferent = { type: 'referent' as const, id: referent.id, ip: null, organisationId: org };
  const sub = await services.subscriptions.subscribe({ productId: await productId(db, 'node'), environment: 'test', name: 'EC test' }, asReferent);
  assert.ok(sub.ok);
  assert.equal((await checklist(browser)).states.approval, 'next', 'submitted, waiting for approval');

  await services.subscriptions.change(sub.value.id, 'approve', CLI);
  assert.equal((await checklist(browser)).states.keys, 'next', 'approved; keys not revealed yet');
  await db.updateTable('api_keys').set({ revealed_at: new Date() }).where('subscription_id', '=', sub.value.id).execute();

  const stationId = await registerStation(services, org, { code: 'CHECK_01', host: 'pa.check.example', ip: '93.184.215.40' }, asReferent);
  assert.equal((await checklist(browser)).states.station, 'next', 'registered but not approved yet');
  assert.ok((await services.stations.reviewStation(stationId, 'approve', '', CLI)).ok);
  seen = await checklist(browser);
  assert.equal(seen.states.verification, 'next');
  assert.match(seen.body, /<a href="\/portal\/stations"><strong>Two-way verification/);

  await db.updateTable('stations').set({ connection_state: 'verified' }).where('id', '=', stationId).execute();
  assert.equal((await checklist(browser)).states.first, 'next');
  const italian = await checklist(browser, 'it');
  assert.match(italian.body, /Primo messaggio pagoPA attraverso Varco/);
  assert.match(italian.body, /✓ fatto/);
});

test('a merchant: technical settings and the first order instead of the station; all set once an order arrives', async () => {
  const merchant = await createMerchant(t);
  await setKind(merchant.organisationId, 'merchant');
  const browser = await new Browser(app, 'portal').signIn((await createReferent(db, merchant.organisationId, ['ecommerce'])).email);
  await db
    .updateTable('api_keys')
    .set({ revealed_at: new Date() })
    .where('subscription_id', 'in', db.selectFrom('subscriptions').select('id').where('organisation_id', '=', merchant.organisationId))
    .execute();
  let seen = await checklist(browser);
  assert.deepEqual(Object.keys(seen.states), ['profile', 'subscription', 'approval', 'keys', 'settings', 'first']);
  assert.equal(seen.states.settings, 'done', 'the SHA-IN passphrase is set');
  assert.equal(seen.states.first, 'next');
  assert.match(seen.body, /<a href="\/portal\/orders"><strong>First order from your shop/, 'the next step links where the orders show');
  assert.doesNotMatch(seen.body, /id="checklist-done"/);

  assert.equal((await postEntry(app, signedOrder(merchant, 'check-1'))).statusCode, 303);
  seen = await checklist(browser);
  assert.equal(seen.states.first, 'done');
  assert.match(seen.body, /id="checklist-done"/);
});

test('a PSP: a first call with the key instead of a station; another organisation’s progress does not count', async () => {
  const org = await createOrganisation(db);
  const other = await createOrganisation(db);
  await setKind(org, 'psp');
  const browser = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['node'])).email);
  // The other organisation is far ahead: none of it shows here.
  const issued = await services.apiKeys.createActive({ organisationId: other, productCode: 'node', environment: 'test' }, CLI);
  assert.ok(issued.ok);
  const seen = await checklist(browser);
  assert.deepEqual(Object.keys(seen.states), ['profile', 'subscription', 'approval', 'keys', 'inbound', 'first']);
  assert.equal(seen.states.subscription, 'next');
  assert.match(seen.body, /href="\/api\/docs"/, 'the portal links the API documentation');
});

test('a technology partner: its first message is one that reached a station it owns, for whichever EC', async () => {
  const partner = await createOrganisation(db);
  await setKind(partner, 'technology_partner');
  const browser = await new Browser(app, 'portal').signIn((await createReferent(db, partner, ['node'])).email);
  assert.notEqual((await checklist(browser)).states.first, 'done');
  const ec = await createOrganisation(db);
  await db
    .insertInto('pagopa_exchanges')
    .values({
      id: 'msg_01kaaaaaaaaaaaaaaaaaaaaaaa',
      environment: 'test',
      at: new Date(),
      direction: 'out',
      operation: 'paVerifyPaymentNotice',
      ec_organisation_id: ec,
      station_organisation_id: partner,
      duration_ms: 12,
      request: '<soap/>',
      request_bytes: 7,
      request_truncated: false,
    })
    .execute();
  assert.equal((await checklist(browser)).states.first, 'done');
});
