import { test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { Browser, CLI, createAdmin, createOrganisation, createReferent, shownKey } from '../support/subscriptions.ts';
import { makeCa } from '../support/tls-peers.ts';
import { runCliInProcess } from '../support/cli.ts';
import { approvedProd, subscriptionToApprove } from './support.ts';
import { organisation as registryOrganisation, station as registryStation } from '../pagopa-registry/support.ts';

// The back office and portal with four-eyes on: the existing buttons of production actions propose
// and say so; the list shows pending first; decisions need the form token; the referent who asked for
// a production key regeneration sees its state and reveals the key once after approval. Then the CLI
// with the same rule (`--as`), and the setting off (warning on the home page, immediate changes).

const { app, services, database, config, masterKey } = await buildTestApp({ env: { VARCO_FOUR_EYES: 'true' } });
const db = database.db;
const emailA = (await createAdmin(services)).email;
const emailB = (await createAdmin(services)).email;
const a = await new Browser(app, 'admin').signIn(emailA);
const b = await new Browser(app, 'admin').signIn(emailB);
const org = await createOrganisation(db, 'Banca Pagine');
// The CLI's environment: this app's database, data directory and master key, four-eyes on.
const cliEnv = {
  DATABASE_URL: database.url,
  VARCO_DATA_DIR: config.dataDir,
  VARCO_FOUR_EYES: 'true',
  VARCO_MASTER_KEY: masterKey.toString('base64'),
  VARCO_LOG_LEVEL: 'warn',
};
const proposalOf = (location: unknown): string => /\/admin\/proposals\/(prp_[0-9a-z]+)/.exec(String(location))?.[1] ?? '';

test('the subscription Approve button proposes in production; B approves from the list; CSRF and the proposer are refused', async () => {
  const sub = await subscriptionToApprove(services, db, org, 'prod');
  const res = await a.post(`/admin/subscriptions/${sub}/approve`);
  assert.equal(res.statusCode, 303);
  const id = proposalOf(res.headers.location);
  assert.ok(id, String(res.headers.location));
  assert.match((await a.get(String(res.headers.location))).body, /This change is a proposal/);
  assert.equal((await services.subscriptions.get(sub))?.state, 'submitted');
  const list = await b.get('/admin/proposals');
  assert.match(list.body, new RegExp(`/admin/proposals/${id}`));
  assert.match(list.body, /Approve subscription/);
  assert.match(list.body, new RegExp(emailA.replace('.', '\\.')));
  assert.equal((await a.post(`/admin/proposals/${id}/approve`)).statusCode, 403, 'the proposer cannot approve');
  const noToken = await app.inject({ method: 'POST', url: `/admin/proposals/${id}/approve`, headers: { cookie: b.jar.header() }, payload: {} });
  assert.equal(noToken.statusCode, 403);
  // Every other administrator is e-mailed at once (in their language), the proposer is not.
  const mails = (await services.delivery.listEmails({ limit: 500 })).filter(
    (m) => m.email?.template === 'proposal_waiting' && m.email.params.link?.endsWith(id),
  );
  const recipients = mails.map((m) => m.email?.to);
  assert.ok(recipients.includes(emailB), `B is told: ${recipients.join(', ')}`);
  assert.ok(!recipients.includes(emailA), 'not the proposer');
  assert.equal(mails.find((m) => m.email?.to === emailB)?.email?.params.proposerEmail, emailA);
  // The subscription's own page says a proposal waits, with its link.
  assert.match((await b.get(`/admin/subscriptions/${sub}`)).body, new RegExp(`id="proposal-waiting">[^<]*<a href="/admin/proposals/${id}">`));
  // What B approves: the organisation and the subscription by name, linked, with its product.
  const pending = await b.get(`/admin/proposals/${id}`);
  const subscription = await services.subscriptions.get(sub);
  assert.match(pending.body, /<dt>Organisation<\/dt><dd>Banca Pagine<\/dd>/);
  assert.match(pending.body, new RegExp(`<dt>Name</dt><dd><a href="/admin/subscriptions/${sub}">${subscription?.name ?? '?'}</a></dd>`));
  assert.match(pending.body, /<dt>Product<\/dt><dd><code>[^<]+\(ecommerce\)<\/code><\/dd>/);
  assert.equal((await b.post(`/admin/proposals/${id}/approve`)).statusCode, 303);
  assert.equal((await services.subscriptions.get(sub))?.state, 'active');
  assert.doesNotMatch((await b.get(`/admin/subscriptions/${sub}`)).body, /proposal-waiting/, 'decided: nothing waits');
  const it = await b.get(`/admin/proposals/${id}?lang=it`);
  assert.match(it.body, /eseguita/);
  // The history names each administrator by e-mail, the executing one too, in the page's language.
  const history = /<ul id="proposal-history">([\s\S]*?)<\/ul>/.exec(it.body)?.[1] ?? '';
  assert.match(history, new RegExp(`proposta · ${emailA.replace('.', '\\.')}`));
  assert.match(history, new RegExp(`eseguita · ${emailB.replace('.', '\\.')}`));
  assert.doesNotMatch(history, /usr_|proposal\./);
  assert.equal((await b.get('/admin/proposals/prp_00000000000000000000000000')).statusCode, 404);
});

test('a comment sent with an approval the form does not show is shown to the approver, since the organisation will read it', async () => {
  const sub = await subscriptionToApprove(services, db, org, 'prod');
  const res = await a.post(`/admin/subscriptions/${sub}/approve`, { comment: 'Call +39 000 0000 to activate <now>' });
  const id = proposalOf(res.headers.location);
  assert.ok(id);
  const pending = await b.get(`/admin/proposals/${id}`);
  assert.match(pending.body, /<dt>Comment the organisation will read<\/dt><dd><code>Call \+39 000 0000 to activate &lt;now&gt;<\/code><\/dd>/);
  assert.match((await b.get(`/admin/proposals/${id}?lang=it`)).body, /Commento che l’organizzazione leggerà/);
  // Without a comment there is nothing to show.
  const plain = proposalOf((await a.post(`/admin/subscriptions/${await subscriptionToApprove(services, db, org, 'prod')}/approve`)).headers.location);
  assert.doesNotMatch((await b.get(`/admin/proposals/${plain}`)).body, /Comment the organisation will read/);
});

test('a production CA from the Trusted CAs form is a proposal; a bad one is refused on the form', async () => {
  const bad = await a.post('/admin/trust', { environment: 'prod', scope: org, pem: 'not a pem' });
  assert.equal(bad.statusCode, 400);
  const ca = await makeCa({ name: 'Pagine Root' });
  const res = await a.post('/admin/trust', { environment: 'prod', scope: org, pem: ca.certPem });
  assert.equal(res.statusCode, 303);
  assert.ok(proposalOf(res.headers.location));
  assert.equal((await services.trust.list('prod')).length, 0);
  // The second administrator sees the certificate they are asked to trust before approving it.
  const page = await b.get(String(res.headers.location));
  const fingerprint = new X509Certificate(ca.certPem).fingerprint256;
  assert.match(page.body, /<dt>Organisation<\/dt><dd>Banca Pagine<\/dd>/);
  assert.match(page.body, /<dt>Certificate subject<\/dt><dd><code>[^<]*Pagine Root[^<]*<\/code>/);
  assert.ok(page.body.includes(fingerprint), 'its SHA-256 fingerprint');
  const testCa = await makeCa({ name: 'Pagine Test Root' });
  assert.equal((await a.post('/admin/trust', { environment: 'test', scope: org, pem: testCa.certPem })).headers.location, '/admin/trust?saved=1');
});

test('a referent regenerating a production key: a proposal, its state in the portal, then the key revealed once', async () => {
  const referent = await createReferent(db, org, ['node']);
  const portal = await new Browser(app, 'portal').signIn(referent.email);
  const keys = await approvedProd(services, db, org);
  const res = await portal.post(`/portal/subscriptions/${keys.id}/keys/primary/regenerate`, { overlapHours: '1' });
  assert.equal(res.statusCode, 303);
  const page = await portal.get(String(res.headers.location));
  assert.match(page.body, /Regenerate key \(primary\): waiting for approval/);
  assert.doesNotMatch(page.body, /vk_prod_[0-9A-Za-z]{20}/, 'no key shown, only masked ones');
  const [proposal] = (await services.proposals.list({ organisationId: org })).filter((p) => p.kind === 'api_key.regenerate');
  assert.ok(proposal);
  assert.equal(proposal.proposer.email, referent.email);
  const approved = await a.post(`/admin/proposals/${proposal.id}/approve`);
  assert.equal(approved.statusCode, 303);
  assert.doesNotMatch((await a.get(String(approved.headers.location))).body, /vk_prod_[0-9A-Za-z]{20}/, 'the approver sees no key');
  assert.match((await portal.get(`/portal/subscriptions/${keys.id}`)).body, /executed/);
  const shown = await portal.post(`/portal/subscriptions/${keys.id}/keys/primary/reveal`);
  assert.equal(shown.statusCode, 200);
  assert.notEqual(shownKey(shown.body), keys.primary);
  assert.equal((await portal.post(`/portal/subscriptions/${keys.id}/keys/primary/reveal`)).statusCode, 409, 'shown once');
});

test('a production key regeneration with an overlap the keys service refuses (over 72 h) is a form error when proposed, not a proposal that fails after approval', async () => {
  const overlapOrg = await createOrganisation(db, 'Banca Sovrapposta');
  const keys = await approvedProd(services, db, overlapOrg);
  const english = await new Browser(app, 'portal').signIn((await createReferent(db, overlapOrg, ['node'])).email);
  const italian = await new Browser(app, 'portal').signIn((await createReferent(db, overlapOrg, ['node'], 'it')).email);
  const regenerate = (browser: Browser, hours: string) => browser.post(`/portal/subscriptions/${keys.id}/keys/primary/regenerate`, { overlapHours: hours });
  const refused = await regenerate(english, '99');
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /The overlap must be a whole number of hours from 0 to 72\./);
  const rifiutata = await regenerate(italian, '73');
  assert.equal(rifiutata.statusCode, 400);
  assert.match(rifiutata.body, /La sovrapposizione deve essere un numero intero di ore da 0 a 72\./);
  const regenerations = async () => (await services.proposals.list({ organisationId: overlapOrg })).filter((p) => p.kind === 'api_key.regenerate');
  assert.deepEqual(await regenerations(), [], 'no proposal stored, no administrator e-mailed, the slot free');
  // Any other way of proposing is refused up front too.
  await assert.rejects(
    services.proposals.gate(
      { kind: 'api_key.regenerate', params: { subscriptionId: keys.id, organisationId: overlapOrg, slot: 'primary', overlapHours: 73 } },
      { type: 'referent', id: 'usr_x', email: 'x@org.test', ip: null },
    ),
    { code: 'invalid_state_transition', message: /overlap must be a whole number of hours from 0 to 72/ },
  );
  assert.equal((await regenerate(english, '72')).statusCode, 303, 'the corrected request proposes');
  assert.equal((await regenerations()).length, 1);
});

