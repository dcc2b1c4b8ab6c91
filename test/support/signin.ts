import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import { CookieJar, csrfFrom } from './cookies.ts';

// Sign-in as a browser posts it, from a chosen client address, for throttle and proxy tests.

export interface SignInPage {
  jar: CookieJar;
  csrf: string;
}

/** Opens the sign-in page once: its cookie and form token may be reused by many posts. */
export async function openSignIn(app: FastifyInstance, surface: 'admin' | 'portal', remoteAddress = '127.0.0.1'): Promise<SignInPage> {
  const jar = new CookieJar();
  const page = await app.inject({ method: 'GET', url: `/${surface}/sign-in`, remoteAddress });
  jar.store(page);
  return { jar, csrf: csrfFrom(page.body) };
}

export function postSignIn(
  app: FastifyInstance,
  surface: 'admin' | 'portal',
  form: SignInPage,
  email: string,
  password: string,
  network: { remoteAddress?: string; forwardedFor?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `/${surface}/sign-in`,
    remoteAddress: network.remoteAddress ?? '127.0.0.1',
    headers: {
      cookie: form.jar.header(),
      'content-type': 'application/x-www-form-urlencoded',
      ...(network.forwardedFor ? { 'x-forwarded-for': network.forwardedFor } : {}),
    },
    payload: new URLSearchParams({ _csrf: form.csrf, email, password }).toString(),
  });
}

/** Sign-in failures recorded for an e-mail: one per password actually checked. */
export async function failedSignIns(db: Kysely<Database>, email: string): Promise<Array<{ ip: string | null }>> {
  return db
    .selectFrom('audit_log')
    .select('ip')
    .where('action', '=', 'sign_in.failed')
    .where(sql<string>`details->>'email'`, '=', email.toLowerCase())
    .execute();
}
