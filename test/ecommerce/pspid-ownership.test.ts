// Issue 10 item 17: a PSPID names one merchant in one environment. Two organisations can never hold
// the same PSPID in an environment (PostgreSQL's unique index decides, whatever the case, also for
// concurrent claims), and a name is reserved only where the organisation's E-commerce subscription
// was approved: a pending request, or an approval in the other environment, squats nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { buildTestApp } from '../support/app.ts';
import { Browser, CLI, createOrganisation, createReferent, issueKeys, productId } from '../support/subscriptions.ts';

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;

/** An organisation with an approved E-commerce subscription in `active`, and one waiting for approval in `pending`. */
async function organisation(active: Array<'test' | 'prod'>, pending: Array<'test' | 'prod'> = []) {
  const organisationId = await createOrganisation(db);
  for (const env of active) await issueKeys(services, organisationId, 'ecommerce', env);
  const referent = await createReferent(db, organisationId, ['ecommerce']);
  const requests: Record<string, string> = {};
  for (const env of pending) {
    const asked = await services.subscriptions.subscribe(
      { productId: await productId(db, 'ecommerce'), environment: env, name: `shop ${env}` },
      { type: 'referent', id: referent.id, ip: null },
    );
    assert.ok(asked.ok && asked.value.state === 'submitted', JSON.stringify(asked));
    requests[env] = asked.value.id;
  }
  return { organisationId, referent, requests };
}

async function open(organisationId: string, pspid: string) {
  const created = await services.merchants.create({ organisationId, pspid }, CLI);
  return created;
}