test('the CLI acts as a named administrator: proposes with --as, refuses unknown ones and the proposer, approves as another', async () => {
  const env = cliEnv;
  const sub = await subscriptionToApprove(services, db, org, 'prod');
  const without = await runCliInProcess(['subscription', 'approve', sub], env);
  assert.equal(without.code, 64, without.stdout);
  assert.match(without.stderr, /--as EMAIL/);
  const unknown = await runCliInProcess(['subscription', 'approve', sub, '--as', 'nobody@varco.test'], env);
  assert.match(unknown.stderr, /no enabled administrator/);
  const proposed = await runCliInProcess(['subscription', 'approve', sub, '--as', emailA, '--json'], env);
  assert.equal(proposed.code, 0, proposed.stderr);
  const id = (JSON.parse(proposed.stdout) as { proposal: { id: string } }).proposal.id;
  assert.equal((await services.subscriptions.get(sub))?.state, 'submitted');
  const listed = await runCliInProcess(['proposals', 'list'], env);
  assert.match(listed.stdout, new RegExp(`${id}\\s+pending`));
  const own = await runCliInProcess(['proposals', 'approve', id, '--as', emailA.toUpperCase()], env);
  assert.match(own.stderr, /another administrator must/);
  const approved = await runCliInProcess(['proposals', 'approve', id, '--as', emailB], env);
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, /executed/);
  assert.equal((await services.subscriptions.get(sub))?.state, 'active');
  const rows = await db.selectFrom('audit_log').select(['action', 'actor_type']).where('subject_id', '=', id).orderBy('seq').execute();
  assert.deepEqual(
    rows.map((r) => `${r.action}:${r.actor_type}`),
    ['proposal.proposed:cli', 'proposal.approved:cli', 'proposal.executed:cli'],
  );
});

