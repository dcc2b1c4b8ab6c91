import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp } from '../support/app.ts';
import { apiSecuritySuite } from '../support/api-security.ts';
import { createMerchant } from '../support/ecommerce.ts';
import { createApiUser, ncAnswer, postDirect, signedDirect } from '../support/directlink.ts';
import { issueKeys } from '../support/subscriptions.ts';

// /api/v1/aliases (issue 13): the token vault in JSON under an `ecommerce` key — list (masked, newest
// first, paged), read, delete — within the key's organisation and environment only.

const t = await buildTestApp();
const { app, services } = t;
const db = t.database.db;
const m = await createMerchant(t, { prod: true });
const user = await createApiUser(t, m);
const keys = await issueKeys(services, m.organisationId, 'ecommerce', 'test');
const prodKeys = await issueKeys(services, m.organisationId, 'ecommerce', 'prod');
const other = await createMerchant(t);
const otherKeys = await issueKeys(services, other.organisationId, 'ecommerce', 'test');

async function store(orderId: string, alias: string, cardNo = '4111111111111111'): Promise<void> {
  const fields: Array<[string, string]> = [
    ['ORDERID', orderId],
    ['AMOUNT', '100'],
    ['CURRENCY', 'EUR'],
    ['CARDNO', cardNo],
    ['ED', '0931'],
    ['CN', 'Ada Lovelace'],
    ['ALIAS', alias],
    ['ALIASUSAGE', 'Subscription'],
  ];
  assert.equal(ncAnswer(await postDirect(app, 'orderdirect.asp', signedDirect(m, user, fields))).attributes.get('ALIAS'), alias);
}

const call = (method: 'GET' | 'DELETE', url: string, key = keys.primary) => app.inject({ method, url, headers: { 'ocp-apim-subscription-key': key } });

/** An alias row of `merchantId` as the paging tests insert it (its id tagged): two share each second of 2026-01-01, the id breaks the tie. */
const aliasRow = (merchantId: string, i: number, tag: string) => ({
  id: `als_${tag}${String(i).padStart(26 - tag.length, '0')}`,
  merchant_id: merchantId,
  environment: 'test' as const,
  alias: `P-${String(i).padStart(3, '0')}`,
  pan_sealed: 'sb1.placeholder',
  card_brand: 'VISA',
  card_masked: 'XXXXXXXXXXXX1111',
  card_expiry: '1234',
  created_at: new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(i / 2) * 1000),
  updated_at: new Date(Date.parse('2026-01-01T00:00:00Z')),
});

/** A new organisation with `count` aliases P-000… (P-000 the oldest) and its test key. */
async function pagedAliases(count: number, tag: string): Promise<{ key: string; merchantId: string }> {
  const paged = await createMerchant(t);
  const key = (await issueKeys(services, paged.organisationId, 'ecommerce', 'test')).primary;
  await db
    .insertInto('card_aliases')
    .values(Array.from({ length: count }, (_, i) => aliasRow(paged.merchantId, i, tag)))
    .execute();
  return { key, merchantId: paged.merchantId };
}

describe('GET /api/v1/aliases', () => {
  apiSecuritySuite({ app, services, db, method: 'GET', url: '/api/v1/aliases', group: 'orders', productCode: 'ecommerce' });
});
for (const method of ['GET', 'DELETE'] as const) {
  describe(`${method} /api/v1/aliases/{alias}`, () => {
    apiSecuritySuite({
      app,
      services,
      db,
      method,
      url: '/api/v1/aliases/none',
      group: 'orders',
      productCode: 'ecommerce',
      okStatus: 404,
      otherOrganisation: (r) => assert.equal(r.statusCode, 404),
    });
  });
}