describe('reservation follows approval, per environment', () => {
  it('a pending production request does not squat the name: another organisation approved in production takes it', async () => {
    const a = await organisation(['test'], ['prod']);
    const createdA = await open(a.organisationId, 'Acme');
    assert.ok(createdA.ok);
    assert.deepEqual(createdA.value.pspids, { test: 'Acme' }, 'reserved only where approved');
    const b = await organisation(['prod']);
    const createdB = await open(b.organisationId, 'ACME');
    assert.ok(createdB.ok, createdB.ok ? '' : createdB.reason);
    assert.deepEqual(createdB.value.pspids, { prod: 'ACME' });
    // The hosted page reads the PSPID per environment.
    assert.equal((await services.merchants.configFor('acme', 'test'))?.merchantId, createdA.value.id);
    assert.equal((await services.merchants.configFor('acme', 'prod'))?.merchantId, createdB.value.id);

    // A's production request is approved now: its name is held there, so A chooses another one.
    await services.subscriptions.change(a.requests.prod!, 'approve', CLI);
    assert.deepEqual((await services.merchants.get(createdA.value.id))?.pspids, { test: 'Acme' });
    const portal = await new Browser(app, 'portal').signIn(a.referent.email);
    const prodPage = await portal.get(`/portal/merchants/${createdA.value.id}/settings/prod`);
    assert.match(prodPage.body, /The PSPID Acme is already used by another merchant in this environment/);
    const again = await portal.post(`/portal/merchants/${createdA.value.id}/pspid/prod`, { pspid: 'acme' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /this PSPID is already used by another merchant in this environment: choose another one/);
    const italian = await new Browser(app, 'portal').signIn((await createReferent(db, a.organisationId, ['ecommerce'], 'it')).email);
    const ancora = await italian.post(`/portal/merchants/${createdA.value.id}/pspid/prod`, { pspid: 'ACME' });
    assert.equal(ancora.statusCode, 409);
    assert.match(ancora.body, /questo PSPID è già usato da un altro esercente in questo ambiente: scegline un altro/);
    const claimed = await portal.post(`/portal/merchants/${createdA.value.id}/pspid/prod`, { pspid: 'Acme-IT' });
    assert.equal(claimed.statusCode, 303);
    assert.deepEqual((await services.merchants.get(createdA.value.id))?.pspids, { test: 'Acme', prod: 'Acme-IT' });
    assert.match((await portal.get(`/portal/merchants/${createdA.value.id}/settings/prod`)).body, /data-pspid>Acme-IT</);
    const audit = await db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', '=', createdA.value.id)
      .where('action', '=', 'merchant.pspid_claimed')
      .execute();
    assert.equal(audit.length, 1);
    // A PSPID never changes once held.
    const changed = await services.merchants.claimPspid(createdA.value.id, 'prod', 'Acme-Other', CLI);
    assert.ok(!changed.ok && changed.reason === 'already_claimed');
  });

  it('approving the subscription of another environment reserves the account\u2019s name there, in the approval\u2019s transaction', async () => {
    const c = await organisation(['test'], ['prod']);
    const created = await open(c.organisationId, 'Cucina');
    assert.ok(created.ok);
    assert.equal(await services.merchants.configFor('CUCINA', 'prod'), undefined);
    await services.subscriptions.change(c.requests.prod!, 'approve', CLI);
    assert.deepEqual((await services.merchants.get(created.value.id))?.pspids, { test: 'Cucina', prod: 'Cucina' });
    services.hostedPage.configs.invalidate();
    assert.equal((await services.merchants.configFor('cucina', 'prod'))?.merchantId, created.value.id);
  });

  it('an organisation without any approval cannot reserve a name; another one then opens it', async () => {
    const pendingOnly = await organisation([], ['test', 'prod']);
    const refused = await open(pendingOnly.organisationId, 'Pending');
    assert.ok(!refused.ok && refused.reason === 'not_eligible');
    const other = await organisation(['test']);
    assert.ok((await open(other.organisationId, 'PENDING')).ok);
  });
});

describe('uniqueness is PostgreSQL\u2019s', () => {
  it('a second holder of a PSPID in an environment is refused by the database itself, whatever the case', async () => {
    const d = await organisation(['test']);
    const e = await organisation(['test']);
    const held = await open(d.organisationId, 'Duomo');
    const other = await open(e.organisationId, 'Other-Shop');
    assert.ok(held.ok && other.ok);
    await assert.rejects(
      sql`INSERT INTO pspid_claims (merchant_id, environment, pspid) VALUES (${other.value.id}, 'prod', 'x1'), (${other.value.id}, 'prod', 'x2')`.execute(db),
      /pspid_claims_pkey/,
      'one PSPID per merchant and environment',
    );
    await assert.rejects(
      sql`UPDATE pspid_claims SET pspid = 'dUoMo' WHERE merchant_id = ${other.value.id} AND environment = 'test'`.execute(db),
      /pspid_claims_environment_pspid/,
    );
  });

  it('concurrent claims of one name by two organisations: exactly one wins, every time', async () => {
    for (let round = 0; round < 6; round++) {
      const [f, g] = await Promise.all([organisation(['test', 'prod']), organisation(['test', 'prod'])]);
      const name = `Race${round}`;
      const results = await Promise.all([open(f.organisationId, name), open(g.organisationId, name.toUpperCase())]);
      const won = results.filter((r) => r.ok);
      assert.equal(won.length, 1, JSON.stringify(results.map((r) => (r.ok ? 'ok' : r.reason))));
      assert.deepEqual(
        results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason)),
        ['pspid_taken'],
      );
      // The loser kept nothing: no account, no claim in either environment.
      const loser = results[0]!.ok ? g : f;
      assert.equal(await services.merchants.forOrganisation(loser.organisationId), undefined);
    }
    const claims = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pspid_claims WHERE upper(pspid) LIKE 'RACE%' GROUP BY environment, upper(pspid) HAVING count(*) > 1`.execute(db);
    assert.deepEqual(claims.rows, []);
  });

  it('concurrent claims in an environment approved later: exactly one wins', async () => {
    // X and Y are approved in production; in test their names are already held by Z and W.
    const [x, y, z, w] = await Promise.all([
      organisation(['prod'], ['test']),
      organisation(['prod'], ['test']),
      organisation(['test']),
      organisation(['test']),
    ]);
    const [mx, my] = await Promise.all([open(x.organisationId, 'Xeno'), open(y.organisationId, 'Ypsilon')]);
    assert.ok(mx.ok && my.ok);
    assert.ok((await open(z.organisationId, 'xeno')).ok && (await open(w.organisationId, 'YPSILON')).ok);
    await services.subscriptions.change(x.requests.test!, 'approve', CLI);
    await services.subscriptions.change(y.requests.test!, 'approve', CLI);
    assert.equal((await services.merchants.get(mx.value.id))?.pspids.test, undefined, 'the approval could not reserve a held name');
    const results = await Promise.all([
      services.merchants.claimPspid(mx.value.id, 'test', 'Shared', CLI),
      services.merchants.claimPspid(my.value.id, 'test', 'SHARED', CLI),
    ]);
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.reason)).sort(), ['ok', 'pspid_taken']);
  });
});

describe('the error log follows the PSPID per environment', () => {
  it('rows naming a PSPID another organisation holds in an environment are not shown to the organisation holding it in the other one', async () => {
    // A holds "Gelato" in test; B holds "GELATO" in production. B's production subscription is
    // suspended, so the hosted page rejects B's customers' requests as an unknown PSPID: those rows
    // are B's customers' (addresses, order references, shops' URLs), never A's.
    const a = await organisation(['test']);
    const b = await organisation([]);
    const bKeys = await issueKeys(services, b.organisationId, 'ecommerce', 'prod');
    const ma = await open(a.organisationId, 'Gelato');
    const mb = await open(b.organisationId, 'GELATO');
    assert.ok(ma.ok && mb.ok);
    assert.deepEqual([ma.value.pspids, mb.value.pspids], [{ test: 'Gelato' }, { prod: 'GELATO' }]);
    await services.subscriptions.change(bKeys.id, 'suspend', CLI);
    services.hostedPage.configs.invalidate();
    const entry = (env: 'test' | 'prod', orderId: string) =>
      app.inject({
        method: 'POST',
        url: `/ncol/${env}/orderstandard.asp`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'https://b-shop.example/checkout' },
        payload: `PSPID=GELATO&ORDERID=${orderId}&AMOUNT=100&CURRENCY=EUR`,
      });
    assert.equal((await entry('prod', 'B-CUSTOMER-ORDER')).statusCode, 200);
    // An unknown-PSPID row A may see: its own name in its own environment, while its test subscription was not active.
    await services.errorLog.recordEntryError({
      merchantId: null,
      env: 'test',
      pspid: 'gelato',
      orderRef: 'A-OWN-ORDER',
      code: '50001118',
      message: 'PSPID not found or not active',
      clientIp: null,
      referrer: null,
    });
    const rows = await db
      .selectFrom('ecommerce_errors')
      .select(['environment', 'order_ref', 'merchant_id'])
      .where(sql<string>`upper(pspid)`, '=', 'GELATO')
      .execute();
    assert.deepEqual(rows.map((r) => [r.environment, r.order_ref, r.merchant_id]).sort(), [
      ['prod', 'B-CUSTOMER-ORDER', null],
      ['test', 'A-OWN-ORDER', null],
    ]);

    const portal = await new Browser(app, 'portal').signIn(a.referent.email);
    for (const query of ['', '?env=prod', '?env=test']) {
      const page = await portal.get(`/portal/merchants/${ma.value.id}/errors${query}`);
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /B-CUSTOMER-ORDER|b-shop\.example/, `B's rows are not on A's error log${query}`);
    }
    assert.match(
      (await portal.get(`/portal/merchants/${ma.value.id}/errors?env=test`)).body,
      /A-OWN-ORDER/,
      'A still sees rows naming its own PSPID in its environment',
    );
  });
});