test('with VARCO_FOUR_EYES=false the back office home warns and production approvals are immediate', async () => {
  const single = await buildTestApp({ env: { VARCO_FOUR_EYES: 'false' } });
  const admin = await new Browser(single.app, 'admin').signIn((await createAdmin(single.services)).email);
  assert.match((await admin.get('/admin')).body, /id="four-eyes-off"/);
  assert.doesNotMatch((await a.get('/admin')).body, /four-eyes-off/);
  const org2 = await createOrganisation(single.database.db, 'Banca Sola');
  const sub = await subscriptionToApprove(single.services, single.database.db, org2, 'prod');
  assert.equal((await admin.post(`/admin/subscriptions/${sub}/approve`)).headers.location, `/admin/subscriptions/${sub}?done=approve`);
  assert.equal((await single.services.subscriptions.get(sub))?.state, 'active');
  assert.equal((await single.services.proposals.list()).length, 0);
});

test('one administrator cannot turn four-eyes off for a product: with the production approval box unticked a production subscription still waits; the CLI creates no live production keys', async () => {
  const product = await db.selectFrom('products').select(['id', 'code', 'name']).where('code', '=', 'ecommerce').executeTakeFirstOrThrow();
  const saved = await a.post(`/admin/products/${product.id}`, {
    code: product.code,
    name: product.name,
    description: '',
    routeGroups: 'orders',
    approvalTest: '1',
    rateLimitPerMinute: '600',
  });
  assert.equal(saved.statusCode, 303, saved.body);
  assert.equal(
    (await db.selectFrom('products').select('approval_required_prod').where('id', '=', product.id).executeTakeFirstOrThrow()).approval_required_prod,
    false,
  );
  const catalogue = await a.get('/admin/products');
  assert.match(catalogue.body, /yes \(four-eyes\)/);
  assert.match(catalogue.body, /production subscriptions wait for the approval of two administrators/);

  const referent = await createReferent(db, org, ['ecommerce']);
  const portal = await new Browser(app, 'portal').signIn(referent.email);
  assert.match((await portal.get('/portal/products')).body, /Production: Needs approval/);
  const subscribed = await services.subscriptions.subscribe(
    { productId: product.id, environment: 'prod', name: 'Senza doppio controllo?' },
    { type: 'referent', id: referent.id, ip: null },
  );
  assert.ok(subscribed.ok);
  assert.equal(subscribed.value.state, 'submitted', 'it waits for approval, which is a proposal');

  const env = cliEnv;
  const cli = await runCliInProcess(['subscription', 'create', '--org', org, '--product', 'ecommerce', '--env', 'prod', '--approve'], env);
  assert.equal(cli.code, 64, cli.stdout);
  assert.match(cli.stderr, /four-eyes is on/);
  assert.doesNotMatch(cli.stdout, /vk_prod_/);
  // Refused by the keys service itself, whoever calls it; nothing is created.
  const before = await db.selectFrom('subscriptions').select('id').where('organisation_id', '=', org).execute();
  assert.deepEqual(await services.apiKeys.createActive({ organisationId: org, productCode: 'ecommerce', environment: 'prod' }, CLI), {
    ok: false,
    reason: 'four_eyes',
  });
  assert.equal((await db.selectFrom('subscriptions').select('id').where('organisation_id', '=', org).execute()).length, before.length);
  const created = await runCliInProcess(['subscription', 'create', '--org', org, '--product', 'ecommerce', '--env', 'test', '--approve', '--json'], env);
  assert.equal(created.code, 0, created.stderr);
});

