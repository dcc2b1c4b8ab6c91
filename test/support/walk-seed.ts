import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buildTestApp, type TestApp } from './app.ts';
import { tempDevPki } from './tls.ts';
import { PASSWORD, createAdmin, createReferent, issueKeys } from './subscriptions.ts';
import { SHA_IN, signedOrder, postEntry, payLocation, postCard } from './ecommerce.ts';
import { activateOk, createEcOrganisation, noticeNumber, payable, registerPsp, stationEc } from './pagopa-node.ts';
import { startEcStation } from './ec-station.ts';
import { activateExchange, getPaymentExchange } from '../pagopa-exchanges/support.ts';
import { paidPayment, schedule } from '../pagopa-receipts/support.ts';

// One Varco with something on every page, for the walk through the portal and the back office
// (test/e2e/walk.test.ts): a creditor institution with its real EC station (verified: the check
// history shows every step), subscriptions, a merchant with a paid order and an error, the pagoPA
// registry, a token of the node (activated at the simulated station), messages and receipts, a
// simulator scenario, an invitation and the mails they queued.

const CLI = { type: 'cli', id: null, ip: null } as const;

export interface WalkUser {
  email: string;
  password: string;
}

export interface Walk {
  t: TestApp;
  baseUrl: string;
  /** The server certificate Chromium pins. */
  serverCertificate: string;
  admins: Record<'it' | 'en', WalkUser>;
  referents: Record<'it' | 'en', WalkUser>;
  ids: {
    organisation: string;
    subscription: string;
    station: string;
    merchant: string;
    order: string;
    exchange: string;
    receipt: string;
    payment: string;
    scenario: string;
    mail: string;
    invitationToken: string;
    pay: string;
  };
}

async function merchantWithOrders(t: TestApp, organisationId: string): Promise<{ merchant: string; order: string; pay: string }> {
  await issueKeys(t.services, organisationId, 'ecommerce', 'test');
  const created = await t.services.merchants.create({ organisationId, pspid: 'COMUNEPROVA' }, CLI);
  assert.ok(created.ok);
  const updated = await t.services.merchants.updateSettings(created.value.id, 'test', { shaIn: { action: 'set', value: SHA_IN, confirm: SHA_IN } }, CLI);
  assert.ok(updated.ok, JSON.stringify(updated));
  t.services.hostedPage.configs.invalidate();
  const m = { organisationId, merchantId: created.value.id, pspid: 'COMUNEPROVA' };
  const paid = payLocation(await postEntry(t.app, signedOrder(m, 'ORD-1001', [['AMOUNT', '1250']])));
  assert.ok((await postCard(t.app, paid)).statusCode < 400);
  // An order left open for the payment page, and a tampered one for the error log.
  const open = payLocation(await postEntry(t.app, signedOrder(m, 'ORD-1002', [['LANGUAGE', 'it_IT']])));
  const tampered = signedOrder(m, 'ORD-1003').map(([n, v]): [string, string] => [n, n === 'AMOUNT' ? '1' : v]);
  await postEntry(t.app, tampered);
  return { merchant: created.value.id, order: paid.orderId, pay: open.path };
}

