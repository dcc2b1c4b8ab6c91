import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { CLI } from '../support/subscriptions.ts';
import { formatNoticeNumber } from '../../src/protocols/pagopa/index.ts';
import { createPagopaRegistry, type AuthorisePspInput } from '../../src/modules/pagopa-registry/index.ts';
import { organisation, station } from './support.ts';

// What the node asks the registry, on real PostgreSQL: every refusal of authorisePsp and
// routeNotice with its fault code, the route it answers, receipts' station, and isEc.

const { services, database, audit } = await buildTestApp();
const db = database.db;
const registry = services.pagopaRegistry;

const psp = await organisation(db, 'psp', { name: 'Banca Diretta' });
const partner = await organisation(db, 'technology_partner', { name: 'Partner Tecnologico' });
const otherPsp = await organisation(db, 'psp', { name: 'Altra Banca' });
const ec = await organisation(db, 'creditor_institution', { name: 'Comune di Prova' });
const otherEc = await organisation(db, 'creditor_institution', { name: 'Comune Vicino' });

const add = async (org: string, idPsp: string, idBrokerPsp: string, idChannel: string, password = 'pwdpwdpwd') => {
  const added = await registry.psps.addPsp({ organisationId: org, env: 'test', idPsp, idBrokerPsp, idChannel, password }, CLI);
  assert.ok(added.ok, added.ok ? '' : added.problem);
  return added.value;
};
const mine = await add(psp.id, 'AGID_01', '97735020584', '97735020584_03');
const second = await add(psp.id, 'AGID_02', '97735020584', '97735020584_04');
const theirs = await add(otherPsp.id, 'OTHER_01', 'OTHERBRK', 'OTHERBRK_01');

// Routing: every record is made before the first test, so the runner never sees the file idle with tests still to come.

const ecStation = await station(services, ec.id, `${ec.taxCode}_01`);
const partnerStation = await station(services, partner.id, `${partner.taxCode}_01`);
const v2Station = await station(services, ec.id, `${ec.taxCode}_02`);
const link = async (input: { org: string; code: string; aux: string; seg?: string; app?: string; version?: string }, other = false) => {
  const linked = await registry.ecs.link(
    {
      organisationId: input.org,
      env: 'test',
      stationCode: input.code,
      auxDigit: input.aux,
      segregationCode: input.seg,
      applicationCode: input.app,
      version: input.version,
    },
    CLI,
    { otherOrganisationStation: other },
  );
  assert.ok(linked.ok, linked.ok ? '' : linked.problem);
  return linked.value.linkId;
};
const seg01 = await link({ org: ec.id, code: `${ec.taxCode}_01`, aux: '3', seg: '01' });
const seg02 = await link({ org: ec.id, code: `${ec.taxCode}_02`, aux: '3', seg: '02', version: '2' });
const app07 = await link({ org: ec.id, code: `${partner.taxCode}_01`, aux: '0', app: '07' }, true);
const aux2 = await link({ org: ec.id, code: `${ec.taxCode}_01`, aux: '2' });

const notice = {
  seg01: formatNoticeNumber({ auxDigit: 3, segregationCode: '01', iuvBase: '1111111111222' }),
  seg02: formatNoticeNumber({ auxDigit: 3, segregationCode: '02', iuvBase: '1111111111222' }),
  seg09: formatNoticeNumber({ auxDigit: 3, segregationCode: '09', iuvBase: '1111111111222' }),
  app07: formatNoticeNumber({ auxDigit: 0, applicationCode: '07', iuvBase: '1111111111222' }),
  aux1: formatNoticeNumber({ auxDigit: 1, iuv: '12345678901234567' }),
  aux2: formatNoticeNumber({ auxDigit: 2, iuvBase: '123456789012345' }),
};
const route = (noticeNumber: string, fiscalCode = ec.taxCode, env: 'test' | 'prod' = 'test') => registry.routeNotice({ env, fiscalCode, noticeNumber });
const routeFault = async (...args: Parameters<typeof route>) => {
  const r = await route(...args);
  return r.ok ? `OK ${r.route.linkId}` : r.faultCode;
};

const ok: AuthorisePspInput = {
  env: 'test',
  organisationId: psp.id,
  idPSP: 'AGID_01',
  idBrokerPSP: '97735020584',
  idChannel: '97735020584_03',
  password: 'pwdpwdpwd',
};
const faultOf = async (change: Partial<AuthorisePspInput>) => {
  const verdict = await registry.authorisePsp({ ...ok, ...change });
  return verdict.ok ? 'OK' : verdict.faultCode;
};

