import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import type { Services } from '../../src/app/container.ts';
import { hashPassword } from '../../src/modules/identity/index.ts';
import { newId } from '../../src/kernel/ids.ts';
import { appClock, CookieJar, csrfFrom } from './cookies.ts';

// Factories for subscription tests: organisations, referents, administrators, keys, signed-in browsers.

export const PASSWORD = 'violet-harbour-plum-2026';
export const CLI = { type: 'cli', id: null, ip: null } as const;

export async function createOrganisation(db: Kysely<Database>, name = `Org ${randomBytes(3).toString('hex')}`): Promise<string> {
  const id = newId('org');
  await db
    .insertInto('organisations')
    .values({ id, name, tax_code: `X-${randomBytes(6).toString('hex')}`, tax_code_kind: 'other', type: 'psp', contact_email: 'it@org.test' })
    .execute();
  return id;
}

export async function productId(db: Kysely<Database>, code: string): Promise<string> {
  return (await db.selectFrom('products').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
}

/** A referent of the organisation who may subscribe to the given products (by code). */
export async function createReferent(
  db: Kysely<Database>,
  organisationId: string,
  productCodes: string[],
  locale: 'en' | 'it' = 'en',
): Promise<{ id: string; email: string }> {
  const id = newId('usr');
  const email = `ref-${randomBytes(4).toString('hex')}@org.test`;
  await db
    .insertInto('users')
    .values({
      id,
      kind: 'referent',
      email,
      password_hash: await hashPassword(PASSWORD),
      first_name: 'Rita',
      last_name: 'Referente',
      locale,
      organisation_id: organisationId,
    })
    .execute();
  for (const code of productCodes)
    await db
      .insertInto('user_products')
      .values({ user_id: id, product_id: await productId(db, code) })
      .execute();
  return { id, email };
}

export async function createAdmin(services: Services): Promise<{ email: string }> {
  const email = `admin-${randomBytes(4).toString('hex')}@varco.test`;
  const created = await services.identity.createAdmin({ email, password: PASSWORD, actor: 'cli' });
  assert.ok(created.ok);
  return { email };
}

/** An active subscription with both keys, as `npx varco subscription create --approve` makes it. */
export async function issueKeys(services: Services, organisationId: string, productCode = 'node', environment: 'test' | 'prod' = 'test') {
  const created = await services.apiKeys.createActive({ organisationId, productCode, environment }, CLI);
  assert.ok(created.ok, created.ok ? '' : created.reason);
  return created.value;
}

/** The key with its last character changed: always a different key (a fixed replacement is the key itself one time in 62). */
export function mistypedKey(key: string): string {
  return `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
}

/** A signed-in browser on one surface: GET pages, POST forms with the page's CSRF token. */
export class Browser {
  readonly jar: CookieJar;
  readonly app: FastifyInstance;
  readonly surface: 'admin' | 'portal';
  csrf = '';

  constructor(app: FastifyInstance, surface: 'admin' | 'portal') {
    this.jar = new CookieJar(appClock(app));
    this.app = app;
    this.surface = surface;
  }

  async signIn(email: string, password = PASSWORD): Promise<this> {
    const form = await this.get(`/${this.surface}/sign-in`);
    const res = await this.app.inject({
      method: 'POST',
      url: `/${this.surface}/sign-in`,
      headers: { cookie: this.jar.header() },
      payload: { email, password, _csrf: csrfFrom(form.body) },
    });
    assert.equal(res.statusCode, 303, res.body);
    this.jar.store(res);
    this.csrf = csrfFrom((await this.get(`/${this.surface}`)).body);
    return this;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.jar.header() } });
    this.jar.store(res);
    return res;
  }

  async post(url: string, fields: Record<string, string | string[]> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    body.set('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
    this.jar.store(res);
    return res;
  }
}

/** The plain key shown once on a page (inside <code data-key>…</code>). */
export function shownKey(html: string): string {
  const match = /data-key="[a-z]+">(vk_(?:test|prod)_[0-9A-Za-z]{49})</.exec(html);
  assert.ok(match?.[1], 'no key shown on the page');
  return match[1];
}