export async function seedWalk(): Promise<Walk> {
  const devPki = await tempDevPki(['localhost']);
  const t = await buildTestApp({ tls: { cert: devPki.server.chainPem, key: devPki.server.keyPem } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `https://localhost:${(t.app.server.address() as AddressInfo).port}`;
  const { services } = t;
  const db = t.database.db;

  const admins = {
    it: { email: (await createAdmin(services)).email, password: PASSWORD },
    en: { email: (await createAdmin(services)).email, password: PASSWORD },
  };
  const psp = await registerPsp(services, t, 'Banca Pagatrice');
  const ec = await createEcOrganisation(t, 'Comune Esempio');
  const platform = await services.platformCertificates.downloads('test');
  const ecStation = await startEcStation({ ecs: { fiscalCode: ec.fiscalCode, name: ec.name }, clientCas: [platform.caPem], primitiveVersion: 2 });
  const { stationId } = await stationEc(services, ec, ecStation, { version: 2 });
  assert.ok((await services.verification.verify(stationId, 'cli')).ok);
  const referents = {
    it: { email: (await createReferent(db, ec.organisationId, ['node', 'ecommerce'], 'en')).email, password: PASSWORD },
    en: { email: (await createReferent(db, ec.organisationId, ['node', 'ecommerce'], 'it')).email, password: PASSWORD },
  };
  const subscription = (await issueKeys(services, ec.organisationId, 'node', 'test')).id;

  assert.ok((await services.pagopaSimulator.settings.updateSettings(ec.organisationId, { enabled: true, primitiveVersion: 2 }, CLI)).ok);
  const scenario = await services.pagopaSimulator.settings.addScenario(ec.organisationId, payable('3*', ec.fiscalCode), undefined, CLI);
  assert.ok(scenario.ok, JSON.stringify(scenario));

  // A token the PSP holds on one of the EC's notices (the scenario's 120.00 €).
  const payment = await activateOk(t.app, psp, ec, noticeNumber(), 12_000);

  const shop = await merchantWithOrders(t, ec.organisationId);
  const parties = { psp: psp.organisationId, ec: ec.organisationId, stationOwner: ec.organisationId, stationId };
  const ago = (minutes: number): Date => new Date(Date.now() - minutes * 60_000);
  const exchange = await services.exchanges.record(activateExchange(parties, { n: 1, at: ago(30) }));
  await services.exchanges.record(getPaymentExchange(parties, { n: 1, at: ago(29) }));
  const [receipt = ''] = await schedule(
    services,
    db,
    paidPayment({ version: 2, fiscalCode: ec.fiscalCode, ecOrganisationId: ec.organisationId, pspOrganisationId: psp.organisationId }),
  );

  const node = (await db.selectFrom('products').select('id').where('code', '=', 'node').executeTakeFirstOrThrow()).id;
  const invited = await services.invitations.invite(
    { organisationId: ec.organisationId, firstName: 'Carla', lastName: 'Bianchi', email: 'carla.bianchi@comune.example', locale: 'it', productIds: [node] },
    CLI,
  );
  assert.ok(invited.ok);
  const link = await services.invitations.mintLink(invited.value.id);
  assert.ok(link.ok);
  const mail = (await db.selectFrom('outbox').select('id').orderBy('created_at').executeTakeFirstOrThrow()).id;

  return {
    t,
    baseUrl,
    serverCertificate: devPki.server.certPem,
    admins,
    referents,
    ids: {
      organisation: ec.organisationId,
      subscription,
      station: stationId,
      merchant: shop.merchant,
      order: shop.order,
      exchange,
      receipt,
      payment,
      scenario: scenario.value.id,
      mail,
      invitationToken: new URL(link.value.link).searchParams.get('token') ?? '',
      pay: shop.pay,
    },
  };
}

/** Every page of the back office and the portal, with the seeded records' ids. */
export function walkPages(ids: Walk['ids']): Record<'admin' | 'portal', string[]> {
  return {
    admin: [
      '/admin',
      '/admin/organisations',
      `/admin/organisations/${ids.organisation}`,
      '/admin/subscriptions',
      `/admin/subscriptions/${ids.subscription}`,
      '/admin/products',
      '/admin/stations',
      `/admin/stations/${ids.station}`,
      '/admin/errors',
      '/admin/audit',
      '/admin/audit/verify',
      '/admin/trust',
      '/admin/pagopa',
      '/admin/pagopa/payments',
      `/admin/pagopa/payments/${ids.payment}`,
      '/admin/pagopa/exchanges',
      `/admin/pagopa/exchanges/${ids.exchange}`,
      '/admin/pagopa/receipts',
      `/admin/pagopa/receipts/${ids.receipt}`,
      '/admin/pagopa/simulators',
      `/admin/pagopa/simulators/${ids.organisation}`,
      '/admin/mail',
      `/admin/mail/${ids.mail}`,
      '/admin/password',
      // Issue 14: the home's queues as filtered lists, the deliveries given up, confirmations.
      '/admin/subscriptions?state=submitted',
      '/admin/stations?filter=to_check',
      '/admin/stations?filter=failing',
      '/admin/deliveries',
      `/admin/subscriptions/${ids.subscription}/suspend`,
      `/admin/pagopa/receipts/${ids.receipt}/resend`,
    ],
    portal: [
      '/portal',
      '/portal/products',
      '/portal/subscriptions',
      `/portal/subscriptions/${ids.subscription}`,
      '/portal/stations',
      '/portal/stations/new',
      `/portal/stations/${ids.station}`,
      `/portal/stations/${ids.station}/edit`,
      '/portal/certificates',
      '/portal/pagopa',
      '/portal/pagopa/payments',
      `/portal/pagopa/payments/${ids.payment}`,
      '/portal/pagopa/exchanges',
      `/portal/pagopa/exchanges/${ids.exchange}`,
      '/portal/pagopa/receipts',
      `/portal/pagopa/receipts/${ids.receipt}`,
      '/portal/pagopa/simulator',
      '/portal/pagopa/simulator/scenarios/new',
      `/portal/pagopa/simulator/scenarios/${ids.scenario}`,
      '/portal/merchant',
      '/portal/merchant/errors',
      `/portal/merchants/${ids.merchant}/settings/test`,
      `/portal/merchants/${ids.merchant}/errors`,
      '/portal/orders',
      `/portal/orders/${ids.order}`,
      '/portal/shasign',
      '/portal/password',
      // Issue 14: confirmations before a destructive action.
      `/portal/subscriptions/${ids.subscription}/keys/secondary/regenerate`,
      `/portal/subscriptions/${ids.subscription}/cancel`,
      `/portal/pagopa/receipts/${ids.receipt}/resend`,
    ],
  };
}
