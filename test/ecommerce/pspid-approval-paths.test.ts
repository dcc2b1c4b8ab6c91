// Issue 12 (docs/adr/0023-ecommerce-split.md): no trigger on the subscriptions module's tables any
// more; the subscriptions module calls the merchants module's hooks inside its own transactions.
// Every path that makes an E-commerce subscription active reserves the merchant's PSPID there, in
// the same transaction (a failed approval reserves nothing), and a change of the `ecommerce`
// product's code reaches the hosted page's configuration cache.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { Browser, CLI, createAdmin, createOrganisation, createReferent, issueKeys, productId } from '../support/subscriptions.ts';
import { runCliInProcess } from '../support/cli.ts';
import { generateSecretboxKey } from '../../src/kernel/secretbox.ts';

const masterKey = generateSecretboxKey();
const t = await buildTestApp({ masterKey, env: { VARCO_MASTER_KEY: masterKey.toString('base64') } });
const { app, services } = t;
const db = t.database.db;

/** `npx varco …` in this process, on this file's database (the CLI builds its own services, as in production). */
async function varco(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCliInProcess(args, { DATABASE_URL: t.database.url, VARCO_DATA_DIR: t.config.dataDir, VARCO_MASTER_KEY: t.masterKey.toString('base64') });
}

/** An organisation approved in test whose merchant holds `pspid` there, with a referent who may ask for E-commerce. */
async function merchantApprovedInTest(pspid: string) {
  const organisationId = await createOrganisation(db);
  await issueKeys(services, organisationId, 'ecommerce', 'test');
  const referent = await createReferent(db, organisationId, ['ecommerce']);
  const created = await services.merchants.create({ organisationId, pspid }, CLI);
  assert.ok(created.ok, created.ok ? '' : created.reason);
  assert.deepEqual(created.value.pspids, { test: pspid });
  return { organisationId, referent, merchantId: created.value.id };
}

async function askForProduction(referentId: string): Promise<{ id: string; state: string }> {
  const asked = await services.subscriptions.subscribe(
    { productId: await productId(db, 'ecommerce'), environment: 'prod', name: 'shop prod' },
    { type: 'referent', id: referentId, ip: null },
  );
  assert.ok(asked.ok, JSON.stringify(asked));
  return asked.value;
}

async function pspids(merchantId: string) {
  return (await services.merchants.get(merchantId))?.pspids;
}

describe('every path that makes an E-commerce subscription active reserves the PSPID there', () => {
  it('an administrator approving in the back office', async () => {
    const m = await merchantApprovedInTest('Bottega');
    const request = await askForProduction(m.referent.id);
    assert.equal(request.state, 'submitted');
    assert.deepEqual(await pspids(m.merchantId), { test: 'Bottega' }, 'a pending request reserves nothing');
    const admin = await new Browser(app, 'admin').signIn((await createAdmin(services)).email);
    assert.equal((await admin.post(`/admin/subscriptions/${request.id}/approve`)).statusCode, 303);
    assert.deepEqual(await pspids(m.merchantId), { test: 'Bottega', prod: 'Bottega' });
    services.hostedPage.configs.invalidate();
    assert.equal((await services.merchants.configFor('BOTTEGA', 'prod'))?.merchantId, m.merchantId);
  });

  it('an operator approving with `varco subscription approve`', async () => {
    const m = await merchantApprovedInTest('Ferramenta');
    const request = await askForProduction(m.referent.id);
    const run = await varco(['subscription', 'approve', request.id]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await pspids(m.merchantId), { test: 'Ferramenta', prod: 'Ferramenta' });
  });

  it('an operator creating it approved with `varco subscription create --approve`', async () => {
    const m = await merchantApprovedInTest('Libreria');
    const run = await varco(['subscription', 'create', '--org', m.organisationId, '--product', 'ecommerce', '--env', 'prod', '--approve']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await pspids(m.merchantId), { test: 'Libreria', prod: 'Libreria' });
  });

  it('the operator service creating it approved (createActive)', async () => {
    const m = await merchantApprovedInTest('Merceria');
    await issueKeys(services, m.organisationId, 'ecommerce', 'prod');
    assert.deepEqual(await pspids(m.merchantId), { test: 'Merceria', prod: 'Merceria' });
  });

  it('reactivating a suspended subscription', async () => {
    const organisationId = await createOrganisation(db);
    await issueKeys(services, organisationId, 'ecommerce', 'test');
    const prod = await issueKeys(services, organisationId, 'ecommerce', 'prod');
    assert.ok((await services.subscriptions.change(prod.id, 'suspend', CLI)).ok);
    // Opened while production is suspended: the name is reserved in test only.
    const created = await services.merchants.create({ organisationId, pspid: 'Panetteria' }, CLI);
    assert.ok(created.ok);
    assert.deepEqual(created.value.pspids, { test: 'Panetteria' });
    assert.ok((await services.subscriptions.change(prod.id, 'reactivate', CLI)).ok);
    assert.deepEqual(await pspids(created.value.id), { test: 'Panetteria', prod: 'Panetteria' });
  });

  it('a product that needs no approval: the referent\u2019s request is active at once', async () => {
    const ecommerce = await services.products.get(await productId(db, 'ecommerce'));
    assert.ok(ecommerce);
    const input = {
      code: ecommerce.code,
      name: ecommerce.name,
      description: ecommerce.description,
      routeGroups: ecommerce.route_groups,
      approvalRequiredTest: ecommerce.approval_required_test,
      rateLimitPerMinute: ecommerce.rate_limit_per_minute,
    };
    assert.ok((await services.products.update(ecommerce.id, { ...input, approvalRequiredProd: false }, CLI)).ok);
    try {
      const m = await merchantApprovedInTest('Salumeria');
      assert.equal((await askForProduction(m.referent.id)).state, 'active');
      assert.deepEqual(await pspids(m.merchantId), { test: 'Salumeria', prod: 'Salumeria' });
    } finally {
      assert.ok((await services.products.update(ecommerce.id, { ...input, approvalRequiredProd: ecommerce.approval_required_prod }, CLI)).ok);
    }
  });
});