test('authorisePsp: the key\u2019s organisation speaking as its own PSP, broker and channel with the right password', async () => {
  const verdict = await registry.authorisePsp(ok);
  assert.deepEqual(verdict, {
    ok: true,
    psp: { id: mine.pspId, idPSP: 'AGID_01', idBrokerPSP: '97735020584', organisationId: psp.id },
    channel: { id: mine.channelId, idChannel: '97735020584_03' },
  });
});

test('authorisePsp: unknown ids (case-sensitive, per environment) are the SCONOSCIUTO codes', async () => {
  assert.equal(await faultOf({ idPSP: 'NOPE' }), 'PPT_PSP_SCONOSCIUTO');
  assert.equal(await faultOf({ idPSP: 'agid_01' }), 'PPT_PSP_SCONOSCIUTO', 'identifiers are case-sensitive, as on the wire');
  assert.equal(await faultOf({ idBrokerPSP: 'NOPE' }), 'PPT_INTERMEDIARIO_PSP_SCONOSCIUTO');
  assert.equal(await faultOf({ idChannel: 'NOPE' }), 'PPT_CANALE_SCONOSCIUTO');
  assert.equal(await faultOf({ env: 'prod' }), 'PPT_PSP_SCONOSCIUTO', 'test records do not exist in prod');
});

test('authorisePsp: another organisation\u2019s ids, or a broker/channel not of the PSP, are PPT_AUTORIZZAZIONE', async () => {
  assert.equal(await faultOf({ organisationId: otherPsp.id }), 'PPT_AUTORIZZAZIONE', 'a key of another organisation');
  assert.equal(await faultOf({ idPSP: 'OTHER_01' }), 'PPT_AUTORIZZAZIONE', 'another organisation\u2019s PSP');
  assert.equal(await faultOf({ idBrokerPSP: 'OTHERBRK' }), 'PPT_AUTORIZZAZIONE', 'another organisation\u2019s broker');
  assert.equal(await faultOf({ idChannel: 'OTHERBRK_01' }), 'PPT_AUTORIZZAZIONE', 'another organisation\u2019s channel');
  assert.equal(await faultOf({ idChannel: '97735020584_04' }), 'PPT_AUTORIZZAZIONE', 'a channel of another PSP of the same organisation');
  // A second broker of the same organisation that is not this PSP's broker.
  await add(psp.id, 'AGID_03', 'SECONDBRK', 'SECONDBRK_01');
  assert.equal(await faultOf({ idBrokerPSP: 'SECONDBRK' }), 'PPT_AUTORIZZAZIONE');
  const described = await registry.authorisePsp({ ...ok, idBrokerPSP: 'SECONDBRK' });
  assert.ok(!described.ok);
  assert.match(
    described.description,
    /idBrokerPSP SECONDBRK non è l’intermediario del PSP AGID_01\. \/ idBrokerPSP SECONDBRK is not the broker of PSP AGID_01\./,
  );
});

test('authorisePsp: a wrong channel password is PPT_AUTENTICAZIONE; the description never quotes it', async () => {
  const verdict = await registry.authorisePsp({ ...ok, password: 'wrongpass1' });
  assert.ok(!verdict.ok);
  assert.equal(verdict.faultCode, 'PPT_AUTENTICAZIONE');
  assert.doesNotMatch(verdict.description, /wrongpass1|pwdpwdpwd/);
});

test('authorisePsp: disabled PSP, broker and channel, each in turn, and only for their owner', async () => {
  assert.ok((await registry.psps.setPspEnabled(mine.pspId, false, CLI)).ok);
  assert.equal(await faultOf({}), 'PPT_PSP_DISABILITATO');
  assert.equal(await faultOf({ organisationId: otherPsp.id }), 'PPT_AUTORIZZAZIONE', 'another organisation does not learn the flag');
  assert.ok((await registry.psps.setPspEnabled(mine.pspId, true, CLI)).ok);
  assert.ok((await registry.psps.setBrokerEnabled('test', '97735020584', false, CLI)).ok);
  assert.equal(await faultOf({}), 'PPT_INTERMEDIARIO_PSP_DISABILITATO');
  assert.ok((await registry.psps.setBrokerEnabled('test', '97735020584', true, CLI)).ok);
  assert.ok((await registry.psps.setChannelEnabled(mine.channelId, false, CLI)).ok);
  assert.equal(await faultOf({}), 'PPT_CANALE_DISABILITATO');
  assert.equal(await faultOf({ password: 'wrongpass1' }), 'PPT_CANALE_DISABILITATO', 'a disabled channel is refused before its password is checked');
  assert.ok((await registry.psps.setChannelEnabled(mine.channelId, true, CLI)).ok);
  assert.equal(await faultOf({}), 'OK');
  assert.equal(second.pspCreated, true);
  assert.equal(theirs.brokerCreated, true);
});