test('the Reactivate button proposes for a suspended production subscription; the approver reads why it was suspended; the CLI needs --as', async () => {
  const keys = await approvedProd(services, db, org);
  assert.equal((await a.post(`/admin/subscriptions/${keys.id}/suspend`, { comment: 'Key <leaked> on a forum' })).statusCode, 303);
  const res = await a.post(`/admin/subscriptions/${keys.id}/reactivate`);
  assert.equal(res.statusCode, 303);
  const id = proposalOf(res.headers.location);
  assert.ok(id, String(res.headers.location));
  assert.equal((await services.subscriptions.get(keys.id))?.state, 'suspended', 'not reactivated by one administrator');
  const page = await b.get(`/admin/proposals/${id}`);
  assert.match(page.body, /Reactivate a suspended subscription/);
  assert.match(page.body, /Suspended because/);
  assert.match(page.body, /Key &lt;leaked&gt; on a forum/);
  assert.match((await a.get(`/admin/subscriptions/${keys.id}`)).body, /id="proposal-waiting"/, 'the subscription says a proposal waits');
  assert.equal((await b.post(`/admin/proposals/${id}/approve`)).statusCode, 303);
  assert.equal((await services.subscriptions.get(keys.id))?.state, 'active');
  // A stale tab pressing Reactivate again: the subscription's page as it is now, nothing proposed.
  const stale = await a.post(`/admin/subscriptions/${keys.id}/reactivate`);
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /Nothing was done: the subscription had already changed/);

  assert.ok((await services.subscriptions.change(keys.id, 'suspend', { type: 'cli', id: null, ip: null }, { comment: 'again' })).ok);
  const without = await runCliInProcess(['subscription', 'reactivate', keys.id], cliEnv);
  assert.equal(without.code, 64, without.stdout);
  assert.match(without.stderr, /--as EMAIL/);
  assert.equal((await services.subscriptions.get(keys.id))?.state, 'suspended');
});

