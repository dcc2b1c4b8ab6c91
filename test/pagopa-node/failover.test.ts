import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEcStation } from '../support/ec-station.ts';
import { createEcOrganisation, faultOf, nodeTestApp, noticeNumber, qr, registerPsp, soap } from '../support/pagopa-node.ts';
import { freePort } from '../support/processes.ts';
import { Browser, CLI, createReferent } from '../support/subscriptions.ts';

// A station with a disaster-recovery site: its primary refuses connections, the node's call fails over
// to the secondary (a real mutual-TLS EC station), and the exchange log says which site answered, on
// the EC's page, in both languages, and in the CSV. Calls the primary answered say "primary".

const t = await nodeTestApp();
const psp = await registerPsp(t.services, t, 'Banca Continuità');
const ec = await createEcOrganisation(t, 'Comune Continuità');
const platform = await t.services.platformCertificates.downloads('test');
const dr = await startEcStation({ ecs: { fiscalCode: ec.fiscalCode, name: ec.name }, clientCas: [platform.caPem], primitiveVersion: 2 });
after(() => dr.stop());
const trusted = await t.services.trust.add('test', dr.serverRootPem, { organisationId: ec.organisationId }, CLI);
assert.ok(trusted.ok);
// The primary: the same host name (the certificate's), a port nothing listens on.
const closed = await freePort();
const code = `${ec.fiscalCode}_01`;
const registered = await t.services.stations.register(
  ec.organisationId,
  'test',
  {
    code,
    primary: { url: dr.url.replace(`:${dr.port}`, `:${closed}`), ip: dr.host, port: String(closed) },
    secondary: { url: dr.url, ip: dr.host, port: String(dr.port) },
  },
  CLI,
  { allowSharedHost: true },
);
assert.ok(registered.ok, JSON.stringify(registered));
assert.ok((await t.services.stations.reviewStation(registered.value.id, 'approve', '', CLI)).ok);
assert.ok((await t.services.pagopaRegistry.ecs.addEc(ec.organisationId, 'test', CLI)).ok);
const linked = await t.services.pagopaRegistry.ecs.link(
  { organisationId: ec.organisationId, env: 'test', stationCode: code, auxDigit: '3', segregationCode: '01', version: '2' },
  CLI,
);
assert.ok(linked.ok);
const portalEc = await new Browser(t.app, 'portal').signIn((await createReferent(t.database.db, ec.organisationId, ['node'], 'it')).email);

test('the primary down: the disaster-recovery site answers, and the exchange log names it for the EC', async () => {
  const verified = await soap(t.app, psp.key, 'verifyPaymentNotice', { ...psp.head, qrCode: qr(ec, noticeNumber()) });
  assert.equal(faultOf(verified.value), 'OK', verified.body);
  assert.equal(dr.calls('paVerifyPaymentNotice').length, 1, 'the secondary answered');
  const [row] = await t.services.exchanges.search({ admin: true }, { operation: 'paVerifyPaymentNotice' });
  assert.equal(row?.endpoint, 'secondary');
  const page = await portalEc.get(`/portal/pagopa/exchanges/${row?.id ?? ''}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Endpoint della stazione<\/th><td>disaster recovery \(secondario\): il primario non rispondeva/);
  assert.match((await portalEc.get(`/portal/pagopa/exchanges/${row?.id ?? ''}?lang=en`)).body, /Station endpoint<\/th><td>disaster recovery \(secondary\)/);
  const csv = await portalEc.get('/portal/pagopa/exchanges.csv');
  const [header = '', first = ''] = csv.body.replace(/^\uFEFF/, '').split('\r\n');
  const column = header.split(',').indexOf('endpoint');
  assert.ok(column > 0, header);
  assert.equal(first.split(',')[column], 'secondary');
  // The PSP's own inbound row names no endpoint.
  const [inbound] = await t.services.exchanges.search({ admin: true }, { operation: 'verifyPaymentNotice' });
  assert.equal(inbound?.endpoint, null);
});