test('authorisePsp: argon2 runs once per channel and password; a password replaced elsewhere is refused at once', async () => {
  const runs = registry.passwords.verifications;
  for (let i = 0; i < 5; i++) assert.equal(await faultOf({}), 'OK');
  assert.ok(registry.passwords.verifications - runs <= 1, 'cached after the first verification');
  // Another Varco instance on the same database replaces the password. This instance's directory
  // hears of it from the registry's notification (directory.cache.ts) within moments, and its cached
  // verdict no longer applies, because it was keyed by the old hash.
  const elsewhere = createPagopaRegistry({ db, clock: { now: () => new Date() }, audit, nodeActive: async () => true });
  assert.ok((await elsewhere.psps.setChannelPassword(mine.channelId, { password: 'brandnew99' }, CLI)).ok);
  const deadline = Date.now() + 1000;
  while ((await faultOf({})) !== 'PPT_AUTENTICAZIONE' && Date.now() < deadline) await new Promise((done) => setTimeout(done, 10));
  assert.equal(await faultOf({}), 'PPT_AUTENTICAZIONE', 'the old password is refused within a second');
  assert.equal(await faultOf({ password: 'brandnew99' }), 'OK');
});

test('routeNotice: the EC\u2019s station for the aux digit and code, with the station owner as idBrokerPA', async () => {
  const own = await route(notice.seg01);
  assert.deepEqual(own, {
    ok: true,
    route: {
      ecOrganisationId: ec.id,
      ecFiscalCode: ec.taxCode,
      ecName: 'Comune di Prova',
      stationId: ecStation,
      stationCode: `${ec.taxCode}_01`,
      stationOrganisationId: ec.id,
      brokerFiscalCode: ec.taxCode,
      primitiveVersion: 1,
      linkId: seg01,
    },
  });
  const v2 = await route(notice.seg02);
  assert.ok(v2.ok);
  assert.equal(v2.route.stationId, v2Station);
  assert.equal(v2.route.primitiveVersion, 2);
  const viaPartner = await route(notice.app07);
  assert.ok(viaPartner.ok);
  assert.deepEqual(
    [viaPartner.route.stationId, viaPartner.route.stationOrganisationId, viaPartner.route.brokerFiscalCode, viaPartner.route.linkId],
    [partnerStation, partner.id, partner.taxCode, app07],
  );
  assert.equal(await routeFault(notice.aux2), `OK ${aux2}`);
});

test('routeNotice: every refusal with its fault code', async () => {
  assert.equal(await routeFault('31111111111222'), 'PPT_SINTASSI_EXTRAXSD', 'not 18 digits');
  assert.equal(await routeFault(notice.seg01, '12345678901'), 'PPT_DOMINIO_SCONOSCIUTO', 'no such fiscal code');
  assert.equal(await routeFault(notice.seg01, otherEc.taxCode), 'PPT_DOMINIO_SCONOSCIUTO', 'a creditor institution without an EC record');
  assert.equal(await routeFault(notice.seg01, psp.taxCode), 'PPT_DOMINIO_SCONOSCIUTO', 'an organisation that is not a creditor institution');
  assert.equal(await routeFault(notice.seg01, ec.taxCode, 'prod'), 'PPT_DOMINIO_SCONOSCIUTO', 'the EC is registered in test only');
  assert.equal(await routeFault(notice.seg09), 'PPT_STAZIONE_INT_PA_SCONOSCIUTA', 'no station for segregation code 09');
  assert.equal(await routeFault(notice.aux1), 'PPT_STAZIONE_INT_PA_SCONOSCIUTA', 'no station for aux digit 1');
  assert.equal(await routeFault(`9${'1'.repeat(17)}`), 'PPT_STAZIONE_INT_PA_SCONOSCIUTA', 'aux digits 4–9 are served by no station');
  assert.ok((await registry.ecs.setLinkEnabled(seg01, false, CLI)).ok);
  assert.equal(await routeFault(notice.seg01), 'PPT_STAZIONE_INT_PA_DISABILITATA');
  assert.equal(await routeFault(notice.seg02), `OK ${seg02}`, 'the other links still route');
  assert.ok((await registry.ecs.setLinkEnabled(seg01, true, CLI)).ok);
  assert.ok((await registry.ecs.setEcEnabled(ec.id, 'test', false, CLI)).ok);
  assert.equal(await routeFault(notice.seg01), 'PPT_DOMINIO_DISABILITATO');
  const described = await route(notice.seg01);
  assert.ok(!described.ok);
  assert.equal(described.description, `L’ente creditore ${ec.taxCode} è disabilitato. / Creditor institution ${ec.taxCode} is disabled.`);
  assert.ok((await registry.ecs.setEcEnabled(ec.id, 'test', true, CLI)).ok);
  assert.equal(await routeFault(notice.seg01), `OK ${seg01}`);
});

