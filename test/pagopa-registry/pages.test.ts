import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, createAdmin, createReferent, issueKeys } from '../support/subscriptions.ts';
import { formatNoticeNumber } from '../../src/protocols/pagopa/index.ts';
import { organisation, station } from './support.ts';

// The registry pages of the portal and the back office through the production app: the node
// product gate, forms with their refusals in the referent's language, passwords that never come
// back, switches, tenancy with another organisation's ids, and the administrator's explicit
// cross-organisation link.

const { app, services, database, rawLogs } = await buildTestApp();
const db = database.db;
const registry = services.pagopaRegistry;
const pspA = await organisation(db, 'psp', { name: 'Banca Pagine <A>' });
const pspB = await organisation(db, 'technology_partner', { name: 'Partner Pagine' });
const ec = await organisation(db, 'creditor_institution', { name: 'Comune Pagine' });
const shop = await organisation(db, 'merchant', { name: 'Negozio' });
const portalA = await new Browser(app, 'portal').signIn((await createReferent(db, pspA.id, ['node'])).email);
const portalB = await new Browser(app, 'portal').signIn((await createReferent(db, pspB.id, ['node'])).email);
const portalEc = await new Browser(app, 'portal').signIn((await createReferent(db, ec.id, ['node'], 'it')).email);
const backOffice = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);
const ecStation = `${ec.taxCode}_01`;
await station(services, ec.id, ecStation);
await station(services, ec.id, `${ec.taxCode}_02`, { approved: false });
const partnerStation = `${pspB.taxCode}_05`;
await station(services, pspB.id, partnerStation);

const section = (body: string, env: 'test' | 'prod'): string => new RegExp(`<section id="env-${env}"[\\s\\S]*?</section>`).exec(body)?.[0] ?? '';
const pspForm = (over: Record<string, string> = {}) => ({
  environment: 'test',
  idPsp: 'PAGINE_01',
  idBrokerPsp: 'PAGINEBRK',
  idChannel: 'PAGINEBRK_01',
  password: 'pwdpwdpwd',
  passwordConfirm: 'pwdpwdpwd',
  ...over,
});
const authorise = (password: string, idChannel = 'PAGINEBRK_01') =>
  registry.authorisePsp({ env: 'test', organisationId: pspA.id, idPSP: 'PAGINE_01', idBrokerPSP: 'PAGINEBRK', idChannel, password });
const idIn = (body: string, kind: string): string => new RegExp(`/portal/pagopa/${kind}/((?:psp|chn|ecl)_[0-9a-z]{26})/`).exec(body)?.[1] ?? '';

test('the menu leads to the registry; without a node subscription a PSP may look but not register', async () => {
  const page = await portalA.get('/portal/pagopa');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<a href="\/portal\/pagopa" aria-current="page">pagoPA registry<\/a>/);
  assert.equal(page.headers['cache-control'], 'no-store');
  for (const env of ['test', 'prod'] as const) assert.match(section(page.body, env), /data-needs-node/);
  assert.doesNotMatch(page.body, /class="psp-form"/);
  const refused = await portalA.post('/portal/pagopa/psps', pspForm());
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /needs an active subscription to the node product/);
  assert.match((await portalEc.get('/portal/pagopa')).body, /Anagrafica pagoPA/);
  const merchant = await new Browser(app, 'portal').signIn((await createReferent(db, shop.id, ['node'])).email);
  assert.match((await merchant.get('/portal/pagopa')).body, /is for PSPs, technology partners \(PSP brokers\) and creditor institutions/);
});