test('linking a production EC to another organisation\u2019s station proposes; a second administrator approves and the link exists; test stays immediate', async () => {
  const ec = await registryOrganisation(db, 'creditor_institution', { name: 'Comune Quattrocchi' });
  const partner = await registryOrganisation(db, 'technology_partner', { name: 'Partner Quattrocchi' });
  const code = `${partner.taxCode}_07`;
  await registryStation(services, partner.id, code, { env: 'prod' });
  const link = {
    organisationId: ec.id,
    environment: 'prod',
    stationCode: code,
    auxDigit: '3',
    segregationCode: '07',
    version: '2',
    otherOrganisationStation: '1',
  };
  const links = () => db.selectFrom('pagopa_ec_links').select('id').where('organisation_id', '=', ec.id).execute();
  const res = await a.post('/admin/pagopa/links', link);
  assert.equal(res.statusCode, 303);
  const id = proposalOf(res.headers.location);
  assert.ok(id, String(res.headers.location));
  assert.equal((await links()).length, 0, 'nothing linked by one administrator');
  const page = await b.get(`/admin/proposals/${id}`);
  assert.match(page.body, /Link an EC’s notices to another organisation’s station/);
  assert.match(page.body, /Comune Quattrocchi/);
  assert.ok(page.body.includes(code));
  assert.equal((await b.post(`/admin/proposals/${id}/approve`)).statusCode, 303);
  assert.equal((await links()).length, 1, 'linked once approved');
  assert.ok(
    (await db.selectFrom('audit_log').select('actor_id').where('action', '=', 'pagopa.ec_link.added').where('organisation_id', '=', ec.id).execute()).length ===
      1,
  );

  // The CLI proposes too (--as); in test the link is immediate.
  const cli = await runCliInProcess(
    ['ec', 'link', '--org', ec.id, '--env', 'prod', '--station', code, '--aux-digit', '3', '--segregation-code', '08', '--partner-station'],
    cliEnv,
  );
  assert.equal(cli.code, 64, cli.stdout);
  assert.match(cli.stderr, /--as EMAIL/);
  await registryStation(services, partner.id, `${partner.taxCode}_08`);
  const testLink = await a.post('/admin/pagopa/links', { ...link, environment: 'test', stationCode: `${partner.taxCode}_08` });
  assert.equal(testLink.statusCode, 303);
  assert.doesNotMatch(String(testLink.headers.location), /proposals/);
});