describe('the aliases of the key’s organisation and environment', () => {
  it('are listed newest first and read one by one, masked: never the number', async () => {
    await store('api-al-1', 'API-1');
    await store('api-al-2', 'API-2', '5399999999999999');
    const list = await call('GET', '/api/v1/aliases');
    assert.equal(list.statusCode, 200, list.body);
    const body = list.json<{ aliases: Array<{ alias: string; card: Record<string, string> }>; next: string | null }>();
    assert.deepEqual(
      body.aliases.map((a) => a.alias),
      ['API-2', 'API-1'],
    );
    assert.equal(body.next, null);
    const one = await call('GET', '/api/v1/aliases/API-1');
    assert.equal(one.statusCode, 200);
    const alias = one.json<Record<string, unknown>>();
    assert.deepEqual(alias.card, { brand: 'VISA', number: 'XXXXXXXXXXXX1111', bin: '411111', expiry: '0931', holder: 'Ada Lovelace' });
    assert.equal(alias.usage, 'Subscription');
    assert.equal(alias.environment, 'test');
    assert.doesNotMatch(list.body + one.body, /4111111111111111|5399999999999999|sb1\./);
  });

  it('are unknown to another organisation’s key and to the other environment’s key: 404, an empty list, nothing deleted', async () => {
    await store('api-al-3', 'API-3');
    for (const key of [otherKeys.primary, prodKeys.primary]) {
      assert.equal((await call('GET', '/api/v1/aliases/API-3', key)).statusCode, 404);
      assert.equal((await call('DELETE', '/api/v1/aliases/API-3', key)).statusCode, 404);
      assert.deepEqual((await call('GET', '/api/v1/aliases', key)).json<{ aliases: unknown[] }>().aliases, []);
    }
    assert.equal((await call('GET', '/api/v1/aliases/API-3')).statusCode, 200, 'still there');
  });

  it('are deleted with their sealed card (audited); orderdirect then finds the alias unknown', async () => {
    await store('api-al-4', 'API-4');
    const deleted = await call('DELETE', '/api/v1/aliases/API-4');
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal((await call('GET', '/api/v1/aliases/API-4')).statusCode, 404);
    assert.equal((await call('DELETE', '/api/v1/aliases/API-4')).statusCode, 404);
    assert.equal((await db.selectFrom('card_aliases').select('id').where('alias', '=', 'API-4').execute()).length, 0);
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'card_alias.deleted').execute();
    assert.equal(audit.length, 1);
    const again = ncAnswer(
      await postDirect(
        app,
        'orderdirect.asp',
        signedDirect(m, user, [
          ['ORDERID', 'api-al-5'],
          ['AMOUNT', '100'],
          ['CURRENCY', 'EUR'],
          ['ALIAS', 'API-4'],
        ]),
      ),
    ).attributes;
    assert.deepEqual([again.get('NCERROR'), again.get('NCERRORPLUS')], ['50001111', 'unknown alias']);
  });

  it('come in pages of 100, newest first: `next` is a cursor after the last of a page and starts the next', async () => {
    const { key } = await pagedAliases(101, 'page');
    const first = (await call('GET', '/api/v1/aliases', key)).json<{ aliases: Array<{ alias: string }>; next: string | null }>();
    assert.equal(first.aliases.length, 100);
    assert.equal(first.aliases[0]?.alias, 'P-100');
    assert.equal(first.aliases.at(-1)?.alias, 'P-001');
    assert.equal(first.next, `${Date.parse('2026-01-01T00:00:00Z')}.als_page${'1'.padStart(22, '0')}`, 'the last one’s time and id, not its name');
    const second = (await call('GET', `/api/v1/aliases?after=${first.next}`, key)).json<{ aliases: Array<{ alias: string }>; next: string | null }>();
    assert.deepEqual(
      second.aliases.map((a) => a.alias),
      ['P-000'],
    );
    assert.equal(second.next, null);
  });

  it('page on when the aliases read are deleted meanwhile (the clean-up loop), or one is made again under the same name', async () => {
    const { key, merchantId } = await pagedAliases(102, 'swept');
    const first = (await call('GET', '/api/v1/aliases', key)).json<{ aliases: Array<{ alias: string }>; next: string | null }>();
    assert.ok(first.next);
    // The client deletes every alias it has just read, the last of the page (the cursor's) included.
    for (const a of first.aliases) assert.equal((await call('DELETE', `/api/v1/aliases/${a.alias}`, key)).statusCode, 204);
    const second = await call('GET', `/api/v1/aliases?after=${first.next}`, key);
    assert.equal(second.statusCode, 200, second.body);
    assert.deepEqual(
      second.json<{ aliases: Array<{ alias: string }> }>().aliases.map((a) => a.alias),
      ['P-001', 'P-000'],
    );
    // The cursor's alias made again (a new card under the same name) is newer: it does not restart the list.
    await db
      .insertInto('card_aliases')
      .values({ ...aliasRow(merchantId, 2, 'swept'), id: `als_newer${'0'.repeat(21)}`, created_at: new Date(Date.parse('2027-01-01T00:00:00Z')) })
      .execute();
    assert.deepEqual(
      (await call('GET', `/api/v1/aliases?after=${first.next}`, key)).json<{ aliases: Array<{ alias: string }> }>().aliases.map((a) => a.alias),
      ['P-001', 'P-000'],
    );
  });

  it('refuse a malformed name before any lookup (400), and an `after` that is not a cursor of the list (400, saying so)', async () => {
    assert.equal((await call('GET', `/api/v1/aliases/${encodeURIComponent('two words')}`)).statusCode, 400);
    assert.equal((await call('GET', `/api/v1/aliases/${'a'.repeat(51)}`)).statusCode, 400);
    const id = `als_page${'1'.padStart(22, '0')}`;
    // An alias name (what `next` was before), an edited cursor, another kind of id, an impossible time, an overlong value.
    for (const after of [
      'NOPE',
      'P-001',
      `x.${id}`,
      `1.${id}x`,
      `1.ord_${'0'.repeat(26)}`,
      `99999999999999999.${id}`,
      `1.als_${'I'.repeat(26)}`,
      'a'.repeat(61),
    ]) {
      const answer = await call('GET', `/api/v1/aliases?after=${encodeURIComponent(after)}`);
      assert.equal(answer.statusCode, 400, after);
      const error = answer.json<{ error: { code: string; message: string } }>().error;
      assert.equal(error.code, 'validation_failed', after);
      if (after.length <= 60) assert.match(error.message, /after is not a cursor of this list: pass the `next` of the previous page as it came/, after);
    }
    // A well-formed cursor of no alias of the key's is a position, not a lookup: an empty page, not 404.
    const nowhere = await call('GET', `/api/v1/aliases?after=1.${id}`);
    assert.equal(nowhere.statusCode, 200);
    assert.deepEqual(nowhere.json<{ aliases: unknown[]; next: null }>(), { aliases: [], next: null });
  });
});
