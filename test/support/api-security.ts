import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import type { Services } from '../../src/app/container.ts';
import { generateKey, ROUTE_GROUPS, type RouteGroup } from '../../src/modules/subscriptions/index.ts';
import { CLI, createOrganisation, createReferent, issueKeys } from './subscriptions.ts';

// The security cases every /api route runs (architecture habit 9): missing, malformed, unknown,
// suspended, cancelled, other-product and other-organisation keys, header and query parameter.

export const KEY_MISSING = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
export const KEY_INVALID = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';

export interface ApiRoute {
  app: FastifyInstance;
  services: Services;
  db: Kysely<Database>;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: InjectOptions['payload'];
  group: RouteGroup;
  /** A product code granting the group (default: the first seeded product that does). */
  productCode?: string;
  /** Status of a successful call with a valid key (default 200). */
  okStatus?: number;
  /**
   * What another organisation's valid key must get. Default: a successful answer that does not
   * mention the route owner's organisation. Routes on an organisation's resources should expect 404.
   */
  otherOrganisation?: (response: LightMyRequestResponse, ownerOrganisationId: string) => void;
}

function error(response: LightMyRequestResponse): { code: string; message: string; requestId: string } {
  assert.match(String(response.headers['content-type']), /^application\/json/);
  return response.json<{ error: { code: string; message: string; requestId: string } }>().error;
}

// Suites of one file build their fixtures at the same time: a count keeps their product codes apart
// (the time alone was the same for two suites reaching that line in one millisecond).
let suites = 0;

/** Registers the shared security tests for one /api route. */
export function apiSecuritySuite(route: ApiRoute): void {
  const suite = ++suites;
  const name = `${route.method} ${route.url}`;
  const call = (headers: Record<string, string>, url = route.url) =>
    route.app.inject({ method: route.method, url, headers, ...(route.payload === undefined ? {} : { payload: route.payload }) });
  const withKey = (key: string) => call({ 'ocp-apim-subscription-key': key });
  const fixtures = (async () => {
    const product =
      route.productCode ??
      (await route.db.selectFrom('products').select(['code', 'route_groups']).orderBy('code').execute()).find((p) => p.route_groups.includes(route.group))
        ?.code;
    assert.ok(product, `no product grants ${route.group}`);
    const owner = await createOrganisation(route.db, 'Owner Org');
    const other = await createOrganisation(route.db, 'Other Org');
    const referent = await createReferent(route.db, owner, [product]);
    const valid = await issueKeys(route.services, owner, product);
    const otherOrg = await issueKeys(route.services, other, product);
    const suspended = await issueKeys(route.services, owner, product);
    await route.services.subscriptions.change(suspended.id, 'suspend', CLI);
    const cancelled = await issueKeys(route.services, owner, product);
    await route.services.subscriptions.change(cancelled.id, 'cancel', { type: 'referent', id: referent.id, ip: null });
    const code = `no-${route.group}-${Date.now().toString(36)}-${suite}`;
    const created = await route.services.products.create(
      {
        code,
        name: `Without ${route.group}`,
        description: '',
        routeGroups: ROUTE_GROUPS.filter((g) => g !== route.group),
        approvalRequiredTest: false,
        approvalRequiredProd: true,
        rateLimitPerMinute: 600,
      },
      CLI,
    );
    assert.ok(created.ok);
    const otherProduct = await issueKeys(route.services, owner, code);
    return { owner, valid, otherOrg, suspended, cancelled, otherProduct };
  })();

  test(`${name}: a valid key in the header or in the subscription-key query parameter is accepted`, async () => {
    const f = await fixtures;
    assert.equal((await withKey(f.valid.primary)).statusCode, route.okStatus ?? 200);
    assert.equal((await withKey(f.valid.secondary)).statusCode, route.okStatus ?? 200);
    const sep = route.url.includes('?') ? '&' : '?';
    assert.equal((await call({}, `${route.url}${sep}subscription-key=${f.valid.primary}`)).statusCode, route.okStatus ?? 200);
  });

  test(`${name}: no key is 401 subscription_key_missing with the gateway's message`, async () => {
    for (const response of [await call({}), await withKey('')]) {
      assert.equal(response.statusCode, 401);
      assert.deepEqual({ ...error(response), requestId: '' }, { code: 'subscription_key_missing', message: KEY_MISSING, requestId: '' });
    }
  });

  test(`${name}: malformed, mistyped and unknown keys are 401 subscription_key_invalid`, async () => {
    const f = await fixtures;
    const typo = f.valid.primary.slice(0, 20) + (f.valid.primary[20] === 'a' ? 'b' : 'a') + f.valid.primary.slice(21);
    for (const key of [
      'nonsense',
      'vk_test_',
      typo,
      f.valid.primary.slice(0, -1),
      `${f.valid.primary} `,
      generateKey('test').key,
      generateKey('prod').key,
      'x'.repeat(5000),
    ]) {
      const response = await withKey(key);
      assert.equal(response.statusCode, 401, key.slice(0, 60));
      assert.deepEqual({ ...error(response), requestId: '' }, { code: 'subscription_key_invalid', message: KEY_INVALID, requestId: '' });
    }
  });

  test(`${name}: keys of suspended and cancelled subscriptions are 401 subscription_key_invalid`, async () => {
    const f = await fixtures;
    for (const key of [f.suspended.primary, f.suspended.secondary, f.cancelled.primary]) {
      const response = await withKey(key);
      assert.equal(response.statusCode, 401);
      assert.equal(error(response).code, 'subscription_key_invalid');
    }
  });

  test(`${name}: a valid key whose product does not grant the "${route.group}" group is 403 forbidden`, async () => {
    const f = await fixtures;
    const response = await withKey(f.otherProduct.primary);
    assert.equal(response.statusCode, 403);
    assert.equal(error(response).code, 'forbidden');
  });

  test(`${name}: another organisation's key never reaches this organisation's data`, async () => {
    const f = await fixtures;
    const response = await withKey(f.otherOrg.primary);
    if (route.otherOrganisation) route.otherOrganisation(response, f.owner);
    else {
      assert.equal(response.statusCode, route.okStatus ?? 200);
      assert.equal(response.body.includes(f.owner), false);
    }
  });
}
