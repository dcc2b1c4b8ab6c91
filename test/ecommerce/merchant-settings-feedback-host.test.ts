import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createOrganisation, createReferent, issueKeys } from '../support/subscriptions.ts';
import { feedbackHostVerdict } from '../../src/modules/checkout/index.ts';
import { createDestinationPolicy } from '../../src/modules/outbound/index.ts';

// The server-to-server feedback URL on the Technical information page, judged as the feedback
// sender will judge it: a host every delivery to which Varco refuses is refused on save, a host that
// usually resolves to a private address is saved with a warning (its addresses are judged at each
// delivery), in English and in Italian. The operator allows no private range here, as in production.

const { app, services, database } = await buildTestApp({ env: { VARCO_OUTBOUND_ALLOW_CIDRS: '' } });
const db = database.db;
const org = await createOrganisation(db, 'Negozio Locale');
await issueKeys(services, org, 'ecommerce', 'test');
const created = await services.merchants.create({ organisationId: org, pspid: 'LocalShop' }, { type: 'cli', id: null, ip: null });
assert.ok(created.ok);
const settingsUrl = `/portal/merchants/${created.value.id}/settings/test`;
const en = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['ecommerce'])).email);
const it = await new Browser(app, 'portal').signIn((await createReferent(db, org, ['ecommerce'], 'it')).email);

function form(s2sUrlAccepted: string): Record<string, string | string[]> {
  return {
    hashingMethod: 'each-parameter',
    hashAlgorithm: 'sha512',
    charset: 'page',
    referrers: '',
    feedbackOnRedirect: 'on',
    s2sTiming: 'deferred',
    s2sUrlAccepted,
    s2sUrlDeclined: '',
    s2sMethod: 'POST',
    feedbackParams: ['ORDERID', 'STATUS'],
    defaultOperation: 'SAL',
    paymentRetries: '10',
    enabledCurrencies: 'EUR',
  };
}
const stored = async () => (await services.merchants.settings(created.value.id, 'test')).s2sUrlAccepted;

test('localhost is refused on save with the reason, in both languages, when no loopback range is allowed', async () => {
  const refused = await en.post(settingsUrl, form('http://localhost:9080/feedback'));
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /Varco would refuse every delivery to it: localhost is a loopback address/);
  assert.match(refused.body, /VARCO_OUTBOUND_ALLOW_CIDRS/);
  const rifiutato = await it.post(settingsUrl, form('http://api.localhost/feedback'));
  assert.equal(rifiutato.statusCode, 400);
  assert.match(rifiutato.body, /Varco rifiuterebbe ogni invio: localhost è un indirizzo di loopback/);
  assert.equal(await stored(), null, 'nothing saved');
});

test('an IP address was refused on save already ("must name a host"), as the sender refuses it', async () => {
  const refused = await en.post(settingsUrl, form('http://192.0.2.10/feedback'));
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /must name a host, not an IP address/);
});

test('a host that usually resolves to a private address is saved with a warning; a public name without one', async () => {
  const saved = await en.post(settingsUrl, form('http://shop.internal:9080/feedback'));
  assert.equal(saved.statusCode, 200);
  assert.equal(await stored(), 'http://shop.internal:9080/feedback');
  assert.match(saved.body, /data-warning>[^<]*the host shop\.internal usually resolves to a private address\. Varco resolves it at each delivery/);
  // The warning stays on the page while the URL does.
  assert.match((await it.get(settingsUrl)).body, /data-warning>[^<]*l’host shop\.internal di solito corrisponde a un indirizzo privato/);
  const single = await en.post(settingsUrl, form('http://erp/feedback'));
  assert.match(single.body, /the host erp usually resolves/);
  const publicName = await en.post(settingsUrl, form('https://shop.example.com/feedback'));
  assert.equal(publicName.statusCode, 200);
  assert.doesNotMatch(publicName.body, /data-warning/);
});

test('the verdict follows the operator’s ranges: localhost is fine where loopback is allowed', () => {
  const strict = createDestinationPolicy({ allowCidrs: [], ownAddresses: [] });
  const loopback = createDestinationPolicy({ allowCidrs: ['127.0.0.0/8'], ownAddresses: [] });
  assert.deepEqual(feedbackHostVerdict('LOCALHOST.', strict), {
    kind: 'refused',
    reason:
      'localhost resolves to 127.0.0.1, which is a loopback address: Varco connects only to public addresses (an operator may allow ranges with VARCO_OUTBOUND_ALLOW_CIDRS)',
  });
  assert.equal(feedbackHostVerdict('localhost', loopback), undefined);
  assert.deepEqual(feedbackHostVerdict('printer.local', loopback), { kind: 'private_name' });
  assert.equal(feedbackHostVerdict('shop.example.com', strict), undefined);
  assert.equal(feedbackHostVerdict('[::1]', strict), undefined, 'IP addresses: the settings rule (host_required) refuses them');
});