test('a PSP registers a PSP with a channel; refusals name each field; the password is never shown back', async () => {
  await issueKeys(services, pspA.id, 'node', 'test');
  const page = await portalA.get('/portal/pagopa');
  assert.match(section(page.body, 'test'), /id="add-psp-test"/);
  assert.doesNotMatch(section(page.body, 'prod'), /id="add-psp-prod"/, 'no node subscription in prod');
  const bad = await portalA.post('/portal/pagopa/psps', pspForm({ idPsp: 'bad id', idChannel: '', password: 'pwdpwdpwd', passwordConfirm: 'different1' }));
  assert.equal(bad.statusCode, 400);
  for (const problem of ['id_psp_invalid', 'id_channel_invalid', 'password_mismatch']) assert.match(bad.body, new RegExp(`data-problem="${problem}"`), problem);
  assert.match(bad.body, /value="bad id"/, 'what was typed comes back');
  assert.match(bad.body, /value="PAGINEBRK"/);
  assert.ok(!bad.body.includes('pwdpwdpwd') && !bad.body.includes('different1'), 'passwords never come back');
  const saved = await portalA.post('/portal/pagopa/psps', pspForm());
  assert.equal(saved.statusCode, 303, saved.body);
  assert.equal(saved.headers.location, '/portal/pagopa?saved=1&env=test#env-test');
  const listed = await portalA.get(String(saved.headers.location));
  assert.match(listed.body, /Saved\./);
  assert.match(listed.body, /data-psp="PAGINE_01"/);
  assert.match(listed.body, /data-channel="PAGINEBRK_01"/);
  assert.ok(!listed.body.includes('pwdpwdpwd') && !listed.body.includes('argon2'));
  assert.equal((await authorise('pwdpwdpwd')).ok, true);
});