test('receiptRoute: the first enabled link by aux digit then code; isEc tells who the fiscal code is', async () => {
  const first = await registry.receiptRoute({ env: 'test', fiscalCode: ec.taxCode });
  assert.ok(first.ok);
  assert.equal(first.route.linkId, app07, 'aux 0 comes first');
  assert.ok((await registry.ecs.setLinkEnabled(app07, false, CLI)).ok);
  const next = await registry.receiptRoute({ env: 'test', fiscalCode: ec.taxCode });
  assert.ok(next.ok);
  assert.equal(next.route.linkId, aux2);
  assert.ok((await registry.ecs.setLinkEnabled(app07, true, CLI)).ok);

  // The notice's own EC: its receipt goes where the notice routes (the station paGetPayment went to),
  // with that link's version; when that link is disabled or matches nothing, the first enabled one.
  const receiptLinkOf = async (noticeNumber: string): Promise<string> => {
    const r = await registry.receiptRoute({ env: 'test', fiscalCode: ec.taxCode, noticeNumber });
    return r.ok ? `${r.route.linkId} v${r.route.primitiveVersion}` : r.faultCode;
  };
  assert.equal(await receiptLinkOf(notice.seg02), `${seg02} v2`, 'the segregation code\u2019s station, not the first link');
  assert.equal(await receiptLinkOf(notice.seg01), `${seg01} v1`);
  assert.equal(await receiptLinkOf(notice.aux2), `${aux2} v1`);
  assert.ok((await registry.ecs.setLinkEnabled(seg02, false, CLI)).ok);
  assert.equal(await receiptLinkOf(notice.seg02), `${app07} v1`, 'its link disabled since: the first enabled one');
  assert.ok((await registry.ecs.setLinkEnabled(seg02, true, CLI)).ok);
  assert.equal(await receiptLinkOf(notice.seg09), `${app07} v1`, 'a code no link serves: the first enabled one');
  assert.equal(await receiptLinkOf('123'), `${app07} v1`, 'a number that is not a notice: the first enabled one');

  assert.ok((await registry.ecs.addEc(otherEc.id, 'test', CLI)).ok);
  const none = await registry.receiptRoute({ env: 'test', fiscalCode: otherEc.taxCode });
  assert.ok(!none.ok);
  assert.equal(none.faultCode, 'PPT_STAZIONE_INT_PA_SCONOSCIUTA');
  assert.equal(await routeFault(notice.seg01, otherEc.taxCode), 'PPT_STAZIONE_INT_PA_SCONOSCIUTA', 'an EC without links');
  const unknown = await registry.receiptRoute({ env: 'prod', fiscalCode: ec.taxCode });
  assert.ok(!unknown.ok);
  assert.equal(unknown.faultCode, 'PPT_DOMINIO_SCONOSCIUTO');

  assert.deepEqual(await registry.isEc('test', ec.taxCode), { organisationId: ec.id, name: 'Comune di Prova', enabled: true });
  assert.equal(await registry.isEc('prod', ec.taxCode), undefined);
  assert.equal(await registry.isEc('test', psp.taxCode), undefined);
  assert.equal(await registry.isEc('test', 'not-a-code'), undefined);
});