describe('in the approval\u2019s transaction', () => {
  it('an approval that fails after the reservation was made reserves nothing; approved again, it does', async () => {
    const m = await merchantApprovedInTest('Drogheria');
    const request = await askForProduction(m.referent.id);
    // A fault behind Varco: the approval's audit row (written after the hooks ran) is refused.
    await t.database.owner.query(`CREATE FUNCTION test_refuse_approval() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'approval refused by the test'; END $$`);
    await t.database.owner.query(`CREATE TRIGGER test_refuse_approval BEFORE INSERT ON audit_log FOR EACH ROW
      WHEN (NEW.action = 'subscription.approved') EXECUTE FUNCTION test_refuse_approval()`);
    try {
      await assert.rejects(services.subscriptions.change(request.id, 'approve', CLI), /approval refused by the test/);
    } finally {
      await t.database.owner.query('DROP TRIGGER test_refuse_approval ON audit_log; DROP FUNCTION test_refuse_approval()');
    }
    assert.equal((await services.subscriptions.get(request.id))?.state, 'submitted');
    assert.deepEqual(await pspids(m.merchantId), { test: 'Drogheria' }, 'the reservation rolled back with the approval');
    assert.ok((await services.subscriptions.change(request.id, 'approve', CLI)).ok);
    assert.deepEqual(await pspids(m.merchantId), { test: 'Drogheria', prod: 'Drogheria' });
  });
});

describe('the hosted page\u2019s configuration cache follows the subscriptions module\u2019s changes', () => {
  it('renaming the `ecommerce` product stops the entry through the cache\u2019s notification; renaming it back restores it', async () => {
    const m = await merchantApprovedInTest('Enoteca');
    const configs = services.hostedPage.configs;
    assert.ok(configs.listening, 'the cache listens');
    const ecommerce = await services.products.get(await productId(db, 'ecommerce'));
    assert.ok(ecommerce);
    const input = {
      name: ecommerce.name,
      description: ecommerce.description,
      routeGroups: ecommerce.route_groups,
      approvalRequiredTest: ecommerce.approval_required_test,
      approvalRequiredProd: ecommerce.approval_required_prod,
      rateLimitPerMinute: ecommerce.rate_limit_per_minute,
    };
    const within = async (expected: boolean): Promise<boolean> => {
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline) {
        if (((await configs.configFor('enoteca', 'test')) !== undefined) === expected) return true;
        await new Promise((done) => setTimeout(done, 20));
      }
      return false;
    };
    assert.equal((await configs.configFor('enoteca', 'test'))?.merchantId, m.merchantId, 'cached while active');
    assert.ok((await services.products.update(ecommerce.id, { ...input, code: 'ecommerce-renamed' }, CLI)).ok);
    try {
      assert.ok(await within(false), 'no entry once no product is called `ecommerce`');
    } finally {
      assert.ok((await services.products.update(ecommerce.id, { ...input, code: 'ecommerce' }, CLI)).ok);
    }
    assert.ok(await within(true), 'the entry works again');
  });
});