test('channel password replaced and channel switched off from the page; another organisation gets 404 on every id', async () => {
  const page = (await portalA.get('/portal/pagopa')).body;
  const channelId = idIn(page, 'channels');
  const pspId = idIn(page, 'psps');
  assert.ok(channelId && pspId);
  const mismatch = await portalA.post(`/portal/pagopa/channels/${channelId}/password`, {
    environment: 'test',
    password: 'newpass-11',
    passwordConfirm: 'newpass-12',
  });
  assert.equal(mismatch.statusCode, 400);
  assert.match(mismatch.body, /The two passwords differ/);
  assert.equal(
    (await portalA.post(`/portal/pagopa/channels/${channelId}/password`, { environment: 'test', password: 'newpass-11', passwordConfirm: 'newpass-11' }))
      .statusCode,
    303,
  );
  assert.equal((await authorise('pwdpwdpwd')).ok, false);
  assert.equal((await authorise('newpass-11')).ok, true);
  assert.equal((await portalA.post(`/portal/pagopa/channels/${channelId}/enabled`, { environment: 'test', enabled: '0' })).statusCode, 303);
  const off = await authorise('newpass-11');
  assert.equal(off.ok ? 'OK' : off.faultCode, 'PPT_CANALE_DISABILITATO');
  assert.match((await portalA.get('/portal/pagopa')).body, /data-channel="PAGINEBRK_01"[\s\S]*?data-enabled="false"/);

  for (const [url, fields] of [
    [`/portal/pagopa/channels/${channelId}/enabled`, { enabled: '1' }],
    [`/portal/pagopa/channels/${channelId}/password`, { password: 'hijack-123', passwordConfirm: 'hijack-123' }],
    [`/portal/pagopa/psps/${pspId}/enabled`, { enabled: '0' }],
    ['/portal/pagopa/brokers/enabled', { environment: 'test', idBrokerPsp: 'PAGINEBRK', enabled: '0' }],
    ['/portal/pagopa/psps/psp_nonsense/enabled', { enabled: '0' }],
  ] as const) {
    assert.equal((await portalB.post(url, fields)).statusCode, 404, url);
  }
  assert.doesNotMatch((await portalB.get('/portal/pagopa')).body, /PAGINE_01/);
  assert.equal((await authorise('newpass-11')).ok ? 'OK' : 'refused', 'refused', 'B changed nothing: the channel is still off and the password is A\u2019s');
  assert.equal((await portalA.post(`/portal/pagopa/channels/${channelId}/enabled`, { environment: 'test', enabled: '1' })).statusCode, 303);
  assert.equal((await authorise('newpass-11')).ok, true);
  for (const secret of ['pwdpwdpwd', 'newpass-11', 'newpass-12', 'hijack-123']) assert.ok(!rawLogs().includes(secret), `${secret} in the logs`);
  // Forms without their anti-forgery token are refused.
  const forged = await app.inject({
    method: 'POST',
    url: `/portal/pagopa/channels/${channelId}/enabled`,
    headers: { cookie: portalA.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'enabled=0',
  });
  assert.equal(forged.statusCode, 403);
});

const notice = formatNoticeNumber({ auxDigit: 3, segregationCode: '01', iuvBase: '0000000000042' });
const routed = async () => {
  const r = await registry.routeNotice({ env: 'test', fiscalCode: ec.taxCode, noticeNumber: notice });
  return r.ok ? r.route.stationCode : r.faultCode;
};

test('a creditor institution links its own approved station, in Italian; switches and removes the link', async () => {
  await issueKeys(services, ec.id, 'node', 'test');
  const page = await portalEc.get('/portal/pagopa');
  const test = section(page.body, 'test');
  assert.match(test, /Non ancora registrato come EC/);
  assert.match(test, new RegExp(`<option value="${ecStation}"`));
  assert.doesNotMatch(test, new RegExp(`${ec.taxCode}_02|${partnerStation}`), 'only approved stations of its own');
  const noCode = await portalEc.post('/portal/pagopa/links', {
    environment: 'test',
    stationCode: ecStation,
    auxDigit: '3',
    segregationCode: '',
    applicationCode: '',
    version: '1',
  });
  assert.equal(noCode.statusCode, 400);
  assert.match(noCode.body, /L’aux digit 3 richiede un codice di segregazione di due cifre/);
  const foreign = await portalEc.post('/portal/pagopa/links', {
    environment: 'test',
    stationCode: partnerStation,
    auxDigit: '3',
    segregationCode: '01',
    otherOrganisationStation: '1',
  });
  assert.equal(foreign.statusCode, 400);
  assert.match(foreign.body, /Nessuna tua stazione approvata con questo codice/);
  assert.equal(
    (await portalEc.post('/portal/pagopa/links', { environment: 'test', stationCode: ecStation, auxDigit: '3', segregationCode: '01', version: '2' }))
      .statusCode,
    303,
  );
  assert.equal(await routed(), ecStation);
  const linked = (await portalEc.get('/portal/pagopa')).body;
  assert.match(section(linked, 'test'), new RegExp(`data-ec="${ec.taxCode}"`));
  const linkId = idIn(linked, 'links');
  assert.equal((await portalEc.post(`/portal/pagopa/links/${linkId}/enabled`, { environment: 'test', enabled: '0' })).statusCode, 303);
  assert.equal(await routed(), 'PPT_STAZIONE_INT_PA_DISABILITATA');
  assert.equal((await portalEc.post('/portal/pagopa/ec/enabled', { environment: 'test', enabled: '0' })).statusCode, 303);
  assert.equal(await routed(), 'PPT_DOMINIO_DISABILITATO');
  assert.equal((await portalEc.post('/portal/pagopa/ec/enabled', { environment: 'test', enabled: '1' })).statusCode, 303);
  for (const url of [`/portal/pagopa/links/${linkId}/enabled`, `/portal/pagopa/links/${linkId}/remove`])
    assert.equal((await portalA.post(url, { enabled: '1' })).statusCode, 404, url);
  assert.equal((await portalA.post('/portal/pagopa/ec/enabled', { environment: 'test', enabled: '0' })).statusCode, 404, 'a PSP has no EC record to switch');
  assert.equal((await portalEc.post(`/portal/pagopa/links/${linkId}/remove`, { environment: 'test' })).statusCode, 303);
  assert.equal(await routed(), 'PPT_STAZIONE_INT_PA_SCONOSCIUTA');
});

test('a creditor institution without a station registers itself as an EC from the portal (the simulated station needs no link); others cannot', async () => {
  const simEc = await organisation(db, 'creditor_institution', { name: 'Comune Simulato' });
  await issueKeys(services, simEc.id, 'node', 'test');
  const portalSim = await new Browser(app, 'portal').signIn((await createReferent(db, simEc.id, ['node'])).email);
  const registered = async (orgId: string) =>
    (await db.selectFrom('pagopa_ecs').select('environment').where('organisation_id', '=', orgId).execute()).map((r) => r.environment);

  const page = section((await portalSim.get('/portal/pagopa')).body, 'test');
  assert.match(page, /Not registered as an EC yet\. The first link registers it; to use the simulated station/);
  assert.match(page, /<form method="post" action="\/portal\/pagopa\/ecs"[^>]*data-ec="missing">/);
  assert.doesNotMatch(section((await portalA.get('/portal/pagopa')).body, 'test'), /action="\/portal\/pagopa\/ecs"/, 'a PSP is offered no EC');

  // A PSP's referent naming the EC acts for its own organisation, which is no EC.
  const psp = await portalA.post('/portal/pagopa/ecs', { environment: 'test', organisationId: simEc.id });
  assert.equal(psp.statusCode, 400);
  assert.deepEqual(await registered(pspA.id), []);
  assert.deepEqual(await registered(simEc.id), []);
  // Production without a production node subscription: refused with the page's reason.
  const prod = await portalSim.post('/portal/pagopa/ecs', { environment: 'prod' });
  assert.equal(prod.statusCode, 400);
  assert.deepEqual(await registered(simEc.id), []);

  assert.equal((await portalSim.post('/portal/pagopa/ecs', { environment: 'test' })).statusCode, 303);
  assert.deepEqual(await registered(simEc.id), ['test']);
  const after = section((await portalSim.get('/portal/pagopa')).body, 'test');
  assert.match(after, new RegExp(`data-ec="${simEc.taxCode}"`));
  assert.doesNotMatch(after, /action="\/portal\/pagopa\/ecs"/);
  const audit = await db.selectFrom('audit_log').select(['action', 'actor_type']).where('subject_id', '=', `${simEc.id}:test`).execute();
  assert.deepEqual(audit, [{ action: 'pagopa.ec.created', actor_type: 'referent' }]);
  // Again: nothing new, still 303.
  assert.equal((await portalSim.post('/portal/pagopa/ecs', { environment: 'test' })).statusCode, 303);
  assert.equal((await db.selectFrom('audit_log').select('id').where('subject_id', '=', `${simEc.id}:test`).execute()).length, 1);

  // The back office registers any creditor institution it names, through the same route; not a PSP.
  const other = await organisation(db, 'creditor_institution', { name: 'Comune Altro' });
  assert.equal((await backOffice.post('/admin/pagopa/ecs', { environment: 'test', organisationId: pspA.id })).statusCode, 400);
  assert.equal((await backOffice.post('/admin/pagopa/ecs', { environment: 'test', organisationId: other.id })).statusCode, 303);
  assert.deepEqual(await registered(other.id), ['test']);
  assert.deepEqual(await registered(pspA.id), []);
});

test('the back office links a partner\u2019s station only when the box is ticked; names and typed values are escaped', async () => {
  const page = await backOffice.get('/admin/pagopa');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<a href="\/admin\/pagopa" aria-current="page">pagoPA registry<\/a>/);
  assert.match(page.body, /Banca Pagine &lt;A&gt;/);
  assert.doesNotMatch(page.body, /Banca Pagine <A>/);
  const link = { organisationId: ec.id, environment: 'test', stationCode: partnerStation, auxDigit: '3', segregationCode: '07', version: '1' };
  const unticked = await backOffice.post('/admin/pagopa/links', link);
  assert.equal(unticked.statusCode, 400);
  assert.match(unticked.body, /tick the box to link it on purpose/);
  const typed = await backOffice.post('/admin/pagopa/links', { ...link, stationCode: '"><script>x</script>' });
  assert.match(typed.body, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
  assert.doesNotMatch(typed.body, /<script>x/);
  assert.equal((await backOffice.post('/admin/pagopa/links', { ...link, otherOrganisationStation: '1' })).statusCode, 303);
  const listed = await backOffice.get('/admin/pagopa?env=test');
  assert.match(listed.body, /data-other-owner>\(Station of Partner Pagine\)/);
  const row = await db
    .selectFrom('audit_log')
    .select(['actor_type', 'details'])
    .where('action', '=', 'pagopa.ec_link.added')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  assert.equal(row.actor_type, 'admin');
  assert.equal((row.details as { otherOrganisationStation: boolean }).otherOrganisationStation, true);
  // A PSP for another organisation, and an EC record without a link, in production.
  assert.equal(
    (
      await backOffice.post('/admin/pagopa/psps', {
        ...pspForm({ idPsp: 'PARTNER_PSP', idBrokerPsp: 'PARTNERBRK', idChannel: 'PARTNERBRK_01', environment: 'prod' }),
        organisationId: pspB.id,
      })
    ).statusCode,
    303,
  );
  assert.equal((await backOffice.post('/admin/pagopa/ecs', { organisationId: ec.id, environment: 'prod' })).statusCode, 303);
  const prod = await backOffice.get('/admin/pagopa?env=prod');
  assert.match(prod.body, /data-psp="PARTNER_PSP"/);
  assert.match(prod.body, /data-broker="PARTNERBRK"/);
  assert.match(prod.body, new RegExp(`data-ec="${ec.taxCode}"`));
  const wrong = await backOffice.post('/admin/pagopa/ecs', { organisationId: pspA.id, environment: 'prod' });
  assert.equal(wrong.statusCode, 400);
  assert.match(wrong.body, /EC records belong to a creditor institution/);
  assert.equal((await portalA.get('/admin/pagopa')).statusCode, 303, 'referents have no back office session');
});

test('what the back office switched off stays off: the referent may not switch it back on (409) nor remove it, the administrator may', async () => {
  const psp = await organisation(db, 'psp', { name: 'Banca Sospesa' });
  const comune = await organisation(db, 'creditor_institution', { name: 'Comune Sospeso' });
  await issueKeys(services, psp.id, 'node', 'test');
  await issueKeys(services, comune.id, 'node', 'test');
  const portalPsp = await new Browser(app, 'portal').signIn((await createReferent(db, psp.id, ['node'])).email);
  const portalComune = await new Browser(app, 'portal').signIn((await createReferent(db, comune.id, ['node'], 'it')).email);
  const ids = { idPsp: 'SOSPESO_01', idBrokerPsp: 'SOSPESOBRK', idChannel: 'SOSPESOBRK_01' };
  assert.equal((await portalPsp.post('/portal/pagopa/psps', pspForm(ids))).statusCode, 303);
  const comuneStation = `${comune.taxCode}_01`;
  await station(services, comune.id, comuneStation);
  assert.equal(
    (await portalComune.post('/portal/pagopa/links', { environment: 'test', stationCode: comuneStation, auxDigit: '3', segregationCode: '01' })).statusCode,
    303,
  );
  const pspPage = (await portalPsp.get('/portal/pagopa')).body;
  const [pspId, channelId, linkId] = [idIn(pspPage, 'psps'), idIn(pspPage, 'channels'), idIn((await portalComune.get('/portal/pagopa')).body, 'links')];
  assert.ok(pspId && channelId && linkId);
  const pspAuthorised = async () => {
    const r = await registry.authorisePsp({
      env: 'test',
      organisationId: psp.id,
      idPSP: ids.idPsp,
      idBrokerPSP: ids.idBrokerPsp,
      idChannel: ids.idChannel,
      password: 'pwdpwdpwd',
    });
    return r.ok ? 'OK' : r.faultCode;
  };
  const comuneRouted = async () => {
    const r = await registry.routeNotice({ env: 'test', fiscalCode: comune.taxCode, noticeNumber: notice });
    return r.ok ? 'OK' : r.faultCode;
  };
  // Each switch: the referent's browser and form, the administrator's form, what the node answers while it is off.
  const records = [
    { kind: 'psp', portal: portalPsp, url: `/pagopa/psps/${pspId}/enabled`, fields: {}, admin: {}, off: 'PPT_PSP_DISABILITATO', node: pspAuthorised },
    {
      kind: 'broker',
      portal: portalPsp,
      url: '/pagopa/brokers/enabled',
      fields: { idBrokerPsp: ids.idBrokerPsp },
      admin: {},
      off: 'PPT_INTERMEDIARIO_PSP_DISABILITATO',
      node: pspAuthorised,
    },
    {
      kind: 'channel',
      portal: portalPsp,
      url: `/pagopa/channels/${channelId}/enabled`,
      fields: {},
      admin: {},
      off: 'PPT_CANALE_DISABILITATO',
      node: pspAuthorised,
    },
    {
      kind: 'ec',
      portal: portalComune,
      url: '/pagopa/ec/enabled',
      fields: {},
      admin: { organisationId: comune.id },
      off: 'PPT_DOMINIO_DISABILITATO',
      node: comuneRouted,
    },
    {
      kind: 'ec_link',
      portal: portalComune,
      url: `/pagopa/links/${linkId}/enabled`,
      fields: {},
      admin: {},
      off: 'PPT_STAZIONE_INT_PA_DISABILITATA',
      node: comuneRouted,
    },
  ] as const;
  for (const r of records) {
    const switched = (browser: Browser, base: string, enabled: '0' | '1', admin = false) =>
      browser.post(`${base}${r.url}`, { environment: 'test', enabled, ...r.fields, ...(admin ? r.admin : {}) });
    assert.equal(await r.node(), 'OK', r.kind);
    assert.equal((await switched(backOffice, '/admin', '0', true)).statusCode, 303, r.kind);
    assert.equal(await r.node(), r.off, r.kind);
    // The portal says who switched it off and offers no switch; the back office offers its own.
    const page = section((await r.portal.get('/portal/pagopa')).body, 'test');
    const locked = page.match(/data-disabled-by="administrator"/g) ?? [];
    assert.equal(locked.length, 1, `${r.kind}: one record locked`);
    assert.match(page, r.portal === portalComune ? /Disabilitato dall’amministratore della piattaforma/ : /Disabled by the platform administrator/, r.kind);
    assert.equal((page.match(/data-locked/g) ?? []).length, 1, `${r.kind}: no switch offered`);
    assert.equal((page.match(/name="enabled" value="1"/g) ?? []).length, 0, `${r.kind}: nothing to switch on`);
    const refused = await switched(r.portal, '/portal', '1');
    assert.equal(refused.statusCode, 409, `${r.kind}: ${refused.statusCode}`);
    assert.match(refused.body, /data-problem="disabled_by_administrator"/, r.kind);
    assert.match(
      refused.body,
      r.portal === portalComune ? /È stato disabilitato dall’amministratore della piattaforma/ : /This was disabled by the platform administrator/,
      r.kind,
    );
    assert.equal(await r.node(), r.off, `${r.kind}: still off after the referent's attempt`);
    // Switching it off again is harmless and does not make it the organisation's to switch back on.
    assert.equal((await switched(r.portal, '/portal', '0')).statusCode, 303, r.kind);
    assert.equal((await switched(r.portal, '/portal', '1')).statusCode, 409, r.kind);
    assert.equal(await r.node(), r.off, r.kind);
    assert.equal((await switched(backOffice, '/admin', '1', true)).statusCode, 303, r.kind);
    assert.equal(await r.node(), 'OK', `${r.kind}: the administrator switched it back on`);
    // What the organisation switched off itself, it switches back on; the back office sees who switched it off.
    assert.equal((await switched(r.portal, '/portal', '0')).statusCode, 303, r.kind);
    assert.equal(await r.node(), r.off, r.kind);
    assert.match((await backOffice.get('/admin/pagopa?env=test')).body, /data-disabled-by="organisation">Disabled by the organisation</, r.kind);
    assert.equal((await switched(r.portal, '/portal', '1')).statusCode, 303, r.kind);
    assert.equal(await r.node(), 'OK', r.kind);
  }
  // Removing the link the administrator switched off, to link the same route again switched on, is refused too.
  assert.equal((await backOffice.post(`/admin/pagopa/links/${linkId}/enabled`, { environment: 'test', enabled: '0' })).statusCode, 303);
  assert.doesNotMatch((await portalComune.get('/portal/pagopa')).body, /\/remove"/, 'no removal offered');
  const removal = await portalComune.post(`/portal/pagopa/links/${linkId}/remove`, { environment: 'test' });
  assert.equal(removal.statusCode, 409);
  assert.match(removal.body, /data-problem="disabled_by_administrator"/);
  assert.equal(await comuneRouted(), 'PPT_STAZIONE_INT_PA_DISABILITATA');
  // The audit rows say who switched it off, and whose decision an enable undid.
  const switches = await db
    .selectFrom('audit_log')
    .select(['action', 'actor_type', 'details'])
    .where('subject_id', '=', linkId)
    .where('action', 'like', 'pagopa.ec_link.%abled')
    .orderBy('seq')
    .execute();
  assert.deepEqual(
    switches.map((a) => [a.action, a.actor_type, (a.details as { disabledBy?: string }).disabledBy ?? (a.details as { wasDisabledBy?: string }).wasDisabledBy]),
    [
      ['pagopa.ec_link.disabled', 'admin', 'administrator'],
      ['pagopa.ec_link.disabled', 'referent', 'administrator'],
      ['pagopa.ec_link.enabled', 'admin', 'administrator'],
      ['pagopa.ec_link.disabled', 'referent', 'organisation'],
      ['pagopa.ec_link.enabled', 'referent', 'organisation'],
      ['pagopa.ec_link.disabled', 'admin', 'administrator'],
    ],
  );
  // The administrator may still remove it.
  assert.equal((await backOffice.post(`/admin/pagopa/links/${linkId}/remove`, { environment: 'test' })).statusCode, 303);
  assert.equal(await comuneRouted(), 'PPT_STAZIONE_INT_PA_SCONOSCIUTA');
});
